/* gradcheck.h - what the numerical tests share: random fills and the one
 * comparison every gradient check uses, with its proof that it can fail. */
#ifndef FF_TESTS_GRADCHECK_H
#define FF_TESTS_GRADCHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

/* a (n) uniform in [lo, hi) from r */
static inline void fill_uniform(float *a, size_t n, gsl_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(lo + (hi - lo) * gsl_rng_uniform(r));
}

/* Float results against double finite differences: within
 * rtol*|ref| + atol*max|ref| the only error left is float rounding. */
#define GRAD_RTOL 1e-4
#define GRAD_ATOL 1e-5

/* Entries of got (n) outside rtol*|ref| + atol*max|ref| of ref; *worst gets
 * the largest |got - ref| / max|ref|.  Returns how many fail. */
static inline size_t grad_mismatches(const float *got, const double *ref, size_t n,
                                     double rtol, double atol, double *worst)
{
    double scale = 0.0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(ref[i]));
    scale = scale > 0.0 ? scale : 1.0;
    size_t bad = 0;
    *worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(got[i] - ref[i]);
        *worst = fmax(*worst, e / scale);
        bad += !(e <= rtol * fabs(ref[i]) + atol * scale);
    }
    return bad;
}

/* The same comparison must reject the gradient with its largest entry 10%
 * off: proof that a check built on it can fail. */
static inline int rejects_corruption(const float *got, const double *ref, size_t n)
{
    float *bad = malloc(n * sizeof *bad);
    memcpy(bad, got, n * sizeof *bad);
    size_t big = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(ref[i]) > fabs(ref[big]))
            big = i;
    bad[big] *= 1.1f;
    double worst;
    size_t m = grad_mismatches(bad, ref, n, GRAD_RTOL, GRAD_ATOL, &worst);
    free(bad);
    return m > 0;
}

#endif
