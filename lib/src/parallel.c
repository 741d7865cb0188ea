/* parallel.c - the library's own threads; see parallel.h. */
#include "parallel.h"

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

int ff_par_for(size_t n, size_t elems, ff_par_fn *fn, void *ctx)
{
    const int T = threads_for(elems);
    if (T == 1) {
        fn(ctx, 0, n, 0);
        return 1;
    }
#pragma omp parallel num_threads(T)
    for (int t = omp_get_thread_num(); t < T; t += omp_get_num_threads()) {
        size_t i0, i1;
        ff_par_chunk(n, t, T, &i0, &i1);
        if (i1 > i0)
            fn(ctx, i0, i1, t);
    }
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

/* Block [i0, i0 + n) of C's rows (by_rows) or columns: the same rows of
 * op(A) or the same columns of op(B), and all of the other. */
static void gemm_block(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                       const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                       gsl_matrix_float *C, int by_rows, size_t i0, size_t n)
{
    if (n == 0)
        return;
    const size_t M = C->size1, N = C->size2;
    gsl_matrix_float_const_view
        a = by_rows ? rows_or_cols(A, ta == CblasNoTrans, i0, n) : whole(A),
        b = by_rows ? whole(B) : rows_or_cols(B, tb != CblasNoTrans, i0, n);
    gsl_matrix_float_view c = by_rows ? gsl_matrix_float_submatrix(C, i0, 0, n, N)
                                      : gsl_matrix_float_submatrix(C, 0, i0, M, n);
    gsl_blas_sgemm(ta, tb, alpha, &a.matrix, &b.matrix, beta, &c.matrix);
}

void ff_par_gemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                 const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                 gsl_matrix_float *C)
{
    const size_t M = C->size1, N = C->size2, K = ta == CblasNoTrans ? A->size2 : A->size1;
    const int T = n_threads;
    if (T == 1 || M * N * K < FF_PAR_MIN_MACS || (M < 32 * (size_t)T && N < 32 * (size_t)T)) {
        gsl_blas_sgemm(ta, tb, alpha, A, B, beta, C);
        return;
    }
    const int by_rows = M > N; /* along C's longer side */
#pragma omp parallel num_threads(T)
    for (int t = omp_get_thread_num(); t < T; t += omp_get_num_threads()) {
        size_t i0, i1;
        ff_par_chunk(by_rows ? M : N, t, T, &i0, &i1);
        gemm_block(ta, tb, alpha, A, B, beta, C, by_rows, i0, i1 - i0);
    }
}
