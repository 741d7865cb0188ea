/* blas_shapes.c - GFLOP/s of the matrix products of FF training.
 *
 * For each product of an FF step, the seed's dense net (batch 128,
 * 784 -> 100 -> ... -> 100) and the paper's nets (batch 100: 100 rows for
 * the neutral pass, 200 for the positive and negative passes together),
 * prints GFLOP/s, the best of five rounds of about G GFLOP each: in one
 * thread; in T threads split by the library (lib/src/parallel.h: one
 * single-threaded CBLAS call per block of C); in T threads of the CBLAS's
 * own (OpenBLAS only).  Also names the CBLAS that did the work.
 * usage: blas_shapes [threads] [G]      (defaults 2 and 4) */
#include <stdio.h>
#include <stdlib.h>

#include "ff/system.h"
#include "parallel.h"

#ifdef FF_HAVE_OPENBLAS
void openblas_set_num_threads(int num_threads);
#endif

enum { LIB1, LIBT, BLAST, MODES };

enum { ROUNDS = 5 };

/* Sets the threads of one way of running a product. */
static void use(int mode, int T)
{
    ff_system_set_threads(mode == LIBT ? T : 1);
#ifdef FF_HAVE_OPENBLAS
    if (mode == BLAST)
        openblas_set_num_threads(T);
#endif
}

/* best[mode]: the best GFLOP/s of ROUNDS rounds of about per_round flops;
 * the three ways take turns within each round, so that a machine whose
 * speed drifts slows all of them alike. */
static void measure(double best[MODES], int T, CBLAS_TRANSPOSE_t ta, size_t m, size_t n,
                    size_t k, double per_round)
{
    const double flop = 2.0 * (double)(m * n * k);
    const int reps = flop > per_round ? 1 : (int)(per_round / flop);
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b),
          *c = calloc(m * n, sizeof *c);
    for (size_t i = 0; i < m * k; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < k * n; i++)
        b[i] = (float)(i % 5) * 0.1f;
    gsl_matrix_float_view A = ta == CblasNoTrans ? gsl_matrix_float_view_array(a, m, k)
                                                 : gsl_matrix_float_view_array(a, k, m);
    gsl_matrix_float_view B = gsl_matrix_float_view_array(b, k, n);
    gsl_matrix_float_view C = gsl_matrix_float_view_array(c, m, n);
    for (int mode = 0; mode < MODES; mode++)
        best[mode] = 0.0;
    for (int round = 0; round < ROUNDS; round++)
        for (int mode = 0; mode < MODES; mode++) {
            use(mode, T);
            double t = ff_system_seconds();
            for (int r = 0; r < reps; r++) /* beta 1: the gradient products add */
                ff_par_gemm(ta, CblasNoTrans, 1.0f, &A.matrix, &B.matrix, 1.0f, &C.matrix);
            const double g = flop / ((ff_system_seconds() - t) / reps) * 1e-9;
            best[mode] = g > best[mode] ? g : best[mode];
        }
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv)
{
    const int T = argc > 1 ? atoi(argv[1]) : 2;
    const double G = argc > 2 ? atof(argv[2]) : 4.0;
    if (T < 1 || !(G > 0.0)) {
        fprintf(stderr, "blas_shapes: threads and GFLOP per round must be positive; "
                        "usage: blas_shapes [threads] [G]\n");
        return 2;
    }
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
    char cblas[1024];
    ff_system_flush_denormals();
    printf("# cblas: %s\n# GFLOP/s, best of %d rounds of about %g GFLOP; threads: %d\n",
           ff_system_cblas(cblas, sizeof cblas), ROUNDS, G, T);
    printf("%-28s %19s %9s %9s %9s\n", "product", "m x n x k", "1 thread", "library",
           "CBLAS");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        double g[MODES];
        measure(g, T, shapes[s].ta, shapes[s].m, shapes[s].n, shapes[s].k, G * 1e9);
        printf("%-28s %5zu x %4zu x %4zu %9.1f %9.1f ", shapes[s].what, shapes[s].m,
               shapes[s].n, shapes[s].k, g[LIB1], g[LIBT]);
#ifdef FF_HAVE_OPENBLAS
        printf("%9.1f\n", g[BLAST]);
#else
        printf("%9s\n", "n/a");
#endif
    }
    return 0;
}
