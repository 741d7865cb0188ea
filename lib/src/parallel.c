/* parallel.c - the library's own threads; see parallel.h. */
#include "parallel.h"

#include <omp.h>

static int n_threads = 1;

int ff_threads(void)
{
    return n_threads;
}

void ff_parallel_set_threads(int n)
{
    n_threads = n > 1 ? n : 1;
}

void ff_chunk(size_t n, int t, int T, size_t *i0, size_t *i1)
{
    *i0 = t == 0 ? 0 : n * (size_t)t / (size_t)T / 16 * 16;
    *i1 = t == T - 1 ? n : n * (size_t)(t + 1) / (size_t)T / 16 * 16;
}

/* Below this many multiply-adds a product runs in one thread: starting
 * the others would cost more than it saves. */
#define SPLIT_MIN_MACS (1u << 21)

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

void ff_gemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
             const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
             gsl_matrix_float *C)
{
    const size_t M = C->size1, N = C->size2, K = ta == CblasNoTrans ? A->size2 : A->size1;
    const int T = n_threads;
    if (T == 1 || M * N * K < SPLIT_MIN_MACS || (M < 32 * (size_t)T && N < 32 * (size_t)T)) {
        gsl_blas_sgemm(ta, tb, alpha, A, B, beta, C);
        return;
    }
    /* split C along its longer side: a block of C's rows takes the same
     * rows of op(A), a block of its columns the same columns of op(B) */
    const int by_rows = M > N;
#pragma omp parallel num_threads(T)
    {
        size_t i0, i1;
        ff_chunk(by_rows ? M : N, omp_get_thread_num(), T, &i0, &i1);
        const size_t n = i1 - i0;
        gsl_matrix_float_const_view
            a = by_rows ? rows_or_cols(A, ta == CblasNoTrans, i0, n) : whole(A),
            b = by_rows ? whole(B) : rows_or_cols(B, tb != CblasNoTrans, i0, n);
        gsl_matrix_float_view c = by_rows ? gsl_matrix_float_submatrix(C, i0, 0, n, N)
                                          : gsl_matrix_float_submatrix(C, 0, i0, M, n);
        if (n > 0)
            gsl_blas_sgemm(ta, tb, alpha, &a.matrix, &b.matrix, beta, &c.matrix);
    }
}
