/* test_paper.c - FF as the paper's reference code trains it
 * (lib/include/ff/paper.h), and the pieces it is built from.
 *
 *  (a) ff_sgd_step, after its half 1 (g += (1 - m) grad), against the
 *      update rule of optim.h and
 *      docs/paper-protocol.md ("Update"), written out in double;
 *      ff_lr_gain against the schedule's values worked out by hand;
 *  (b) ff_layer_weight_grad_add (adds alpha times ff_layer_weight_grad),
 *      ff_layer_init_randn (N(0, 1/fan_in) statistics, zero biases) and
 *      ff_net_init_randn (zero head, optimiser state reset);
 *  (c) ff_eval on a net that normalises its input (spec.normalize_input):
 *      its shortcut (layer 0 run once per image, each label variant's RMS
 *      from sums of squares) against a brute-force evaluation through the
 *      layer functions, supervised and not, with workspaces whose capacity
 *      does and does not divide n; ff_eval_features (the head's input, in
 *      chunks) and ff_eval_readout against ff_eval and brute force;
 *  (d) ff_paper_head_step against its update written out; the training
 *      calls (paper_batch composes the supervised ones as the program's
 *      main does): what they refuse, in and out of order; the negative
 *      labels a batch draws and trains on,
 *      observed through the per-layer losses it reports (each label gives
 *      a distinct loss signature), against their expected distributions;
 *      two whole steps against a reference written from the protocol in
 *      double (neutral pass, head step, positive and negative passes, peer
 *      normalisation, momentum SGD with weight cost and gain), and two
 *      unsupervised ones (real and other images stacked, the head on the
 *      positive pass) against the same reference's layer and head parts;
 *  (e) it learns a small 10-class problem by both readouts, its losses
 *      fall, and it is bit-for-bit reproducible from its seeds;
 *  (f) in the library's threads: the same bits twice in two threads, and
 *      within rounding of one thread in two and three. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "gradcheck.h"
#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/eval.h"
#include "ff/layer.h"
#include "ff/negatives.h"
#include "ff/net.h"
#include "ff/objective.h"
#include "ff/optim.h"
#include "ff/paper.h"
#include "ff/system.h"

/* NC label pixels (the paper's ten digits) in a 6x6 image of DIM pixels;
 * bounds of the fixed-size scratch arrays of the brute-force passes. */
enum { NC = 10, DIM = 36, MAXW = 64, MAXHEAD = 128, BMAX = 8 };

/* The neutral overlay of the reference code (paper-protocol.md). */
#define NEUTRAL 0.1f

static gsl_rng *new_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

static void fill_gauss(float *a, size_t n, gsl_rng *r, double sd)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (float)gsl_ran_gaussian(r, sd);
}

static double max_abs_diff(const float *a, const double *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

/* ---- (a) the optimiser and the learning-rate schedule ---- */

/* The update of optim.h and paper-protocol.md ("Update"), in double:
 * g = m g + (1 - m) grad, then p -= lr gain (g + wc p) on the first n_decay
 * entries and p -= lr gain g on the rest.  Also the reference of (d). */
static void sgd_ref(double *p, double *g, const double *grad, size_t n, size_t n_decay,
                    const ff_sgd_config *c, double gain)
{
    const double m = c->momentum, step = (double)c->lr * gain, wc = c->weight_cost;
    for (size_t i = 0; i < n; i++) {
        g[i] = m * g[i] + (1.0 - m) * grad[i];
        p[i] -= step * (i < n_decay ? g[i] + wc * p[i] : g[i]);
    }
}

static void test_sgd(gsl_rng *r)
{
    enum { N = 9, NDECAY = 5, STEPS = 3 };
    /* a large weight cost and a gain below 1, so that weight cost on the
     * biases, a missing (1 - m) or an ignored gain move p by ~1e-3, far
     * above float rounding (~1e-7) */
    const ff_sgd_config c = {0.05f, 0.8f, 0.1f};
    const float gain = 0.7f, sentinel = 12345.0f;
    float p[N + 1], g[N + 1], grad[N];
    double pd[N], gd[N], gradd[N];
    fill_uniform(p, N, r, -1.0, 1.0);
    for (size_t i = 0; i < N; i++) {
        g[i] = 0.0f;
        pd[i] = p[i];
        gd[i] = 0.0;
    }
    p[N] = g[N] = sentinel;
    for (int s = 0; s < STEPS; s++) {
        fill_uniform(grad, N, r, -1.0, 1.0);
        for (size_t i = 0; i < N; i++)
            gradd[i] = grad[i];
        for (size_t i = 0; i < N; i++) /* half 1, as the gradient products do it */
            g[i] += (1.0f - c.momentum) * grad[i];
        ff_sgd_step(p, g, N, NDECAY, &c, gain);
        sgd_ref(pd, gd, gradd, N, NDECAY, &c, gain);
    }
    /* between steps g holds momentum times the smoothed gradient */
    for (size_t i = 0; i < N; i++)
        gd[i] *= c.momentum;
    CHECK(max_abs_diff(p, pd, N) <= 2e-6, "ff_sgd_step parameters off the reference by %.3g",
          max_abs_diff(p, pd, N));
    CHECK(max_abs_diff(g, gd, N) <= 2e-6, "ff_sgd_step smoothed gradients off by %.3g",
          max_abs_diff(g, gd, N));
    CHECK(p[N] == sentinel && g[N] == sentinel, "ff_sgd_step wrote past its n entries");
}

/* ff_lr_gain against paper-protocol.md ("Update"): 1 while e <= E/2, then
 * (1 + 2 (E - e)) / E, 1/E at the last epoch.  The values are worked out by
 * hand below, not recomputed by the formula. */
static void test_lr_gain(void)
{
    static const struct {
        int e, E;
        double gain;
    } cases[] = {
        {1, 100, 1.0},   {50, 100, 1.0},   {51, 100, 99.0 / 100}, {75, 100, 51.0 / 100},
        {100, 100, 0.01}, {1, 60, 1.0},    {30, 60, 1.0},         {31, 60, 59.0 / 60},
        {60, 60, 1.0 / 60}, {3, 7, 1.0},   {4, 7, 1.0},           {5, 7, 5.0 / 7},
        {7, 7, 1.0 / 7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const float got = ff_lr_gain(cases[i].e, cases[i].E);
        CHECK(fabs(got - cases[i].gain) <= 1e-6 * cases[i].gain,
              "ff_lr_gain(%d, %d) = %.9g, expected %.9g", cases[i].e, cases[i].E, got,
              cases[i].gain);
    }
    int monotone = 1;
    for (int e = 2; e <= 60; e++)
        monotone &= ff_lr_gain(e, 60) <= ff_lr_gain(e - 1, 60) && ff_lr_gain(e, 60) > 0.0f;
    CHECK(monotone, "ff_lr_gain(e, 60) is not positive and non-increasing in e");
}

/* ---- (b) gradient accumulation and the reference code's initialisation ---- */

/* ff_layer_weight_grad_add(dz2, alpha) after ff_layer_weight_grad(dz1)
 * must give grad1 + alpha grad2, weights and biases; and added onto
 * arbitrary contents it must add, not overwrite. */
static void check_grad_add(const char *name, ff_layer *L, size_t B, gsl_rng *r)
{
    const size_t np = L->n_params, nw = L->fan_in * L->oc, nz = ff_layer_rows(L, B) * L->oc;
    const size_t nc = ff_layer_cols_size(L, B);
    float *params = malloc(np * sizeof *params), *x = malloc(B * L->n_in * sizeof *x);
    float *cols = malloc((nc ? nc : 1) * sizeof *cols), *dz1 = malloc(nz * sizeof *dz1);
    float *dz2 = malloc(nz * sizeof *dz2), *g1 = malloc(np * sizeof *g1);
    float *g2 = malloc(np * sizeof *g2), *acc = malloc(np * sizeof *acc);
    float *pre = malloc(np * sizeof *pre);
    double *sum = calloc(np, sizeof *sum);
    ff_layer_bind(L, params);
    fill_gauss(params, np, r, 1.0);
    fill_uniform(x, B * L->n_in, r, -1.0, 1.0);
    fill_gauss(dz1, nz, r, 1.0);
    fill_gauss(dz2, nz, r, 1.0);
    const float *patches = ff_layer_patches(L, cols, x, B);
    ff_layer_weight_grad(L, g1, patches, dz1, B);
    ff_layer_weight_grad(L, g2, patches, dz2, B);
    const float alpha = 0.3f;
    for (size_t i = 0; i < np; i++)
        sum[i] = (double)g1[i] + (double)alpha * g2[i];
    double scale_w = 0.0, scale_b = 0.0;
    for (size_t i = 0; i < nw; i++)
        scale_w = fmax(scale_w, fabs(sum[i]));
    for (size_t i = nw; i < np; i++)
        scale_b = fmax(scale_b, fabs(sum[i]));

    ff_layer_weight_grad(L, acc, patches, dz1, B);
    ff_layer_weight_grad_add(L, acc, patches, dz2, B, alpha);
    const double ew = max_abs_diff(acc, sum, nw), eb = max_abs_diff(acc + nw, sum + nw, np - nw);
    CHECK(scale_w > 0.1 && ew <= 1e-5 * scale_w,
          "%s: weight part of grad + grad_add off the sum by %.3g (scale %.3g)", name, ew,
          scale_w);
    CHECK(scale_b > 0.1 && eb <= 1e-5 * scale_b,
          "%s: bias part of grad + grad_add off the sum by %.3g (scale %.3g)", name, eb, scale_b);

    fill_gauss(pre, np, r, 1.0);
    memcpy(acc, pre, np * sizeof *acc);
    ff_layer_weight_grad_add(L, acc, patches, dz2, B, 1.0f);
    for (size_t i = 0; i < np; i++)
        sum[i] = (double)pre[i] + g2[i];
    CHECK(max_abs_diff(acc, sum, np) <= 1e-5 * (scale_w + scale_b + 1.0),
          "%s: grad_add onto arbitrary contents is off their sum by %.3g", name,
          max_abs_diff(acc, sum, np));
    free(sum);
    free(pre);
    free(acc);
    free(g2);
    free(g1);
    free(dz2);
    free(dz1);
    free(cols);
    free(x);
    free(params);
}

/* ff_layer_init_randn: weights N(0, 1) / sqrt(fan_in) (paper-protocol.md,
 * "Init"), biases 0.  Bounds are 4 standard errors of each statistic.  The
 * share beyond 2 sd (4.55% for a Gaussian) tells it from a uniform of the
 * same variance, which has none beyond 1.73 sd. */
static void check_randn_layer(const char *name, ff_layer *L, gsl_rng *r)
{
    const size_t n = L->fan_in * L->oc;
    float *params = malloc(L->n_params * sizeof *params);
    for (size_t i = 0; i < L->n_params; i++)
        params[i] = 7.0f; /* stale values the init must overwrite */
    ff_layer_bind(L, params);
    ff_layer_init_randn(L, r);
    const double sd = 1.0 / sqrt((double)L->fan_in);
    double mean = 0.0, var = 0.0, tail = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += L->w[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        var += (L->w[i] - mean) * (L->w[i] - mean);
        tail += fabs(L->w[i]) > 2.0 * sd;
    }
    var /= (double)n;
    tail /= (double)n;
    const double p2 = 0.0455;
    CHECK(fabs(mean) <= 4.0 * sd / sqrt((double)n), "%s: weight mean %.3g, expected ~0", name,
          mean);
    CHECK(fabs(var * (double)L->fan_in - 1.0) <= 4.0 * sqrt(2.0 / (double)n),
          "%s: weight variance x fan_in = %.4f, expected ~1 (fan_in %zu)", name,
          var * (double)L->fan_in, L->fan_in);
    CHECK(fabs(tail - p2) <= 4.0 * sqrt(p2 * (1.0 - p2) / (double)n),
          "%s: %.4f of the weights beyond 2 sd, a Gaussian has %.4f", name, tail, p2);
    int zero = 1;
    for (size_t j = 0; j < L->oc; j++)
        zero &= L->b[j] == 0.0f;
    CHECK(zero, "%s: biases not zero after ff_layer_init_randn", name);
    free(params);
}

static ff_layer_spec dense(size_t units)
{
    return (ff_layer_spec){FF_LAYER_DENSE, units, 1, 1, 1};
}

/* The net shape the reference code trains (dense ReLU layers, RMS between
 * layers and on the input, NC label pixels), small. */
static ff_net_spec paper_spec(size_t w0, size_t w1, size_t w2)
{
    return (ff_net_spec){.ih = 6, .iw = 6, .ic = 1, .n_layers = 3,
                         .layer = {dense(w0), dense(w1), dense(w2)}, .head_from = 1,
                         .n_classes = NC, .norm = FF_NORM_RMS, .normalize_input = 1};
}

static ff_net *make_paper_net(const ff_net_spec *spec, unsigned long seed)
{
    ff_net *net = NULL;
    if (ff_net_alloc(&net, spec) != FF_SUCCESS)
        return NULL;
    gsl_rng *r = new_rng(seed);
    ff_net_init_randn(net, r);
    gsl_rng_free(r);
    return net;
}

static void test_init(gsl_rng *r)
{
    ff_layer d, c;
    CHECK_OK(ff_layer_dense(&d, 400, 50));
    check_randn_layer("dense 400->50", &d, r);
    /* fan_in = 5*5*4 = 100, not n_in = 400: a sd from n_in is 2x too small */
    CHECK_OK(ff_layer_conv2d(&c, 10, 10, 4, 5, 5, 40));
    check_randn_layer("conv 10x10x4, 5x5x40", &c, r);

    const ff_net_spec s = paper_spec(12, 10, 8);
    ff_net *net = NULL;
    CHECK(ff_net_alloc(&net, &s) == FF_SUCCESS, "paper net allocated");
    if (!net)
        return;
    /* stale state the init must clear: a Glorot head, biases, moments, steps */
    ff_net_init_glorot(net, r);
    for (size_t l = 0; l <= net->n_layers; l++) {
        ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
        for (size_t j = 0; j < L->oc; j++)
            L->b[j] = 0.5f;
    }
    for (size_t i = 0; i < 2 * net->n_params; i++)
        net->m[i] = 1.0f;
    net->step[0] = 3;
    ff_net_init_randn(net, r);
    int head_zero = 1, bias_zero = 1, weights_set = 1, state_zero = net->step[0] == 0;
    for (size_t i = 0; i < net->head.n_params; i++)
        head_zero &= net->head.w[i] == 0.0f;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        double ss = 0.0;
        for (size_t i = 0; i < L->fan_in * L->oc; i++)
            ss += (double)L->w[i] * L->w[i];
        weights_set &= ss > 0.2 * (double)L->oc; /* E ss = oc */
        for (size_t j = 0; j < L->oc; j++)
            bias_zero &= L->b[j] == 0.0f;
    }
    for (size_t i = 0; i < 2 * net->n_params; i++)
        state_zero &= net->m[i] == 0.0f;
    CHECK(head_zero, "ff_net_init_randn: head weights and bias not all zero");
    CHECK(bias_zero, "ff_net_init_randn: hidden biases not zero");
    CHECK(weights_set, "ff_net_init_randn: hidden weights not drawn");
    CHECK(state_zero, "ff_net_init_randn: optimiser state not reset");
    ff_net_free(net);
}

/* ---- (c) ff_eval on a net that normalises its input ---- */

/* Overlay modes of brute_pass besides a one-hot label 0..NC-1. */
enum { OVERLAY_FILL = -1, OVERLAY_NONE = -2 };

typedef struct {
    double ss[FF_MAX_LAYERS]; /* each layer's sum of squared raw activities */
    double goodness;          /* the readouts': layers head_from and up */
    float head_in[MAXHEAD];   /* the head's input: their normalised activities */
    float logits[NC];
} pass_out;

/* One image as the reference code runs it (paper-protocol.md, "Input" and
 * "Normalisation"): the label overlay into a copy of the image (one-hot
 * `label`, `fill` in every label pixel, or nothing), the whole row
 * RMS-normalised, then layer by layer forward, ReLU, RMS; the head reads the
 * normalised activities of layers head_from and up.  Dense layers only. */
static void brute_pass(const ff_net *net, const float *x, int label, float fill, pass_out *o)
{
    const size_t d = net->layer[0].n_in;
    float img[MAXW], buf[2][MAXW], *head_in = o->head_in, scale;
    memcpy(img, x, d * sizeof *img);
    if (label >= 0)
        ff_overlay_onehot(img, &label, 1, d, net->n_classes, 1.0f);
    else if (label == OVERLAY_FILL)
        ff_overlay_fill(img, 1, d, net->n_classes, fill);
    ff_normalize(img, &scale, img, 1, d, FF_NORM_RMS);
    const float *in = img;
    o->goodness = 0.0;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        float *h = l >= net->head_from ? head_in + net->head_off[l] : buf[l % 2];
        ff_layer_forward(L, h, ff_layer_patches(L, NULL, in, 1), 1, 1);
        ff_relu(h, L->n_out);
        double ss = 0.0;
        for (size_t j = 0; j < L->n_out; j++)
            ss += (double)h[j] * h[j];
        o->ss[l] = ss;
        if (l >= net->head_from)
            o->goodness += ss;
        ff_normalize(h, &scale, h, 1, L->n_out, FF_NORM_RMS);
        in = h;
    }
    ff_net_head_forward(net, o->logits, head_in, 1, 1);
}

