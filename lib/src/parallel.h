/* parallel.h - private: the library's own threads.
 *
 * A batch of 100-200 rows makes thin matrix products, which OpenBLAS's
 * threading splits poorly; the library splits them itself instead: the
 * product is cut into T blocks of C's rows or columns (T from
 * ff_system_set_threads), each computed by one single-threaded CBLAS call
 * in its own OpenMP thread.  The depth is never split, so no partial sums
 * are combined across threads; the CBLAS may still pick other kernels for
 * other block sizes, so the bits are fixed for a given T and may differ
 * between two T.  The large element-wise passes (the optimiser steps over
 * every parameter) are cut the same way, into T contiguous chunks, and
 * give the same bits for every T.
 *
 * The blocks are defined by T alone: should OpenMP give a region fewer
 * threads (OMP_DYNAMIC, OMP_THREAD_LIMIT, a caller's own parallel region),
 * each thread takes several blocks, and the result is the same.  T = 1
 * runs everything in the calling thread. */
#ifndef FF_PARALLEL_H
#define FF_PARALLEL_H

#include <stddef.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>

/* Products of fewer multiply-adds than this run in one thread: starting
 * the others would cost more than it saves.  So do products whose C has
 * fewer than 32 T rows and fewer than 32 T columns. */
#define FF_PAR_MIN_MACS ((size_t)1 << 21)

/* Element-wise passes over fewer elements than this run in one thread. */
#define FF_PAR_MIN_ELEMS ((size_t)1 << 16)

/* The thread count T (default 1); ff_system_set_threads sets it. */
void ff_par_set_threads(int n);

/* The threads for an element-wise pass over n elements: T, or 1 below
 * FF_PAR_MIN_ELEMS. */
int ff_par_threads_for(size_t n);

/* C = alpha op(A) op(B) + beta C, as gsl_blas_sgemm, in T threads when the
 * product is large enough to gain from it. */
void ff_par_gemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                 const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                 gsl_matrix_float *C);

/* [*i0, *i1): block t of T of [0, n), contiguous, in order, each starting
 * on a multiple of 16 elements. */
void ff_par_chunk(size_t n, int t, int T, size_t *i0, size_t *i1);

#endif
