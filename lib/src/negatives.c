/* negatives.c - choosing FF's negative data; see negatives.h. */
#include "ff/negatives.h"

#include <math.h>

void ff_neg_labels_uniform(int *neg, size_t n, int K, gsl_rng *r)
{
    for (size_t i = 0; i < n; i++)
        neg[i] = (int)gsl_rng_uniform_int(r, (unsigned long)K);
}

/* Row i's weight of label k: 0 for the true label, else 1 (logits NULL) or
 * exp(l_k - mx).  Computed twice per label (for the total, then for the
 * walk), with the same bits each time. */
static double weight(const float *li, int yi, double mx, size_t k)
{
    if ((int)k == yi)
        return 0.0;
    return li ? exp((double)li[k] - mx) : 1.0;
}

/* Both wrong-label draws: one uniform per row, walked through the weights
 * of the labels in order. */
static void draw_wrong(int *neg, const float *logits, const int *y, size_t n, size_t K,
                       gsl_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        const float *li = logits ? logits + i * K : NULL;
        double total = 0.0, mx = -INFINITY;
        for (size_t k = 0; li && k < K; k++)
            if ((int)k != y[i] && li[k] > mx)
                mx = li[k];
        for (size_t k = 0; k < K; k++)
            total += weight(li, y[i], mx, k);
        double u = gsl_rng_uniform(r) * total;
        size_t pick = K;
        for (size_t k = 0; k < K; k++) { /* the last wrong label if u overshoots */
            const double w = weight(li, y[i], mx, k);
            if (w == 0.0)
                continue;
            pick = k;
            if (u < w)
                break;
            u -= w;
        }
        neg[i] = (int)pick;
    }
}

void ff_neg_labels_wrong(int *neg, const int *y, size_t n, size_t K, gsl_rng *r)
{
    draw_wrong(neg, NULL, y, n, K, r);
}

void ff_neg_labels_hard(int *neg, const float *logits, const int *y, size_t n, size_t K,
                        gsl_rng *r)
{
    draw_wrong(neg, logits, y, n, K, r);
}

/* One pass of [1/4, 1/2, 1/4] along rows (dx = 1) or columns (dx = w),
 * edge pixels repeated: dst from src, both (h, w). */
static void blur(float *dst, const float *src, size_t h, size_t w, int along_rows)
{
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++) {
            size_t i = y * w + x, lo, hi;
            if (along_rows) {
                lo = x > 0 ? i - 1 : i;
                hi = x + 1 < w ? i + 1 : i;
            } else {
                lo = y > 0 ? i - w : i;
                hi = y + 1 < h ? i + w : i;
            }
            dst[i] = 0.25f * src[lo] + 0.5f * src[i] + 0.25f * src[hi];
        }
}

void ff_neg_hybrid_images(float *out, const ff_dataset *ds, size_t B, int passes,
                          int distinct_classes, gsl_rng *r, float *ws)
{
    const size_t d = ds->d;
    float *mask = ws, *tmp = ws + d;
    for (size_t i = 0; i < B; i++) {
        for (size_t j = 0; j < d; j++)
            mask[j] = (float)gsl_rng_uniform_int(r, 2);
        for (int p = 0; p < passes; p++) {
            blur(tmp, mask, ds->h, ds->w, 1);
            blur(mask, tmp, ds->h, ds->w, 0);
        }
        size_t a = gsl_rng_uniform_int(r, ds->n), b;
        do {
            b = gsl_rng_uniform_int(r, ds->n - 1);
            b += b >= a; /* a different image */
        } while (distinct_classes && ds->y[b] == ds->y[a]);
        const float *xa = ds->x + a * d, *xb = ds->x + b * d;
        float *o = out + i * d;
        for (size_t j = 0; j < d; j++)
            o[j] = mask[j] > 0.5f ? xa[j] : xb[j];
    }
}
