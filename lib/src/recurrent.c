/* recurrent.c - the paper's recurrent net with top-down connections; see
 * recurrent.h. */
#include "ff/recurrent.h"
#include "arena.h"
#include "bf16.h"
#include "ff/error.h"
#include "ff/objective.h"
#include "ff/optim.h"
#include "ff/train.h"
#include "parallel.h"
#include "peer_norm.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>
#include <gsl/gsl_randist.h>

/* ---- the model ---- */

void ff_rec_learning(const ff_rec_config *c, int *first, int *last)
{
    *first = c->learn_first ? c->learn_first : 1;
    *last = c->learn_last ? c->learn_last : c->iterations;
}

int ff_rec_config_check(const ff_rec_config *c)
{
    const int ok = c->readout_first >= 0 && c->readout_first <= c->readout_last &&
                   c->readout_last <= c->iterations && c->damping >= 0.0f && c->damping <= 1.0f &&
                   c->learn_first >= 0 && c->learn_last >= 0 && c->learn_last <= c->iterations &&
                   (c->damp_input == 0 || c->damp_input == 1);
    return ok ? FF_SUCCESS : FF_EINVAL;
}

int ff_rec_alloc(ff_rec **out, ff_net *net)
{
    *out = NULL;
    if (!net || net->spec.norm != FF_NORM_RMS || !net->spec.normalize_input)
        return FF_EINVAL;
    for (size_t l = 0; l < net->n_layers; l++)
        if (net->layer[l].kind != FF_LAYER_DENSE)
            return FF_EINVAL;
    ff_rec *rec = calloc(1, sizeof *rec);
    if (!rec)
        return FF_ENOMEM;
    rec->net = net;
    rec->label_scale = 1.0f;
    rec->down_init = 1.0f;
    rec->n_layers = net->n_layers;
    rec->n_classes = net->n_classes;
    for (size_t l = 0; l < rec->n_layers; l++) {
        rec->above[l] = l + 1 < rec->n_layers ? net->layer[l + 1].n_out : rec->n_classes;
        rec->n_down += rec->above[l] * net->layer[l].n_out;
    }
    rec->w = calloc(2 * rec->n_down, sizeof *rec->w);
    if (!rec->w) {
        free(rec);
        return FF_ENOMEM;
    }
    rec->m = rec->w + rec->n_down;
    for (size_t l = 0, off = 0; l < rec->n_layers; l++) {
        rec->down[l] = rec->w + off;
        rec->down_m[l] = rec->m + off;
        off += rec->above[l] * net->layer[l].n_out;
    }
    ff_bf16_register(rec->w, rec->n_down); /* bf16.h */
    *out = rec;
    return FF_SUCCESS;
}

void ff_rec_free(ff_rec *rec)
{
    if (!rec)
        return;
    ff_bf16_unregister(rec->w);
    free(rec->w);
    free(rec);
}

void ff_rec_init_randn(ff_rec *rec, gsl_rng *r)
{
    for (size_t l = 0; l < rec->n_layers; l++) {
        const size_t n = rec->above[l] * rec->net->layer[l].n_out;
        const double top = l + 1 == rec->n_layers ? (double)rec->label_scale : 1.0;
        const double sd = (double)rec->down_init / sqrt((double)rec->above[l]) / top;
        for (size_t i = 0; i < n; i++)
            rec->down[l][i] = (float)(gsl_ran_gaussian_ziggurat(r, 1.0) * sd);
    }
    memset(rec->m, 0, rec->n_down * sizeof *rec->m);
    ff_bf16_changed(rec->w, rec->n_down);
}

int ff_rec_nonfinite(const ff_rec *rec)
{
    for (size_t l = 0; l < rec->n_layers; l++)
        for (size_t i = 0; i < rec->above[l] * rec->net->layer[l].n_out; i++)
            if (!isfinite(rec->down[l][i]))
                return (int)l;
    return -1;
}

ff_ckpt_section ff_rec_section(const ff_rec *rec)
{
    ff_ckpt_section s = {{0}, rec->w, 2 * rec->n_down * sizeof *rec->w};
    memcpy(s.tag, FF_REC_TAG, 4);
    return s;
}

