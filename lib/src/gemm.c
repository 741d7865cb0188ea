/* gemm.c - the product backends (ff/gemm.h): choice and dispatch; the
 * CBLAS backends (fp32, and bf16-rounded inputs); bf16 packing. */
#include "ff/gemm.h"
#include "ff/error.h"
#include "ff/system.h"
#include "bf16.h"
#include "gemm_backend.h"
#include "simd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const names[FF_GEMM_N] = {
    [FF_GEMM_CBLAS] = "cblas-fp32",
    [FF_GEMM_DNNL_FP32] = "dnnl-fp32",
    [FF_GEMM_DNNL_BF16] = "dnnl-bf16",
    [FF_GEMM_CBLAS_BF16] = "cblas-bf16",
};

static ff_gemm_backend current = FF_GEMM_CBLAS;

const char *ff_gemm_name(ff_gemm_backend b)
{
    return (unsigned)b < FF_GEMM_N ? names[b] : NULL;
}

int ff_gemm_parse(const char *name, ff_gemm_backend *b)
{
    for (int i = 0; i < FF_GEMM_N; i++)
        if (name && !strcmp(name, names[i])) {
            *b = (ff_gemm_backend)i;
            return FF_SUCCESS;
        }
    return FF_EINVAL;
}

int ff_gemm_available(ff_gemm_backend b)
{
    if (b == FF_GEMM_CBLAS || b == FF_GEMM_CBLAS_BF16)
        return 1;
#ifdef FF_HAVE_DNNL
    if (b == FF_GEMM_DNNL_FP32)
        return ff_dnnl_start() == FF_SUCCESS;
    if (b == FF_GEMM_DNNL_BF16)
        return ff_dnnl_has_bf16();
#endif
    return 0;
}

int ff_gemm_select(ff_gemm_backend b)
{
    if (!ff_gemm_available(b))
        return FF_EBACKEND;
    current = b;
    return FF_SUCCESS;
}

ff_gemm_backend ff_gemm_current(void)
{
    return current;
}

int ff_gemm_bf16_native(void)
{
#ifdef FF_HAVE_DNNL
    return ff_dnnl_start() == FF_SUCCESS && ff_dnnl_bf16_native();
#else
    return 0;
#endif
}

ff_gemm_backend ff_gemm_for_precision(int bf16)
{
    return !bf16 ? FF_GEMM_CBLAS : ff_gemm_bf16_native() ? FF_GEMM_DNNL_BF16 : FF_GEMM_CBLAS_BF16;
}

char *ff_gemm_describe(ff_gemm_backend b, char *buf, size_t len)
{
    if (b == FF_GEMM_CBLAS || b == FF_GEMM_CBLAS_BF16)
        return ff_system_cblas(buf, len);
#ifdef FF_HAVE_DNNL
    if (ff_gemm_available(b))
        return ff_dnnl_describe(buf, len);
#endif
    snprintf(buf, len, "not available");
    return buf;
}

/* The product of bf16-rounded inputs in the CBLAS; C NaN if their
 * buffers cannot be had (as ff_dnnl_gemm's failures). */
static void cblas_bf16(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                       const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                       gsl_matrix_float *C)
{
    const float *a = ff_bf16_operand(A, 1, 0), *b = ff_bf16_operand(B, 1, 1);
    if (!a || !b) {
        gsl_matrix_float_set_all(C, NAN);
        return;
    }
    gsl_matrix_float_const_view av = gsl_matrix_float_const_view_array(a, A->size1, A->size2),
                                bv = gsl_matrix_float_const_view_array(b, B->size1, B->size2);
    gsl_blas_sgemm(ta, tb, alpha, &av.matrix, &bv.matrix, beta, C);
}

void ff_gemm_one(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                 const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                 gsl_matrix_float *C)
{
    switch (current) {
#ifdef FF_HAVE_DNNL
    case FF_GEMM_DNNL_FP32:
    case FF_GEMM_DNNL_BF16:
        ff_dnnl_gemm(current == FF_GEMM_DNNL_BF16, ta, tb, alpha, A, B, beta, C);
        return;
#endif
    case FF_GEMM_CBLAS_BF16:
        cblas_bf16(ta, tb, alpha, A, B, beta, C);
        return;
    default:
        gsl_blas_sgemm(ta, tb, alpha, A, B, beta, C);
    }
}

FF_HOT void ff_bf16_pack(uint16_t *dst, const float *src, size_t rows, size_t cols, size_t tda)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            dst[i * cols + j] = ff_bf16_from_float(src[i * tda + j]);
}

FF_HOT void ff_bf16_round(float *dst, const float *src, size_t rows, size_t cols, size_t tda)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            dst[i * cols + j] = ff_bf16_to_float(ff_bf16_from_float(src[i * tda + j]));
}
