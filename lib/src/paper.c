/* paper.c - the reference code's training passes; see paper.h. */
#include "ff/paper.h"
#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/objective.h"
#include "arena.h"
#include "label_variants.h"

#include <stdlib.h>
#include <string.h>

struct ff_paper {
    ff_paper_config c;
    ff_ff_rule rule;   /* ff_paper_rule(&c) */
    size_t cap, D;
    /* The layer step's buffers (train.h), laid over the trainer's own, for
     * 2 cap rows: a batch of B stacks its positive rows 0..B-1 and its
     * negative rows B..2B-1, so that both passes share every matrix
     * product; the neutral pass uses rows 0..B-1.  No grad: SGD adds the
     * gradient straight into the smoothed one. */
    ff_ff_workspace ws;
    float *x;          /* (2 cap, D): the normalised stacked input */
    float *peer;       /* (sum of widths): running mean activity per unit */
    int *neg_label;    /* (cap) */
    /* layer 0's product, shared by the three passes (label_variants.h) */
    float *zraw, *zbase; /* (cap, n_out0) */
    float *unit, *resp;  /* (K, D) unit images, (K, n_out0) layer 0's response */
    double *x0ss;        /* (cap): sums of squares off the label pixels */
    const float *shared_x; /* the images zbase and x0ss are of (NULL: none), */
    size_t shared_B;       /* B of them */
    size_t rows;         /* rows of the last pass whose readout and logits are in ws */
    size_t n_peer;       /* floats in peer */
    size_t bytes;
    void *mem;           /* the one block all the arrays above are carved from */
};

ff_ff_rule ff_paper_rule(const ff_paper_config *c)
{
    return (ff_ff_rule){.theta_width = 1, .grad = FF_GRAD_REFERENCE,
                        .peer_lambda = c->peer_lambda, .peer_decay = c->peer_decay,
                        .opt = FF_OPT_SGD, .sgd = c->ff};
}

/* Lay out the trainer in `a` (arena.h): 2 cap rows, or K unit images. */
static void paper_layout(ff_paper *p, arena *a, const ff_net *net)
{
    const size_t F = sizeof(float), cap = p->cap, W = net->width, D = p->D;
    const size_t K = net->n_classes, N0 = net->layer[0].n_out;
    size_t cols = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t n = ff_layer_cols_size(&net->layer[l], 2 * cap > K ? 2 * cap : K);
        cols = n > cols ? n : cols;
    }
    ff_ff_workspace *ws = &p->ws;
    ws->cap = 2 * cap;
    p->x = carve(a, 2 * cap * D * F);
    ws->act[0] = carve(a, 2 * cap * W * F);
    ws->act[1] = carve(a, 2 * cap * W * F);
    ws->cols = carve(a, cols * F);
    ws->dz = carve(a, 2 * cap * W * F);
    p->peer = carve(a, p->n_peer * F);
    ws->scale = carve(a, 2 * cap * F);
    ws->head_in = carve(a, 2 * cap * net->head.fan_in * F);
    ws->logits = carve(a, cap * K * F);
    ws->dlogits = carve(a, cap * K * F);
    p->neg_label = carve(a, cap * sizeof(int));
    p->zraw = carve(a, cap * N0 * F);
    p->zbase = carve(a, cap * N0 * F);
    p->resp = carve(a, K * N0 * F);
    p->unit = carve(a, K * D * F);
    p->x0ss = carve(a, cap * sizeof(double));
}

ff_paper *ff_paper_alloc(const ff_net *net, size_t cap, const ff_paper_config *c)
{
    ff_paper *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    const size_t D = net->layer[0].n_in, K = net->n_classes;
    p->c = *c;
    p->rule = ff_paper_rule(c);
    p->cap = cap;
    p->D = D;
    for (size_t l = 0; l < net->n_layers; l++)
        p->n_peer += net->layer[l].n_out;
    arena a = {0};
    paper_layout(p, &a, net);
    if (!arena_commit(&a)) {
        free(p);
        return NULL;
    }
    paper_layout(p, &a, net);
    p->mem = a.base;
    p->bytes = a.used;
    memset(p->unit, 0, K * D * sizeof *p->unit);
    for (size_t k = 0; k < K; k++)
        p->unit[k * D + k] = 1.0f;
    for (size_t u = 0; u < p->n_peer; u++)
        p->peer[u] = c->peer_init;
    return p;
}