/* Entries other than v[best] within tol of it: near-ties, where float
 * rounding may decide an argmax. */
static size_t near_ties(const double *v, size_t n, size_t best, double tol)
{
    size_t c = 0;
    for (size_t k = 0; k < n; k++)
        c += k != best && v[best] - v[k] <= tol;
    return c;
}

static size_t argmax_d(const double *v, size_t n)
{
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        if (v[k] > v[best])
            best = k;
    return best;
}

typedef struct {
    int *good, *soft_neu, *soft_raw;   /* predictions */
    size_t amb_good, amb_neu, amb_raw; /* near-ties */
    double loss_pos[FF_MAX_LAYERS], loss_neg[FF_MAX_LAYERS], loss_raw[FF_MAX_LAYERS];
    double xent_neu, xent_raw;         /* mean head cross-entropy against y */
} brute_eval_out;

/* Brute force for every image: goodness readout (each one-hot label, the
 * first label on ties), softmax readout on the neutral overlay and on the
 * raw image, the mean FF losses with the true label (target 1), a wrong
 * label (target 0) and no overlay (target 1). */
static void brute_eval(const ff_net *net, const float *x, const int *y, const int *wrong,
                       size_t n, double theta, brute_eval_out *b)
{
    const size_t d = net->layer[0].n_in, L = net->n_layers;
    memset(b->loss_pos, 0, sizeof b->loss_pos);
    memset(b->loss_neg, 0, sizeof b->loss_neg);
    memset(b->loss_raw, 0, sizeof b->loss_raw);
    b->amb_good = b->amb_neu = b->amb_raw = 0;
    b->xent_neu = b->xent_raw = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *xi = x + i * d;
        pass_out o;
        double g[NC], lg[NC];
        for (int k = 0; k < NC; k++) {
            brute_pass(net, xi, k, 0.0f, &o);
            g[k] = o.goodness;
        }
        size_t best = argmax_d(g, NC);
        b->good[i] = (int)best;
        b->amb_good += near_ties(g, NC, best, 1e-4 * g[best]) > 0;

        brute_pass(net, xi, OVERLAY_FILL, NEUTRAL, &o);
        for (int k = 0; k < NC; k++)
            lg[k] = o.logits[k];
        best = argmax_d(lg, NC);
        b->soft_neu[i] = (int)best;
        b->amb_neu += near_ties(lg, NC, best, 1e-4 * (1.0 + fabs(lg[best]))) > 0;
        b->xent_neu += ff_softmax_xent(NULL, o.logits, &y[i], 1, NC) / (double)n;

        brute_pass(net, xi, OVERLAY_NONE, 0.0f, &o);
        for (int k = 0; k < NC; k++)
            lg[k] = o.logits[k];
        best = argmax_d(lg, NC);
        b->soft_raw[i] = (int)best;
        b->amb_raw += near_ties(lg, NC, best, 1e-4 * (1.0 + fabs(lg[best]))) > 0;
        b->xent_raw += ff_softmax_xent(NULL, o.logits, &y[i], 1, NC) / (double)n;
        for (size_t l = 0; l < L; l++)
            b->loss_raw[l] += ff_ff_row_loss(o.ss[l], theta, 1) / (double)n;

        brute_pass(net, xi, y[i], 0.0f, &o);
        for (size_t l = 0; l < L; l++)
            b->loss_pos[l] += ff_ff_row_loss(o.ss[l], theta, 1) / (double)n;
        brute_pass(net, xi, wrong[i], 0.0f, &o);
        for (size_t l = 0; l < L; l++)
            b->loss_neg[l] += ff_ff_row_loss(o.ss[l], theta, 0) / (double)n;
    }
}

