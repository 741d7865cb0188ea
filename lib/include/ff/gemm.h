/* gemm.h - the backend of the library's matrix products.
 *
 * Every matrix product the library computes (the layers' passes, the
 * heads, their gradients) goes through one backend, chosen at run time for
 * the whole process:
 *
 *   FF_GEMM_CBLAS      fp32 in the CBLAS the library is linked with
 *                      (OpenBLAS): the default, and the reference;
 *   FF_GEMM_DNNL_FP32  fp32 in oneDNN's matmul primitive;
 *   FF_GEMM_DNNL_BF16  oneDNN's matmul on bf16 inputs, accumulating in
 *                      fp32: op(A) and op(B) are rounded to bf16 (round to
 *                      nearest, ties to even; 8 significant bits) just
 *                      before the product; alpha, beta and C stay fp32;
 *   FF_GEMM_CBLAS_BF16 the same arithmetic in the CBLAS: the inputs rounded
 *                      to bf16 as above but held in floats, then an fp32
 *                      product.  A product of two bf16 numbers is exact in
 *                      fp32 and the sums are fp32 in both, so this is
 *                      bf16's arithmetic up to the order of the sums (which
 *                      oneDNN's kernels choose): bf16 results at fp32 speed
 *                      on a CPU without bf16 instructions, where oneDNN
 *                      emulates them several times slower than fp32.
 *
 * Only the products' inputs change precision: the weights the optimisers
 * update, their state, the normalisations, losses and readouts are fp32
 * whatever the backend.  The library still cuts a large product into its
 * own threads' blocks (lib/src/parallel.h) and computes each block with
 * one single-threaded call of the backend, so that the bits depend on the
 * thread count only as they do with the CBLAS.
 *
 * Error of FF_GEMM_DNNL_BF16.  A float rounded to bf16 moves by at most
 * u = 2^-8 of itself; the product of two bf16 numbers is exact in fp32,
 * and the K-term sum, alpha's scaling and the beta C term add the fp32
 * rounding of any such sum, at most (K + 2) 2^-24 of the magnitudes added
 * (to first order).  So each element of C is within
 *     (2u + u^2 + (K + 2) 2^-24) (|alpha| (|op(A)| |op(B)|)_ij + |beta C_ij|)
 * of the exact result, against (K + 2) 2^-24 of the same for fp32:
 * tests/test_gemm.c checks both bounds, and that bf16 really exceeds the
 * fp32 one.
 *
 * oneDNN is optional at build time (libdnnl-dev; CMake says whether it
 * found it): without it only FF_GEMM_CBLAS and FF_GEMM_CBLAS_BF16 are
 * available. */
#ifndef FF_GEMM_H
#define FF_GEMM_H

#include <stddef.h>
#include "ff/error.h"

typedef enum {
    FF_GEMM_CBLAS,
    FF_GEMM_DNNL_FP32,
    FF_GEMM_DNNL_BF16,
    FF_GEMM_CBLAS_BF16,
    FF_GEMM_N
} ff_gemm_backend;

/* "cblas-fp32", "dnnl-fp32", "dnnl-bf16", "cblas-bf16"; NULL for an
 * unknown value. */
const char *ff_gemm_name(ff_gemm_backend b);

/* The backend named name (ff_gemm_name's names); FF_EINVAL if none is. */
FF_MUST_CHECK
int ff_gemm_parse(const char *name, ff_gemm_backend *b);

/* 1 if b can run here: built in, and (oneDNN) its engine starts and, for
 * bf16, it has a bf16 matmul for this CPU (none without AVX-512). */
FF_MUST_CHECK
int ff_gemm_available(ff_gemm_backend b);

/* Makes b the backend of every product from now on: FF_SUCCESS, or
 * FF_EBACKEND (the current backend unchanged) if it is not available.
 * Not while a product runs (call it before training, as
 * ff_system_set_threads). */
FF_MUST_CHECK
int ff_gemm_select(ff_gemm_backend b);

/* The backend in use (FF_GEMM_CBLAS until ff_gemm_select). */
ff_gemm_backend ff_gemm_current(void);

/* 1 if this CPU computes bf16 products in hardware (oneDNN's instruction
 * set: AVX512_BF16 or AMX), 0 otherwise or without oneDNN. */
FF_MUST_CHECK
int ff_gemm_bf16_native(void);

/* The backend for products of a precision (bf16 1, fp32 0): fp32 in the
 * CBLAS, the reference; bf16 in oneDNN where the CPU has bf16 arithmetic
 * (ff_gemm_bf16_native), in the CBLAS (FF_GEMM_CBLAS_BF16) elsewhere. */
ff_gemm_backend ff_gemm_for_precision(int bf16);

/* Code outside the library that writes a net's parameters itself (not
 * through the library's optimisers, initialisations or checkpoint restores)
 * calls this after, for [p, p + n): the bf16 backends keep converted
 * copies of parameters (lib/src/bf16.h) and would read stale ones. */
void ff_gemm_params_changed(const float *p, size_t n);

/* What b runs on, for config.txt and the benchmarks, e.g. "oneDNN 2.6.3,
 * isa avx512_core_bf16" or the CBLAS's library (ff_system_cblas).  Writes
 * at most len bytes (NUL-terminated) into buf and returns buf. */
char *ff_gemm_describe(ff_gemm_backend b, char *buf, size_t len);

#endif
