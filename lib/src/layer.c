/* layer.c - dense and conv2d layers as im2col + one sgemm. */
#include "ff/layer.h"
#include "ff/error.h"
#include "parallel.h"
#include "simd.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>
#include <gsl/gsl_randist.h>

static void set_shape(ff_layer *L, size_t ih, size_t iw, size_t ic, size_t kh,
                      size_t kw, size_t oc)
{
    L->ih = ih, L->iw = iw, L->ic = ic;
    L->kh = kh, L->kw = kw;
    L->oh = ih - kh + 1, L->ow = iw - kw + 1, L->oc = oc;
    L->n_in = ih * iw * ic;
    L->n_out = L->oh * L->ow * oc;
    L->fan_in = kh * kw * ic;
    L->n_params = L->fan_in * oc + oc;
    L->w = L->b = NULL;
}

int ff_layer_dense(ff_layer *L, size_t n_in, size_t n_out)
{
    if (n_in == 0 || n_out == 0)
        return FF_EINVAL;
    L->kind = FF_LAYER_DENSE;
    set_shape(L, 1, 1, n_in, 1, 1, n_out);
    return FF_SUCCESS;
}

int ff_layer_conv2d(ff_layer *L, size_t ih, size_t iw, size_t ic, size_t kh,
                    size_t kw, size_t filters)
{
    if (!ih || !iw || !ic || !kh || !kw || !filters || kh > ih || kw > iw)
        return FF_EINVAL;
    L->kind = FF_LAYER_CONV2D;
    set_shape(L, ih, iw, ic, kh, kw, filters);
    return FF_SUCCESS;
}

void ff_layer_bind(ff_layer *L, float *params)
{
    L->w = params;
    L->b = params + L->fan_in * L->oc;
}

size_t ff_layer_rows(const ff_layer *L, size_t B)
{
    return B * L->oh * L->ow;
}

static int needs_im2col(const ff_layer *L)
{
    return L->kh != 1 || L->kw != 1;
}

size_t ff_layer_cols_size(const ff_layer *L, size_t B)
{
    return needs_im2col(L) ? ff_layer_rows(L, B) * L->fan_in : 0;
}

const float *ff_layer_patches(const ff_layer *L, float *cols, const float *x, size_t B)
{
    if (!needs_im2col(L))
        return x;
    const size_t row = L->kw * L->ic; /* one kernel row is contiguous in NHWC */
    float *dst = cols;
    for (size_t b = 0; b < B; b++) {
        const float *img = x + b * L->n_in;
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++)
                for (size_t ky = 0; ky < L->kh; ky++) {
                    memcpy(dst, img + ((oy + ky) * L->iw + ox) * L->ic, row * sizeof *dst);
                    dst += row;
                }
    }
    return cols;
}

void ff_layer_forward(const ff_layer *L, float *z, const float *patches, size_t B,
                      int add_bias)
{
    const size_t rows = ff_layer_rows(L, B);
    /* The bias is laid down first and the product added to it (beta = 1):
     * one pass over z instead of a zeroing pass and a bias pass. */
    if (add_bias)
        for (size_t r = 0; r < rows; r++)
            memcpy(z + r * L->oc, L->b, L->oc * sizeof *z);
    gsl_matrix_float_const_view P = gsl_matrix_float_const_view_array(patches, rows, L->fan_in);
    gsl_matrix_float_const_view W = gsl_matrix_float_const_view_array(L->w, L->fan_in, L->oc);
    gsl_matrix_float_view Z = gsl_matrix_float_view_array(z, rows, L->oc);
    ff_par_gemm(CblasNoTrans, CblasNoTrans, 1.0f, &P.matrix, &W.matrix,
                add_bias ? 1.0f : 0.0f, &Z.matrix);
}

/* grad = alpha [patches^T dz | column sums of dz] + beta grad, beta 0 or 1 */
static void weight_grad(const ff_layer *L, float *grad, const float *patches, const float *dz,
                        size_t B, float alpha, float beta)
{
    const size_t rows = ff_layer_rows(L, B);
    gsl_matrix_float_const_view P = gsl_matrix_float_const_view_array(patches, rows, L->fan_in);
    gsl_matrix_float_const_view D = gsl_matrix_float_const_view_array(dz, rows, L->oc);
    gsl_matrix_float_view G = gsl_matrix_float_view_array(grad, L->fan_in, L->oc);
    ff_par_gemm(CblasTrans, CblasNoTrans, alpha, &P.matrix, &D.matrix, beta, &G.matrix);
    ff_layer_bias_grad(L, grad + L->fan_in * L->oc, dz, B, alpha, beta);
}

typedef struct {
    float *gb;       /* (oc) */
    const float *dz; /* (rows, oc) */
    size_t rows, oc;
    float alpha, beta;
} bias_grad_pass;

