/* optim.c - optimiser steps. */
#include "ff/optim.h"
#include "parallel.h"
#include "simd.h"

#include <math.h>
#include <omp.h>

FF_HOT static void adam_range(float *p, float *m, float *v, const float *g, size_t i0,
                              size_t i1, const ff_adam_config *c, float alpha)
{
    const float b1 = c->beta1, b2 = c->beta2, eps = c->eps;
    for (size_t i = i0; i < i1; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
}

void ff_adam_step(float *p, float *m, float *v, const float *g, size_t n,
                  const ff_adam_config *c, long t)
{
    const float alpha = (float)(c->lr * sqrt(1.0 - pow(c->beta2, (double)t)) /
                                (1.0 - pow(c->beta1, (double)t)));
    const int T = ff_par_threads_for(n); /* the same bits for any T */
#pragma omp parallel num_threads(T) if (T > 1)
    for (int k = omp_get_thread_num(); k < T; k += omp_get_num_threads()) {
        size_t i0, i1;
        ff_par_chunk(n, k, T, &i0, &i1);
        adam_range(p, m, v, g, i0, i1, c, alpha);
    }
}

FF_HOT static void sgd_range(float *p, float *g, size_t i0, size_t i1, size_t n_decay,
                             const ff_sgd_config *c, float gain)
{
    const float mom = c->momentum, step = c->lr * gain, wc = c->weight_cost;
    const size_t d = n_decay < i0 ? i0 : n_decay > i1 ? i1 : n_decay;
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
    const int T = ff_par_threads_for(n); /* the same bits for any T */
#pragma omp parallel num_threads(T) if (T > 1)
    for (int k = omp_get_thread_num(); k < T; k += omp_get_num_threads()) {
        size_t i0, i1;
        ff_par_chunk(n, k, T, &i0, &i1);
        sgd_range(p, g, i0, i1, n_decay, c, gain);
    }
}

float ff_lr_gain(int e, int E)
{
    return 2 * e <= E ? 1.0f : (float)(1 + 2 * (E - e)) / (float)E;
}