/* Largest relative difference between ff_eval's and brute force's per-layer
 * mean losses. */
static double loss_gap(const double *got, const double *want, size_t L)
{
    double m = 0.0;
    for (size_t l = 0; l < L; l++)
        m = fmax(m, fabs(got[l] - want[l]) / (fabs(want[l]) + 1e-12));
    return m;
}

/* ff_eval, with n set to 0 in the result if it fails (every check below
 * tests n). */
static ff_eval_result eval_run(const ff_net *net, ff_eval_workspace *ws, const float *x,
                               const int *y, size_t n, int supervised, int target, int readout,
                               int goodness, double theta)
{
    const ff_eval_config c = {.supervised = supervised, .target = target, .readout = readout,
                              .goodness = goodness, .neutral = NEUTRAL, .theta = theta};
    ff_eval_result res;
    if (ff_eval(net, ws, x, y, n, &c, &res) != FF_SUCCESS)
        res.n = 0;
    return res;
}

static size_t distinct(const int *v, size_t n)
{
    int seen[NC] = {0};
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= 0 && v[i] < NC && !seen[v[i]]++)
            c++;
    return c;
}

/* ff_eval against brute_eval.  Predictions are compared by scoring ff_eval
 * against the brute-force predictions: accuracy 1 iff it predicts what brute
 * force does on every image (near-ties excused).  Continuous values (losses,
 * head cross-entropy) catch errors too small to move an argmax. */
static void check_eval(const char *name, const ff_net *net, const float *x, const int *y,
                       const int *wrong, size_t n, double theta)
{
    static const size_t caps[] = {16, 25, 1}; /* with n = 50: remainder, exact, K-sized */
    const size_t L = net->n_layers;
    const double dn = (double)n;
    brute_eval_out b;
    b.good = malloc(n * sizeof(int));
    b.soft_neu = malloc(n * sizeof(int));
    b.soft_raw = malloc(n * sizeof(int));
    brute_eval(net, x, y, wrong, n, theta, &b);
    CHECK(b.amb_good * 20 <= n && b.amb_neu * 20 <= n && b.amb_raw * 20 <= n,
          "%s: near-ties (goodness %zu, neutral %zu, raw %zu of %zu) make the comparison weak",
          name, b.amb_good, b.amb_neu, b.amb_raw, n);
    CHECK(distinct(b.good, n) >= 3 && distinct(b.soft_neu, n) >= 3 && distinct(b.soft_raw, n) >= 3,
          "%s: brute-force predictions take too few values (%zu, %zu, %zu) to test the readouts",
          name, distinct(b.good, n), distinct(b.soft_neu, n), distinct(b.soft_raw, n));
    for (size_t ci = 0; ci < sizeof caps / sizeof *caps; ci++) {
        const size_t cap = caps[ci];
        ff_eval_workspace *ws = ff_eval_workspace_alloc(net, cap);
        CHECK(ws != NULL, "%s: eval workspace of capacity %zu", name, cap);
        if (!ws)
            continue;
        ff_eval_result r;
        /* the softmax readout alone: the same predictions, losses and head
         * loss, and no goodness figure (first, on a fresh workspace: nothing
         * left in it by a goodness pass) */
        for (int sup = 0; sup < 2; sup++) {
            const int *soft = sup ? b.soft_neu : b.soft_raw;
            const size_t amb = sup ? b.amb_neu : b.amb_raw;
            const double *want = sup ? b.loss_pos : b.loss_raw;
            r = eval_run(net, ws, x, soft, n, sup, 1, 1, 0, theta);
            CHECK(r.n == n && r.softmax_acc * dn >= dn - (double)amb - 0.5 &&
                      isnan(r.goodness_acc),
                  "%s, cap %zu, %s, no goodness readout: softmax predictions differ on %.0f of "
                  "%zu, or a goodness accuracy (%g) given",
                  name, cap, sup ? "supervised" : "unsupervised", (1.0 - r.softmax_acc) * dn, n,
                  r.goodness_acc);
            r = eval_run(net, ws, x, y, n, sup, 1, 1, 0, theta);
            CHECK(r.n == n && fabs(r.head_loss - (sup ? b.xent_neu : b.xent_raw)) <=
                                  1e-4 * (sup ? b.xent_neu : b.xent_raw) &&
                      loss_gap(r.loss, want, L) <= 1e-4,
                  "%s, cap %zu, %s, no goodness readout: head loss %.9g or FF losses (off by "
                  "%.3g) differ from brute force",
                  name, cap, sup ? "supervised" : "unsupervised", r.head_loss,
                  loss_gap(r.loss, want, L));
        }
        /* supervised, with the readouts (losses from the fused goodness pass) */
        r = eval_run(net, ws, x, b.good, n, 1, 1, 1, 1, theta);
        CHECK(r.n == n && r.goodness_acc * dn >= dn - (double)b.amb_good - 0.5,
              "%s, cap %zu: goodness predictions differ from brute force on %.0f of %zu", name,
              cap, (1.0 - r.goodness_acc) * dn, n);
        r = eval_run(net, ws, x, b.soft_neu, n, 1, 1, 1, 1, theta);
        CHECK(r.n == n && r.softmax_acc * dn >= dn - (double)b.amb_neu - 0.5,
              "%s, cap %zu: softmax predictions (neutral overlay) differ on %.0f of %zu", name,
              cap, (1.0 - r.softmax_acc) * dn, n);
        r = eval_run(net, ws, x, y, n, 1, 1, 1, 1, theta);
        CHECK(r.n == n && fabs(r.head_loss - b.xent_neu) <= 1e-4 * b.xent_neu,
              "%s, cap %zu: head loss (neutral overlay) %.9g, brute force %.9g", name, cap,
              r.head_loss, b.xent_neu);
        CHECK(r.n == n && loss_gap(r.loss, b.loss_pos, L) <= 1e-4,
              "%s, cap %zu: FF losses (true label, with readout) off brute force by %.3g", name,
              cap, loss_gap(r.loss, b.loss_pos, L));
        /* supervised, losses only (the unfused pass) */
        r = eval_run(net, ws, x, y, n, 1, 1, 0, 0, theta);
        CHECK(r.n == n && loss_gap(r.loss, b.loss_pos, L) <= 1e-4,
              "%s, cap %zu: FF losses (true label, no readout) off brute force by %.3g", name,
              cap, loss_gap(r.loss, b.loss_pos, L));
        r = eval_run(net, ws, x, wrong, n, 1, 0, 0, 0, theta);
        CHECK(r.n == n && loss_gap(r.loss, b.loss_neg, L) <= 1e-4,
              "%s, cap %zu: FF losses (wrong label, target 0) off brute force by %.3g", name,
              cap, loss_gap(r.loss, b.loss_neg, L));
        /* unsupervised: the raw image (its first pixels included), normalised */
        r = eval_run(net, ws, x, b.soft_raw, n, 0, 1, 1, 1, theta);
        CHECK(r.n == n && r.softmax_acc * dn >= dn - (double)b.amb_raw - 0.5,
              "%s, cap %zu: softmax predictions (raw image) differ on %.0f of %zu", name, cap,
              (1.0 - r.softmax_acc) * dn, n);
        r = eval_run(net, ws, x, b.good, n, 0, 1, 1, 1, theta);
        CHECK(r.n == n && r.goodness_acc * dn >= dn - (double)b.amb_good - 0.5,
              "%s, cap %zu: unsupervised goodness predictions differ on %.0f of %zu", name, cap,
              (1.0 - r.goodness_acc) * dn, n);
        r = eval_run(net, ws, x, y, n, 0, 1, 1, 1, theta);
        CHECK(r.n == n && fabs(r.head_loss - b.xent_raw) <= 1e-4 * b.xent_raw,
              "%s, cap %zu: head loss (raw image) %.9g, brute force %.9g", name, cap,
              r.head_loss, b.xent_raw);
        CHECK(r.n == n && loss_gap(r.loss, b.loss_raw, L) <= 1e-4,
              "%s, cap %zu: FF losses (raw image) off brute force by %.3g", name, cap,
              loss_gap(r.loss, b.loss_raw, L));
        ff_eval_workspace_free(ws);
    }
    free(b.soft_raw);
    free(b.soft_neu);
    free(b.good);
}

/* Multiply every hidden layer's weights by f.  randn / sqrt(fan_in) on RMS
 * inputs gives a goodness of about width/2, where the FF loss saturates
 * (softplus(-width/2)); scaled by 1.4 it sits near the threshold, so losses
 * and their differences between labels are large. */
static void scale_weights(ff_net *net, float f)
{
    for (size_t l = 0; l < net->n_layers; l++)
        for (size_t i = 0; i < net->layer[l].fan_in * net->layer[l].oc; i++)
            net->layer[l].w[i] *= f;
}

/* Random head weights and biases: the zero head of ff_net_init_randn would
 * make every softmax prediction label 0. */
static void perturb_head(ff_net *net, gsl_rng *r, double sd_w, double sd_b)
{
    fill_gauss(net->head.w, net->head.fan_in * net->head.oc, r, sd_w);
    fill_gauss(net->head.b, net->head.oc, r, sd_b);
}

/* Random hidden biases.  With zero biases a ReLU net is blind to the scale
 * of its input, and the head reads normalised activities: a wrong input RMS
 * would change only the goodness, not the softmax readout. */
static void perturb_biases(ff_net *net, gsl_rng *r, double sd)
{
    for (size_t l = 0; l < net->n_layers; l++)
        fill_gauss(net->layer[l].b, net->layer[l].oc, r, sd);
}

static void random_labels(int *y, int *wrong, size_t n, gsl_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)gsl_rng_uniform_int(r, NC);
        wrong[i] = (y[i] + 1 + (int)gsl_rng_uniform_int(r, NC - 1)) % NC;
    }
}

/* ff_eval_features and ff_eval_readout on the same net: the readout over
 * features in chunks of the workspace's capacity gives ff_eval's softmax
 * figures exactly, supervised and not; each image's features are the
 * brute-force pass's head input, in any chunk size (7: the chunks and the
 * workspace's batches fall apart); n or rows 0 is refused. */