int ff_rec_restore(const ff_ckpt *c, ff_rec *rec)
{
    size_t n;
    const void *data = ff_ckpt_find(c, FF_REC_TAG, &n);
    if (!data)
        return FF_ECKPT_SECTION;
    if (n != 2 * rec->n_down * sizeof *rec->w)
        return FF_ECKPT_MISMATCH;
    memcpy(rec->w, data, n);
    ff_bf16_changed(rec->w, rec->n_down);
    return FF_SUCCESS;
}

/* ---- the dynamics, shared by training and the readout ---- */

/* The state of R rows: P images, each in R / P copies (training: 2, the
 * positive and the negative rows; the readout: K, one per label), the
 * copies in blocks of P rows. */
typedef struct {
    float *xn;                   /* (P, D): the images, normalised */
    float *z0;                   /* (P, N_0): b_0 + xn U_0, the same at every step */
    float *h[FF_MAX_LAYERS];     /* (R, N_l): the state */
    float *u[FF_MAX_LAYERS];     /* (R, N_l): with damp_input, the damped
                                    pre-activation whose relu is h */
    float *y[FF_MAX_LAYERS];     /* (R, N_l): the state normalised */
    float *lab;                  /* (R, K): the label layer, normalised */
    float *z, *dz;               /* (R, width): one layer's pre-activation, gradient */
    float *scale;                /* (R) */
} state;

/* Lay out a state of up to P images and R rows in a; head_in, when given,
 * holds the normalised states of layers head_from and up instead (their
 * blocks R rows apart, as ff_net_head_forward reads them with cap R). */
static void state_layout(state *s, arena *a, const ff_net *net, size_t P, size_t R,
                         float *head_in)
{
    const size_t F = sizeof(float), D = net->layer[0].n_in;
    s->xn = carve(a, P * D * F);
    s->z0 = carve(a, P * net->layer[0].n_out * F);
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t N = net->layer[l].n_out;
        s->h[l] = carve(a, R * N * F);
        s->u[l] = carve(a, R * N * F);
        s->y[l] = head_in && l >= net->head_from ? head_in + R * net->head_off[l]
                                                 : carve(a, R * N * F);
    }
    s->lab = carve(a, R * net->n_classes * F);
    s->z = carve(a, R * net->width * F);
    s->dz = carve(a, R * net->width * F);
    s->scale = carve(a, R * F);
}

/* Time 0 of the B raw images x (B, D) in rows 0 .. B-1: normalised, then
 * each layer on the one below alone (no top-down input yet); with
 * damp_input, its pre-activation kept in u. */
static void bottom_up(const ff_net *net, const state *s, const float *x, size_t B, int damp_input)
{
    const size_t D = net->layer[0].n_in;
    memcpy(s->xn, x, B * D * sizeof *x);
    ff_normalize(s->xn, s->scale, s->xn, B, D, FF_NORM_RMS);
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        const size_t N = L->n_out;
        if (l == 0) {
            ff_layer_forward(L, s->z0, s->xn, B, 1);
            memcpy(s->h[0], s->z0, B * N * sizeof *s->z0);
        } else {
            ff_layer_forward(L, s->h[l], s->y[l - 1], B, 1);
        }
        if (damp_input)
            memcpy(s->u[l], s->h[l], B * N * sizeof *s->h[l]);
        ff_relu(s->h[l], B * N);
        ff_normalize(s->y[l], s->scale, s->h[l], B, N, FF_NORM_RMS);
    }
}

/* Rows 0 .. B-1 of every layer's state and its normalisation copied into
 * the other copies-1 blocks of B rows. */
static void tile_state(const ff_net *net, const state *s, size_t B, size_t copies, int damp_input)
{
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t n = B * net->layer[l].n_out;
        for (size_t c = 1; c < copies; c++) {
            memcpy(s->h[l] + c * n, s->h[l], n * sizeof *s->h[l]);
            if (damp_input)
                memcpy(s->u[l] + c * n, s->u[l], n * sizeof *s->u[l]);
            memcpy(s->y[l] + c * n, s->y[l], n * sizeof *s->y[l]);
        }
    }
}

/* The label layer of R rows: row i one-hot at label[i], RMS-normalised
 * (sqrt(K) at the label), times rec's label_scale. */
static void label_layer(const ff_rec *rec, float *lab, float *scale, const int *label, size_t R)
{
    const size_t K = rec->n_classes;
    memset(lab, 0, R * K * sizeof *lab);
    for (size_t i = 0; i < R; i++)
        lab[i * K + (size_t)label[i]] = 1.0f;
    ff_normalize(lab, scale, lab, R, K, FF_NORM_RMS);
    for (size_t i = 0; i < R; i++)
        lab[i * K + (size_t)label[i]] *= rec->label_scale;
}

