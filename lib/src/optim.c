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

FF_HOT void ff_sgd_add_grad(float *g, const float *grad, size_t n, const ff_sgd_config *c)
{
    const float a = 1.0f - c->momentum;
    for (size_t i = 0; i < n; i++)
        g[i] += a * grad[i];
}

FF_HOT void ff_sgd_step(float *p, float *g, size_t n, size_t n_decay, const ff_sgd_config *c,
                        float gain)
{
    const float mom = c->momentum, step = c->lr * gain, wc = c->weight_cost;
    for (size_t i = 0; i < n_decay; i++) {
        p[i] -= step * (g[i] + wc * p[i]);
        g[i] *= mom;
    }
    for (size_t i = n_decay; i < n; i++) {
        p[i] -= step * g[i];
        g[i] *= mom;
    }
}

float ff_lr_gain(int e, int E)
{
    return 2 * e <= E ? 1.0f : (float)(1 + 2 * (E - e)) / (float)E;
}