/* Columns [j0, j1) of dz's column sums, 64 at a time, row after row: each
 * sum adds its rows in order, as a column-by-column loop would. */
FF_HOT static void bias_grad_block(void *ctx, size_t j0, size_t j1, int t)
{
    (void)t;
    const bias_grad_pass *a = ctx;
    for (size_t c0 = j0; c0 < j1; c0 += 64) {
        const size_t n = j1 - c0 < 64 ? j1 - c0 : 64;
        float s[64] = {0};
        for (size_t r = 0; r < a->rows; r++) {
            const float *dr = a->dz + r * a->oc + c0;
            for (size_t j = 0; j < n; j++)
                s[j] += dr[j];
        }
        float *gb = a->gb + c0;
        for (size_t j = 0; j < n; j++)
            gb[j] = a->beta == 0.0f ? a->alpha * s[j] : gb[j] + a->alpha * s[j];
    }
}

void ff_layer_bias_grad(const ff_layer *L, float *gb, const float *dz, size_t B, float alpha,
                        float beta)
{
    bias_grad_pass a = {gb, dz, ff_layer_rows(L, B), L->oc, alpha, beta};
    ff_par_for(L->oc, a.rows * L->oc, bias_grad_block, &a);
}

void ff_layer_weight_grad(const ff_layer *L, float *grad, const float *patches,
                          const float *dz, size_t B)
{
    weight_grad(L, grad, patches, dz, B, 1.0f, 0.0f);
}

void ff_layer_weight_grad_add(const ff_layer *L, float *grad, const float *patches,
                              const float *dz, size_t B, float alpha)
{
    weight_grad(L, grad, patches, dz, B, alpha, 1.0f);
}

void ff_layer_input_grad(const ff_layer *L, float *dx, const float *dz, size_t B,
                         float *dcols)
{
    const size_t rows = ff_layer_rows(L, B);
    float *dp = needs_im2col(L) ? dcols : dx;
    gsl_matrix_float_const_view D = gsl_matrix_float_const_view_array(dz, rows, L->oc);
    gsl_matrix_float_const_view W = gsl_matrix_float_const_view_array(L->w, L->fan_in, L->oc);
    gsl_matrix_float_view DP = gsl_matrix_float_view_array(dp, rows, L->fan_in);
    ff_par_gemm(CblasNoTrans, CblasTrans, 1.0f, &D.matrix, &W.matrix, 0.0f, &DP.matrix);
    if (!needs_im2col(L))
        return;
    /* col2im: every patch value flows back to the input pixel it came from */
    const size_t row = L->kw * L->ic;
    memset(dx, 0, B * L->n_in * sizeof *dx);
    const float *src = dcols;
    for (size_t b = 0; b < B; b++) {
        float *img = dx + b * L->n_in;
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++)
                for (size_t ky = 0; ky < L->kh; ky++) {
                    float *d = img + ((oy + ky) * L->iw + ox) * L->ic;
                    for (size_t i = 0; i < row; i++)
                        d[i] += src[i];
                    src += row;
                }
    }
}

void ff_layer_init_glorot(ff_layer *L, gsl_rng *r)
{
    const double fan_out = (double)(L->kh * L->kw * L->oc);
    const double a = sqrt(6.0 / ((double)L->fan_in + fan_out));
    for (size_t i = 0; i < L->fan_in * L->oc; i++)
        L->w[i] = (float)((2.0 * gsl_rng_uniform(r) - 1.0) * a);
    memset(L->b, 0, L->oc * sizeof *L->b);
}

void ff_layer_init_randn(ff_layer *L, gsl_rng *r)
{
    const double sd = 1.0 / sqrt((double)L->fan_in);
    for (size_t i = 0; i < L->fan_in * L->oc; i++)
        L->w[i] = (float)(gsl_ran_gaussian_ziggurat(r, 1.0) * sd);
    memset(L->b, 0, L->oc * sizeof *L->b);
}

void ff_layer_forward_direct(const ff_layer *L, float *z, const float *x, size_t B)
{
    for (size_t b = 0; b < B; b++)
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++)
                for (size_t f = 0; f < L->oc; f++) {
                    double s = L->b[f];
                    for (size_t ky = 0; ky < L->kh; ky++)
                        for (size_t kx = 0; kx < L->kw; kx++)
                            for (size_t c = 0; c < L->ic; c++) {
                                size_t xi = ((oy + ky) * L->iw + ox + kx) * L->ic + c;
                                size_t wi = ((ky * L->kw + kx) * L->ic + c) * L->oc + f;
                                s += (double)x[b * L->n_in + xi] * L->w[wi];
                            }
                    z[b * L->n_out + (oy * L->ow + ox) * L->oc + f] = (float)s;
                }
}