/* rec's label_scale is one a label layer can take */
static int label_scale_ok(const ff_rec *rec)
{
    return rec->label_scale > 0.0f && isfinite(rec->label_scale);
}

typedef struct {
    float *h;       /* (n): the state, damped in place */
    const float *r; /* (n): relu(z) */
    float d, e;     /* d and 1 - d */
} damp_pass;

FF_HOT static void damp_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const damp_pass *a = ctx;
    for (size_t i = i0; i < i1; i++)
        a->h[i] = a->d * a->h[i] + a->e * a->r[i];
}

typedef struct {
    float *u;       /* (n): the pre-activation, damped in place */
    float *h;       /* (n): becomes relu(u) */
    const float *z; /* (n): the new pre-activation */
    float d, e;     /* d and 1 - d */
} damp_input_pass;

/* with damp_input: u = d u + e z, h = relu(u) */
FF_HOT static void damp_input_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const damp_input_pass *a = ctx;
    for (size_t i = i0; i < i1; i++) {
        const float u = a->d * a->u[i] + a->e * a->z[i];
        a->u[i] = u;
        a->h[i] = u > 0.0f || u != u ? u : 0.0f; /* relu, as ff_relu: a NaN stays NaN */
    }
}

typedef struct {
    float *dz;      /* (n): dLoss/dh, becomes dLoss/dz */
    const float *r; /* (n): relu(z) (with damp_input: h) */
    float e;        /* 1 - d */
} gate_pass;

/* through h = d h(t-1) + e relu(z): dLoss/dz = e [z > 0] dLoss/dh; with
 * damp_input, through h = relu(d u(t-1) + e z): e [h > 0] dLoss/dh */
FF_HOT static void gate_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const gate_pass *a = ctx;
    for (size_t i = i0; i < i1; i++)
        a->dz[i] = a->r[i] > 0.0f ? a->e * a->dz[i] : 0.0f;
}

typedef struct {
    float *acc;       /* (n) */
    const float *dz;  /* (2n): the positive rows, then the negative ones */
    size_t n;
} sum_pass;

FF_HOT static void sum_block(void *ctx, size_t i0, size_t i1, int t)
{
    (void)t;
    const sum_pass *a = ctx;
    for (size_t i = i0; i < i1; i++)
        a->acc[i] += a->dz[i] + a->dz[i + a->n];
}

/* What a learning iteration adds (training only): B positive rows, then B
 * negative rows. */
typedef struct {
    const ff_ff_rule *rule;
    float alpha;    /* (1 - momentum) / T */
    float *peer;    /* running means, the layers' widths in turn */
    float *dz0;     /* (B, N_0): layer 0's dz, summed */
    double *loss;   /* (n_layers): summed FF losses */
} learning;

/* z (R, N) += A T, A (R, above) the normalised layer above: the top-down
 * half of a pre-activation. */
static void add_top_down(float *z, const float *A, const float *T, size_t R, size_t above,
                         size_t N)
{
    gsl_matrix_float_const_view AV = gsl_matrix_float_const_view_array(A, R, above);
    gsl_matrix_float_const_view TV = gsl_matrix_float_const_view_array(T, above, N);
    gsl_matrix_float_view Z = gsl_matrix_float_view_array(z, R, N);
    ff_par_gemm(CblasNoTrans, CblasNoTrans, 1.0f, &AV.matrix, &TV.matrix, 1.0f, &Z.matrix);
}

/* Layer l's FF gradient of this iteration (its z holds relu(z), or with
 * damp_input z, its h the new state), added into its smoothed gradients. */