static void check_features(const char *name, const ff_net *net, const float *x, const int *y,
                           size_t n)
{
    static const size_t caps[] = {16, 25, 1};
    const size_t F = net->head.fan_in;
    float *feat = malloc((n + 25) * F * sizeof *feat), *odd = malloc((n + 7) * F * sizeof *odd);
    float logits[25 * NC];
    CHECK(F <= MAXHEAD && feat && odd, "%s: feature buffers", name);
    for (size_t ci = 0; ci < sizeof caps / sizeof *caps && feat && odd && F <= MAXHEAD; ci++) {
        const size_t rows = caps[ci] < NC ? NC : caps[ci]; /* the workspace's capacity */
        ff_eval_workspace *ws = ff_eval_workspace_alloc(net, caps[ci]);
        CHECK(ws != NULL, "%s: eval workspace of capacity %zu", name, caps[ci]);
        if (!ws)
            continue;
        for (int sup = 0; sup < 2; sup++) {
            const ff_eval_config c = ff_paper_eval_config(sup, NEUTRAL);
            ff_eval_result want, got, got7;
            const int ok = ff_eval(net, ws, x, y, n, &c, &want) == FF_SUCCESS &&
                           ff_eval_features(net, ws, feat, rows, x, n, &c) == FF_SUCCESS &&
                           ff_eval_features(net, ws, odd, 7, x, n, &c) == FF_SUCCESS &&
                           ff_eval_readout(net, logits, feat, rows, y, n, &got) == FF_SUCCESS &&
                           ff_eval_readout(net, logits, odd, 7, y, n, &got7) == FF_SUCCESS;
            CHECK(ok, "%s, cap %zu, %s: features or readout refused", name, caps[ci],
                  sup ? "supervised" : "unsupervised");
            if (!ok)
                continue;
            CHECK(got.n == n && got.head_loss == want.head_loss &&
                      got.softmax_acc == want.softmax_acc && isnan(got.goodness_acc),
                  "%s, cap %zu, %s: readout of the features (%.9g, %g) is not ff_eval's "
                  "(%.9g, %g)",
                  name, caps[ci], sup ? "supervised" : "unsupervised", got.head_loss,
                  got.softmax_acc, want.head_loss, want.softmax_acc);
            CHECK(fabs(got7.head_loss - want.head_loss) <= 1e-5 * want.head_loss,
                  "%s, cap %zu, %s: readout in chunks of 7, head loss %.9g, ff_eval %.9g", name,
                  caps[ci], sup ? "supervised" : "unsupervised", got7.head_loss, want.head_loss);
            double err = 0.0, scale = 0.0;
            int same = 1;
            for (size_t i = 0; i < n; i++) {
                pass_out o;
                brute_pass(net, x + i * DIM, sup ? OVERLAY_FILL : OVERLAY_NONE, NEUTRAL, &o);
                for (size_t l = net->head_from; l < net->n_layers; l++) {
                    const size_t m = net->layer[l].n_out, off = net->head_off[l];
                    const float *a = feat + i / rows * rows * F + rows * off + i % rows * m;
                    const float *b = odd + i / 7 * 7 * F + 7 * off + i % 7 * m;
                    same &= memcmp(a, b, m * sizeof *a) == 0;
                    for (size_t j = 0; j < m; j++) {
                        err = fmax(err, fabs(a[j] - o.head_in[off + j]));
                        scale = fmax(scale, fabs(o.head_in[off + j]));
                    }
                }
            }
            CHECK(same, "%s, cap %zu, %s: features in chunks of 7 differ from chunks of %zu",
                  name, caps[ci], sup ? "supervised" : "unsupervised", rows);
            CHECK(scale > 0.1 && err <= 1e-5 * scale,
                  "%s, cap %zu, %s: features off the brute-force head input by %.3g (largest "
                  "%.3g)",
                  name, caps[ci], sup ? "supervised" : "unsupervised", err, scale);
        }
        const ff_eval_config c = ff_paper_eval_config(1, NEUTRAL);
        ff_eval_result r;
        CHECK(ff_eval_features(net, ws, feat, rows, x, 0, &c) == FF_EINVAL &&
                  ff_eval_features(net, ws, feat, 0, x, n, &c) == FF_EINVAL &&
                  ff_eval_readout(net, logits, feat, rows, y, 0, &r) == FF_EINVAL &&
                  ff_eval_readout(net, logits, feat, 0, y, n, &r) == FF_EINVAL,
              "%s: n = 0 or rows = 0 not refused", name);
        /* a NaN feature (as a failed product leaves) is an error, not a
         * readout that scores chance */
        const float keep = feat[0];
        feat[0] = NAN;
        CHECK(ff_eval_readout(net, logits, feat, rows, y, n, &r) == FF_ENONFINITE,
              "%s: a NaN feature not refused", name);
        feat[0] = keep;
        ff_eval_workspace_free(ws);
    }
    free(odd);
    free(feat);
}

static void test_eval_input_norm(gsl_rng *r)
{
    enum { N = 50 };
    const ff_net_spec s = paper_spec(12, 10, 8);
    ff_net *net = make_paper_net(&s, 11);
    CHECK(net != NULL, "eval net allocated");
    if (!net)
        return;
    scale_weights(net, 1.4f);
    perturb_head(net, r, 0.5, 0.5);
    perturb_biases(net, r, 0.3);
    /* ff_eval takes one threshold for every layer; the widest layer's */
    const double theta = (double)net->width;
    static float x[N * DIM];
    int y[N], wrong[N];
    random_labels(y, wrong, N, r);
    /* label pixels zero, as in MNIST's corners */
    fill_uniform(x, N * DIM, r, 0.0, 1.0);
    for (size_t i = 0; i < N; i++)
        memset(x + i * DIM, 0, NC * sizeof *x);
    check_eval("label pixels zero", net, x, y, wrong, N, theta);
    check_features("label pixels zero", net, x, y, N);
    /* label pixels non-zero: the overlay must replace them, and the raw
     * (unsupervised) input must keep them, in the RMS too */
    fill_uniform(x, N * DIM, r, 0.0, 1.0);
    check_eval("label pixels non-zero", net, x, y, wrong, N, theta);
    check_features("label pixels non-zero", net, x, y, N);
    ff_net_free(net);
}

/* ---- (d) the training calls ---- */

/* One supervised batch as paper_ff_supervised's main makes it: the neutral
 * pass, the negative labels (hard: from its logits; else uniform over the
 * wrong ones), the head's step, the stacked passes' layer step.  The first
 * status that is not FF_SUCCESS, or FF_SUCCESS. */
static int paper_batch(ff_net *net, ff_paper *p, const float *x, const int *y, size_t B,
                       float gain, int hard, gsl_rng *r, double *loss)
{
    int *neg = ff_paper_neg_labels(p), status = ff_paper_neutral(net, p, x, B);
    if (status != FF_SUCCESS)
        return status;
    if (hard)
        ff_neg_labels_hard(neg, ff_paper_logits(p), y, B, net->n_classes, r);
    else
        ff_neg_labels_wrong(neg, y, B, net->n_classes, r);
    status = ff_paper_train_head(net, p, y, B, gain, loss);
    return status != FF_SUCCESS ? status : ff_paper_step_labels(net, p, x, y, neg, B, gain, loss);
}

static void test_paper_defaults(void)
{
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    /* paper-protocol.md, "Supervised FF as the reference code does it" */
    CHECK(c.ff.lr == 0.01f && c.ff.momentum == 0.9f && c.ff.weight_cost == 0.001f &&
              c.head.lr == 0.1f && c.head.momentum == 0.9f && c.head.weight_cost == 0.003f &&
              c.peer_lambda == 0.03f && c.peer_decay == 0.9f && c.peer_init == 0.5f &&
              c.neutral == 0.1f && c.learn_head_bias == 0,
          "FF_PAPER_DEFAULTS differ from the reference code's settings");
    /* its FF rule: "Goodness probability", "FF gradient per layer", "Update" */
    const ff_ff_rule rule = ff_paper_rule(&c);
    CHECK(rule.theta_width == 1 && rule.grad == FF_GRAD_REFERENCE && rule.opt == FF_OPT_SGD &&
              rule.sgd.lr == c.ff.lr && rule.sgd.momentum == c.ff.momentum &&
              rule.sgd.weight_cost == c.ff.weight_cost && rule.peer_lambda == c.peer_lambda &&
              rule.peer_decay == c.peer_decay,
          "ff_paper_rule does not hold the reference code's choices");
}

/* ff_paper_head_step from a zero smoothed gradient, against the update of
 * optim.h written out in double: w -= lr gain ((1 - m) grad + wc w), the
 * bias the same without weight cost only when learned (else untouched), g
 * left at m (1 - m) grad, the FF layers untouched, the summed
 * cross-entropy returned; the input read from blocks cap rows apart. */
static void test_head_step(gsl_rng *r)
{
    enum { B = 5, CAP = 7 };
    const ff_net_spec s = paper_spec(12, 10, 8);
    for (int learn = 0; learn < 2; learn++) {
        ff_net *net = make_paper_net(&s, 3);
        CHECK(net != NULL, "head-step net allocated");
        if (!net)
            return;
        ff_paper_config c = FF_PAPER_DEFAULTS;
        c.learn_head_bias = learn;
        const float gain = 0.75f, lr = c.head.lr, m = c.head.momentum, wc = c.head.weight_cost;
        const size_t F = net->head.fan_in, K = NC, np = net->head.n_params, nw = F * K;
        float head_in[CAP * MAXHEAD], logits[B * K], dlogits[B * K], grad[MAXHEAD * NC + NC];
        float g[MAXHEAD * NC + NC] = {0}, *w = net->head.w;
        int y[B];
        fill_uniform(head_in, CAP * F, r, 0.0, 2.0);
        fill_uniform(w, np, r, -0.5, 0.5);
        for (size_t i = 0; i < B; i++)
            y[i] = (int)gsl_rng_uniform_int(r, NC);
        const size_t n_ff = ff_net_param_offset(net, net->n_layers);
        float *ff_before = malloc(n_ff * sizeof *ff_before), before[MAXHEAD * NC + NC];
        memcpy(ff_before, net->params, n_ff * sizeof *ff_before);
        memcpy(before, w, np * sizeof *w);
        ff_net_head_forward(net, logits, head_in, B, CAP);
        const double want_loss = ff_softmax_xent(dlogits, logits, y, B, K);
        ff_net_head_weight_grad(net, grad, head_in, dlogits, B, CAP);
        const double loss = ff_paper_head_step(net, g, dlogits, logits, head_in, B, CAP, y, &c,
                                               gain);
        double ew = 0.0, eg = 0.0, moved = 0.0;
        for (size_t j = 0; j < np; j++) {
            const int bias = j >= nw, stepped = !bias || learn;
            const double sg = stepped ? (1.0 - m) * (double)grad[j] : 0.0;
            const double want = before[j] - (stepped ? (double)lr * gain *
                                                           (sg + (bias ? 0.0 : wc * before[j]))
                                                     : 0.0);
            ew = fmax(ew, fabs(w[j] - want));
            eg = fmax(eg, fabs(g[j] - m * sg));
            moved = fmax(moved, fabs(w[j] - before[j]));
        }
        CHECK(ew <= 1e-6 && eg <= 1e-6 && moved > 1e-3,
              "ff_paper_head_step (bias %s): weights off by %.3g, smoothed gradient by %.3g, "
              "moved %.3g",
              learn ? "learned" : "fixed", ew, eg, moved);
        int bias_same = 1;
        for (size_t k = 0; k < K; k++)
            bias_same &= w[nw + k] == before[nw + k];
        CHECK(bias_same == !learn, "ff_paper_head_step: the bias %s", learn ? "did not move"
                                                                             : "moved");
        CHECK(memcmp(ff_before, net->params, n_ff * sizeof *ff_before) == 0,
              "ff_paper_head_step changed an FF layer");
        CHECK(loss == want_loss, "ff_paper_head_step returned %.9g, the cross-entropy is %.9g",
              loss, want_loss);
        free(ff_before);
        ff_net_free(net);
    }
}

