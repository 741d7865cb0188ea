/* test_train.c - whole-net training steps (lib/include/ff/train.h) and the
 * readouts of ff_eval (lib/include/ff/eval.h).
 *
 *  (a) BP: ff_bp_forward + ff_bp_backward against central finite
 *      differences of the mean cross-entropy, every parameter of every
 *      layer and of the head, for dense, conv2d and mixed nets, both
 *      normalisations, head_from 0 and 1;
 *  (b) FF's local gradient of one layer (forward, ReLU, ff_ff_loss's dz,
 *      ff_layer_weight_grad) against finite differences of its mean FF loss;
 *  (c) ff_train_ff_batch against the definition in train.h ("a whole
 *      forward pass followed by every layer's step"), and its determinism
 *      (bit for bit); the layer step (ff_train_ff_layers) on other rules
 *      and passes: a stacked pass steps each layer on the sum of its
 *      positive and negative parts' gradients, the pass's gain scales the
 *      learning rate, a pre-computed first product (z_ready) and a
 *      threshold of the layer's width change no bit, peer normalisation's
 *      means move with positive rows only; ff_train_rule is the seed's;
 *  (d) supervised FF learns a separable toy problem, and ff_eval's
 *      shared-layer-0 shortcut gives the predictions and losses of a
 *      brute-force evaluation.
 *
 * Finite differences run through float code, so they are noisy at ~1e-7 of
 * the loss and break at ReLU kinks.  A difference whose perturbation changes
 * any unit's on/off state measures the kink, not the gradient: it is retried
 * with a smaller step, and skipped if every step crosses a kink (at most a
 * quarter may be).  The tolerance is sized for float (see GC_RTOL). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "gradcheck.h"
#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/eval.h"
#include "ff/net.h"
#include "ff/objective.h"
#include "ff/train.h"

static ff_net *make_net(const ff_net_spec *spec, unsigned long seed)
{
    ff_net *net = NULL;
    if (ff_net_alloc(&net, spec) != FF_SUCCESS)
        return NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    ff_net_init_glorot(net, r);
    gsl_rng_free(r);
    return net;
}

static ff_layer_spec dense(size_t units)
{
    return (ff_layer_spec){FF_LAYER_DENSE, units, 1, 1, 1};
}

static ff_layer_spec conv(size_t filters, size_t kh, size_t kw)
{
    return (ff_layer_spec){FF_LAYER_CONV2D, filters, kh, kw, 1};
}

/* ---- the gradient comparison shared by (a) and (b) ---- */

/* Float forward passes give the loss to a few float ulps, so a central
 * difference with step h carries noise of about FD_NOISE * |loss| / h on
 * top of O(h^2) curvature.  An entry passes if within GC_RTOL of itself, or
 * GC_ATOL of the largest entry of its layer, or that noise.  Each
 * difference first tries the largest step in GC_STEPS and falls back to the
 * smaller ones when the step would flip a unit's ReLU. */
#define GC_RTOL 5e-3
#define GC_ATOL 5e-4
#define FD_NOISE 1e-6
static const float GC_STEPS[3] = {1e-2f, 3e-3f, 1e-3f};

typedef struct {
    size_t n;      /* entries in the layer */
    float *g;      /* analytic */
    double *fd;    /* finite difference */
    char *skip;    /* kink crossed at every step: not compared */
    double *noise; /* FD noise bound of each entry */
} grad_block;

/* How many compared entries fail; *worst: largest error / tolerance. */
static size_t block_mismatches(const grad_block *gb, const float *g, double *worst)
{
    double scale = 0.0;
    for (size_t i = 0; i < gb->n; i++)
        if (!gb->skip[i])
            scale = fmax(scale, fabs(gb->fd[i]));
    size_t bad = 0;
    *worst = 0.0;
    for (size_t i = 0; i < gb->n; i++) {
        if (gb->skip[i])
            continue;
        double tol = GC_RTOL * fabs(gb->fd[i]) + GC_ATOL * scale + gb->noise[i];
        double e = fabs(g[i] - gb->fd[i]);
        *worst = fmax(*worst, e / tol);
        bad += e > tol;
    }
    return bad;
}

/* Verdict on one layer's block: matches, enough entries compared, and the
 * same comparison rejects the gradient with its largest entry 10% off. */
static void judge_block(const grad_block *gb, const char *what, size_t l)
{
    size_t skipped = 0, big = gb->n;
    for (size_t i = 0; i < gb->n; i++) {
        skipped += gb->skip[i] != 0;
        if (!gb->skip[i] && (big == gb->n || fabs(gb->fd[i]) > fabs(gb->fd[big])))
            big = i;
    }
    double worst;
    size_t bad = block_mismatches(gb, gb->g, &worst);
    CHECK(bad == 0, "%s layer %zu: %zu of %zu entries off the FD (worst %.3g x tolerance)", what,
          l, bad, gb->n - skipped, worst);
    CHECK(skipped * 4 <= gb->n, "%s layer %zu: %zu of %zu differences crossed a kink", what, l,
          skipped, gb->n);
    CHECK(big < gb->n && fabs(gb->fd[big]) > 1e-4,
          "%s layer %zu: the gradient is (almost) zero, the check would be empty", what, l);
    if (big == gb->n)
        return;
    float *corrupt = malloc(gb->n * sizeof *corrupt);
    memcpy(corrupt, gb->g, gb->n * sizeof *corrupt);
    corrupt[big] *= 1.1f;
    CHECK(block_mismatches(gb, corrupt, &worst) > 0,
          "%s layer %zu: the check accepts a gradient with one entry 10%% off", what, l);
    corrupt[big] = gb->g[big];
    for (size_t i = 0; i < gb->n; i++)
        corrupt[i] = -corrupt[i];
    CHECK(block_mismatches(gb, corrupt, &worst) > 0,
          "%s layer %zu: the check accepts a gradient of the wrong sign", what, l);
    free(corrupt);
}

/* A loss at the current parameters; also writes every unit's on/off
 * state into pat. */
typedef double (*loss_fn)(void *ctx, char *pat);

/* Central difference of fn with respect to *p, at the largest step of
 * GC_STEPS that flips no ReLU at either end (pattern equal to pat0).  The
 * step is the one the float parameter really took.  Returns 0 if every step
 * crosses a kink. */
static int central_difference(float *p, loss_fn fn, void *ctx, const char *pat0, char *pat,
                              size_t npat, double *fd, double *noise)
{
    const float p0 = *p;
    for (size_t s = 0; s < sizeof GC_STEPS / sizeof GC_STEPS[0]; s++) {
        *p = p0 + GC_STEPS[s];
        const float up = *p;
        double lp = fn(ctx, pat);
        int kink = memcmp(pat, pat0, npat) != 0;
        *p = p0 - GC_STEPS[s];
        const float dn = *p;
        double lm = fn(ctx, pat);
        kink |= memcmp(pat, pat0, npat) != 0;
        *p = p0;
        if (kink)
            continue;
        const double h2 = (double)up - (double)dn;
        *fd = (lp - lm) / h2;
        *noise = FD_NOISE * (fabs(lp) + fabs(lm)) / h2;
        return 1;
    }
    return 0;
}