static void learn_layer(const ff_rec *rec, const state *s, size_t l, const float *above, size_t B,
                        float e, int damp_input, const learning *lc, float *peer)
{
    ff_net *net = rec->net;
    const ff_layer *L = &net->layer[l];
    const ff_ff_rule *r = lc->rule;
    const size_t N = L->n_out, R = 2 * B, A = rec->above[l];
    float *dz = s->dz;
    const float *h = s->h[l];
    /* dLoss/dh (each part a mean over its rows), then through the damping */
    lc->loss[l] += ff_ff_rule_loss(r, dz, h, B, R, N);
    gate_pass g = {dz, damp_input ? h : s->z, e};
    ff_par_for(R * N, R * N, gate_block, &g);
    ff_peer_normalise(dz, peer, h, B, N, r->peer_lambda, r->peer_decay);
    if (l == 0) { /* its input, the image, is the same in every row pair and iteration */
        sum_pass a = {lc->dz0, dz, B * N};
        ff_par_for(B * N, 2 * B * N, sum_block, &a);
    } else {
        ff_layer_weight_grad_add(L, net->m + ff_net_param_offset(net, l), s->y[l - 1], dz, R,
                                 lc->alpha);
    }
    gsl_matrix_float_const_view AV = gsl_matrix_float_const_view_array(above, R, A);
    gsl_matrix_float_const_view DZ = gsl_matrix_float_const_view_array(dz, R, N);
    gsl_matrix_float_view G = gsl_matrix_float_view_array(rec->down_m[l], A, N);
    ff_par_gemm(CblasTrans, CblasNoTrans, lc->alpha, &AV.matrix, &DZ.matrix, 1.0f, &G.matrix);
}

/* One synchronous iteration of the R rows (P images, R / P copies): every
 * layer from the normalised states of time t-1, damped (its state, or with
 * damp_input its pre-activation); then, every layer done, the new states
 * normalised.  lc: learn (R = 2P), or NULL. */
static void iteration(const ff_rec *rec, const state *s, size_t P, size_t R, float d,
                      int damp_input, const learning *lc)
{
    const ff_net *net = rec->net;
    const size_t H = rec->n_layers;
    const float e = 1.0f - d;
    float *peer = lc ? lc->peer : NULL;
    for (size_t l = 0; l < H; l++) {
        const ff_layer *L = &net->layer[l];
        const size_t N = L->n_out;
        const float *above = l + 1 < H ? s->y[l + 1] : s->lab;
        if (l == 0) /* b_0 + xn U_0, kept from time 0 */
            for (size_t c = 0; c < R / P; c++)
                memcpy(s->z + c * P * N, s->z0, P * N * sizeof *s->z);
        else
            ff_layer_forward(L, s->z, s->y[l - 1], R, 1);
        add_top_down(s->z, above, rec->down[l], R, rec->above[l], N);
        if (damp_input) {
            damp_input_pass dp = {s->u[l], s->h[l], s->z, d, e};
            ff_par_for(R * N, R * N, damp_input_block, &dp);
        } else {
            ff_relu(s->z, R * N);
            damp_pass dp = {s->h[l], s->z, d, e};
            ff_par_for(R * N, R * N, damp_block, &dp);
        }
        if (lc) {
            learn_layer(rec, s, l, above, P, e, damp_input, lc, peer);
            peer += N;
        }
    }
    for (size_t l = 0; l < H; l++)
        ff_normalize(s->y[l], s->scale, s->h[l], R, net->layer[l].n_out, FF_NORM_RMS);
}

/* ---- training ---- */

struct ff_rec_trainer {
    ff_paper_config pc;
    ff_ff_rule rule;    /* ff_paper_rule(&pc) */
    ff_rec_config rc;
    size_t cap;
    state s;            /* 2 cap rows: positive, then negative */
    float *head_in;     /* (2 cap, head.fan_in): the readout layers' normalised states */
    float *logits, *dlogits; /* (cap, K) */
    float *dz0;         /* (cap, N_0): layer 0's dz summed over rows and iterations */
    float *peer;        /* (sum of widths) */
    int *label;         /* (2 cap): the rows' labels */
    int *neg;           /* (cap) */
    size_t n_peer;
    size_t rows;        /* B of the last bottom-up pass; 0: none */
    int head_ready;     /* the logits are of that pass and unspent */
    int iters, learned; /* iterations since it, and those that learned */
    int learn_first, learn_last; /* ff_rec_learning(&rc) */
    double loss[FF_MAX_LAYERS];
    size_t bytes;
    void *mem;
};

static void trainer_layout(ff_rec_trainer *t, arena *a, const ff_net *net, size_t cap)
{
    const size_t F = sizeof(float), K = net->n_classes;
    t->head_in = carve(a, 2 * cap * net->head.fan_in * F);
    state_layout(&t->s, a, net, cap, 2 * cap, t->head_in);
    t->logits = carve(a, cap * K * F);
    t->dlogits = carve(a, cap * K * F);
    t->dz0 = carve(a, cap * net->layer[0].n_out * F);
    t->peer = carve(a, t->n_peer * F);
    t->label = carve(a, 2 * cap * sizeof(int));
    t->neg = carve(a, cap * sizeof(int));
}

