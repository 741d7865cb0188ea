/* parallel.h - private: the library's own threads.
 *
 * A batch of 100-200 rows makes thin matrix products, which OpenBLAS's
 * threading splits poorly; the library splits them itself instead: the
 * product is cut into T blocks of C's rows or columns (T from
 * ff_system_set_threads), each computed by one single-threaded call of the
 * product backend (ff/gemm.h: the CBLAS unless another is chosen) in its
 * own OpenMP thread.  The depth is never split, so no partial sums are
 * combined across threads; the backend may still pick other kernels for
 * other block sizes, so the bits are fixed for a given T and may differ
 * between two T.  The large element-wise passes (the optimiser steps, the
 * activations, normalisation, FF loss and bias gradients of a batch) are
 * cut the same way, into T contiguous blocks of elements, rows or columns
 * (ff_par_for), and give the same bits for every T, except that a sum over
 * a batch's rows (a loss reported, never trained on) adds its blocks'
 * partial sums.
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

/* C = alpha op(A) op(B) + beta C, as gsl_blas_sgemm, in T threads when the
 * product is large enough to gain from it. */
void ff_par_gemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                 const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                 gsl_matrix_float *C);

/* [*i0, *i1): block t of T of [0, n), contiguous, in order, each starting
 * on a multiple of 16 elements. */
void ff_par_chunk(size_t n, int t, int T, size_t *i0, size_t *i1);

/* The most threads a pass can use (ff_par_set_threads clamps T to it). */
#define FF_PAR_MAX_THREADS 256

/* One block [i0, i1) of a pass, the t-th of its blocks. */
typedef void ff_par_fn(void *ctx, size_t i0, size_t i1, int t);

/* An element-wise pass over [0, n) (rows, columns or elements) that
 * touches `elems` elements in all: fn on the T blocks of ff_par_chunk, in
 * T threads; below FF_PAR_MIN_ELEMS elements (or with T = 1), fn on all of
 * [0, n) in the calling thread.  Empty blocks are skipped.  The blocks must
 * be independent; a pass whose every element, row or column does the same
 * arithmetic in any block gives the same bits for every T.  Returns the
 * number of blocks. */
int ff_par_for(size_t n, size_t elems, ff_par_fn *fn, void *ctx);

#endif