/* Finite differences of fn for the n parameters at p, into a grad_block
 * whose analytic side is g. */
static grad_block fd_block(float *p, const float *g, size_t n, loss_fn fn, void *ctx,
                           const char *pat0, char *pat, size_t npat)
{
    grad_block gb = {n, (float *)g, calloc(n, sizeof(double)), calloc(n, 1),
                     calloc(n, sizeof(double))};
    for (size_t i = 0; i < n; i++)
        gb.skip[i] = (char)!central_difference(p + i, fn, ctx, pat0, pat, npat, &gb.fd[i],
                                               &gb.noise[i]);
    return gb;
}

static void free_block(grad_block *gb)
{
    free(gb->fd);
    free(gb->skip);
    free(gb->noise);
}

/* ---- (a) BP through the whole net ---- */

/* The on/off state of every hidden unit after ff_bp_forward. */
static void relu_pattern(const ff_net *net, const ff_bp_workspace *ws, size_t B, char *pat)
{
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t n = B * net->layer[l].n_out;
        for (size_t i = 0; i < n; i++)
            *pat++ = ws->h[l][i] > 0.0f;
    }
}

typedef struct {
    const ff_net *net;
    ff_bp_workspace *ws;
    const float *x;
    const int *y;
    size_t B;
} bp_ctx;

/* Mean cross-entropy by ff_bp_forward + ff_softmax_xent. */
static double bp_mean_loss(void *ctx, char *pat)
{
    bp_ctx *c = ctx;
    ff_bp_forward(c->net, c->ws, c->x, c->B);
    relu_pattern(c->net, c->ws, c->B, pat);
    return ff_softmax_xent(NULL, c->ws->logits, c->y, c->B, c->net->n_classes) / (double)c->B;
}

static void bp_gradcheck(const char *name, const ff_net_spec *spec, unsigned long seed)
{
    const size_t B = 5, cap = 8; /* cap > B: strides in head_in use cap */
    ff_net *net = make_net(spec, seed);
    CHECK(net != NULL, "%s: ff_net_alloc failed", name);
    if (!net)
        return;
    ff_bp_workspace *ws = ff_bp_workspace_alloc(net, cap);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed + 1);
    const size_t D = spec->ih * spec->iw * spec->ic, K = spec->n_classes;
    float *x = malloc(B * D * sizeof *x);
    int *y = malloc(B * sizeof *y);
    fill_uniform(x, B * D, r, 0.0, 1.0);
    for (size_t i = 0; i < B; i++)
        y[i] = (int)(i % K);
    /* A gradient check holds at any parameter point; Glorot weights with
     * positive biases keep most units on, so that rows are not reduced to a
     * single active unit (whose normalised output has zero gradient) and
     * few activities sit next to a kink. */
    for (size_t l = 0; l < net->n_layers; l++)
        fill_uniform(net->layer[l].b, net->layer[l].oc, r, 0.1, 0.4);
    fill_uniform(net->head.b, net->head.oc, r, -0.3, 0.3);

    size_t npat = 0;
    for (size_t l = 0; l < net->n_layers; l++)
        npat += B * net->layer[l].n_out;
    char *pat0 = malloc(npat), *pat = malloc(npat);

    for (size_t i = 0; i < net->n_params; i++)
        ws->grads[i] = 12345.0f; /* every gradient entry must be written */
    bp_ctx ctx = {net, ws, x, y, B};
    ff_bp_forward(net, ws, x, B);
    relu_pattern(net, ws, B, pat0);
    double loss = ff_bp_backward(net, ws, y, B);
    CHECK(fabs(loss / (double)B - bp_mean_loss(&ctx, pat)) < 1e-6,
          "%s: ff_bp_backward's summed loss disagrees with the forward's", name);

    for (size_t l = 0; l <= net->n_layers; l++) {
        const ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
        const size_t off = ff_net_param_offset(net, l);
        /* the forward passes overwrite ws, but not ws->grads */
        grad_block gb = fd_block(net->params + off, ws->grads + off, L->n_params, bp_mean_loss,
                                 &ctx, pat0, pat, npat);
        char what[96];
        snprintf(what, sizeof what, "%s BP (%s)", name, l < net->n_layers ? "hidden" : "head");
        judge_block(&gb, what, l);
        free_block(&gb);
    }
    free(pat);
    free(pat0);
    free(y);
    free(x);
    gsl_rng_free(r);
    ff_bp_workspace_free(ws);
    ff_net_free(net);
}

static void test_bp(void)
{
    ff_net_spec s = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 3,
                     .layer = {dense(6), dense(5), dense(4)},
                     .head_from = 1, .n_classes = 3, .norm = FF_NORM_L2};
    bp_gradcheck("dense 16-6-5-4 L2", &s, 101);
    s.norm = FF_NORM_RMS;
    bp_gradcheck("dense 16-6-5-4 RMS", &s, 102);

    /* conv 3x3 on 5x5x2 -> 3x3x4, then two 1x1 convs of 3 filters */
    ff_net_spec c = {.ih = 5, .iw = 5, .ic = 2, .n_layers = 3,
                     .layer = {conv(4, 3, 3), conv(3, 1, 1), conv(3, 1, 1)},
                     .head_from = 1, .n_classes = 3, .norm = FF_NORM_L2};
    bp_gradcheck("conv 3x3 / 1x1 / 1x1 L2", &c, 103);

    /* the head reads layer 0 too (head_from 0): layer 0's gradient comes
     * both from the head and from the layer above */
    ff_net_spec h0 = {.ih = 3, .iw = 3, .ic = 1, .n_layers = 2,
                      .layer = {dense(7), dense(5)},
                      .head_from = 0, .n_classes = 4, .norm = FF_NORM_L2};
    bp_gradcheck("dense head_from 0", &h0, 104);

    /* conv 2x3 into dense layers, RMS */
    ff_net_spec m = {.ih = 4, .iw = 4, .ic = 2, .n_layers = 3,
                     .layer = {conv(3, 2, 3), dense(5), dense(4)},
                     .head_from = 1, .n_classes = 3, .norm = FF_NORM_RMS};
    bp_gradcheck("conv 2x3 + dense RMS", &m, 105);
}

/* ---- (b) FF's local gradient ---- */

typedef struct {
    const ff_layer *L;
    const float *P;
    size_t B;
    float *h;
    double theta;
    int target;
} ff_ctx;

/* Mean FF loss of one layer on its (constant) input patches. */
static double ff_layer_mean_loss(void *ctx, char *pat)
{
    ff_ctx *c = ctx;
    const size_t nz = c->B * c->L->n_out;
    ff_layer_forward(c->L, c->h, c->P, c->B, 1);
    ff_relu(c->h, nz);
    for (size_t i = 0; i < nz; i++)
        pat[i] = c->h[i] > 0.0f;
    return ff_ff_loss(NULL, c->h, c->B, c->L->n_out, c->theta, c->target, FF_GRAD_EXACT) /
           (double)c->B;
}