static void test_paper_refusals(gsl_rng *r)
{
    enum { CAP = 4 };
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    ff_net_spec s = paper_spec(12, 10, 8);
    ff_net *good = make_paper_net(&s, 1);
    s.normalize_input = 0;
    ff_net *noin = make_paper_net(&s, 1);
    s.normalize_input = 1;
    s.norm = FF_NORM_L2;
    ff_net *l2 = make_paper_net(&s, 1);
    CHECK(good && noin && l2, "nets allocated");
    if (!good || !noin || !l2)
        return;
    ff_paper *pg = ff_paper_alloc(good, CAP, &c), *pn = ff_paper_alloc(noin, CAP, &c);
    ff_paper *pl = ff_paper_alloc(l2, CAP, &c);
    CHECK(pg && pn && pl && ff_paper_bytes(pg) > 0, "paper workspaces allocated");
    if (!pg || !pn || !pl)
        return;
    float x[(CAP + 1) * DIM];
    int y[CAP + 1] = {0, 3, 9, 5, 1};
    double loss[FF_MAX_LAYERS + 1];
    fill_uniform(x, (CAP + 1) * DIM, r, 0.0, 1.0);
    const size_t bytes = good->n_params * sizeof(float);
    float *saved = malloc(bytes);
    memcpy(saved, good->params, bytes);

    CHECK(paper_batch(noin, pn, x, y, CAP, 1.0f, 1, r, loss) == FF_EINVAL &&
              ff_paper_step_images(noin, pn, x, x, CAP, 1.0f, loss) == FF_EINVAL,
          "a net without normalize_input accepted");
    CHECK(paper_batch(l2, pl, x, y, CAP, 1.0f, 1, r, loss) == FF_EINVAL &&
              ff_paper_step_images(l2, pl, x, x, CAP, 1.0f, loss) == FF_EINVAL,
          "a net with FF_NORM_L2 accepted");
    CHECK(paper_batch(good, pg, x, y, 0, 1.0f, 1, r, loss) == FF_EINVAL &&
              ff_paper_step_images(good, pg, x, x, 0, 1.0f, loss) == FF_EINVAL,
          "B = 0 accepted");
    CHECK(paper_batch(good, pg, x, y, CAP + 1, 1.0f, 1, r, loss) == FF_EINVAL &&
              ff_paper_step_images(good, pg, x, x, CAP + 1, 1.0f, loss) == FF_EINVAL,
          "B above capacity accepted");
    /* out of order: the head's step or the labelled passes without the
     * neutral pass they follow, on other images or B, or twice */
    int *neg = ff_paper_neg_labels(pg);
    memcpy(neg, y, CAP * sizeof *neg);
    CHECK(ff_paper_train_head(good, pg, y, CAP, 1.0f, loss) == FF_EINVAL,
          "the head's step without a pass accepted");
    CHECK(ff_paper_step_labels(good, pg, x, y, neg, CAP, 1.0f, loss) == FF_EINVAL,
          "the labelled passes without a neutral pass accepted");
    CHECK(ff_paper_neutral(good, pg, x, CAP) == FF_SUCCESS &&
              ff_paper_train_head(good, pg, y, CAP - 1, 1.0f, loss) == FF_EINVAL &&
              ff_paper_step_labels(good, pg, x + DIM, y, neg, CAP, 1.0f, loss) == FF_EINVAL &&
              ff_paper_step_labels(good, pg, x, y, neg, CAP - 1, 1.0f, loss) == FF_EINVAL,
          "the head's step or the labelled passes after another batch's neutral pass accepted");
    CHECK(ff_paper_train_head(good, pg, y, CAP, 0.0f, loss) == FF_SUCCESS &&
              ff_paper_train_head(good, pg, y, CAP, 0.0f, loss) == FF_EINVAL,
          "the head's step taken twice on one pass");
    CHECK(ff_paper_step_labels(good, pg, x, y, neg, CAP, 0.0f, loss) == FF_SUCCESS &&
              ff_paper_step_labels(good, pg, x, y, neg, CAP, 0.0f, loss) == FF_EINVAL &&
              ff_paper_train_head(good, pg, y, CAP, 0.0f, loss) == FF_EINVAL,
          "the labelled passes twice on one neutral pass, or the head's step after them");
    CHECK(memcmp(good->params, saved, bytes) == 0 && memcmp(noin->params, saved, bytes) == 0 &&
              memcmp(l2->params, saved, bytes) == 0,
          "a refused batch changed parameters");
    /* gain 0 (the scale of every step): nothing may move */
    CHECK(paper_batch(good, pg, x, y, CAP, 0.0f, 1, r, loss) == FF_SUCCESS &&
              ff_paper_step_images(good, pg, x, x + DIM, CAP, 0.0f, loss) == FF_SUCCESS &&
              ff_paper_train_head(good, pg, y, CAP, 0.0f, loss) == FF_SUCCESS &&
              memcmp(good->params, saved, bytes) == 0,
          "a batch with gain 0 changed parameters");
    CHECK(paper_batch(good, pg, x, y, CAP, 1.0f, 1, r, loss) == FF_SUCCESS &&
              memcmp(good->params, saved, bytes) != 0,
          "a full batch at capacity refused or without effect");
    free(saved);
    ff_paper_free(pl);
    ff_paper_free(pn);
    ff_paper_free(pg);
    ff_net_free(l2);
    ff_net_free(noin);
    ff_net_free(good);
}

/* What paper_batch reports for a batch of one image x with label y and
 * negative label k, before its step (every loss comes from the pre-step
 * forward pass): loss[l] = positive + negative FF loss of layer l at
 * threshold = layer width (paper-protocol.md, "Goodness probability"). */
static void expected_losses(const ff_net *net, const float *x, int y,
                            double sig[NC][FF_MAX_LAYERS])
{
    pass_out pos, neg;
    brute_pass(net, x, y, 0.0f, &pos);
    for (int k = 0; k < NC; k++) {
        brute_pass(net, x, k, 0.0f, &neg);
        for (size_t l = 0; l < net->n_layers; l++) {
            const double th = (double)net->layer[l].n_out;
            sig[k][l] = ff_ff_row_loss(pos.ss[l], th, 1) + ff_ff_row_loss(neg.ss[l], th, 0);
        }
    }
}

static double sig_tol(double v)
{
    return 1e-5 * fabs(v) + 1e-7;
}

/* Smallest separation of two labels' signatures, in units of sig_tol. */
static double sig_separation(const double sig[NC][FF_MAX_LAYERS], size_t L)
{
    double sep = INFINITY;
    for (int a = 0; a < NC; a++)
        for (int b = a + 1; b < NC; b++) {
            double d = 0.0;
            for (size_t l = 0; l < L; l++)
                d = fmax(d, fabs(sig[a][l] - sig[b][l]) / sig_tol(sig[a][l]));
            sep = fmin(sep, d);
        }
    return sep;
}

/* The negative label whose signature the reported losses match (-1: none). */
static int identify(const double *loss, const double sig[NC][FF_MAX_LAYERS], size_t L)
{
    for (int k = 0; k < NC; k++) {
        int match = 1;
        for (size_t l = 0; l < L; l++)
            match &= fabs(loss[l] - sig[k][l]) <= sig_tol(sig[k][l]);
        if (match)
            return k;
    }
    return -1;
}

/* Draw ndraw negatives for image x (label y0), restoring the parameters
 * before each batch so that every draw sees the same net, and compare the
 * labels observed with the distribution `expect` (NC, zero at y0) by a
 * chi-square test over the nine wrong labels: 8 degrees of freedom,
 * P(chi2 > 30) ~ 2e-4.  Returns the chi-square against the uniform
 * distribution, for the caller's check that `expect` is far from it. */
static double check_negatives(const char *name, ff_net *net, const float *x, int y0, int hard,
                              const double *expect, size_t ndraw, unsigned long seed)
{
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    ff_paper *p = ff_paper_alloc(net, 1, &c);
    gsl_rng *r = new_rng(seed);
    const size_t bytes = net->n_params * sizeof(float);
    float *saved = malloc(bytes);
    memcpy(saved, net->params, bytes);
    double sig[NC][FF_MAX_LAYERS], loss[FF_MAX_LAYERS + 1];
    expected_losses(net, x, y0, sig);
    size_t count[NC] = {0}, unknown = 0, failed = 0;
    for (size_t d = 0; d < ndraw; d++) {
        memcpy(net->params, saved, bytes);
        failed += paper_batch(net, p, x, &y0, 1, 1.0f, hard, r, loss) != FF_SUCCESS;
        const int k = identify(loss, sig, net->n_layers);
        if (k < 0)
            unknown++;
        else
            count[k]++;
    }
    memcpy(net->params, saved, bytes);
    double chi2 = 0.0, chi2_uniform = 0.0, min_expect = INFINITY;
    for (int k = 0; k < NC; k++) {
        if (k == y0)
            continue;
        const double e = expect[k] * (double)ndraw, u = (double)ndraw / (NC - 1);
        min_expect = fmin(min_expect, e);
        chi2 += (count[k] - e) * (count[k] - e) / e;
        chi2_uniform += (count[k] - u) * (count[k] - u) / u;
    }
    CHECK(failed == 0 && unknown == 0,
          "%s: %zu batches failed, %zu reported losses match no label's signature", name, failed,
          unknown);
    CHECK(count[y0] == 0, "%s: the true label %d drawn as negative %zu times of %zu", name, y0,
          count[y0], ndraw);
    CHECK(min_expect >= 5.0 && chi2 < 30.0,
          "%s: negative labels off their distribution, chi2 %.1f (8 dof), smallest expected "
          "count %.1f",
          name, chi2, min_expect);
    free(saved);
    gsl_rng_free(r);
    ff_paper_free(p);
    return chi2_uniform;
}

