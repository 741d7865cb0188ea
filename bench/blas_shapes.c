/* blas_shapes.c - GFLOP/s of the matrix products of FF training.
 *
 * For each product of an FF step, the seed's dense net (batch 128,
 * 784 -> 100 -> ... -> 100) and the paper's nets (batch 100: 100 rows for
 * the neutral pass, 200 for the positive and negative passes together),
 * prints GFLOP/s, the best of five rounds of about G GFLOP each, for every
 * product backend built in (ff/gemm.h: cblas-fp32, dnnl-fp32, dnnl-bf16,
 * cblas-bf16), each in one thread and in T threads split by the library
 * (lib/src/parallel.h: one single-threaded call per block of C); then the
 * CBLAS in T threads of its own (OpenBLAS only).  All of them take turns
 * within each round, so that they are compared side by side.  The header
 * names the CBLAS and oneDNN (its instruction set: bf16 in hardware, or
 * emulated) that did the work.  The bf16 backends round both inputs at
 * every call here: in training a weight matrix is rounded once per step
 * (lib/src/bf16.h), so these rates are the worst case.
 * usage: blas_shapes [threads] [G]      (defaults 2 and 4) */
#include <stdio.h>
#include <stdlib.h>

#include "bench_check.h"
#include "ff/gemm.h"
#include "ff/system.h"
#include "parallel.h"

#ifdef FF_HAVE_OPENBLAS
void openblas_set_num_threads(int num_threads);
#endif

enum { ROUNDS = 5, MAX_MODES = 2 * FF_GEMM_N + 1 };

/* One way of running a product: a backend, in one thread or T threads of
 * the library's; or (blas_threads) the CBLAS in T threads of its own. */
typedef struct {
    ff_gemm_backend backend;
    int threads, blas_threads;
} mode;

static void use(const mode *m)
{
    bench_check(ff_gemm_select(m->backend), "ff_gemm_select");
    ff_system_set_threads(m->blas_threads ? 1 : m->threads);
#ifdef FF_HAVE_OPENBLAS
    if (m->blas_threads)
        openblas_set_num_threads(m->threads);
#endif
}

/* best[i]: the best GFLOP/s of mode i over ROUNDS rounds of about
 * per_round flops; the modes take turns within each round, so that a
 * machine whose speed drifts slows all of them alike. */
static void measure(double *best, const mode *modes, int n_modes, CBLAS_TRANSPOSE_t ta,
                    size_t m, size_t n, size_t k, double per_round)
{
    const double flop = 2.0 * (double)(m * n * k);
    const int reps = flop > per_round ? 1 : (int)(per_round / flop);
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b),
          *c = calloc(m * n, sizeof *c);
    if (!a || !b || !c) {
        fprintf(stderr, "blas_shapes: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < m * k; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < k * n; i++)
        b[i] = (float)(i % 5) * 0.1f;
    gsl_matrix_float_view A = ta == CblasNoTrans ? gsl_matrix_float_view_array(a, m, k)
                                                 : gsl_matrix_float_view_array(a, k, m);
    gsl_matrix_float_view B = gsl_matrix_float_view_array(b, k, n);
    gsl_matrix_float_view C = gsl_matrix_float_view_array(c, m, n);
    for (int i = 0; i < n_modes; i++)
        best[i] = 0.0;
    for (int round = 0; round < ROUNDS; round++)
        for (int i = 0; i < n_modes; i++) {
            use(&modes[i]);
            if (round == 0) /* untimed: a backend's first call of a shape
                               creates its primitive */
                ff_par_gemm(ta, CblasNoTrans, 1.0f, &A.matrix, &B.matrix, 1.0f, &C.matrix);
            double t = ff_system_seconds();
            for (int r = 0; r < reps; r++) /* beta 1: the gradient products add */
                ff_par_gemm(ta, CblasNoTrans, 1.0f, &A.matrix, &B.matrix, 1.0f, &C.matrix);
            const double g = flop / ((ff_system_seconds() - t) / reps) * 1e-9;
            best[i] = g > best[i] ? g : best[i];
        }
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv)
{
    static const char usage[] = "blas_shapes [threads] [G]";
    if (argc > 3)
        bench_usage("blas_shapes", "too many arguments", usage);
    const int T = argc > 1 ? bench_int("blas_shapes", "threads", argv[1], 1, 256, usage) : 2;
    const double G = argc > 2 ? bench_positive("blas_shapes", "G", argv[2], 1e6, usage) : 4.0;
    static const struct {
        const char *what;
        CBLAS_TRANSPOSE_t ta;
        size_t m, n, k;
    } shapes[] = {
        {"seed layer 1 forward", CblasNoTrans, 128, 100, 784},
        {"seed layer 1 weight grad.", CblasTrans, 784, 100, 128},
        {"seed layer 2-4 forward", CblasNoTrans, 128, 100, 100},
        {"seed layer 2-4 weight grad.", CblasTrans, 100, 100, 128},
        {"seed eval layer 1 (1024)", CblasNoTrans, 1024, 100, 784},
        {"3x1000 layer 0 forward", CblasNoTrans, 100, 1000, 784},
        {"3x1000 forward (pos+neg)", CblasNoTrans, 200, 1000, 1000},
        {"3x1000 weight gradient", CblasTrans, 1000, 1000, 200},
        {"4x2000 neutral forward", CblasNoTrans, 100, 2000, 2000},
        {"4x2000 forward (pos+neg)", CblasNoTrans, 200, 2000, 2000},
        {"4x2000 weight gradient", CblasTrans, 2000, 2000, 200},
    };
    char what[1024];
    ff_system_flush_denormals();
    printf("# GFLOP/s, best of %d rounds of about %g GFLOP; threads: %d\n", ROUNDS, G, T);
    mode modes[MAX_MODES];
    int n_modes = 0;
    for (int b = 0; b < FF_GEMM_N; b++) {
        const ff_gemm_backend be = (ff_gemm_backend)b;
        if (!ff_gemm_available(be)) {
            printf("# %s: not available\n", ff_gemm_name(be));
            continue;
        }
        printf("# %s: %s\n", ff_gemm_name(be), ff_gemm_describe(be, what, sizeof what));
        modes[n_modes++] = (mode){be, 1, 0};
        modes[n_modes++] = (mode){be, T, 0};
    }
#ifdef FF_HAVE_OPENBLAS
    modes[n_modes++] = (mode){FF_GEMM_CBLAS, T, 1};
#endif
    printf("# columns: each backend in 1 thread and in %d of the library's", T);
#ifdef FF_HAVE_OPENBLAS
    printf("; then OpenBLAS in %d of its own", T);
#endif
    printf("\n%-28s %19s", "product", "m x n x k");
    for (int i = 0; i < n_modes; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s/%d", modes[i].blas_threads ? "blas:" : "",
                 ff_gemm_name(modes[i].backend), modes[i].threads);
        printf(" %16s", head);
    }
    printf("\n");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        double g[MAX_MODES];
        measure(g, modes, n_modes, shapes[s].ta, shapes[s].m, shapes[s].n, shapes[s].k,
                G * 1e9);
        printf("%-28s %5zu x %4zu x %4zu", shapes[s].what, shapes[s].m, shapes[s].n,
               shapes[s].k);
        for (int i = 0; i < n_modes; i++)
            printf(" %16.1f", g[i]);
        printf("\n");
    }
    return 0;
}