static void ff_local_gradcheck(const char *name, ff_layer *L, gsl_rng *r)
{
    const size_t B = 6;
    float *params = malloc(L->n_params * sizeof *params);
    ff_layer_bind(L, params);
    ff_layer_init_glorot(L, r);
    fill_uniform(L->b, L->oc, r, -0.1, 0.1); /* non-zero biases */
    float *x = malloc(B * L->n_in * sizeof *x);
    fill_uniform(x, B * L->n_in, r, 0.0, 1.0);
    size_t nc = ff_layer_cols_size(L, B);
    float *cols = malloc((nc ? nc : 1) * sizeof *cols);
    const float *P = ff_layer_patches(L, cols, x, B);
    const size_t nz = B * L->n_out;
    float *h = malloc(nz * sizeof *h), *dz = malloc(nz * sizeof *dz);
    float *grad = malloc(L->n_params * sizeof *grad);
    char *pat0 = malloc(nz), *pat = malloc(nz);
    /* theta below and above the initial goodness, so that sigmoid(u) is
     * neither 0 nor 1 and both targets give informative gradients */
    const double thetas[2] = {0.1, 2.0};
    for (int ti = 0; ti < 2; ti++)
        for (int target = 0; target <= 1; target++) {
            ff_layer_forward(L, h, P, B, 1);
            ff_relu(h, nz);
            ff_ff_loss(dz, h, B, L->n_out, thetas[ti], target, FF_GRAD_EXACT);
            ff_layer_weight_grad(L, grad, P, dz, B);
            ff_ctx ctx = {L, P, B, h, thetas[ti], target};
            ff_layer_mean_loss(&ctx, pat0);
            grad_block gb = fd_block(params, grad, L->n_params, ff_layer_mean_loss, &ctx, pat0,
                                     pat, nz);
            char what[96];
            snprintf(what, sizeof what, "%s FF local (theta %g, target %d)", name, thetas[ti],
                     target);
            judge_block(&gb, what, 0);
            free_block(&gb);
        }
    free(pat);
    free(pat0);
    free(grad);
    free(dz);
    free(h);
    free(cols);
    free(x);
    free(params);
}

static void test_ff_local(gsl_rng *r)
{
    ff_layer L;
    CHECK_OK(ff_layer_dense(&L, 12, 7));
    ff_local_gradcheck("dense 12->7", &L, r);
    CHECK_OK(ff_layer_conv2d(&L, 5, 5, 2, 3, 3, 4));
    ff_local_gradcheck("conv 3x3 on 5x5x2 -> 4", &L, r);
}

/* ---- (c) ff_train_ff_batch against its definition ---- */

/* train.h's definition, spelled out: one forward pass through every layer
 * with the current weights, keeping each layer's FF gradient; only then
 * every layer takes its Adam step; then the head (on the normalised
 * activities of the same pass). */
static void reference_ff_step(ff_net *net, const float *x, const int *y, size_t B, int target,
                              int train_head, const ff_train_config *c, double *loss)
{
    const size_t NL = net->n_layers, K = net->n_classes;
    float *grad[FF_MAX_LAYERS], *act[FF_MAX_LAYERS];
    float *head_in = malloc(B * net->head.fan_in * sizeof *head_in);
    float *scale = malloc(B * sizeof *scale);
    const float *in = x;
    for (size_t l = 0; l < NL; l++) {
        const ff_layer *L = &net->layer[l];
        size_t nc = ff_layer_cols_size(L, B);
        float *cols = malloc((nc ? nc : 1) * sizeof *cols);
        float *h = malloc(B * L->n_out * sizeof *h), *dz = malloc(B * L->n_out * sizeof *dz);
        const float *P = ff_layer_patches(L, cols, in, B);
        ff_layer_forward(L, h, P, B, 1);
        ff_relu(h, B * L->n_out);
        loss[l] = ff_ff_loss(dz, h, B, L->n_out, c->theta, target, FF_GRAD_EXACT);
        grad[l] = malloc(L->n_params * sizeof *grad[l]);
        ff_layer_weight_grad(L, grad[l], P, dz, B);
        act[l] = l >= net->head_from ? NULL : malloc(B * L->n_out * sizeof *act[l]);
        float *out = act[l] ? act[l] : head_in + B * net->head_off[l];
        ff_normalize(out, scale, h, B, L->n_out, net->spec.norm);
        in = out;
        free(dz);
        free(h);
        free(cols);
    }
    for (size_t l = 0; l < NL; l++) {
        size_t off = ff_net_param_offset(net, l);
        ff_adam_step(net->params + off, net->m + off, net->v + off, grad[l],
                     net->layer[l].n_params, &c->adam, ++net->step[l]);
        free(grad[l]);
        free(act[l]);
    }
    loss[NL] = 0.0;
    if (train_head) {
        float *logits = malloc(B * K * sizeof *logits), *dl = malloc(B * K * sizeof *dl);
        float *hg = malloc(net->head.n_params * sizeof *hg);
        ff_net_head_forward(net, logits, head_in, B, B);
        loss[NL] = ff_softmax_xent(dl, logits, y, B, K);
        ff_net_head_weight_grad(net, hg, head_in, dl, B, B);
        size_t off = ff_net_param_offset(net, NL);
        ff_adam_step(net->params + off, net->m + off, net->v + off, hg, net->head.n_params,
                     &c->adam_head, ++net->step[NL]);
        free(hg);
        free(dl);
        free(logits);
    }
    free(scale);
    free(head_in);
}

/* max |a - b| <= rtol * max |b| over n floats. */
static int close_normwise(const float *a, const float *b, size_t n, double rtol)
{
    double err = 0.0, mx = 0.0;
    for (size_t i = 0; i < n; i++) {
        err = fmax(err, fabs((double)a[i] - b[i]));
        mx = fmax(mx, fabs((double)b[i]));
    }
    return err <= rtol * mx;
}

/* Parameters and both Adam moments within 1e-5 of each other (normwise),
 * step counts equal.  train.h promises the same mathematics, not the same
 * rounding (a fused kernel may round differently), while using the
 * post-step weights for a layer's output, or the wrong Adam settings, moves
 * the moments by ~1e-2 relative. */
static int close_state(const ff_net *a, const ff_net *b)
{
    return close_normwise(a->params, b->params, a->n_params, 1e-5) &&
           close_normwise(a->m, b->m, a->n_params, 1e-5) &&
           close_normwise(a->v, b->v, a->n_params, 1e-5) &&
           memcmp(a->step, b->step, sizeof a->step) == 0;
}

/* Bit-identical parameters, moments and step counts. */
static int same_state(const ff_net *a, const ff_net *b)
{
    return memcmp(a->params, b->params, a->n_params * sizeof *a->params) == 0 &&
           memcmp(a->m, b->m, a->n_params * sizeof *a->m) == 0 &&
           memcmp(a->v, b->v, a->n_params * sizeof *a->v) == 0 &&
           memcmp(a->step, b->step, sizeof a->step) == 0;
}

