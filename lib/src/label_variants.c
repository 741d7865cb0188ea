/* label_variants.c - layer 0's product, shared by an image's label variants;
 * see label_variants.h. */
#include "label_variants.h"

#include <math.h>
#include <string.h>

void ff_lv_variant(float *z, const float *zbase, const float *resp, const int *label,
                   float fill, size_t B, size_t N, size_t K)
{
    memcpy(z, zbase, B * N * sizeof *z);
    for (size_t i = 0; i < B; i++) {
        float *zi = z + i * N;
        for (size_t k = 0; k < K; k++) {
            float wk = label ? ((size_t)label[i] == k) : fill;
            if (wk == 0.0f)
                continue;
            const float *r = resp + k * N;
            for (size_t j = 0; j < N; j++)
                zi[j] += wk * r[j];
        }
    }
}

void ff_lv_unlabel(float *zbase, const float *zraw, const float *x, const float *resp,
                   size_t B, size_t D, size_t N, size_t K)
{
    memcpy(zbase, zraw, B * N * sizeof *zbase);
    for (size_t i = 0; i < B; i++)
        for (size_t k = 0; k < K; k++) {
            const float xk = x[i * D + k];
            if (xk == 0.0f)
                continue;
            for (size_t j = 0; j < N; j++)
                zbase[i * N + j] -= xk * resp[k * N + j];
        }
}

void ff_lv_input_norm(float *z, const double *x0ss, double extra, const double *extra_rows,
                      const float *bias, size_t B, size_t N, size_t D)
{
    for (size_t i = 0; i < B; i++) {
        const float inv = ff_lv_inv_rms(x0ss[i] + extra + (extra_rows ? extra_rows[i] : 0.0), D);
        for (size_t j = 0; j < N; j++)
            z[i * N + j] = z[i * N + j] * inv + bias[j];
    }
}

float ff_lv_inv_rms(double ss, size_t D)
{
    return (float)(1.0 / (exp(-100.0) + sqrt(ss / (double)D)));
}

void ff_lv_split_sumsq(double *x0ss, double *lss, const float *x, size_t B, size_t D,
                       size_t K)
{
    for (size_t i = 0; i < B; i++) {
        double on = 0.0, off = 0.0;
        for (size_t j = 0; j < D; j++)
            *(j < K ? &on : &off) += (double)x[i * D + j] * x[i * D + j];
        x0ss[i] = off;
        if (lss)
            lss[i] = on;
    }
}
