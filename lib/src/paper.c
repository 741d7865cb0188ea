/* paper.c - the reference code's supervised FF step; see paper.h. */
#include "ff/paper.h"
#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/objective.h"
#include "label_variants.h"
#include "peer_norm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ff_paper {
    ff_paper_config c;
    size_t cap, D;
    /* Both passes of a batch of B share every matrix product: the positive
     * rows 0..B-1, the negative rows B..2B-1 of one stacked matrix. */
    float *x;          /* (2 cap, D): the normalised input (the neutral pass: rows 0..B-1) */
    float *act[2];     /* (2 cap, width): outputs, layer after layer, ping-pong */
    float *cols;       /* im2col of x, when a layer needs it */
    float *dz;         /* (2 cap, width): dLoss/dz */
    float *g;          /* (n_params): the smoothed gradients, times the momentum */
    float *peer;       /* (sum of widths): running mean activity per unit */
    float *scale;      /* (2 cap) */
    float *head_in;    /* the head's input blocks, 2 cap rows each (see stride) */
    float *logits, *dlogits;
    int *neg_label;    /* (cap) */
    /* layer 0's product, shared by the three passes (label_variants.h) */
    float *zraw, *zbase; /* (cap, n_out0) */
    float *unit, *resp;  /* (K, D) unit images, (K, n_out0) layer 0's response */
    double *x0ss;        /* (cap): sums of squares off the label pixels */
    size_t n_g, n_peer;  /* floats in g and in peer */
    size_t bytes;
};

ff_paper *ff_paper_alloc(const ff_net *net, size_t cap, const ff_paper_config *c)
{
    ff_paper *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    const size_t W = net->width, D = net->layer[0].n_in, K = net->n_classes;
    size_t cols = 0, units = 0;
    for (size_t l = 0; l < net->n_layers; l++) { /* 2 cap rows, or K unit images */
        size_t n = ff_layer_cols_size(&net->layer[l], 2 * cap > K ? 2 * cap : K);
        cols = n > cols ? n : cols;
        units += net->layer[l].n_out;
    }
    p->c = *c;
    p->cap = cap;
    p->n_g = net->n_params, p->n_peer = units;
    p->D = D;
    size_t floats = 0;
#define GRAB(ptr, n) (ptr = malloc((n) * sizeof *(ptr)), floats += (n), ptr != NULL)
    int ok = 1;
    ok &= GRAB(p->x, 2 * cap * D);
    ok &= GRAB(p->act[0], 2 * cap * W);
    ok &= GRAB(p->act[1], 2 * cap * W);
    ok &= GRAB(p->cols, cols ? cols : 1);
    ok &= GRAB(p->dz, 2 * cap * W);
    ok &= GRAB(p->g, net->n_params);
    ok &= GRAB(p->peer, units);
    ok &= GRAB(p->scale, 2 * cap);
    ok &= GRAB(p->head_in, 2 * cap * net->head.fan_in);
    ok &= GRAB(p->logits, cap * K);
    ok &= GRAB(p->dlogits, cap * K);
    ok &= (p->neg_label = malloc(cap * sizeof *p->neg_label)) != NULL;
    const size_t N0 = net->layer[0].n_out;
    ok &= GRAB(p->zraw, cap * N0);
    ok &= GRAB(p->zbase, cap * N0);
    ok &= GRAB(p->resp, K * N0);
    ok &= (p->unit = calloc(K * D, sizeof *p->unit)) != NULL;
    ok &= (p->x0ss = malloc(cap * sizeof *p->x0ss)) != NULL;
#undef GRAB
    if (!ok) {
        ff_paper_free(p);
        return NULL;
    }
    p->bytes = (floats + K * D) * sizeof(float) + cap * sizeof(int) + cap * sizeof(double);
    memset(p->g, 0, net->n_params * sizeof *p->g);
    for (size_t k = 0; k < K; k++)
        p->unit[k * D + k] = 1.0f;
    for (size_t u = 0; u < units; u++)
        p->peer[u] = c->peer_init;
    return p;
}

void ff_paper_free(ff_paper *p)
{
    if (!p)
        return;
    free(p->x);
    free(p->act[0]);
    free(p->act[1]);
    free(p->cols);
    free(p->dz);
    free(p->g);
    free(p->peer);
    free(p->scale);
    free(p->head_in);
    free(p->logits);
    free(p->dlogits);
    free(p->neg_label);
    free(p->zraw);
    free(p->zbase);
    free(p->unit);
    free(p->resp);
    free(p->x0ss);
    free(p);
}

float *ff_paper_momentum(ff_paper *p, size_t *n)
{
    *n = p->n_g;
    return p->g;
}

float *ff_paper_peer_means(ff_paper *p, size_t *n)
{
    *n = p->n_peer;
    return p->peer;
}