static void ff_step_vs_definition(const char *name, const ff_net_spec *spec)
{
    const size_t B = 5, cap = 7, D = spec->ih * spec->iw * spec->ic;
    const ff_train_config c = {.theta = 0.1, .adam = FF_ADAM_KERAS(1e-2f),
                               .adam_head = FF_ADAM_KERAS(3e-2f)};
    ff_net *a = make_net(spec, 7), *b = make_net(spec, 7), *o = make_net(spec, 8);
    ff_ff_workspace *ws = ff_ff_workspace_alloc(a, cap);
    ff_ff_workspace *wo = ff_ff_workspace_alloc(o, cap);
    CHECK(same_state(a, b), "%s: the same seed must build the same net", name);
    CHECK(!same_state(a, o), "%s: another seed must build another net", name);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99);
    /* room for cap + 1 rows: the refused call below must not be able to
     * read past the buffers even if the library forgot to refuse it */
    float *x = malloc((cap + 1) * D * sizeof *x);
    int y[8] = {0};
    double la[FF_MAX_LAYERS + 1], lb[FF_MAX_LAYERS + 1], lo[FF_MAX_LAYERS + 1];
    /* positive with head, negative without, positive with head again:
     * Adam's state carries over between the steps */
    const int target[3] = {1, 0, 1}, head[3] = {1, 0, 1};
    int steps_close = 1, losses_close = 1;
    for (int s = 0; s < 3; s++) {
        fill_uniform(x, B * D, r, 0.0, 1.0);
        for (size_t i = 0; i < B; i++)
            y[i] = (int)gsl_rng_uniform_int(r, spec->n_classes);
        size_t head_off = ff_net_param_offset(a, a->n_layers);
        float *head_before = malloc(a->head.n_params * sizeof *head_before);
        memcpy(head_before, a->params + head_off, a->head.n_params * sizeof *head_before);
        int st = ff_train_ff_batch(a, ws, x, y, B, target[s], head[s], &c, la);
        CHECK(st == FF_SUCCESS, "%s: ff_train_ff_batch failed (%d)", name, st);
        reference_ff_step(b, x, y, B, target[s], head[s], &c, lb);
        CHECK_OK(ff_train_ff_batch(o, wo, x, y, B, target[s], head[s], &c, lo));
        steps_close &= close_state(a, b);
        for (size_t l = 0; l <= a->n_layers; l++)
            losses_close &= fabs(la[l] - lb[l]) <= 1e-6 * fabs(lb[l]);
        int head_same = memcmp(head_before, a->params + head_off,
                               a->head.n_params * sizeof *head_before) == 0;
        CHECK(head[s] ? !head_same : head_same, "%s step %d: the head %s", name, s,
              head[s] ? "did not move" : "moved without train_head");
        CHECK(head[s] || la[a->n_layers] == 0.0, "%s: head loss must be 0 without train_head",
              name);
        free(head_before);
    }
    CHECK(steps_close, "%s: ff_train_ff_batch differs from forward-then-step", name);
    CHECK(losses_close, "%s: reported losses differ from the definition's", name);
    CHECK(!same_state(a, o), "%s: nets from different seeds ended equal", name);

    /* determinism: a third net from seed 7 trained through the library
     * again ends bit-identical to the first */
    ff_net *a2 = make_net(spec, 7);
    gsl_rng_set(r, 99);
    for (int s = 0; s < 3; s++) {
        fill_uniform(x, B * D, r, 0.0, 1.0);
        for (size_t i = 0; i < B; i++)
            y[i] = (int)gsl_rng_uniform_int(r, spec->n_classes);
        CHECK_OK(ff_train_ff_batch(a2, wo, x, y, B, target[s], head[s], &c, lo));
    }
    CHECK(same_state(a, a2), "%s: identical training must give identical parameters", name);

    /* batch size out of range: refused, and nothing moves */
    CHECK(ff_train_ff_batch(a2, ws, x, y, 0, 1, 1, &c, lo) == FF_EINVAL, "%s: B = 0", name);
    CHECK(ff_train_ff_batch(a2, ws, x, y, cap + 1, 1, 1, &c, lo) == FF_EINVAL, "%s: B > cap",
          name);
    CHECK(same_state(a, a2), "%s: a refused batch must not change the net", name);

    ff_net_free(a2);
    free(x);
    gsl_rng_free(r);
    ff_ff_workspace_free(wo);
    ff_ff_workspace_free(ws);
    ff_net_free(o);
    ff_net_free(b);
    ff_net_free(a);
}

static void test_ff_step(void)
{
    ff_net_spec s = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 4,
                     .layer = {dense(8), dense(6), dense(6), dense(5)},
                     .head_from = 1, .n_classes = 3, .norm = FF_NORM_L2};
    ff_step_vs_definition("dense 4 layers head_from 1", &s);
    s.head_from = 2; /* two layers below the readout: act[0] and act[1] alternate */
    ff_step_vs_definition("dense 4 layers head_from 2", &s);
    ff_net_spec c = {.ih = 5, .iw = 5, .ic = 2, .n_layers = 3,
                     .layer = {conv(4, 3, 3), conv(3, 1, 1), conv(3, 1, 1)},
                     .head_from = 1, .n_classes = 3, .norm = FF_NORM_L2};
    ff_step_vs_definition("conv 3x3 / 1x1 / 1x1", &c);
}

/* ---- (c) the layer step under other rules and passes ---- */

/* A's layers' parameters minus `start`, against B's plus C's minus twice
 * start, normwise: the step of a stacked pass against its two parts'
 * steps taken apart, under a rule whose step is linear in the gradient. */
static int sum_of_parts(const ff_net *a, const ff_net *b, const ff_net *c, const float *start)
{
    const size_t n = ff_net_param_offset(a, a->n_layers);
    double err = 0.0, mx = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double want = ((double)b->params[i] - start[i]) + ((double)c->params[i] - start[i]);
        err = fmax(err, fabs(((double)a->params[i] - start[i]) - want));
        mx = fmax(mx, fabs(want));
    }
    return mx > 1e-4 && err <= 1e-5 * mx;
}

