/* parallel.c - the library's own threads; see parallel.h. */
#include "parallel.h"
#include "gemm_backend.h"

#include <omp.h>

static int n_threads = 1;

/* The threads for an element-wise pass over n elements. */
static int threads_for(size_t n)
{
    return n >= FF_PAR_MIN_ELEMS ? n_threads : 1;
}

void ff_par_set_threads(int n)
{
    n_threads = n < 1 ? 1 : n > FF_PAR_MAX_THREADS ? FF_PAR_MAX_THREADS : n;
}

void ff_par_chunk(size_t n, int t, int T, size_t *i0, size_t *i1)
{
    *i0 = t == 0 ? 0 : n * (size_t)t / (size_t)T / 16 * 16;
    *i1 = t == T - 1 ? n : n * (size_t)(t + 1) / (size_t)T / 16 * 16;
}

/* fn on the T blocks of [0, n) (ff_par_chunk), in T threads; the blocks
 * are defined by T alone, whatever team OpenMP gives. */
static void run_blocks(int T, size_t n, ff_par_fn *fn, void *ctx)
{
#pragma omp parallel num_threads(T)
    for (int t = omp_get_thread_num(); t < T; t += omp_get_num_threads()) {
        size_t i0, i1;
        ff_par_chunk(n, t, T, &i0, &i1);
        if (i1 > i0)
            fn(ctx, i0, i1, t);
    }
}

int ff_par_for(size_t n, size_t elems, ff_par_fn *fn, void *ctx)
{
    const int T = threads_for(elems);
    if (T == 1)
        fn(ctx, 0, n, 0);
    else
        run_blocks(T, n, fn, ctx);
    return T;
}

/* Rows [i0, i0 + n) of X, or its columns. */
static _gsl_matrix_float_const_view rows_or_cols(const gsl_matrix_float *X, int rows, size_t i0,
                                                 size_t n)
{
    return rows ? gsl_matrix_float_const_submatrix(X, i0, 0, n, X->size2)
                : gsl_matrix_float_const_submatrix(X, 0, i0, X->size1, n);
}

static _gsl_matrix_float_const_view whole(const gsl_matrix_float *X)
{
    return rows_or_cols(X, 1, 0, X->size1);
}

/* One product, C = alpha op(A) op(B) + beta C, to be cut along C's rows
 * (by_rows) or its columns. */
typedef struct {
    CBLAS_TRANSPOSE_t ta, tb;
    float alpha, beta;
    const gsl_matrix_float *A, *B;
    gsl_matrix_float *C;
    int by_rows;
} gemm_pass;

/* Block [i0, i1) of C's rows or columns: the same rows of op(A) or the same
 * columns of op(B), and all of the other. */
static void gemm_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const gemm_pass *g = ctx;
    const size_t M = g->C->size1, N = g->C->size2, n = i1 - i0;
    gsl_matrix_float_const_view
        a = g->by_rows ? rows_or_cols(g->A, g->ta == CblasNoTrans, i0, n) : whole(g->A),
        b = g->by_rows ? whole(g->B) : rows_or_cols(g->B, g->tb != CblasNoTrans, i0, n);
    gsl_matrix_float_view c = g->by_rows ? gsl_matrix_float_submatrix(g->C, i0, 0, n, N)
                                         : gsl_matrix_float_submatrix(g->C, 0, i0, M, n);
    ff_gemm_one(g->ta, g->tb, g->alpha, &a.matrix, &b.matrix, g->beta, &c.matrix);
}

void ff_par_gemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                 const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                 gsl_matrix_float *C)
{
    const size_t M = C->size1, N = C->size2, K = ta == CblasNoTrans ? A->size2 : A->size1;
    const int T = n_threads;
    if (T == 1 || M * N * K < FF_PAR_MIN_MACS || (M < 32 * (size_t)T && N < 32 * (size_t)T)) {
        ff_gemm_one(ta, tb, alpha, A, B, beta, C);
        return;
    }
    gemm_pass g = {ta, tb, alpha, beta, A, B, C, M > N /* along C's longer side */};
    run_blocks(T, g.by_rows ? M : N, gemm_block, &g);
}