/* Negative labels, observed through the losses of single-image batches:
 * with the head at zero (ff_net_init_randn) or uniform wrong labels they are
 * uniform over the nine wrong labels; with hard negatives and a trained-
 * looking head they follow the softmax of the neutral pass's logits with
 * the true class removed, no temperature (paper-protocol.md, "Hard
 * negatives").  The true label is the one the head likes best, so it would
 * be drawn often if it were not excluded. */
static void test_paper_negatives(gsl_rng *r)
{
    enum { NDRAW = 1800 };
    const ff_net_spec s = paper_spec(12, 10, 8);
    ff_net *net = make_paper_net(&s, 5);
    if (!net)
        return;
    scale_weights(net, 1.4f);
    float x[DIM];
    double sig[NC][FF_MAX_LAYERS], sep = 0.0;
    /* an image whose ten labels give well-separated loss signatures */
    for (int tries = 0; tries < 20 && sep < 100.0; tries++) {
        fill_uniform(x, DIM, r, 0.0, 1.0);
        memset(x, 0, NC * sizeof *x);
        expected_losses(net, x, 0, sig);
        sep = sig_separation(sig, net->n_layers);
    }
    CHECK(sep >= 100.0, "no image with separable loss signatures (separation %.3g)", sep);

    double uniform[NC], soft[NC];
    pass_out neu;
    brute_pass(net, x, OVERLAY_FILL, NEUTRAL, &neu); /* zero head: all logits 0 */
    int y0 = (int)ff_argmax(neu.logits, NC);
    for (int k = 0; k < NC; k++)
        uniform[k] = k == y0 ? 0.0 : 1.0 / (NC - 1);
    check_negatives("hard negatives, zero head", net, x, y0, 1, uniform, NDRAW, 101);

    perturb_head(net, r, 0.3, 0.3);
    brute_pass(net, x, OVERLAY_FILL, NEUTRAL, &neu);
    y0 = (int)ff_argmax(neu.logits, NC);
    for (int k = 0; k < NC; k++)
        uniform[k] = k == y0 ? 0.0 : 1.0 / (NC - 1);
    check_negatives("uniform negatives, random head", net, x, y0, 0, uniform, NDRAW, 102);

    double mx = -INFINITY, z = 0.0;
    for (int k = 0; k < NC; k++)
        if (k != y0)
            mx = fmax(mx, neu.logits[k]);
    for (int k = 0; k < NC; k++)
        z += soft[k] = k == y0 ? 0.0 : exp(neu.logits[k] - mx);
    for (int k = 0; k < NC; k++)
        soft[k] /= z;
    const double chi2_u =
        check_negatives("hard negatives, random head", net, x, y0, 1, soft, NDRAW, 103);
    CHECK(chi2_u > 100.0,
          "hard negatives with a random head look uniform (chi2 %.1f against uniform): "
          "the test cannot tell the head's softmax from uniform draws", chi2_u);
    ff_net_free(net);
}

/* ---- the reference step ---- */

typedef struct {
    double *p, *g;                    /* (n_params): parameters, smoothed gradients */
    double peer[FF_MAX_LAYERS][MAXW]; /* running mean activity of each unit */
} ref_state;

static void ref_rms(double *v, size_t n)
{
    double ss = 0.0;
    for (size_t j = 0; j < n; j++)
        ss += v[j] * v[j];
    const double s = exp(-100.0) + sqrt(ss / (double)n);
    for (size_t j = 0; j < n; j++)
        v[j] /= s;
}

/* z (oc) = x (fan_in) W + b for a dense block of `in` inputs and `out`
 * outputs at w (W row-major (in, out), then b). */
static void ref_dense(double *z, const double *w, const double *x, size_t in, size_t out)
{
    for (size_t j = 0; j < out; j++) {
        double s = w[in * out + j];
        for (size_t i = 0; i < in; i++)
            s += x[i] * w[i * out + j];
        z[j] = s;
    }
}

/* The overlaid, RMS-normalised input row (paper-protocol.md, "Input"). */
static void ref_input(double *v, const float *x, size_t d, int label, double fill)
{
    for (size_t j = 0; j < d; j++)
        v[j] = x[j];
    for (size_t k = 0; k < NC; k++)
        v[k] = label >= 0 ? (double)((size_t)label == k) : fill;
    ref_rms(v, d);
}

/* The head's step in double, on its input head_in (B rows) against y:
 * dlogits = (softmax - onehot) / B, its weight (and, if learned, bias)
 * gradient, the SGD step; loss[n_layers] receives the summed
 * cross-entropy.  logits (B, NC) receives the logits it stepped on. */
static void ref_head(const ff_net *net, ref_state *st, double head_in[BMAX][MAXHEAD],
                     const int *y, size_t B, const ff_paper_config *c, double gain,
                     double *loss, double logits[BMAX][NC])
{
    const size_t H = net->head.fan_in, L = net->n_layers, hoff = ff_net_param_offset(net, L);
    double *hw = st->p + hoff, dlog[BMAX][NC], grad[MAXHEAD * NC + NC];
    loss[L] = 0.0;
    for (size_t i = 0; i < B; i++) {
        double *lg = logits[i], mx = -INFINITY, z = 0.0;
        ref_dense(lg, hw, head_in[i], H, NC);
        for (int k = 0; k < NC; k++)
            mx = fmax(mx, lg[k]);
        for (int k = 0; k < NC; k++)
            z += exp(lg[k] - mx);
        loss[L] += mx + log(z) - lg[y[i]];
        for (int k = 0; k < NC; k++)
            dlog[i][k] = (exp(lg[k] - mx) / z - (k == y[i])) / (double)B;
    }
    for (size_t j = 0; j <= H; j++) /* row H: the biases */
        for (int k = 0; k < NC; k++) {
            double s = 0.0;
            for (size_t i = 0; i < B; i++)
                s += (j < H ? head_in[i][j] : 1.0) * dlog[i][k];
            grad[j * NC + (size_t)k] = s;
        }
    sgd_ref(hw, st->g + hoff, grad, c->learn_head_bias ? H * NC + NC : H * NC, H * NC, &c->head,
            gain);
}

/* The stacked passes' layer step in double, from the normalised inputs xp
 * (positive) and xn (negative), B rows each, which it overwrites: per
 * layer, with the pre-step weights: positive dz = (p - 1) h / B, negative
 * dz = p h / B, p = logistic(sum h^2 - width); peer normalisation on the
 * positive pass, running mean updated first, dz -= lambda (mean(m) - m_j) /
 * B; grad = x^T dz summed over both passes, biases their column sums; the
 * SGD step; RMS for the layer above.  loss[l] receives layer l's summed
 * losses; head_in (if not NULL) the positive pass's readout input. */
static void ref_layers(const ff_net *net, ref_state *st, double xp[BMAX][MAXW],
                       double xn[BMAX][MAXW], size_t B, const ff_paper_config *c, double gain,
                       double *loss, double head_in[BMAX][MAXHEAD])
{
    double hp[BMAX][MAXW], hn[BMAX][MAXW], dzp[BMAX][MAXW], dzn[BMAX][MAXW];
    double *grad = malloc(net->max_layer_params * sizeof *grad);
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *Ly = &net->layer[l];
        const size_t N = Ly->n_out, n_in = Ly->n_in, off = ff_net_param_offset(net, l);
        double *w = st->p + off;
        loss[l] = 0.0;
        for (size_t i = 0; i < B; i++) {
            ref_dense(hp[i], w, xp[i], n_in, N);
            ref_dense(hn[i], w, xn[i], n_in, N);
            double ssp = 0.0, ssn = 0.0;
            for (size_t j = 0; j < N; j++) {
                hp[i][j] = hp[i][j] > 0.0 ? hp[i][j] : 0.0;
                hn[i][j] = hn[i][j] > 0.0 ? hn[i][j] : 0.0;
                ssp += hp[i][j] * hp[i][j];
                ssn += hn[i][j] * hn[i][j];
            }
            loss[l] += ff_ff_row_loss(ssp, (double)N, 1) + ff_ff_row_loss(ssn, (double)N, 0);
            const double pp = 1.0 / (1.0 + exp((double)N - ssp));
            const double pn = 1.0 / (1.0 + exp((double)N - ssn));
            for (size_t j = 0; j < N; j++) {
                dzp[i][j] = (pp - 1.0) * hp[i][j] / (double)B;
                dzn[i][j] = pn * hn[i][j] / (double)B;
            }
        }
        double avg = 0.0;
        for (size_t j = 0; j < N; j++) {
            double mean = 0.0;
            for (size_t i = 0; i < B; i++)
                mean += hp[i][j] / (double)B;
            st->peer[l][j] = c->peer_decay * st->peer[l][j] + (1.0 - c->peer_decay) * mean;
            avg += st->peer[l][j] / (double)N;
        }
        for (size_t i = 0; i < B; i++)
            for (size_t j = 0; j < N; j++)
                dzp[i][j] -= c->peer_lambda * (avg - st->peer[l][j]) / (double)B;
        for (size_t a = 0; a <= n_in; a++) /* row n_in: the biases */
            for (size_t j = 0; j < N; j++) {
                double s = 0.0;
                for (size_t i = 0; i < B; i++)
                    s += (a < n_in ? xp[i][a] : 1.0) * dzp[i][j] +
                         (a < n_in ? xn[i][a] : 1.0) * dzn[i][j];
                grad[a * N + j] = s;
            }
        sgd_ref(w, st->g + off, grad, Ly->n_params, n_in * N, &c->ff, gain);
        for (size_t i = 0; i < B; i++) {
            ref_rms(hp[i], N);
            ref_rms(hn[i], N);
            memcpy(xp[i], hp[i], N * sizeof *hp[i]);
            memcpy(xn[i], hn[i], N * sizeof *hn[i]);
            if (head_in && l >= net->head_from)
                memcpy(head_in[i] + net->head_off[l], hp[i], N * sizeof *hp[i]);
        }
    }
    free(grad);
}