static void layer_step_rules(const char *name, const ff_net_spec *spec)
{
    enum { N = 7, NP = 4, MAXU = 256 };
    const size_t D = spec->ih * spec->iw * spec->ic, L = spec->n_layers;
    ff_net *a = make_net(spec, 31), *b = make_net(spec, 31), *c = make_net(spec, 31);
    ff_ff_workspace *ws = ff_ff_workspace_alloc(a, N), *ws2 = ff_ff_workspace_alloc(a, N);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 32);
    float *x = malloc(N * D * sizeof *x), *start = malloc(a->n_params * sizeof *start);
    fill_uniform(x, N * D, r, 0.0, 1.0);
    memcpy(start, a->params, a->n_params * sizeof *start);
    double la[FF_MAX_LAYERS + 1], lb[FF_MAX_LAYERS + 1], lc[FF_MAX_LAYERS + 1];

    /* SGD without momentum or weight cost, lr 1: the step is minus the
     * gradient, so the stacked pass's is the sum of its parts' */
    const ff_ff_rule sgd = {.theta = 0.5, .grad = FF_GRAD_EXACT, .opt = FF_OPT_SGD,
                            .sgd = {1.0f, 0.0f, 0.0f}};
    const ff_ff_pass all = {.in = x, .n = N, .n_pos = NP, .gain = 1.0f};
    const ff_ff_pass pos = {.in = x, .n = NP, .n_pos = NP, .gain = 1.0f};
    const ff_ff_pass neg = {.in = x + NP * D, .n = N - NP, .n_pos = 0, .gain = 1.0f};
    ff_train_ff_layers(a, ws, &all, 0, L, &sgd, la);
    ff_train_ff_layers(b, ws, &pos, 0, L, &sgd, lb);
    ff_train_ff_layers(c, ws, &neg, 0, L, &sgd, lc);
    CHECK(sum_of_parts(a, b, c, start),
          "%s: a stacked pass's step is not the sum of its parts' steps", name);
    int losses = 1;
    for (size_t l = 0; l < L; l++)
        losses &= la[l] == lb[l] + lc[l];
    CHECK(losses, "%s: a stacked pass's losses are not its parts' sums", name);
    CHECK(memcmp(a->head.w, start + ff_net_param_offset(a, L),
                 a->head.n_params * sizeof *start) == 0,
          "%s: the layer step moved the head", name);
    ff_net_free(c);
    ff_net_free(b);
    ff_net_free(a);

    /* Adam: gain 0.5 is the learning rate halved, bit for bit, and another
     * step than gain 1 */
    a = make_net(spec, 31), b = make_net(spec, 31), c = make_net(spec, 31);
    ff_ff_rule adam = {.theta = 0.5, .grad = FF_GRAD_EXACT, .opt = FF_OPT_ADAM,
                       .adam = FF_ADAM_KERAS(1e-2f)};
    ff_ff_pass half = all;
    half.gain = 0.5f;
    ff_train_ff_layers(a, ws, &half, 0, L, &adam, la);
    ff_train_ff_layers(c, ws, &all, 0, L, &adam, lc);
    adam.adam.lr = 5e-3f;
    ff_train_ff_layers(b, ws, &all, 0, L, &adam, lb);
    CHECK(same_state(a, b) && !same_state(a, c),
          "%s: Adam's step under gain 0.5 is not its step at half the learning rate", name);
    ff_net_free(c);
    ff_net_free(b);
    ff_net_free(a);

    /* the first layer's pre-activation given (z_ready): the same bits */
    a = make_net(spec, 31), b = make_net(spec, 31);
    const ff_layer *L0 = &b->layer[0];
    ff_layer_forward(L0, ff_ff_workspace_out(b, ws2, 0), ff_layer_patches(L0, ws2->cols, x, N),
                     N, 1);
    ff_ff_pass ready = all;
    ready.z_ready = 1;
    const ff_ff_rule wide = {.theta_width = 1, .grad = FF_GRAD_REFERENCE, .opt = FF_OPT_SGD,
                             .sgd = {0.3f, 0.5f, 0.01f}};
    ff_train_ff_layers(a, ws, &all, 0, L, &wide, la);
    ff_train_ff_layers(b, ws2, &ready, 0, L, &wide, lb);
    CHECK(same_state(a, b) && memcmp(la, lb, L * sizeof *la) == 0,
          "%s: a first product given (z_ready) changed the step", name);
    ff_net_free(b);
    ff_net_free(a);

    /* the threshold of the layer's width is theta = width (layer 0 alone) */
    a = make_net(spec, 31), b = make_net(spec, 31);
    ff_ff_rule theta_n = wide;
    theta_n.theta_width = 0;
    theta_n.theta = (double)a->layer[0].n_out;
    ff_train_ff_layers(a, ws, &all, 0, 1, &wide, la);
    ff_train_ff_layers(b, ws, &all, 0, 1, &theta_n, lb);
    CHECK(same_state(a, b) && la[0] == lb[0], "%s: theta_width is not theta = width", name);

    /* peer normalisation: its means move with positive rows, not without */
    float peer[MAXU], peer0[MAXU];
    size_t units = 0;
    for (size_t l = 0; l < L; l++)
        units += a->layer[l].n_out;
    CHECK(units <= MAXU, "%s: %zu units, room for %d", name, units, MAXU);
    for (size_t i = 0; i < MAXU; i++)
        peer[i] = peer0[i] = 0.5f;
    ff_ff_rule pr = wide;
    pr.peer_lambda = 0.1f, pr.peer_decay = 0.9f;
    ff_ff_pass pn = neg, pp = all;
    pn.peer = pp.peer = peer;
    ff_train_ff_layers(a, ws, &pn, 0, L, &pr, la);
    CHECK(memcmp(peer, peer0, sizeof peer) == 0, "%s: peer means moved without positive rows",
          name);
    ff_train_ff_layers(a, ws, &pp, 0, L, &pr, la);
    int moved = 1, untouched = 1;
    for (size_t l = 0, u = 0; l < L; u += a->layer[l++].n_out) {
        int any = 0; /* layer l's means: peer[u .. u + n_out) */
        for (size_t j = u; j < u + a->layer[l].n_out; j++)
            any |= peer[j] != peer0[j];
        moved &= any;
    }
    for (size_t i = units; i < MAXU; i++)
        untouched &= peer[i] == peer0[i];
    CHECK(moved && untouched,
          "%s: peer means did not move in every layer with positive rows, or past the last",
          name);

    ff_net_free(b);
    ff_net_free(a);
    free(start);
    free(x);
    gsl_rng_free(r);
    ff_ff_workspace_free(ws2);
    ff_ff_workspace_free(ws);
}

/* ff_ff_rule_loss by hand: a positive row h = (1, 1), goodness 2, above a
 * negative row (2, 0), goodness 4.  At threshold 3 (the exact gradient,
 * dz = (sigmoid(u) - t) 2 h) each row's logit u is 1 on its wrong side:
 * loss softplus(1) = 1.3132617 each; dz = -2 sigmoid(1) h = -1.4621172 per
 * unit of the positive row, 2 sigmoid(1) h = (2.9242344, 0) for the
 * negative one.  At the width's threshold, 2 (the reference gradient,
 * without the 2): the positive row sits on it, loss log 2, dz = -0.5 h;
 * the negative row's logit is 2, loss softplus(2), dz = sigmoid(2) h.
 * Each part is a mean over its own rows, so a part alone gives the same
 * row figures. */