size_t ff_paper_bytes(const ff_paper *p)
{
    return p->bytes;
}

/* dst = x with the one-hot label y overlaid, RMS-normalised as the
 * reference code normalises its input: the input that layer 0's shared
 * product stands for, with the same RMS, from x0ss (x's sums of squares off
 * the label pixels; the one-hot adds 1). */
static void make_input(float *dst, const float *x, const int *y, const double *x0ss,
                       size_t B, size_t D, size_t K)
{
    memcpy(dst, x, B * D * sizeof *dst);
    ff_overlay_onehot(dst, y, B, D, K, 1.0f);
    for (size_t i = 0; i < B; i++) {
        const float inv = ff_lv_inv_rms(x0ss[i] + 1.0, D);
        for (size_t j = 0; j < D; j++)
            dst[i * D + j] *= inv;
    }
}

/* For each row, a wrong label: drawn from the softmax of the logits with the
 * true class removed (hard), or uniformly among the wrong ones. */
static void negative_labels(int *neg, const float *logits, const int *y, size_t B, size_t K,
                            int hard, gsl_rng *r)
{
    for (size_t i = 0; i < B; i++) {
        const float *li = logits + i * K;
        double w[64], total = 0.0, mx = -INFINITY;
        for (size_t k = 0; k < K; k++)
            if ((int)k != y[i] && li[k] > mx)
                mx = li[k];
        for (size_t k = 0; k < K; k++) {
            w[k] = (int)k == y[i] ? 0.0 : hard ? exp((double)li[k] - mx) : 1.0;
            total += w[k];
        }
        double u = gsl_rng_uniform(r) * total;
        size_t k = K;
        for (size_t j = 0; j < K; j++) { /* the last wrong label if u overshoots */
            if (w[j] == 0.0)
                continue;
            k = j;
            if (u < w[j])
                break;
            u -= w[j];
        }
        neg[i] = (int)k;
    }
}

/* Rows per block of the head's input: each readout layer's block holds
 * both passes, and the head reads the first B rows (the positive pass, or
 * the neutral one). */
static size_t stride(const ff_paper *p)
{
    return 2 * p->cap;
}

/* Layer l's output for 2B rows: in the head's input if l is read out, else
 * in the ping-pong buffer. */
static float *layer_out(const ff_net *net, ff_paper *p, size_t l)
{
    return l >= net->head_from ? p->head_in + stride(p) * net->head_off[l] : p->act[l % 2];
}

/* Every FF layer, on the normalised stacked input in p->x (B positive rows,
 * then B negative rows): both passes in one product with the same weights,
 * then one SGD step on the sum of their gradients (added straight into the
 * smoothed gradient: optim.h), then both outputs normalised for the layer
 * above.  z0_ready: layer 0's pre-activation for the 2B rows is already in
 * its output (layer_out), found from the shared product. */
static void layers_step(ff_net *net, ff_paper *p, size_t B, float gain, double *loss,
                        int z0_ready)
{
    const float *in = p->x, mix = 1.0f - p->c.ff.momentum;
    float *peer = p->peer;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        const size_t N = L->n_out, off = ff_net_param_offset(net, l);
        float *h = layer_out(net, p, l);
        const float *patches = ff_layer_patches(L, p->cols, in, 2 * B);
        if (l > 0 || !z0_ready)
            ff_layer_forward(L, h, patches, 2 * B, 1);
        ff_relu(h, 2 * B * N);
        loss[l] = ff_ff_loss(p->dz, h, B, N, (double)N, 1, FF_GRAD_REFERENCE) +
                  ff_ff_loss(p->dz + B * N, h + B * N, B, N, (double)N, 0, FF_GRAD_REFERENCE);
        ff_peer_normalise(p->dz, peer, h, B, N, p->c.peer_lambda, p->c.peer_decay);
        ff_layer_weight_grad_add(L, p->g + off, patches, p->dz, 2 * B, mix);
        ff_sgd_step(net->params + off, p->g + off, L->n_params, L->fan_in * L->oc, &p->c.ff,
                    gain);
        ff_normalize(h, p->scale, h, 2 * B, N, FF_NORM_RMS);
        in = h;
        peer += N;
    }
}

double ff_paper_head_step(ff_net *net, float *g, float *dlogits, const float *logits,
                          const float *head_in, size_t B, size_t cap, const int *y,
                          const ff_paper_config *c, float gain)
{
    const size_t K = net->n_classes, off = ff_net_param_offset(net, net->n_layers);
    const size_t nw = net->head.fan_in * K, n = c->learn_head_bias ? nw + K : nw;
    double loss = ff_softmax_xent(dlogits, logits, y, B, K);
    ff_net_head_weight_grad_add(net, g, head_in, dlogits, B, cap, 1.0f - c->head.momentum);
    if (n == nw) /* a bias that is not learned: its gradient is dropped */
        memset(g + nw, 0, K * sizeof *g);
    ff_sgd_step(net->params + off, g, n, nw, &c->head, gain);
    return loss;
}

