/* optim.c - optimiser steps. */
#include "ff/optim.h"
#include "bf16.h"
#include "parallel.h"
#include "simd.h"

#include <math.h>

typedef struct {
    float *p, *m, *v; /* (n): parameters, Adam's two moments */
    const float *g;   /* (n): the gradient */
    const ff_adam_config *c;
    float alpha;
} adam_pass;

FF_HOT static void adam_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const adam_pass *a = ctx;
    float *p = a->p, *m = a->m, *v = a->v;
    const float *g = a->g;
    const float b1 = a->c->beta1, b2 = a->c->beta2, eps = a->c->eps;
    for (size_t i = i0; i < i1; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= a->alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}

void ff_adam_step(float *p, float *m, float *v, const float *g, size_t n,
                  const ff_adam_config *c, long t)
{
    adam_pass a = {p, m, v, g, c,
                   (float)(c->lr * sqrt(1.0 - pow(c->beta2, (double)t)) /
                           (1.0 - pow(c->beta1, (double)t)))};
    ff_par_for(n, n, adam_block, &a); /* the same bits for any T */
    ff_bf16_changed(p, n);
}

typedef struct {
    float *p, *g; /* (n): parameters, smoothed gradients */
    size_t n_decay;
    const ff_sgd_config *c;
    float gain;
} sgd_pass;

/* the first n_decay parameters (weights) decay, the rest (biases) do not */
FF_HOT static void sgd_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const sgd_pass *a = ctx;
    float *p = a->p, *g = a->g;
    const float mom = a->c->momentum, step = a->c->lr * a->gain, wc = a->c->weight_cost;
    const size_t d = a->n_decay < i0 ? i0 : a->n_decay > i1 ? i1 : a->n_decay;
    for (size_t i = i0; i < d; i++) {
        p[i] -= step * (g[i] + wc * p[i]);
        g[i] *= mom;
    }
    for (size_t i = d; i < i1; i++) {
        p[i] -= step * g[i];
        g[i] *= mom;
    }
}

void ff_sgd_step(float *p, float *g, size_t n, size_t n_decay, const ff_sgd_config *c,
                 float gain)
{
    sgd_pass a = {p, g, n_decay, c, gain};
    ff_par_for(n, n, sgd_block, &a); /* the same bits for any T */
    ff_bf16_changed(p, n);
}

float ff_lr_gain(int e, int E)
{
    return 2 * e <= E ? 1.0f : (float)(1 + 2 * (E - e)) / (float)E;
}