void ff_paper_free(ff_paper *p)
{
    if (!p)
        return;
    free(p->mem);
    free(p);
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

int *ff_paper_neg_labels(ff_paper *p)
{
    return p->neg_label;
}

const float *ff_paper_logits(const ff_paper *p)
{
    return p->ws.logits;
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

static int usable(const ff_net *net, const ff_paper *p, size_t B)
{
    return B > 0 && B <= p->cap && net->spec.normalize_input && net->spec.norm == FF_NORM_RMS;
}

/* The stacked pass through every layer's step: p->x holds its B positive
 * and B negative rows, normalised. */
static void step(ff_net *net, ff_paper *p, size_t B, int z0_ready, float gain, double *loss)
{
    const ff_ff_pass pass = {.in = p->x, .n = 2 * B, .n_pos = B, .z_ready = z0_ready,
                             .gain = gain, .peer = p->peer};
    ff_train_ff_layers(net, &p->ws, &pass, 0, net->n_layers, &p->rule, loss);
}

int ff_paper_neutral(ff_net *net, ff_paper *p, const float *x, size_t B)
{
    if (!usable(net, p, B))
        return FF_EINVAL;
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes, D = p->D, N0 = L0->n_out;

    /* layer 0's product of the batch, once for all three passes: each
     * pass's pre-activation is zbase plus its label pixels' response, over
     * its input's RMS, plus the bias */
    ff_layer_forward(L0, p->resp, ff_layer_patches(L0, p->ws.cols, p->unit, K), K, 0);
    ff_layer_forward(L0, p->zraw, ff_layer_patches(L0, p->ws.cols, x, B), B, 0);
    ff_lv_split_sumsq(p->x0ss, NULL, x, B, D, K);
    ff_lv_unlabel(p->zbase, p->zraw, x, p->resp, B, D, N0, K);

    const float fill = p->c.neutral;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        float *h = ff_ff_workspace_out(net, &p->ws, l);
        if (l == 0) {
            ff_lv_variant(h, p->zbase, p->resp, NULL, fill, B, N0, K);
            ff_lv_input_norm(h, p->x0ss, (double)K * fill * fill, NULL, L0->b, B, N0, D);
        } else {
            const float *in = ff_ff_workspace_out(net, &p->ws, l - 1);
            ff_layer_forward(L, h, ff_layer_patches(L, p->ws.cols, in, B), B, 1);
        }
        ff_relu(h, B * L->n_out);
        ff_normalize(h, p->ws.scale, h, B, L->n_out, FF_NORM_RMS);
    }
    ff_net_head_forward(net, p->ws.logits, p->ws.head_in, B, p->ws.cap);
    p->shared_x = x, p->shared_B = B, p->rows = B;
    return FF_SUCCESS;
}

int ff_paper_train_head(ff_net *net, ff_paper *p, const int *y, size_t B, float gain,
                        double *loss)
{
    if (B == 0 || B != p->rows)
        return FF_EINVAL;
    float *g = net->m + ff_net_param_offset(net, net->n_layers);
    loss[net->n_layers] = ff_paper_head_step(net, g, p->ws.dlogits, p->ws.logits, p->ws.head_in,
                                             B, p->ws.cap, y, &p->c, gain);
    p->rows = 0; /* the logits are spent */
    return FF_SUCCESS;
}

int ff_paper_step_labels(ff_net *net, ff_paper *p, const float *x, const int *y,
                         const int *neg, size_t B, float gain, double *loss)
{
    if (!usable(net, p, B) || x != p->shared_x || B != p->shared_B)
        return FF_EINVAL;
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes, D = p->D, N0 = L0->n_out;
    /* layer 0's pre-activation of both passes from the shared product;
     * their inputs are built for its weight gradient */
    float *z0 = ff_ff_workspace_out(net, &p->ws, 0);
    ff_lv_variant(z0, p->zbase, p->resp, y, 0.0f, B, N0, K);
    ff_lv_variant(z0 + B * N0, p->zbase, p->resp, neg, 0.0f, B, N0, K);
    for (int s = 0; s < 2; s++)
        ff_lv_input_norm(z0 + s * B * N0, p->x0ss, 1.0, NULL, L0->b, B, N0, D);
    make_input(p->x, x, y, p->x0ss, B, D, K);
    make_input(p->x + B * D, x, neg, p->x0ss, B, D, K);
    step(net, p, B, 1, gain, loss);
    p->shared_x = NULL, p->shared_B = 0, p->rows = 0;
    return FF_SUCCESS;
}

int ff_paper_step_images(ff_net *net, ff_paper *p, const float *x_pos, const float *x_neg,
                         size_t B, float gain, double *loss)
{
    if (!usable(net, p, B))
        return FF_EINVAL;
    const size_t D = p->D;
    memcpy(p->x, x_pos, B * D * sizeof *x_pos);
    memcpy(p->x + B * D, x_neg, B * D * sizeof *x_neg);
    ff_normalize(p->x, p->ws.scale, p->x, 2 * B, D, FF_NORM_RMS);
    step(net, p, B, 0, gain, loss);
    /* the readout's logits of the positive pass, from the activities the
     * layers had before their steps (what a concurrent step would see) */
    ff_net_head_forward(net, p->ws.logits, p->ws.head_in, B, p->ws.cap);
    p->shared_x = NULL, p->shared_B = 0, p->rows = B;
    return FF_SUCCESS;
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

ff_net_spec ff_paper_local_spec(size_t head_from)
{
    ff_net_spec s = {.ih = 28, .iw = 28, .ic = 1, .n_layers = 3, .head_from = head_from,
                     .n_classes = 10, .norm = FF_NORM_RMS, .normalize_input = 1};
    /* kind, channels, kernel, stride: (28 - 10) / 6 + 1 = 4, then 3, then 2 */
    s.layer[0] = (ff_layer_spec){FF_LAYER_LOCAL, 128, 10, 10, 6};
    s.layer[1] = (ff_layer_spec){FF_LAYER_LOCAL, 220, 2, 2, 1};
    s.layer[2] = (ff_layer_spec){FF_LAYER_LOCAL, 512, 2, 2, 1};
    return s;
}

ff_eval_config ff_paper_eval_config(int supervised, float neutral)
{
    return (ff_eval_config){.supervised = supervised, .target = 1, .readout = 1,
                            .goodness = supervised, .neutral = neutral, .theta_width = 1};
}
