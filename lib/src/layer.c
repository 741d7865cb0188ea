/* layer.c - dense and conv2d layers as im2col + one sgemm; locally
 * connected layers as im2col + one sgemm per position. */
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
                      size_t kw, size_t stride, size_t oc)
{
    L->ih = ih, L->iw = iw, L->ic = ic;
    L->kh = kh, L->kw = kw, L->stride = stride;
    L->oh = (ih - kh) / stride + 1, L->ow = (iw - kw) / stride + 1, L->oc = oc;
    L->n_in = ih * iw * ic;
    L->n_out = L->oh * L->ow * oc;
    L->fan_in = kh * kw * ic;
    L->positions = L->kind == FF_LAYER_LOCAL ? L->oh * L->ow : 1;
    L->n_weights = L->positions * L->fan_in * oc;
    L->n_bias = L->positions * oc;
    L->n_params = L->n_weights + L->n_bias;
    L->w = L->b = NULL;
}

int ff_layer_dense(ff_layer *L, size_t n_in, size_t n_out)
{
    if (n_in == 0 || n_out == 0)
        return FF_EINVAL;
    L->kind = FF_LAYER_DENSE;
    set_shape(L, 1, 1, n_in, 1, 1, 1, n_out);
    return FF_SUCCESS;
}

int ff_layer_conv2d(ff_layer *L, size_t ih, size_t iw, size_t ic, size_t kh,
                    size_t kw, size_t filters)
{
    if (!ih || !iw || !ic || !kh || !kw || !filters || kh > ih || kw > iw)
        return FF_EINVAL;
    L->kind = FF_LAYER_CONV2D;
    set_shape(L, ih, iw, ic, kh, kw, 1, filters);
    return FF_SUCCESS;
}

int ff_layer_local(ff_layer *L, size_t ih, size_t iw, size_t ic, size_t kh, size_t kw,
                   size_t stride, size_t filters)
{
    if (!ih || !iw || !ic || !kh || !kw || !stride || !filters || kh > ih || kw > iw)
        return FF_EINVAL;
    L->kind = FF_LAYER_LOCAL;
    set_shape(L, ih, iw, ic, kh, kw, stride, filters);
    return FF_SUCCESS;
}

void ff_layer_bind(ff_layer *L, float *params)
{
    L->w = params;
    L->b = params + L->n_weights;
}

size_t ff_layer_rows(const ff_layer *L, size_t B)
{
    return B * L->oh * L->ow;
}

static int needs_im2col(const ff_layer *L)
{
    return L->kh != 1 || L->kw != 1 || L->stride != 1;
}

size_t ff_layer_cols_size(const ff_layer *L, size_t B)
{
    return needs_im2col(L) ? ff_layer_rows(L, B) * L->fan_in : 0;
}

const float *ff_layer_patches(const ff_layer *L, float *cols, const float *x, size_t B)
{
    if (!needs_im2col(L))
        return x;
    const size_t row = L->kw * L->ic, s = L->stride; /* a kernel row is contiguous in NHWC */
    float *dst = cols;
    for (size_t b = 0; b < B; b++) {
        const float *img = x + b * L->n_in;
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++)
                for (size_t ky = 0; ky < L->kh; ky++) {
                    memcpy(dst, img + ((oy * s + ky) * L->iw + ox * s) * L->ic,
                           row * sizeof *dst);
                    dst += row;
                }
    }
    return cols;
}

/* Position p's block of a local layer's product: the B rows b*P + p of a
 * (B*P, n) matrix at m, n floats each, as a (B, n) matrix of leading
 * dimension P*n.  The same for its z and dz: n = oc, leading dimension n_out. */
static _gsl_matrix_float_const_view position_rows(const ff_layer *L, const float *m, size_t p,
                                                 size_t B, size_t n)
{
    return gsl_matrix_float_const_view_array_with_tda(m + p * n, B, n, L->positions * n);
}

static gsl_matrix_float_view position_rows_out(const ff_layer *L, float *m, size_t p, size_t B,
                                               size_t n)
{
    return gsl_matrix_float_view_array_with_tda(m + p * n, B, n, L->positions * n);
}

/* W_p (fan_in, oc) of a local layer */
static _gsl_matrix_float_const_view position_w(const ff_layer *L, size_t p)
{
    return gsl_matrix_float_const_view_array(L->w + p * L->fan_in * L->oc, L->fan_in, L->oc);
}

/* z = patches W_p per position, plus z's prior content if beta = 1 */
static void local_forward(const ff_layer *L, float *z, const float *patches, size_t B,
                          float beta)
{
    for (size_t p = 0; p < L->positions; p++) {
        gsl_matrix_float_const_view X = position_rows(L, patches, p, B, L->fan_in);
        gsl_matrix_float_const_view W = position_w(L, p);
        gsl_matrix_float_view Z = position_rows_out(L, z, p, B, L->oc);
        ff_par_gemm(CblasNoTrans, CblasNoTrans, 1.0f, &X.matrix, &W.matrix, beta, &Z.matrix);
    }
}