ff_rec_trainer *ff_rec_trainer_alloc(const ff_rec *rec, size_t cap, const ff_paper_config *pc,
                                     const ff_rec_config *rc)
{
    int first, last;
    ff_rec_learning(rc, &first, &last);
    if (cap == 0 || rc->iterations < 1 || ff_rec_config_check(rc) != FF_SUCCESS ||
        first > last || last > rc->iterations || !label_scale_ok(rec))
        return NULL;
    ff_rec_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    const ff_net *net = rec->net;
    t->pc = *pc;
    t->rule = ff_paper_rule(pc);
    t->rc = *rc;
    t->learn_first = first, t->learn_last = last;
    t->cap = cap;
    for (size_t l = 0; l < net->n_layers; l++)
        t->n_peer += net->layer[l].n_out;
    arena a = {0};
    trainer_layout(t, &a, net, cap);
    if (!arena_commit(&a)) {
        free(t);
        return NULL;
    }
    trainer_layout(t, &a, net, cap);
    t->mem = a.base;
    t->bytes = a.used;
    for (size_t u = 0; u < t->n_peer; u++)
        t->peer[u] = pc->peer_init;
    return t;
}

void ff_rec_trainer_free(ff_rec_trainer *t)
{
    if (!t)
        return;
    free(t->mem);
    free(t);
}

float *ff_rec_peer_means(ff_rec_trainer *t, size_t *n)
{
    *n = t->n_peer;
    return t->peer;
}

size_t ff_rec_trainer_bytes(const ff_rec_trainer *t)
{
    return t->bytes;
}

int *ff_rec_neg_labels(ff_rec_trainer *t)
{
    return t->neg;
}

const float *ff_rec_logits(const ff_rec_trainer *t)
{
    return t->logits;
}

const float *ff_rec_state(const ff_rec_trainer *t, size_t l)
{
    return t->s.h[l];
}

int ff_rec_bottom_up(ff_rec *rec, ff_rec_trainer *t, const float *x, size_t B)
{
    if (B == 0 || B > t->cap)
        return FF_EINVAL;
    const ff_net *net = rec->net;
    bottom_up(net, &t->s, x, B, t->rc.damp_input);
    ff_net_head_forward(net, t->logits, t->head_in, B, 2 * t->cap);
    memset(t->dz0, 0, B * net->layer[0].n_out * sizeof *t->dz0);
    memset(t->loss, 0, sizeof t->loss);
    t->rows = B, t->head_ready = 1, t->iters = t->learned = 0;
    return FF_SUCCESS;
}

int ff_rec_train_head(ff_rec *rec, ff_rec_trainer *t, const int *y, size_t B, float gain,
                      double *loss)
{
    if (B == 0 || B != t->rows || !t->head_ready)
        return FF_EINVAL;
    ff_net *net = rec->net;
    float *g = net->m + ff_net_param_offset(net, net->n_layers);
    loss[net->n_layers] = ff_paper_head_step(net, g, t->dlogits, t->logits, t->head_in, B,
                                             2 * t->cap, y, &t->pc, gain);
    t->head_ready = 0; /* the logits are spent */
    return FF_SUCCESS;
}

static int labels_ok(const int *y, size_t B, size_t K)
{
    for (size_t i = 0; i < B; i++)
        if (y[i] < 0 || (size_t)y[i] >= K)
            return 0;
    return 1;
}

/* n, the learning iterations of a batch */
static int learning_count(const ff_rec_trainer *t)
{
    return t->learn_last - t->learn_first + 1;
}

/* (1 - momentum) / n: what each learning iteration's gradient weighs in
 * the smoothed gradient */
static float learning_weight(const ff_rec_trainer *t)
{
    return (1.0f - t->rule.sgd.momentum) / (float)learning_count(t);
}

