/* parallel.h - private: the library's own threads.
 *
 * A batch of 100-200 rows makes thin matrix products, which OpenBLAS's
 * threading splits poorly; the library splits them itself instead: each of
 * its T threads (ff_system_set_threads) computes one block of C's rows or
 * columns with a single-threaded CBLAS call.  Each element of C is still
 * one CBLAS dot product over the whole depth, so the split changes which
 * thread computes it, not how.  The large element-wise passes (the
 * optimiser steps over every parameter) are split the same way, into
 * contiguous chunks.  T = 1 runs everything in the calling thread. */
#ifndef FF_PARALLEL_H
#define FF_PARALLEL_H

#include <stddef.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>

/* The thread count, set by ff_system_set_threads (default 1). */
int ff_threads(void);
void ff_parallel_set_threads(int n);

/* C = alpha op(A) op(B) + beta C, as gsl_blas_sgemm, in ff_threads()
 * threads when the product is large enough to gain from it. */
void ff_gemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
             const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
             gsl_matrix_float *C);

/* [*i0, *i1): thread t of T's share of [0, n), in contiguous chunks whose
 * starts are multiples of 16 floats (64 bytes, one cache line). */
void ff_chunk(size_t n, int t, int T, size_t *i0, size_t *i1);

#endif