void ff_layer_forward(const ff_layer *L, float *z, const float *patches, size_t B,
                      int add_bias)
{
    const size_t rows = ff_layer_rows(L, B);
    /* The bias is laid down first and the product added to it (beta = 1):
     * one pass over z instead of a zeroing pass and a bias pass.  It
     * repeats every n_bias floats of z: every oc (shared weights), every
     * n_out (local). */
    if (add_bias)
        for (size_t r = 0; r < rows * L->oc / L->n_bias; r++)
            memcpy(z + r * L->n_bias, L->b, L->n_bias * sizeof *z);
    if (L->kind == FF_LAYER_LOCAL) {
        local_forward(L, z, patches, B, add_bias ? 1.0f : 0.0f);
        return;
    }
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
    if (L->kind == FF_LAYER_LOCAL) {
        for (size_t p = 0; p < L->positions; p++) {
            gsl_matrix_float_const_view X = position_rows(L, patches, p, B, L->fan_in);
            gsl_matrix_float_const_view D = position_rows(L, dz, p, B, L->oc);
            gsl_matrix_float_view G =
                gsl_matrix_float_view_array(grad + p * L->fan_in * L->oc, L->fan_in, L->oc);
            ff_par_gemm(CblasTrans, CblasNoTrans, alpha, &X.matrix, &D.matrix, beta, &G.matrix);
        }
    } else {
        gsl_matrix_float_const_view P =
            gsl_matrix_float_const_view_array(patches, rows, L->fan_in);
        gsl_matrix_float_const_view D = gsl_matrix_float_const_view_array(dz, rows, L->oc);
        gsl_matrix_float_view G = gsl_matrix_float_view_array(grad, L->fan_in, L->oc);
        ff_par_gemm(CblasTrans, CblasNoTrans, alpha, &P.matrix, &D.matrix, beta, &G.matrix);
    }
    ff_layer_bias_grad(L, grad + L->n_weights, dz, B, alpha, beta);
}

typedef struct {
    float *gb;       /* (oc) */
    const float *dz; /* (rows, oc) */
    size_t rows, oc; /* a local layer: B rows of n_bias = n_out "channels" */
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
    const size_t n = L->n_bias; /* dz seen as (rows * oc / n, n) */
    bias_grad_pass a = {gb, dz, ff_layer_rows(L, B) * L->oc / n, n, alpha, beta};
    ff_par_for(n, a.rows * n, bias_grad_block, &a);
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
    if (L->kind == FF_LAYER_LOCAL) {
        for (size_t p = 0; p < L->positions; p++) {
            gsl_matrix_float_const_view D = position_rows(L, dz, p, B, L->oc);
            gsl_matrix_float_const_view W = position_w(L, p);
            gsl_matrix_float_view DP = position_rows_out(L, dp, p, B, L->fan_in);
            ff_par_gemm(CblasNoTrans, CblasTrans, 1.0f, &D.matrix, &W.matrix, 0.0f, &DP.matrix);
        }
    } else {
        gsl_matrix_float_const_view D = gsl_matrix_float_const_view_array(dz, rows, L->oc);
        gsl_matrix_float_const_view W =
            gsl_matrix_float_const_view_array(L->w, L->fan_in, L->oc);
        gsl_matrix_float_view DP = gsl_matrix_float_view_array(dp, rows, L->fan_in);
        ff_par_gemm(CblasNoTrans, CblasTrans, 1.0f, &D.matrix, &W.matrix, 0.0f, &DP.matrix);
    }
    if (!needs_im2col(L))
        return;
    /* col2im: every patch value flows back to the input pixel it came from
     * (with a stride below the kernel, a pixel under several positions
     * gathers from each; above it, a pixel under none gets 0) */
    const size_t row = L->kw * L->ic, s = L->stride;
    memset(dx, 0, B * L->n_in * sizeof *dx);
    const float *src = dcols;
    for (size_t b = 0; b < B; b++) {
        float *img = dx + b * L->n_in;
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++)
                for (size_t ky = 0; ky < L->kh; ky++) {
                    float *d = img + ((oy * s + ky) * L->iw + ox * s) * L->ic;
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
    for (size_t i = 0; i < L->n_weights; i++)
        L->w[i] = (float)((2.0 * gsl_rng_uniform(r) - 1.0) * a);
    memset(L->b, 0, L->n_bias * sizeof *L->b);
}

void ff_layer_init_randn(ff_layer *L, gsl_rng *r)
{
    const double sd = 1.0 / sqrt((double)L->fan_in);
    for (size_t i = 0; i < L->n_weights; i++)
        L->w[i] = (float)(gsl_ran_gaussian_ziggurat(r, 1.0) * sd);
    memset(L->b, 0, L->n_bias * sizeof *L->b);
}

void ff_layer_forward_direct(const ff_layer *L, float *z, const float *x, size_t B)
{
    const int local = L->kind == FF_LAYER_LOCAL;
    const size_t st = L->stride;
    for (size_t b = 0; b < B; b++)
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++) {
                /* position p's own weights and biases, or the shared ones */
                const size_t p = local ? oy * L->ow + ox : 0;
                const float *w = L->w + p * L->fan_in * L->oc, *bias = L->b + p * L->oc;
                for (size_t f = 0; f < L->oc; f++) {
                    double s = bias[f];
                    for (size_t ky = 0; ky < L->kh; ky++)
                        for (size_t kx = 0; kx < L->kw; kx++)
                            for (size_t c = 0; c < L->ic; c++) {
                                size_t xi = ((oy * st + ky) * L->iw + ox * st + kx) * L->ic + c;
                                size_t wi = ((ky * L->kw + kx) * L->ic + c) * L->oc + f;
                                s += (double)x[b * L->n_in + xi] * w[wi];
                            }
                    z[b * L->n_out + (oy * L->ow + ox) * L->oc + f] = (float)s;
                }
            }
}