static void test_rule_loss(void)
{
    const float h[4] = {1, 1, 2, 0};
    const ff_ff_rule seed = {.theta = 3.0, .grad = FF_GRAD_EXACT};
    const ff_ff_rule paper = {.theta = 0.1, .theta_width = 1, .grad = FF_GRAD_REFERENCE};
    const double sp1 = log1p(exp(1.0)), sp2 = log1p(exp(2.0));
    const double s1 = 1.0 / (1.0 + exp(-1.0)), s2 = 1.0 / (1.0 + exp(-2.0));
    float dz[4];
    const double a = ff_ff_rule_loss(&seed, dz, h, 1, 2, 2);
    CHECK(fabs(a - 2.0 * sp1) < 1e-6, "threshold 3: loss %.7f, by hand %.7f", a, 2.0 * sp1);
    const double want_a[4] = {2.0 * (1.0 - s1 - 1.0), 2.0 * (1.0 - s1 - 1.0), 2.0 * s1 * 2.0, 0};
    for (int i = 0; i < 4; i++)
        CHECK(fabs(dz[i] - want_a[i]) < 1e-6, "threshold 3: dz[%d] %.7f, by hand %.7f", i, dz[i],
              want_a[i]);
    const double b = ff_ff_rule_loss(&paper, dz, h, 1, 2, 2);
    CHECK(fabs(b - (log(2.0) + sp2)) < 1e-6, "the width's threshold: loss %.7f, by hand %.7f",
          b, log(2.0) + sp2);
    const double want_b[4] = {-0.5, -0.5, 2.0 * s2, 0};
    for (int i = 0; i < 4; i++)
        CHECK(fabs(dz[i] - want_b[i]) < 1e-6, "the width's threshold: dz[%d] %.7f, by hand %.7f",
              i, dz[i], want_b[i]);
    /* one part alone: all negative (n_pos 0), all positive (n_pos = n) */
    const double neg = ff_ff_rule_loss(&paper, dz, h + 2, 0, 1, 2);
    CHECK(fabs(neg - sp2) < 1e-6 && fabs(dz[0] - 2.0 * s2) < 1e-6,
          "a negative row alone: loss %.7f, dz %.7f", neg, dz[0]);
    const double pos = ff_ff_rule_loss(&paper, dz, h, 1, 1, 2);
    CHECK(fabs(pos - log(2.0)) < 1e-6 && fabs(dz[0] + 0.5) < 1e-6,
          "a positive row alone: loss %.7f, dz %.7f", pos, dz[0]);
    /* a negative part of two rows, the second all zero (logit -2): the
     * losses add up, the gradient is the part's mean, half of each row's */
    const float h3[6] = {1, 1, 2, 0, 0, 0};
    float dz3[6];
    const double three = ff_ff_rule_loss(&paper, dz3, h3, 1, 3, 2);
    const double want3 = log(2.0) + sp2 + log1p(exp(-2.0));
    CHECK(fabs(three - want3) < 1e-6, "two negative rows: loss %.7f, by hand %.7f", three, want3);
    CHECK(fabs(dz3[0] + 0.5) < 1e-6 && fabs(dz3[2] - s2) < 1e-6 && dz3[3] == 0 && dz3[4] == 0 &&
              dz3[5] == 0,
          "two negative rows: dz (%.7f, %.7f), the first's halved to %.7f", dz3[0], dz3[2], s2);
}

static void test_layer_step_rules(void)
{
    const ff_net_spec s = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 4,
                           .layer = {dense(8), dense(6), dense(6), dense(5)},
                           .head_from = 1, .n_classes = 3, .norm = FF_NORM_L2};
    layer_step_rules("dense 4 layers L2", &s);
    const ff_net_spec c = {.ih = 5, .iw = 5, .ic = 2, .n_layers = 3,
                           .layer = {conv(4, 3, 3), conv(3, 1, 1), conv(3, 1, 1)},
                           .head_from = 2, .n_classes = 3, .norm = FF_NORM_RMS};
    layer_step_rules("conv 3x3 / 1x1 / 1x1 RMS", &c);

    /* the seed's rule (seed-protocol.md, "FF layer objective") */
    const ff_train_config tc = {.theta = 0.25, .adam = {3e-4f, 0.8f, 0.99f, 1e-6f}};
    const ff_ff_rule sr = ff_train_rule(&tc);
    CHECK(sr.theta == 0.25 && !sr.theta_width && sr.grad == FF_GRAD_EXACT &&
              sr.opt == FF_OPT_ADAM && sr.adam.lr == 3e-4f && sr.adam.beta1 == 0.8f &&
              sr.adam.beta2 == 0.99f && sr.adam.eps == 1e-6f,
          "ff_train_rule does not hold the seed's choices");
}

/* ---- (d) learning, and the evaluation shortcut ---- */

enum { TK = 3, TD = 16 };

/* Class c lights row c + 1 of a 4x4 image (pixels 4(c+1) .. 4(c+1)+3) at
 * 0.8-1.0 over U(0, 0.2) noise everywhere, the first TK pixels included
 * (the overlay must replace them, not add to them). */
static void toy_data(float *x, int *y, size_t n, gsl_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)gsl_rng_uniform_int(r, TK);
        float *xi = x + i * TD;
        fill_uniform(xi, TD, r, 0.0, 0.2);
        for (size_t j = 0; j < 4; j++)
            xi[4 * (size_t)(y[i] + 1) + j] += 0.8f;
    }
}

/* A wrong label for each image, uniform over the other TK - 1. */
static void wrong_labels(int *w, const int *y, size_t n, gsl_rng *r)
{
    for (size_t i = 0; i < n; i++)
        w[i] = (y[i] + 1 + (int)gsl_rng_uniform_int(r, TK - 1)) % TK;
}

/* Overlay modes of brute_pass besides a one-hot label 0..K-1. */
enum { OVERLAY_FILL = -1, OVERLAY_NONE = -2 };

/* Brute-force evaluation of one image x (raw): its first K pixels are
 * overwritten with the one-hot `label` (label >= 0), or with `fill` in every
 * one (OVERLAY_FILL), or left alone (OVERLAY_NONE).  Full forward through
 * the layer functions; returns the readout goodness (raw activities of
 * layers head_from..), and gives the logits and each layer's FF loss for
 * `target` if asked. */
static double brute_pass(const ff_net *net, const float *x, int label, float fill,
                         float *logits, double theta, int target, double *loss)
{
    const size_t D = net->layer[0].n_in;
    float *img = malloc(D * sizeof *img), *head_in = malloc(net->head.fan_in * sizeof *head_in);
    float *h[FF_MAX_LAYERS], scale;
    memcpy(img, x, D * sizeof *img);
    if (label >= 0)
        ff_overlay_onehot(img, &label, 1, D, net->n_classes, 1.0f);
    else if (label == OVERLAY_FILL)
        ff_overlay_fill(img, 1, D, net->n_classes, fill);
    double goodness = 0.0;
    const float *in = img;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        size_t nc = ff_layer_cols_size(L, 1);
        float *cols = malloc((nc ? nc : 1) * sizeof *cols);
        h[l] = malloc(L->n_out * sizeof *h[l]);
        ff_layer_forward(L, h[l], ff_layer_patches(L, cols, in, 1), 1, 1);
        free(cols);
        ff_relu(h[l], L->n_out);
        if (loss)
            loss[l] = ff_ff_loss(NULL, h[l], 1, L->n_out, theta, target, FF_GRAD_EXACT);
        if (l >= net->head_from)
            for (size_t j = 0; j < L->n_out; j++)
                goodness += (double)h[l][j] * h[l][j];
        /* readout layers normalise into the head's input block (cap 1) */
        float *out = l >= net->head_from ? head_in + net->head_off[l] : h[l];
        ff_normalize(out, &scale, h[l], 1, L->n_out, net->spec.norm);
        in = out;
    }
    if (logits)
        ff_net_head_forward(net, logits, head_in, 1, 1);
    for (size_t l = 0; l < net->n_layers; l++)
        free(h[l]);
    free(head_in);
    free(img);
    return goodness;
}

