/* gemm_backend.h - private: one product in the backend in use (ff/gemm.h).
 *
 * lib/src/parallel.c calls ff_gemm_one once per block of a product, each in
 * its own thread; the backend computes that block in the calling thread
 * alone.  oneDNN's part lives in gemm_dnnl.c, built only when CMake found
 * oneDNN (FF_HAVE_DNNL). */
#ifndef FF_GEMM_BACKEND_H
#define FF_GEMM_BACKEND_H

#include <stddef.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>

/* C = alpha op(A) op(B) + beta C, as gsl_blas_sgemm, in this thread.  A
 * product that fails (oneDNN, or a bf16 buffer not allocated) sets all of C
 * to NaN: the callers' finiteness checks stop training (pipeline.c) and
 * evaluation (eval.c) there. */
void ff_gemm_one(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                 const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                 gsl_matrix_float *C);

#ifdef FF_HAVE_DNNL
/* Starts oneDNN's CPU engine once: FF_SUCCESS or FF_EBACKEND. */
int ff_dnnl_start(void);
/* The product of ff_gemm_one in oneDNN, its inputs rounded to bf16 when
 * bf16 is 1.  Each thread keeps its own stream and primitives (one per
 * shape, layout, alpha and beta, created on first use). */
void ff_dnnl_gemm(int bf16, CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                  const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                  gsl_matrix_float *C);
/* 1 if oneDNN has a bf16 matmul for this CPU (natively or emulated). */
int ff_dnnl_has_bf16(void);
/* 1 if oneDNN's instruction set has bf16 arithmetic (AVX512_BF16, AMX). */
int ff_dnnl_bf16_native(void);
/* "oneDNN 2.6.3, isa avx512_core_bf16" */
char *ff_dnnl_describe(char *buf, size_t len);
#endif

#endif
