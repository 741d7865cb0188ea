/* objective.c - activations, normalisation, goodness and the losses. */
#include "ff/objective.h"
#include "parallel.h"
#include "simd.h"

#include <float.h>
#include <math.h>

FF_HOT static void relu_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    float *h = ctx;
    for (size_t i = i0; i < i1; i++)
        h[i] = h[i] > 0.0f || h[i] != h[i] ? h[i] : 0.0f; /* a NaN stays NaN */
}

void ff_relu(float *h, size_t n)
{
    ff_par_for(n, n, relu_block, h);
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

typedef struct {
    float *y, *scale; /* (B, N), (B) */
    const float *h;   /* (B, N) */
    size_t N;
    ff_norm_kind kind;
} norm_pass;

FF_HOT static void normalize_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const norm_pass *a = ctx;
    const size_t N = a->N;
    for (size_t i = i0; i < i1; i++) {
        const float *hi = a->h + i * N;
        double ss = row_sumsq(hi, N);
        double s = a->kind == FF_NORM_L2 ? sqrt(ss) + 1e-7 : exp(-100.0) + sqrt(ss / (double)N);
        const double inv = 1.0 / s;
        float *yi = a->y + i * N;
        if (inv <= FLT_MAX) {
            const float finv = (float)inv;
            for (size_t j = 0; j < N; j++)
                yi[j] = hi[j] * finv;
        } else { /* RMS of a (nearly) silent row: 1/s overflows a float */
            for (size_t j = 0; j < N; j++)
                yi[j] = (float)(hi[j] * inv);
        }
        a->scale[i] = (float)s;
    }
}

void ff_normalize(float *y, float *scale, const float *h, size_t B, size_t N, ff_norm_kind kind)
{
    norm_pass a = {y, scale, h, N, kind};
    ff_par_for(B, B * N, normalize_block, &a);
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

typedef struct {
    double *g;      /* (B) */
    const float *h; /* (B, N) */
    size_t N;
} goodness_pass;

/* quoted in the report: begin goodness */
FF_HOT static void goodness_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const goodness_pass *a = ctx;
    for (size_t i = i0; i < i1; i++)
        a->g[i] += row_sumsq(a->h + i * a->N, a->N);
}

void ff_goodness_add(double *g, const float *h, size_t B, size_t N)
{
    goodness_pass a = {g, h, N};
    ff_par_for(B, B * N, goodness_block, &a);
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

typedef struct {
    float *dz;      /* (B, N), or NULL */
    const float *h; /* (B, N) */
    size_t B, N;
    double theta, c;
    int target;
    double partial[FF_PAR_MAX_THREADS];
} ff_loss_pass;

/* quoted in the report: begin ff-loss */
FF_HOT static void ff_loss_block(void *ctx, size_t i0, size_t i1, int t)
{
    ff_loss_pass *a = ctx;
    const size_t N = a->N;
    double total = 0.0;
    for (size_t i = i0; i < i1; i++) {
        const float *hi = a->h + i * N;
        double u = row_sumsq(hi, N) - a->theta;
        total += ff_ff_row_loss(u + a->theta, a->theta, a->target);
        if (!a->dz)
            continue;
        double p = 1.0 / (1.0 + exp(-u));
        float ci = (float)(a->c * (p - (a->target ? 1.0 : 0.0)) / (double)a->B);
        float *dzi = a->dz + i * N;
        for (size_t j = 0; j < N; j++)
            dzi[j] = ci * hi[j];
    }
    a->partial[t] = total;
}

double ff_ff_loss(float *dz, const float *h, size_t B, size_t N, double theta, int target,
                  ff_grad_kind grad)
{
    /* d(h^2)/dh = 2 h; the reference code drops the 2 */
    ff_loss_pass a = {dz, h, B, N, theta, grad == FF_GRAD_EXACT ? 2.0 : 1.0, target, {0}};
    const int T = ff_par_for(B, B * N, ff_loss_block, &a);
    double total = 0.0;
    for (int t = 0; t < T; t++)
        total += a.partial[t];
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