/* One supervised batch (paper_batch) as paper-protocol.md describes it, in
 * double, descent form (dLoss/dp, the reference code's ascent with signs
 * flipped):
 *   1. neutral pass; the negative label of each row: its most probable
 *      wrong label (the caller makes the head's preference overwhelming, so
 *      the draw is certain; *gap receives the smallest logit margin); the
 *      head's step (ref_head);
 *   2. the positive and negative passes, layer by layer (ref_layers).
 * loss (n_layers + 1) receives the same sums the library's calls report. */
static void ref_step(const ff_net *net, ref_state *st, const float *x, const int *y, size_t B,
                     const ff_paper_config *c, double gain, double *loss, double *gap)
{
    const size_t d = net->layer[0].n_in, L = net->n_layers;
    double in[BMAX][MAXW], xp[BMAX][MAXW], xn[BMAX][MAXW], head_in[BMAX][MAXHEAD], lg[BMAX][NC];
    int neg[BMAX];

    /* 1. the neutral pass and the head */
    for (size_t i = 0; i < B; i++) {
        ref_input(in[i], x + i * d, d, -1, c->neutral);
        for (size_t l = 0; l < L; l++) {
            const ff_layer *Ly = &net->layer[l];
            const double *w = st->p + ff_net_param_offset(net, l);
            double h[MAXW];
            ref_dense(h, w, in[i], Ly->n_in, Ly->n_out);
            for (size_t j = 0; j < Ly->n_out; j++)
                h[j] = h[j] > 0.0 ? h[j] : 0.0;
            ref_rms(h, Ly->n_out);
            memcpy(in[i], h, Ly->n_out * sizeof *h);
            if (l >= net->head_from)
                memcpy(head_in[i] + net->head_off[l], h, Ly->n_out * sizeof *h);
        }
    }
    ref_head(net, st, head_in, y, B, c, gain, loss, lg);
    *gap = INFINITY;
    for (size_t i = 0; i < B; i++) {
        int best = -1;
        for (int k = 0; k < NC; k++)
            if (k != y[i] && (best < 0 || lg[i][k] > lg[i][best]))
                best = k;
        for (int k = 0; k < NC; k++)
            if (k != y[i] && k != best)
                *gap = fmin(*gap, lg[i][best] - lg[i][k]);
        neg[i] = best;
    }

    /* 2. the positive and negative passes, layer by layer */
    for (size_t i = 0; i < B; i++) {
        ref_input(xp[i], x + i * d, d, y[i], 0.0);
        ref_input(xn[i], x + i * d, d, neg[i], 0.0);
    }
    ref_layers(net, st, xp, xn, B, c, gain, loss, NULL);
}

/* One unsupervised batch (ff_paper_step_images, ff_paper_train_head) in
 * double: real images x_pos and negative images x_neg, each row
 * RMS-normalised, no overlay, through ref_layers; then the head's step on
 * the positive pass's readout input (activities before the layers' steps). */
static void ref_unsup_step(const ff_net *net, ref_state *st, const float *x_pos,
                           const float *x_neg, const int *y, size_t B, const ff_paper_config *c,
                           double gain, double *loss)
{
    const size_t d = net->layer[0].n_in;
    double xp[BMAX][MAXW], xn[BMAX][MAXW], head_in[BMAX][MAXHEAD], lg[BMAX][NC];
    for (size_t i = 0; i < B; i++) {
        for (size_t j = 0; j < d; j++) {
            xp[i][j] = x_pos[i * d + j];
            xn[i][j] = x_neg[i * d + j];
        }
        ref_rms(xp[i], d);
        ref_rms(xn[i], d);
    }
    ref_layers(net, st, xp, xn, B, c, gain, loss, head_in);
    ref_head(net, st, head_in, y, B, c, gain, loss, lg);
}

static void ref_init(ref_state *st, const ff_net *net, const ff_paper_config *c)
{
    st->p = malloc(net->n_params * sizeof *st->p);
    st->g = calloc(net->n_params, sizeof *st->g);
    for (size_t i = 0; i < net->n_params; i++)
        st->p[i] = net->params[i];
    for (size_t l = 0; l < FF_MAX_LAYERS; l++)
        for (size_t j = 0; j < MAXW; j++)
            st->peer[l][j] = c->peer_init;
}

static void ref_free(ref_state *st)
{
    free(st->p);
    free(st->g);
}

/* Blocks compared: each layer's weights and biases, the head's weights, the
 * head's bias. */
static size_t block_range(const ff_net *net, size_t b, size_t *lo)
{
    const size_t L = net->n_layers, hoff = ff_net_param_offset(net, L);
    const size_t hw = net->head.fan_in * net->head.oc;
    if (b < L) {
        *lo = ff_net_param_offset(net, b);
        return net->layer[b].n_params;
    }
    *lo = b == L ? hoff : hoff + hw;
    return b == L ? hw : net->head.oc;
}

/* The library's parameters against a reference's after the same steps,
 * block by block (block_range), from the parameters `start`: within float
 * rounding of the reference, having moved, and (hidden layers) far from a
 * reference without peer normalisation, so that the comparison sees it. */
static void check_against_ref(const char *name, const ff_net *net, const float *start,
                              const ref_state *ref, const ref_state *nopeer)
{
    for (size_t b = 0; b <= net->n_layers + 1; b++) {
        size_t lo;
        const size_t n = block_range(net, b, &lo);
        double moved = 0.0, err = 0.0, peer = 0.0, size = 0.0;
        for (size_t i = lo; i < lo + n; i++) {
            moved = fmax(moved, fabs(ref->p[i] - start[i]));
            err = fmax(err, fabs(net->params[i] - ref->p[i]));
            peer = fmax(peer, fabs(nopeer->p[i] - ref->p[i]));
            size = fmax(size, fabs(ref->p[i]));
        }
        /* float rounding, with margin: the gradients carry ~1e-6 relative
         * error (observed < 1e-6 of the update), the parameters a few ulps
         * of their size (the head bias is ~100) */
        const double tol = 1e-4 * moved + 1e-6 * size;
        CHECK(moved > 1e-4 && err <= tol,
              "%s, block %zu (%s): parameters off the reference step by %.3g (moved %.3g, "
              "tolerance %.3g)",
              name, b,
              b < net->n_layers ? "layer" : b == net->n_layers ? "head weights" : "head bias",
              err, moved, tol);
        if (b < net->n_layers)
            CHECK(peer > 10.0 * tol,
                  "%s, layer %zu: peer normalisation moves it by only %.3g, tolerance %.3g: the "
                  "comparison could not see it", name, b, peer, tol);
    }
}

/* What both reference tests share: the settings (every one away from its
 * default, so that a constant hard-wired in paper.c or train.c shows; the
 * head's bias learned), the parameters at the start, the library's
 * trainer, and the reference from the same start with and without peer
 * normalisation; the worst relative difference of the reported losses. */
typedef struct {
    ff_paper_config c, c0; /* c0: without peer normalisation */
    float *start;
    ref_state ref, nopeer;
    ff_paper *p;
    double worst_loss;
} ref_run;

static void ref_run_begin(ref_run *t, const ff_net *net)
{
    t->c = (ff_paper_config){{0.05f, 0.8f, 0.02f}, {0.2f, 0.7f, 0.01f}, 0.2f, 0.8f, 0.3f, 0.15f, 1};
    t->c0 = t->c;
    t->c0.peer_lambda = 0.0f;
    t->start = malloc(net->n_params * sizeof *t->start);
    memcpy(t->start, net->params, net->n_params * sizeof *t->start);
    ref_init(&t->ref, net, &t->c);
    ref_init(&t->nopeer, net, &t->c0);
    t->p = ff_paper_alloc(net, BMAX, &t->c);
    t->worst_loss = 0.0;
}

static void ref_run_losses(ref_run *t, const ff_net *net, const double *loss,
                           const double *rloss)
{
    for (size_t l = 0; l <= net->n_layers; l++)
        t->worst_loss = fmax(t->worst_loss, fabs(loss[l] - rloss[l]) / (fabs(rloss[l]) + 1e-12));
}

/* The verdicts (the library's calls ran: ok), then everything freed. */
static void ref_run_end(ref_run *t, const char *name, const ff_net *net, int ok)
{
    CHECK(ok, "%s: paper workspace or batch failed", name);
    CHECK(t->worst_loss <= 1e-4, "%s: reported losses off the reference step's by %.3g "
                                 "(relative)", name, t->worst_loss);
    check_against_ref(name, net, t->start, &t->ref, &t->nopeer);
    ref_free(&t->nopeer);
    ref_free(&t->ref);
    ff_paper_free(t->p);
    free(t->start);
}

static void test_paper_reference_step(void)
{
    enum { B = 4, STEPS = 2, PREFER = 2, SECOND = 5 };
    const ff_net_spec s = paper_spec(12, 10, 8);
    ff_net *net = make_paper_net(&s, 9);
    if (!net)
        return;
    scale_weights(net, 1.4f);
    /* the head prefers PREFER by e^50 over anything else, then SECOND: each
     * row's negative label is PREFER, or SECOND when PREFER is its label */
    net->head.b[PREFER] = 100.0f;
    net->head.b[SECOND] = 50.0f;
    const double gain = 0.7;
    const int y[STEPS][B] = {{3, 2, 9, 0}, {2, 7, 7, 1}};
    float x[STEPS][B * DIM];
    gsl_rng *r = new_rng(404);
    for (int t = 0; t < STEPS; t++)
        fill_uniform(x[t], B * DIM, r, 0.0, 1.0);
    ref_run t;
    ref_run_begin(&t, net);
    double loss[FF_MAX_LAYERS + 1], rloss[FF_MAX_LAYERS + 1], nloss[FF_MAX_LAYERS + 1];
    double gap = INFINITY, g;
    int ok = t.p != NULL;
    for (int k = 0; k < STEPS && ok; k++) {
        ok &= paper_batch(net, t.p, x[k], y[k], B, (float)gain, 1, r, loss) == FF_SUCCESS;
        ref_step(net, &t.ref, x[k], y[k], B, &t.c, gain, rloss, &g);
        gap = fmin(gap, g);
        ref_run_losses(&t, net, loss, rloss);
        ref_step(net, &t.nopeer, x[k], y[k], B, &t.c0, gain, nloss, &g);
    }
    CHECK(gap > 20.0, "the head's preference (margin %.3g) leaves the negative label to chance",
          gap);
    ref_run_end(&t, "supervised", net, ok);
    gsl_rng_free(r);
    ff_net_free(net);
}