typedef struct {
    int *good, *soft_sup, *soft_raw; /* predictions */
    size_t ambiguous;                /* near-ties, where rounding may decide */
    double loss_pos[FF_MAX_LAYERS], loss_neg[FF_MAX_LAYERS];
    double xent_sup, xent_raw;       /* mean head cross-entropy against y */
} brute_result;

static void brute_eval(const ff_net *net, const float *x, const int *y, const int *wrong,
                       size_t n, double theta, float neutral, brute_result *br)
{
    const size_t K = net->n_classes, D = net->layer[0].n_in;
    float logits[TK];
    double loss[FF_MAX_LAYERS];
    memset(br->loss_pos, 0, sizeof br->loss_pos);
    memset(br->loss_neg, 0, sizeof br->loss_neg);
    br->ambiguous = 0;
    br->xent_sup = br->xent_raw = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *xi = x + i * D;
        double g[TK];
        for (size_t k = 0; k < K; k++)
            g[k] = brute_pass(net, xi, (int)k, 0.0f, NULL, theta, 1, NULL);
        size_t best = 0;
        for (size_t k = 1; k < K; k++)
            if (g[k] > g[best])
                best = k;
        for (size_t k = 0; k < K; k++)
            if (k != best && fabs(g[k] - g[best]) <= 1e-5 * fabs(g[best]) + 1e-12)
                br->ambiguous++;
        br->good[i] = (int)best;
        brute_pass(net, xi, OVERLAY_FILL, neutral, logits, theta, 1, NULL);
        br->soft_sup[i] = (int)ff_argmax(logits, K);
        br->xent_sup += ff_softmax_xent(NULL, logits, &y[i], 1, K) / (double)n;
        brute_pass(net, xi, OVERLAY_NONE, 0.0f, logits, theta, 1, NULL);
        br->soft_raw[i] = (int)ff_argmax(logits, K);
        br->xent_raw += ff_softmax_xent(NULL, logits, &y[i], 1, K) / (double)n;
        brute_pass(net, xi, y[i], 0.0f, NULL, theta, 1, loss);
        for (size_t l = 0; l < net->n_layers; l++)
            br->loss_pos[l] += loss[l] / (double)n;
        brute_pass(net, xi, wrong[i], 0.0f, NULL, theta, 0, loss);
        for (size_t l = 0; l < net->n_layers; l++)
            br->loss_neg[l] += loss[l] / (double)n;
    }
}

/* ff_eval against brute force on n images, with a workspace of capacity
 * cap (n > cap: several batches and a remainder), and once more with the
 * smallest workspace (cap 1, which ff_eval_workspace_alloc raises to K). */
static void check_eval_shortcut(const char *name, const ff_net *net, const float *x,
                                const int *y, const int *wrong, size_t n, size_t cap,
                                double theta)
{
    const float neutral = 1.0f / TK;
    brute_result br = {0};
    br.good = malloc(n * sizeof(int));
    br.soft_sup = malloc(n * sizeof(int));
    br.soft_raw = malloc(n * sizeof(int));
    brute_eval(net, x, y, wrong, n, theta, neutral, &br);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, cap);
    ff_eval_config cs = {.supervised = 1, .target = 1, .readout = 1, .goodness = 1,
                         .neutral = neutral, .theta = theta};
    ff_eval_result res;
    /* scoring against the brute-force predictions: accuracy 1 iff ff_eval
     * predicts exactly what brute force does, image by image */
    CHECK_OK(ff_eval(net, ews, x, br.good, n, &cs, &res));
    CHECK(res.n == n && res.goodness_acc * (double)n >= (double)(n - br.ambiguous) - 0.5,
          "%s: ff_eval's goodness predictions differ from brute force on %.0f of %zu images",
          name, (1.0 - res.goodness_acc) * (double)n, n);
    CHECK(br.ambiguous * 20 <= n, "%s: %zu near-ties make the comparison weak", name,
          br.ambiguous);
    ff_eval_workspace *tiny = ff_eval_workspace_alloc(net, 1);
    CHECK_OK(ff_eval(net, tiny, x, br.good, n, &cs, &res));
    CHECK(res.goodness_acc * (double)n >= (double)(n - br.ambiguous) - 0.5,
          "%s: with a workspace of capacity 1, goodness predictions differ on %.0f images",
          name, (1.0 - res.goodness_acc) * (double)n);
    ff_eval_workspace_free(tiny);
    CHECK_OK(ff_eval(net, ews, x, br.soft_sup, n, &cs, &res));
    CHECK(res.softmax_acc == 1.0,
          "%s: ff_eval's softmax predictions (neutral overlay) differ from brute force on "
          "%.0f images", name, (1.0 - res.softmax_acc) * (double)n);
    /* the FF losses of the positive pass (true label overlaid), and the
     * head's cross-entropy on the neutral overlay: continuous values, so
     * they also catch errors too small to change an argmax */
    CHECK_OK(ff_eval(net, ews, x, y, n, &cs, &res));
    CHECK(fabs(res.head_loss - br.xent_sup) <= 1e-4 * br.xent_sup,
          "%s: head loss (neutral overlay) %.9g, brute force %.9g", name, res.head_loss,
          br.xent_sup);
    for (size_t l = 0; l < net->n_layers; l++)
        CHECK(fabs(res.loss[l] - br.loss_pos[l]) <= 1e-4 * br.loss_pos[l] + 1e-7,
              "%s: layer %zu positive loss %.9g, brute force %.9g", name, l, res.loss[l],
              br.loss_pos[l]);
    /* negative pass: wrong labels overlaid, target 0 */
    ff_eval_config cn = {.supervised = 1, .target = 0, .readout = 0, .neutral = neutral,
                         .theta = theta};
    CHECK_OK(ff_eval(net, ews, x, wrong, n, &cn, &res));
    for (size_t l = 0; l < net->n_layers; l++)
        CHECK(fabs(res.loss[l] - br.loss_neg[l]) <= 1e-4 * br.loss_neg[l] + 1e-7,
              "%s: layer %zu negative loss %.9g, brute force %.9g", name, l, res.loss[l],
              br.loss_neg[l]);
    /* unsupervised readout: softmax on the raw image (no overlay) */
    ff_eval_config cu = {.supervised = 0, .target = 1, .readout = 1, .neutral = neutral,
                         .theta = theta};
    CHECK_OK(ff_eval(net, ews, x, br.soft_raw, n, &cu, &res));
    CHECK(res.softmax_acc == 1.0,
          "%s: unsupervised softmax predictions differ from brute force on %.0f images", name,
          (1.0 - res.softmax_acc) * (double)n);
    CHECK_OK(ff_eval(net, ews, x, y, n, &cu, &res));
    CHECK(fabs(res.head_loss - br.xent_raw) <= 1e-4 * br.xent_raw,
          "%s: head loss (raw image) %.9g, brute force %.9g", name, res.head_loss, br.xent_raw);
    ff_eval_workspace_free(ews);
    free(br.good);
    free(br.soft_sup);
    free(br.soft_raw);
}

/* A layer's FF loss cannot fall below a floor: 0 on positive data
 * (softplus(-u) -> 0 as the goodness grows) but softplus(-theta) on
 * negative data (the goodness is >= 0, so u >= -theta).  Learning is
 * measured by the excess over that floor, positive and negative together. */