/* The head's step on what the readout layers left in p->head_in. */
static double head_step(ff_net *net, ff_paper *p, const int *y, size_t B, float gain)
{
    float *g = p->g + ff_net_param_offset(net, net->n_layers);
    return ff_paper_head_step(net, g, p->dlogits, p->logits, p->head_in, B, stride(p), y, &p->c,
                              gain);
}

static int usable(const ff_net *net, const ff_paper *p, size_t B)
{
    return B > 0 && B <= p->cap && net->spec.normalize_input &&
           net->spec.norm == FF_NORM_RMS && net->n_classes <= 64;
}

int ff_paper_unsup_batch(ff_net *net, ff_paper *p, const float *x_pos, const float *x_neg,
                         const int *y, size_t B, float gain, double *loss)
{
    if (!usable(net, p, B))
        return FF_EINVAL;
    const size_t D = p->D;
    memcpy(p->x, x_pos, B * D * sizeof *x_pos);
    memcpy(p->x + B * D, x_neg, B * D * sizeof *x_neg);
    ff_normalize(p->x, p->scale, p->x, 2 * B, D, FF_NORM_RMS);
    layers_step(net, p, B, gain, loss, 0);
    /* the readout learns from the positive pass, its gradient stopping at
     * its own weights (the layers stepped already: the same inputs as a
     * concurrent step would see) */
    ff_net_head_forward(net, p->logits, p->head_in, B, stride(p));
    loss[net->n_layers] = head_step(net, p, y, B, gain);
    return FF_SUCCESS;
}

int ff_paper_batch(ff_net *net, ff_paper *p, const float *x, const int *y, size_t B,
                   float gain, gsl_rng *r, double *loss)
{
    if (!usable(net, p, B))
        return FF_EINVAL;
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes, D = p->D, N0 = L0->n_out;
    memset(loss, 0, (net->n_layers + 1) * sizeof *loss);

    /* 0. layer 0's product of the batch, once for all three passes: each
     * pass's pre-activation is zbase plus its label pixels' response, over
     * its input's RMS, plus the bias */
    ff_layer_forward(L0, p->resp, ff_layer_patches(L0, p->cols, p->unit, K), K, 0);
    ff_layer_forward(L0, p->zraw, ff_layer_patches(L0, p->cols, x, B), B, 0);
    ff_lv_split_sumsq(p->x0ss, NULL, x, B, D, K);
    ff_lv_unlabel(p->zbase, p->zraw, x, p->resp, B, D, N0, K);

    /* 1. the neutral pass, the hard negatives, the head's step */
    const float fill = p->c.neutral;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        float *h = layer_out(net, p, l);
        if (l == 0) {
            ff_lv_variant(h, p->zbase, p->resp, NULL, fill, B, N0, K);
            ff_lv_input_norm(h, p->x0ss, (double)K * fill * fill, NULL, L0->b, B, N0, D);
        } else {
            const float *in = layer_out(net, p, l - 1);
            ff_layer_forward(L, h, ff_layer_patches(L, p->cols, in, B), B, 1);
        }
        ff_relu(h, B * L->n_out);
        ff_normalize(h, p->scale, h, B, L->n_out, FF_NORM_RMS);
    }
    ff_net_head_forward(net, p->logits, p->head_in, B, stride(p));
    negative_labels(p->neg_label, p->logits, y, B, K, p->c.hard_negatives, r);
    loss[net->n_layers] = head_step(net, p, y, B, gain);

    /* 2. the positive and negative passes, each layer stepping on both;
     * their inputs are built for layer 0's weight gradient */
    float *z0 = layer_out(net, p, 0);
    ff_lv_variant(z0, p->zbase, p->resp, y, 0.0f, B, N0, K);
    ff_lv_variant(z0 + B * N0, p->zbase, p->resp, p->neg_label, 0.0f, B, N0, K);
    for (int s = 0; s < 2; s++)
        ff_lv_input_norm(z0 + s * B * N0, p->x0ss, 1.0, NULL, L0->b, B, N0, D);
    make_input(p->x, x, y, p->x0ss, B, D, K);
    make_input(p->x + B * D, x, p->neg_label, p->x0ss, B, D, K);
    layers_step(net, p, B, gain, loss, 1);
    return FF_SUCCESS;
}

ff_eval_config ff_paper_eval_config(int supervised, float neutral)
{
    return (ff_eval_config){.supervised = supervised, .target = 1, .readout = 1,
                            .goodness = supervised, .neutral = neutral, .theta_width = 1};
}