/* The unsupervised batch (ff_paper_step_images, then ff_paper_train_head)
 * against ref_unsup_step: positive and negative images of their own (no
 * label pixels), the head trained on the positive pass. */
static void test_paper_unsup_reference_step(void)
{
    enum { B = 4, STEPS = 2 };
    const ff_net_spec s = paper_spec(12, 10, 8);
    ff_net *net = make_paper_net(&s, 19);
    if (!net)
        return;
    scale_weights(net, 1.4f);
    const double gain = 0.6;
    const int y[STEPS][B] = {{1, 4, 4, 8}, {0, 9, 3, 6}};
    float xp[STEPS][B * DIM], xn[STEPS][B * DIM];
    gsl_rng *r = new_rng(505);
    for (int k = 0; k < STEPS; k++) {
        fill_uniform(xp[k], B * DIM, r, 0.0, 1.0);
        fill_uniform(xn[k], B * DIM, r, 0.0, 0.5);
    }
    ref_run t;
    ref_run_begin(&t, net);
    double loss[FF_MAX_LAYERS + 1], rloss[FF_MAX_LAYERS + 1], nloss[FF_MAX_LAYERS + 1];
    int ok = t.p != NULL;
    for (int k = 0; k < STEPS && ok; k++) {
        ok &= ff_paper_step_images(net, t.p, xp[k], xn[k], B, (float)gain, loss) == FF_SUCCESS &&
              ff_paper_train_head(net, t.p, y[k], B, (float)gain, loss) == FF_SUCCESS;
        ref_unsup_step(net, &t.ref, xp[k], xn[k], y[k], B, &t.c, gain, rloss);
        ref_run_losses(&t, net, loss, rloss);
        ref_unsup_step(net, &t.nopeer, xp[k], xn[k], y[k], B, &t.c0, gain, nloss);
    }
    ref_run_end(&t, "unsupervised", net, ok);
    gsl_rng_free(r);
    ff_net_free(net);
}

/* ---- (e) learning and reproducibility ---- */

/* Class c: a fixed random binary pattern on pixels NC..DIM-1 at 0.8, plus
 * U(0, 0.2) noise; the label pixels zero (the overlay writes them). */
static void make_prototypes(float proto[NC][DIM], gsl_rng *r)
{
    for (int c = 0; c < NC; c++)
        for (size_t j = 0; j < DIM; j++)
            proto[c][j] = j >= NC && gsl_rng_uniform(r) < 0.5 ? 0.8f : 0.0f;
}

static void sample(float *x, int *y, size_t n, const float proto[NC][DIM], gsl_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)gsl_rng_uniform_int(r, NC);
        for (size_t j = 0; j < DIM; j++)
            x[i * DIM + j] = j < NC ? 0.0f : proto[y[i]][j] + (float)(0.2 * gsl_rng_uniform(r));
    }
}

/* Train a fresh net (init seed, negatives from neg_seed) for `batches`
 * batches of B over x; *first and *last: the summed FF losses (all layers,
 * per image) of the first and the last `window` batches. */
static ff_net *train(const ff_paper_config *c, size_t width, const float *x, const int *y,
                     size_t n, size_t B, size_t batches, unsigned long neg_seed, size_t window,
                     double *first, double *last)
{
    const ff_net_spec s = paper_spec(width, width, width);
    ff_net *net = make_paper_net(&s, 2024);
    ff_paper *p = net ? ff_paper_alloc(net, B, c) : NULL;
    if (!p) {
        ff_net_free(net);
        return NULL;
    }
    gsl_rng *r = new_rng(neg_seed);
    double loss[FF_MAX_LAYERS + 1];
    *first = *last = 0.0;
    for (size_t t = 0; t < batches; t++) {
        const size_t b = t % (n / B);
        if (paper_batch(net, p, x + b * B * DIM, y + b * B, B, 1.0f, 1, r, loss) != FF_SUCCESS) {
            ff_net_free(net);
            net = NULL;
            break;
        }
        double sum = 0.0;
        for (size_t l = 0; l < s.n_layers; l++)
            sum += loss[l] / (double)(B * window);
        if (t < window)
            *first += sum;
        if (t >= batches - window)
            *last += sum;
    }
    gsl_rng_free(r);
    ff_paper_free(p);
    return net;
}

static void test_learning(void)
{
    enum { NTRAIN = 500, NTEST = 300, B = 25, BATCHES = 400, WINDOW = 20 };
    static float xtr[NTRAIN * DIM], xte[NTEST * DIM];
    static int ytr[NTRAIN], yte[NTEST], wte[NTEST];
    float proto[NC][DIM];
    gsl_rng *r = new_rng(31337);
    make_prototypes(proto, r);
    sample(xtr, ytr, NTRAIN, proto, r);
    sample(xte, yte, NTEST, proto, r);
    for (size_t i = 0; i < NTEST; i++)
        wte[i] = (yte[i] + 1 + (int)gsl_rng_uniform_int(r, NC - 1)) % NC;
    gsl_rng_free(r);

    ff_paper_config c = FF_PAPER_DEFAULTS;
    c.ff.lr = 0.05f; /* 400 steps instead of the paper's 30,000 */
    double first, last;
    ff_net *net = train(&c, 40, xtr, ytr, NTRAIN, B, BATCHES, 7, WINDOW, &first, &last);
    CHECK(net != NULL, "training ran");
    if (!net)
        return;
    CHECK(last < 0.5 * first, "summed FF losses per image: first %d batches %.4g, last %.4g",
          WINDOW, first, last);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, 64);
    const ff_eval_result res = eval_run(net, ews, xte, yte, NTEST, 1, 1, 1, 1, (double)net->width);
    CHECK(res.n == NTEST && res.goodness_acc >= 0.8,
          "held-out goodness accuracy %.3f (chance 0.1)", res.goodness_acc);
    CHECK(res.n == NTEST && res.softmax_acc >= 0.8, "held-out softmax accuracy %.3f (chance 0.1)",
          res.softmax_acc);
    int bias_zero = 1;
    for (size_t k = 0; k < NC; k++)
        bias_zero &= net->head.b[k] == 0.0f;
    CHECK(bias_zero, "learn_head_bias = 0, yet the head's bias moved");
    ff_eval_workspace_free(ews);
    /* the shortcut of (c) on a trained net, with its larger goodness gaps */
    check_eval("trained", net, xte, yte, wte, 50, (double)net->width);

    /* reproducibility: same seeds, same bits; another seed for the negatives,
     * other parameters */
    double f[3], l[3];
    ff_net *again = train(&c, 40, xtr, ytr, NTRAIN, B, 40, 7, 1, &f[0], &l[0]);
    ff_net *same = train(&c, 40, xtr, ytr, NTRAIN, B, 40, 7, 1, &f[1], &l[1]);
    ff_net *other = train(&c, 40, xtr, ytr, NTRAIN, B, 40, 8, 1, &f[2], &l[2]);
    CHECK(again && same && other, "short training runs");
    if (again && same && other) {
        const size_t bytes = again->n_params * sizeof(float);
        CHECK(memcmp(again->params, same->params, bytes) == 0 && f[0] == f[1] && l[0] == l[1],
              "two runs from the same seeds differ");
        CHECK(memcmp(again->params, other->params, bytes) != 0,
              "another negative-label seed gave the same parameters");
    }
    ff_net_free(other);
    ff_net_free(same);
    ff_net_free(again);
    ff_net_free(net);
}

/* The library's threads (ff_system_set_threads): a net wide enough for its
 * products and optimiser steps to be split gives the same bits twice in
 * two threads, and stays within rounding of one thread and of three. */
static void test_threads(void)
{
    enum { N = 256, B = 64, W = 256, BATCHES = 6 };
    static float x[N * DIM];
    static int y[N];
    float proto[NC][DIM];
    gsl_rng *r = new_rng(4242);
    make_prototypes(proto, r);
    sample(x, y, N, proto, r);
    gsl_rng_free(r);
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    const int threads[4] = {1, 2, 2, 3};
    ff_net *net[4];
    double f, l;
    for (int i = 0; i < 4; i++) {
        ff_system_set_threads(threads[i]);
        net[i] = train(&c, W, x, y, N, B, BATCHES, 9, 1, &f, &l);
    }
    ff_system_set_threads(1);
    CHECK(net[0] && net[1] && net[2] && net[3], "training runs in 1, 2 and 3 threads");
    if (net[0] && net[1] && net[2] && net[3]) {
        const size_t n = net[0]->n_params;
        CHECK(memcmp(net[1]->params, net[2]->params, n * sizeof(float)) == 0,
              "two runs in 2 threads from the same seeds differ");
        double scale = 0.0, moved = 0.0;
        ff_net *init = make_paper_net(&net[0]->spec, 2024);
        for (size_t j = 0; j < n; j++) {
            scale = fmax(scale, fabs(net[0]->params[j]));
            moved = fmax(moved, fabs(net[0]->params[j] - init->params[j]));
        }
        for (int i = 1; i < 4; i += 2) {
            double d = 0.0;
            for (size_t j = 0; j < n; j++)
                d = fmax(d, fabs(net[i]->params[j] - net[0]->params[j]));
            CHECK(d <= 1e-4 * scale && moved > 1e3 * d,
                  "%d threads: parameters %.3g off one thread's (largest %.3g, moved %.3g)",
                  threads[i], d, scale, moved);
        }
        ff_net_free(init);
    }
    for (int i = 0; i < 4; i++)
        ff_net_free(net[i]);
}

int main(void)
{
    gsl_rng *r = new_rng(20221227);
    test_sgd(r);
    test_lr_gain();
    {
        ff_layer d, c;
        CHECK_OK(ff_layer_dense(&d, 9, 5));
        check_grad_add("dense 9->5", &d, 3, r);
        CHECK_OK(ff_layer_conv2d(&c, 4, 4, 2, 3, 3, 3));
        check_grad_add("conv 4x4x2, 3x3x3", &c, 3, r);
    }
    test_init(r);
    test_eval_input_norm(r);
    test_paper_defaults();
    test_head_step(r);
    test_paper_refusals(r);
    test_paper_negatives(r);
    test_paper_reference_step();
    test_paper_unsup_reference_step();
    test_learning();
    test_threads();
    gsl_rng_free(r);
    return check_done();
}
