/* label_variants.c - layer 0's product, shared by an image's label variants;
 * see label_variants.h. */
#include "label_variants.h"
#include "parallel.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* The three passes below run over blocks of rows, in the library's
 * threads; each row's arithmetic is the same in any block. */
typedef struct {
    float *z;                           /* (B, N) */
    const float *src, *x, *resp, *bias; /* (B, N), (B, D), (K, N), (N) */
    const int *label;                   /* (B) or NULL */
    const double *x0ss, *extra_rows;    /* (B), (B) or NULL */
    double extra;
    float fill;
    size_t N, D, K;
} lv_pass;

/* Row i's weight on resp_k: the one-hot label, the fill, or (unlabel)
 * minus the image's own pixel k, taking it out. */
static float variant_weight(const lv_pass *a, size_t i, size_t k)
{
    if (a->x)
        return -a->x[i * a->D + k];
    return a->label ? (float)((size_t)a->label[i] == k) : a->fill;
}

static void variant_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const lv_pass *a = ctx;
    const size_t N = a->N;
    memcpy(a->z + i0 * N, a->src + i0 * N, (i1 - i0) * N * sizeof *a->z);
    for (size_t i = i0; i < i1; i++) {
        float *zi = a->z + i * N;
        for (size_t k = 0; k < a->K; k++) {
            const float wk = variant_weight(a, i, k);
            if (wk == 0.0f)
                continue;
            const float *r = a->resp + k * N;
            for (size_t j = 0; j < N; j++)
                zi[j] += wk * r[j];
        }
    }
}

void ff_lv_variant(float *z, const float *zbase, const float *resp, const int *label,
                   float fill, size_t B, size_t N, size_t K)
{
    lv_pass a = {.z = z, .src = zbase, .resp = resp, .label = label, .fill = fill, .N = N, .K = K};
    ff_par_for(B, B * N, variant_block, &a);
}

void ff_lv_unlabel(float *zbase, const float *zraw, const float *x, const float *resp,
                   size_t B, size_t D, size_t N, size_t K)
{
    lv_pass a = {.z = zbase, .src = zraw, .x = x, .resp = resp, .N = N, .D = D, .K = K};
    ff_par_for(B, B * N, variant_block, &a);
}

static void input_norm_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const lv_pass *a = ctx;
    const size_t N = a->N;
    for (size_t i = i0; i < i1; i++) {
        const double ss = a->x0ss[i] + a->extra + (a->extra_rows ? a->extra_rows[i] : 0.0);
        const float inv = ff_lv_inv_rms(ss, a->D);
        for (size_t j = 0; j < N; j++)
            a->z[i * N + j] = a->z[i * N + j] * inv + a->bias[j];
    }
}

void ff_lv_input_norm(float *z, const double *x0ss, double extra, const double *extra_rows,
                      const float *bias, size_t B, size_t N, size_t D)
{
    lv_pass a = {.z = z, .bias = bias, .x0ss = x0ss, .extra_rows = extra_rows, .extra = extra,
                 .N = N, .D = D};
    ff_par_for(B, B * N, input_norm_block, &a);
}

float ff_lv_inv_rms(double ss, size_t D)
{
    /* an all-zero input would give 1/exp(-100), a float infinity, and its
     * zero product times that a NaN: any finite scale leaves it zero */
    const double inv = 1.0 / (exp(-100.0) + sqrt(ss / (double)D));
    return inv <= FLT_MAX ? (float)inv : FLT_MAX;
}

void ff_lv_split_sumsq(double *x0ss, double *lss, const float *x, size_t B, size_t D,
                       size_t K)
{
    for (size_t i = 0; i < B; i++) {
        const float *xi = x + i * D;
        double on = 0.0, off = 0.0;
        for (size_t j = 0; j < K; j++)
            on += (double)xi[j] * xi[j];
        for (size_t j = K; j < D; j++)
            off += (double)xi[j] * xi[j];
        x0ss[i] = off;
        if (lss)
            lss[i] = on;
    }
}
