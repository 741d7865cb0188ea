/* optim.c - optimiser steps. */
#include "ff/optim.h"
#include "simd.h"

#include <math.h>

FF_HOT void ff_adam_step(float *p, float *m, float *v, const float *g, size_t n,
                  const ff_adam_config *c, long t)
{
    const float alpha = (float)(c->lr * sqrt(1.0 - pow(c->beta2, (double)t)) /
                                (1.0 - pow(c->beta1, (double)t)));
    const float b1 = c->beta1, b2 = c->beta2, eps = c->eps;
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}
