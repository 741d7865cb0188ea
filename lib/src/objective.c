/* objective.c - activations, normalisation, goodness and the losses. */
#include "ff/objective.h"
#include "simd.h"

#include <float.h>
#include <math.h>

FF_HOT void ff_relu(float *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h[i] = h[i] > 0.0f ? h[i] : 0.0f;
}

/* Sum of squares of one row: 16 float partial sums (one AVX-512 register,
 * or four SSE ones), combined in double. */
FF_HOT static double row_sumsq(const float *h, size_t N)
{
    float acc[16] = {0};
    size_t j = 0;
    for (; j + 16 <= N; j += 16)
        for (size_t k = 0; k < 16; k++)
            acc[k] += h[j + k] * h[j + k];
    double s = 0.0;
    for (size_t k = 0; k < 16; k++)
        s += acc[k];
    for (; j < N; j++)
        s += (double)h[j] * h[j];
    return s;
}

FF_HOT void ff_normalize(float *y, float *scale, const float *h, size_t B, size_t N,
                  ff_norm_kind kind)
{
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * N;
        double ss = row_sumsq(hi, N);
        double s = kind == FF_NORM_L2 ? sqrt(ss) + 1e-7 : exp(-100.0) + sqrt(ss / (double)N);
        const double inv = 1.0 / s;
        float *yi = y + i * N;
        if (inv <= FLT_MAX) {
            const float finv = (float)inv;
            for (size_t j = 0; j < N; j++)
                yi[j] = hi[j] * finv;
        } else { /* RMS of a (nearly) silent row: 1/s overflows a float */
            for (size_t j = 0; j < N; j++)
                yi[j] = (float)(hi[j] * inv);
        }
        scale[i] = (float)s;
    }
}

FF_HOT void ff_normalize_backward(float *dh, const float *dy, const float *h,
                           const float *scale, size_t B, size_t N, ff_norm_kind kind)
{
    /* y = h / s(h).  dh = dy / s - h * (dy . h) * s'(h) / s^2, where
     * s' = 1/||h|| (L2) or 1/(N sqrt(mean h^2)) (RMS), times h. */
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * N, *dyi = dy + i * N;
        double dot = 0.0;
        for (size_t j = 0; j < N; j++)
            dot += (double)dyi[j] * hi[j];
        double norm = sqrt(row_sumsq(hi, N)), s = scale[i];
        double ds = 0.0; /* d s / d h_j = h_j * ds */
        if (norm > 0.0)
            ds = kind == FF_NORM_L2 ? 1.0 / norm : 1.0 / (sqrt((double)N) * norm);
        double c = dot * ds / (s * s);
        float *dhi = dh + i * N;
        for (size_t j = 0; j < N; j++)
            dhi[j] = (float)(dyi[j] / s - hi[j] * c);
    }
}

/* quoted in the report: begin goodness */
FF_HOT void ff_goodness_add(double *g, const float *h, size_t B, size_t N)
{
    for (size_t i = 0; i < B; i++)
        g[i] += row_sumsq(h + i * N, N);
}

/* quoted in the report: end goodness */
/* log(1 + exp(x)) without overflow */
static double softplus(double x)
{
    return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}

double ff_ff_row_loss(double sumsq, double theta, int target)
{
    double u = sumsq - theta;
    return target ? softplus(-u) : softplus(u);
}

/* quoted in the report: begin ff-loss */
FF_HOT double ff_ff_loss(float *dz, const float *h, size_t B, size_t N, double theta,
                         int target, ff_grad_kind grad)
{
    /* d(h^2)/dh = 2 h; the reference code drops the 2 */
    const double c = grad == FF_GRAD_EXACT ? 2.0 : 1.0;
    double total = 0.0;
    for (size_t i = 0; i < B; i++) {
        const float *hi = h + i * N;
        double u = row_sumsq(hi, N) - theta;
        total += ff_ff_row_loss(u + theta, theta, target);
        if (!dz)
            continue;
        double p = 1.0 / (1.0 + exp(-u));
        float ci = (float)(c * (p - (target ? 1.0 : 0.0)) / (double)B);
        float *dzi = dz + i * N;
        for (size_t j = 0; j < N; j++)
            dzi[j] = ci * hi[j];
    }
    return total;
}

/* quoted in the report: end ff-loss */
double ff_softmax_xent(float *dlogits, const float *logits, const int *y,
                       size_t B, size_t K)
{
    double total = 0.0;
    for (size_t i = 0; i < B; i++) {
        const float *li = logits + i * K;
        double mx = li[ff_argmax(li, K)], z = 0.0;
        for (size_t k = 0; k < K; k++)
            z += exp((double)li[k] - mx);
        double logz = mx + log(z);
        total += logz - li[y[i]];
        if (!dlogits)
            continue;
        for (size_t k = 0; k < K; k++) {
            double p = exp((double)li[k] - logz);
            dlogits[i * K + k] = (float)((p - ((size_t)y[i] == k)) / (double)B);
        }
    }
    return total;
}

size_t ff_argmax(const float *v, size_t K)
{
    size_t best = 0;
    for (size_t k = 1; k < K; k++)
        if (v[k] > v[best])
            best = k;
    return best;
}