int ff_rec_iterate(ff_rec *rec, ff_rec_trainer *t, const int *y, const int *neg, size_t B)
{
    const size_t K = rec->n_classes;
    if (B == 0 || B != t->rows || t->iters >= t->rc.iterations || !labels_ok(y, B, K) ||
        !labels_ok(neg, B, K))
        return FF_EINVAL;
    if (t->iters == 0) /* the negative rows start where the positive ones do */
        tile_state(rec->net, &t->s, B, 2, t->rc.damp_input);
    memcpy(t->label, y, B * sizeof *y);
    memcpy(t->label + B, neg, B * sizeof *neg);
    label_layer(rec, t->s.lab, t->s.scale, t->label, 2 * B);
    const int it = ++t->iters; /* this iteration's number, from 1 */
    const int learn = it >= t->learn_first && it <= t->learn_last;
    const learning lc = {&t->rule, learning_weight(t), t->peer, t->dz0, t->loss};
    iteration(rec, &t->s, B, 2 * B, t->rc.damping, t->rc.damp_input, learn ? &lc : NULL);
    t->head_ready = 0; /* the readout layers' time 0 is overwritten */
    t->learned += learn;
    return FF_SUCCESS;
}

int ff_rec_step(ff_rec *rec, ff_rec_trainer *t, float gain, double *loss)
{
    if (t->rows == 0 || t->learned != learning_count(t))
        return FF_EINVAL;
    ff_net *net = rec->net;
    const ff_sgd_config *sgd = &t->rule.sgd;
    const size_t B = t->rows;
    const float alpha = learning_weight(t);
    /* layer 0's bottom-up gradient, every iteration's at once */
    ff_layer_weight_grad_add(&net->layer[0], net->m + ff_net_param_offset(net, 0), t->s.xn,
                             t->dz0, B, alpha);
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        const size_t off = ff_net_param_offset(net, l), nd = rec->above[l] * L->n_out;
        ff_sgd_step(net->params + off, net->m + off, L->n_params, L->n_weights, sgd, gain);
        ff_sgd_step(rec->down[l], rec->down_m[l], nd, nd, sgd, gain);
        loss[l] = t->loss[l] / (double)t->learned;
    }
    t->rows = 0, t->head_ready = 0;
    return FF_SUCCESS;
}

/* ---- readout ---- */

struct ff_rec_eval_workspace {
    size_t cap, P;           /* rows per pass, images per pass (cap / K) */
    state s;
    double *ss;              /* (n_layers, cap): sums of squares of a step */
    double *gsum;            /* (cap): readout goodness summed over its steps */
    int *label;              /* (cap): the rows' labels */
    ff_eval_workspace *plain;/* the softmax readout's: ff_eval on the net */
    void *mem;
};

static void eval_layout(ff_rec_eval_workspace *ws, arena *a, const ff_net *net)
{
    state_layout(&ws->s, a, net, ws->P, ws->cap, NULL);
    ws->ss = carve(a, net->n_layers * ws->cap * sizeof(double));
    ws->gsum = carve(a, ws->cap * sizeof(double));
    ws->label = carve(a, ws->cap * sizeof(int));
}

ff_rec_eval_workspace *ff_rec_eval_workspace_alloc(const ff_rec *rec, size_t cap)
{
    const size_t K = rec->n_classes;
    if (cap < K)
        cap = K;
    ff_rec_eval_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->P = cap / K;
    ws->cap = ws->P * K;
    arena a = {0};
    eval_layout(ws, &a, rec->net);
    const int ok = arena_commit(&a);
    ws->plain = ff_eval_workspace_alloc(rec->net, cap);
    if (!ok || !ws->plain) {
        free(a.base);
        ff_eval_workspace_free(ws->plain);
        free(ws);
        return NULL;
    }
    eval_layout(ws, &a, rec->net);
    ws->mem = a.base;
    return ws;
}

void ff_rec_eval_workspace_free(ff_rec_eval_workspace *ws)
{
    if (!ws)
        return;
    ff_eval_workspace_free(ws->plain);
    free(ws->mem);
    free(ws);
}

/* After a step of the R = K B rows (row k B + i: image i, label k): the
 * goodness of the readout's layers (bit l of layers: layer l) into gsum,
 * and, with y, each layer's FF loss under image i's own label into loss. */
static void add_step(const ff_net *net, ff_rec_eval_workspace *ws, unsigned layers, size_t B,
                     const int *y, double *loss)
{
    const size_t R = net->n_classes * B;
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t N = net->layer[l].n_out;
        double *ss = ws->ss + l * ws->cap;
        memset(ss, 0, R * sizeof *ss);
        ff_goodness_add(ss, ws->s.h[l], R, N);
        if (layers >> l & 1u)
            for (size_t r = 0; r < R; r++)
                ws->gsum[r] += ss[r];
        if (y)
            for (size_t i = 0; i < B; i++)
                loss[l] += ff_ff_row_loss(ss[(size_t)y[i] * B + i], (double)N, 1);
    }
}