static double excess_loss(const ff_eval_result *pos, const ff_eval_result *neg, size_t l,
                          double theta)
{
    return pos->loss[l] + neg->loss[l] - log1p(exp(-theta));
}

static void test_learning(void)
{
    enum { NTRAIN = 256, NTEST = 150, BATCH = 32, EPOCHS = 100 };
    const double theta = 0.1;
    const ff_net_spec spec = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 3,
                              .layer = {dense(20), dense(20), dense(20)},
                              .head_from = 1, .n_classes = TK, .norm = FF_NORM_L2};
    const ff_train_config c = {.theta = theta, .adam = FF_ADAM_KERAS(1e-2f),
                               .adam_head = FF_ADAM_KERAS(1e-2f)};
    ff_net *net = make_net(&spec, 2024);
    ff_ff_workspace *ws = ff_ff_workspace_alloc(net, BATCH);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, 64);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4242);
    float *xtr = malloc(NTRAIN * TD * sizeof *xtr), *pos = malloc(NTRAIN * TD * sizeof *pos),
          *neg = malloc(NTRAIN * TD * sizeof *neg), *xte = malloc(NTEST * TD * sizeof *xte);
    int ytr[NTRAIN], wtr[NTRAIN], yte[NTEST], wte[NTEST];
    toy_data(xtr, ytr, NTRAIN, r);
    toy_data(xte, yte, NTEST, r);
    wrong_labels(wte, yte, NTEST, r);

    /* the shortcut on a freshly initialised net (small goodness gaps) */
    check_eval_shortcut("untrained", net, xte, yte, wte, NTEST, 16, theta);

    const ff_eval_config cpos = {.supervised = 1, .target = 1, .readout = 1, .goodness = 1,
                                 .neutral = 1.0f / TK, .theta = theta};
    const ff_eval_config cneg = {.supervised = 1, .target = 0, .readout = 0,
                                 .neutral = 1.0f / TK, .theta = theta};
    ff_eval_result p0, n0, p1, n1;
    CHECK_OK(ff_eval(net, ews, xte, yte, NTEST, &cpos, &p0));
    CHECK_OK(ff_eval(net, ews, xte, wte, NTEST, &cneg, &n0));

    /* seed protocol "FF training loop": every epoch the whole positive
     * pass (true label, head trained), then the whole negative pass (a
     * fresh wrong label each epoch, head not trained) */
    memcpy(pos, xtr, NTRAIN * TD * sizeof *pos);
    ff_overlay_onehot(pos, ytr, NTRAIN, TD, TK, 1.0f);
    double loss[FF_MAX_LAYERS + 1];
    for (int e = 0; e < EPOCHS; e++) {
        memcpy(neg, xtr, NTRAIN * TD * sizeof *neg);
        wrong_labels(wtr, ytr, NTRAIN, r);
        ff_overlay_onehot(neg, wtr, NTRAIN, TD, TK, 1.0f);
        for (size_t b = 0; b < NTRAIN / BATCH; b++)
            CHECK_OK(ff_train_ff_batch(net, ws, pos + b * BATCH * TD, ytr + b * BATCH, BATCH,
                                       1, 1, &c, loss));
        for (size_t b = 0; b < NTRAIN / BATCH; b++)
            CHECK_OK(ff_train_ff_batch(net, ws, neg + b * BATCH * TD, wtr + b * BATCH, BATCH,
                                       0, 0, &c, loss));
    }
    CHECK_OK(ff_eval(net, ews, xte, yte, NTEST, &cpos, &p1));
    CHECK_OK(ff_eval(net, ews, xte, wte, NTEST, &cneg, &n1));
    double before = 0.0, after = 0.0;
    for (size_t l = 0; l < spec.n_layers; l++) {
        double e0 = excess_loss(&p0, &n0, l, theta), e1 = excess_loss(&p1, &n1, l, theta);
        before += e0;
        after += e1;
        /* gradient ascent (a sign error in the FF gradient) would raise it */
        CHECK(e1 < 0.7 * e0, "layer %zu: FF loss above its floor %.4g -> %.4g, expected to drop",
              l, e0, e1);
    }
    CHECK(after < 0.3 * before, "FF loss above its floor, all layers: %.4g -> %.4g", before,
          after);
    /* chance is 1/3; a separable problem must be learned almost perfectly */
    CHECK(p1.goodness_acc >= 0.9, "goodness accuracy %.3f (chance 0.33)", p1.goodness_acc);
    CHECK(p1.softmax_acc >= 0.9, "softmax accuracy %.3f (chance 0.33)", p1.softmax_acc);

    check_eval_shortcut("trained", net, xte, yte, wte, NTEST, 16, theta);

    /* the shortcut with a convolutional layer 0 (3x3 on the 4x4 image, the
     * label pixels inside several of its patches), untrained */
    const ff_net_spec cspec = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 3,
                               .layer = {conv(6, 3, 3), conv(5, 1, 1), dense(6)},
                               .head_from = 1, .n_classes = TK, .norm = FF_NORM_L2};
    ff_net *cnet = make_net(&cspec, 77);
    check_eval_shortcut("conv layer 0", cnet, xte, yte, wte, NTEST, 16, theta);
    ff_net_free(cnet);

    /* a NaN in the net (as a failed product leaves its output) makes each
     * readout an error, FF_ENONFINITE, not an argmax scoring chance: in a
     * hidden layer, then in the head alone (the goodness readout unharmed) */
    const ff_eval_config cuns = {.target = 1, .readout = 1, .theta = theta};
    float *hidden = &net->layer[1].w[3], *head = &net->head.w[5];
    const float keep_hidden = *hidden, keep_head = *head;
    *hidden = NAN;
    CHECK(ff_eval(net, ews, xte, yte, NTEST, &cpos, &p1) == FF_ENONFINITE &&
              ff_eval(net, ews, xte, wte, NTEST, &cneg, &n1) == FF_ENONFINITE &&
              ff_eval(net, ews, xte, yte, NTEST, &cuns, &p1) == FF_ENONFINITE,
          "a NaN weight in a hidden layer: ff_eval did not return FF_ENONFINITE");
    *hidden = keep_hidden;
    *head = NAN;
    CHECK(ff_eval(net, ews, xte, yte, NTEST, &cpos, &p1) == FF_ENONFINITE &&
              ff_eval(net, ews, xte, wte, NTEST, &cneg, &n1) == FF_SUCCESS,
          "a NaN weight in the head: ff_eval's readout not refused, or its FF losses alone "
          "refused");
    *head = keep_head;
    CHECK_OK(ff_eval(net, ews, xte, yte, NTEST, &cpos, &p1));

    gsl_rng_free(r);
    free(xte);
    free(neg);
    free(pos);
    free(xtr);
    ff_eval_workspace_free(ews);
    ff_ff_workspace_free(ws);
    ff_net_free(net);
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20240604);
    test_bp();
    test_ff_local(r);
    test_ff_step();
    test_rule_loss();
    test_layer_step_rules();
    test_learning();
    gsl_rng_free(r);
    return check_done();
}
