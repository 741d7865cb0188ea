/* peer_norm.c - the reference code's peer normalisation; see peer_norm.h. */
#include "peer_norm.h"
#include "parallel.h"

/* Both halves run over blocks of units, 64 at a time, row after row; each
 * unit's sum adds its rows in order, as a unit-by-unit loop would. */
typedef struct {
    float *dz;      /* (B, N) */
    float *mean;    /* (N) */
    const float *h; /* (B, N) */
    size_t B, N;
    float lambda, decay;
    double avg; /* the layer's average of the running means */
} peer_pass;

static void mean_block(void *ctx, size_t j0, size_t j1, int t)
{
    (void)t;
    const peer_pass *a = ctx;
    for (size_t c0 = j0; c0 < j1; c0 += 64) {
        const size_t n = j1 - c0 < 64 ? j1 - c0 : 64;
        double s[64] = {0};
        for (size_t i = 0; i < a->B; i++)
            for (size_t j = 0; j < n; j++)
                s[j] += a->h[i * a->N + c0 + j];
        for (size_t j = 0; j < n; j++)
            a->mean[c0 + j] =
                a->decay * a->mean[c0 + j] + (1.0f - a->decay) * (float)(s[j] / (double)a->B);
    }
}

static void push_block(void *ctx, size_t j0, size_t j1, int t)
{
    (void)t;
    const peer_pass *a = ctx;
    for (size_t c0 = j0; c0 < j1; c0 += 64) {
        const size_t n = j1 - c0 < 64 ? j1 - c0 : 64;
        float push[64];
        for (size_t j = 0; j < n; j++)
            push[j] = (float)(a->lambda * (a->avg - a->mean[c0 + j]) / (double)a->B);
        for (size_t i = 0; i < a->B; i++)
            for (size_t j = 0; j < n; j++)
                a->dz[i * a->N + c0 + j] -= push[j];
    }
}

void ff_peer_normalise(float *dz, float *mean, const float *h, size_t B, size_t N,
                       float lambda, float decay)
{
    peer_pass a = {dz, mean, h, B, N, lambda, decay, 0.0};
    ff_par_for(N, B * N, mean_block, &a);
    for (size_t j = 0; j < N; j++)
        a.avg += mean[j];
    a.avg /= (double)N;
    ff_par_for(N, B * N, push_block, &a);
}