/* A readout of n images by c is possible on rec. */
static int readout_valid(const ff_rec *rec, size_t n, const ff_rec_config *c)
{
    return n > 0 && ff_rec_config_check(c) == FF_SUCCESS &&
           !(c->readout_layers >> rec->n_layers) && label_scale_ok(rec);
}

/* The readout of n images: g (n, K) if not NULL; with y, *correct (the
 * readout's right answers) and loss (n_layers, summed over the images). */
static int readout(const ff_rec *rec, ff_rec_eval_workspace *ws, double *g, const float *x,
                   const int *y, size_t n, const ff_rec_config *c, size_t *correct, double *loss)
{
    const ff_net *net = rec->net;
    const size_t K = rec->n_classes, D = net->layer[0].n_in;
    if (!readout_valid(rec, n, c))
        return FF_EINVAL;
    unsigned layers = c->readout_layers;
    for (size_t l = net->head_from; !c->readout_layers && l < net->n_layers; l++)
        layers |= 1u << l;
    const int steps = c->readout_last - c->readout_first + 1;
    int finite = 1; /* every goodness compared (a NaN would lose each comparison) */
    for (size_t first = 0; first < n; first += ws->P) {
        const size_t B = n - first < ws->P ? n - first : ws->P, R = K * B;
        bottom_up(net, &ws->s, x + first * D, B, c->damp_input);
        tile_state(net, &ws->s, B, K, c->damp_input);
        for (size_t r = 0; r < R; r++)
            ws->label[r] = (int)(r / B);
        label_layer(rec, ws->s.lab, ws->s.scale, ws->label, R);
        memset(ws->gsum, 0, R * sizeof *ws->gsum);
        const int *yb = y ? y + first : NULL;
        for (int t = 0; t <= c->readout_last; t++) {
            if (t > 0)
                iteration(rec, &ws->s, B, R, c->damping, c->damp_input, NULL);
            if (t >= c->readout_first)
                add_step(net, ws, layers, B, yb, loss);
        }
        for (size_t i = 0; i < B; i++) {
            size_t best = 0;
            for (size_t k = 0; k < K; k++) {
                const double v = ws->gsum[k * B + i] / steps;
                finite &= isfinite(v) != 0;
                if (g)
                    g[(first + i) * K + k] = v;
                if (v > ws->gsum[best * B + i] / steps)
                    best = k;
            }
            if (yb)
                *correct += best == (size_t)yb[i];
        }
    }
    if (loss)
        for (size_t l = 0; l < net->n_layers; l++)
            loss[l] /= steps;
    return finite ? FF_SUCCESS : FF_ENONFINITE;
}

int ff_rec_goodness(const ff_rec *rec, ff_rec_eval_workspace *ws, double *g, const float *x,
                    size_t n, const ff_rec_config *c)
{
    return readout(rec, ws, g, x, NULL, n, c, NULL, NULL);
}

int ff_rec_eval(const ff_rec *rec, ff_rec_eval_workspace *ws, const float *x, const int *y,
                size_t n, const ff_rec_config *c, ff_eval_result *out)
{
    const ff_net *net = rec->net;
    memset(out, 0, sizeof *out);
    out->n = n;
    if (!readout_valid(rec, n, c))
        return FF_EINVAL;
    /* the softmax head on the bottom-up pass: the plain net's readout */
    const ff_eval_config plain = {.target = 1, .readout = 1, .theta_width = 1};
    ff_eval_result r;
    int status = ff_eval(net, ws->plain, x, y, n, &plain, &r);
    if (status != FF_SUCCESS)
        return status;
    size_t correct = 0;
    double loss[FF_MAX_LAYERS] = {0};
    status = readout(rec, ws, NULL, x, y, n, c, &correct, loss);
    if (status != FF_SUCCESS)
        return status;
    for (size_t l = 0; l < net->n_layers; l++)
        out->loss[l] = loss[l] / (double)n;
    out->head_loss = r.head_loss;
    out->softmax_acc = r.softmax_acc;
    out->goodness_acc = (double)correct / (double)n;
    return FF_SUCCESS;
}
