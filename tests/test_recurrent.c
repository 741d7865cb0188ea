/* test_recurrent.c - the paper's recurrent net with top-down connections
 * (lib/include/ff/recurrent.h).
 *
 *  (a) one damped iteration worked by hand (two hidden layers of two
 *      units), a positive and a negative row; the same without damping
 *      gives other numbers (the negative control);
 *  (b) the dynamics over several iterations against a reference written
 *      from the header's equations in double; each layer's local gradient
 *      at a fixed iteration (its inputs and its previous state held
 *      constant) against central finite differences of its FF loss, every
 *      parameter: bottom-up weights, bias, top-down weights;
 *  (c) the readout: a constructed case whose answer depends on which
 *      iterations are averaged, worked by hand; ff_rec_goodness and
 *      ff_rec_eval against the reference on a random net, in passes with a
 *      remainder;
 *  (d) iterations 0: the readout of time 0 is the plain bottom-up net's
 *      goodness, and its FF losses are ff_eval's on the net alone;
 *  (e) what the calls refuse; the checkpoint section and back;
 *  (f) it learns a small 10-class problem, bit for bit the same from the
 *      same seeds, in one thread and twice in two; a window of learning
 *      iterations steps on the mean of their gradients;
 *  (g) the step's rule on the top-down weights as on the bottom-up ones:
 *      momentum, weight cost (not on the biases: a negative control),
 *      the learning rate's gain, and peer normalisation's running means
 *      and push;
 *  (h) the label's scale s: the top layer's top-down weights start s
 *      times smaller; over 8 learning iterations both layers' states
 *      and the readout's goodness are those of s = 1, the label's
 *      gradients s times larger, the others the same (without the
 *      smaller start, other states: the negative control); a scale not
 *      finite and > 0 refused;
 *  (i) the top-down weights' start c (down_init): c times the reference
 *      code's, from the same draws; at 0 the untrained net's readout
 *      gives every label the same goodness (at 1 not: the negative
 *      control). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "gradcheck.h"
#include "ff/checkpoint.h"
#include "ff/error.h"
#include "ff/eval.h"
#include "ff/negatives.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/recurrent.h"
#include "ff/system.h"

/* bounds of the reference's fixed arrays */
enum { MAXL = 3, MAXN = 8, MAXD = 16, MAXK = 4, MAXP = MAXD * MAXN, MAXROWS = 8 };

static gsl_rng *new_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

static ff_layer_spec dense(size_t units)
{
    return (ff_layer_spec){.kind = FF_LAYER_DENSE, .units = units};
}

/* A paper net (RMS between layers and on the input) of 1 x D images, K
 * classes and the hidden widths w[0 .. H-1]. */
static ff_net_spec rec_spec(size_t D, size_t K, size_t H, const size_t *w, size_t head_from)
{
    ff_net_spec s = {.ih = 1, .iw = D, .ic = 1, .n_layers = H, .head_from = head_from,
                     .n_classes = K, .norm = FF_NORM_RMS, .normalize_input = 1};
    for (size_t l = 0; l < H; l++)
        s.layer[l] = dense(w[l]);
    return s;
}

/* A net and its top-down half with the label scale and the top-down
 * weights' start (down_init) given, randn-initialised from seed, biases
 * drawn in [-0.2, 0.2) (the init leaves them zero) after the weights. */
static ff_rec *make_rec_init(const ff_net_spec *s, unsigned long seed, float label_scale,
                             float down_init)
{
    ff_net *net = NULL;
    ff_rec *rec = NULL;
    if (ff_net_alloc(&net, s) != FF_SUCCESS)
        return NULL;
    if (ff_rec_alloc(&rec, net) != FF_SUCCESS) {
        ff_net_free(net);
        return NULL;
    }
    rec->label_scale = label_scale;
    rec->down_init = down_init;
    gsl_rng *r = new_rng(seed);
    ff_net_init_randn(net, r);
    ff_rec_init_randn(rec, r);
    for (size_t l = 0; l < net->n_layers; l++)
        fill_uniform(net->layer[l].b, net->layer[l].n_out, r, -0.2, 0.2);
    gsl_rng_free(r);
    return rec;
}

/* The same, the label unscaled and the top-down weights' start the
 * reference code's (both 1) */
static ff_rec *make_rec(const ff_net_spec *s, unsigned long seed)
{
    return make_rec_init(s, seed, 1.0f, 1.0f);
}

static void free_rec(ff_rec *rec)
{
    if (!rec)
        return;
    ff_net_free(rec->net);
    ff_rec_free(rec);
}

static double max_rel_diff(const float *got, const double *want, size_t n)
{
    double scale = 0.0, d = 0.0;
    for (size_t i = 0; i < n; i++) {
        scale = fmax(scale, fabs(want[i]));
        d = fmax(d, fabs(got[i] - want[i]));
    }
    return d / (scale > 0.0 ? scale : 1.0);
}

/* ---- (a) one damped iteration by hand ---- */

/* 2x2 images (D = 4), K = 4 labels, two hidden layers of two units.
 *   x = (2, 2, 2, 2): normalised (1, 1, 1, 1) (RMS 2).
 *   U_0 = [.5 0; 0 .5; 0 0; 0 0], b_0 = (.5, .5)   U_1 = [.5 .5; .5 .5], b_1 = (1, 1)
 *   T_0 = [2 -1; 2 -1] (from layer 1)   T_1 = [1 -2; .5 .5; 0 0; 0 0] (from the label)
 *   The label layer: one-hot normalised (RMS 1/2), 2 at the label.
 * Time 0 (bottom-up): z_0 = b_0 + (1,1,1,1) U_0 = (1, 1), h_0 = (1, 1),
 *   yhat_0 = (1, 1); z_1 = b_1 + (1, 1) U_1 = (2, 2), h_1 = (2, 2), yhat_1 = (1, 1).
 * Iteration 1, positive row (label 0), d = 0.3:
 *   z_0 = (1, 1) + yhat_1 T_0 = (1, 1) + (4, -2) = (5, -1), relu (5, 0),
 *   h_0 = 0.3 (1, 1) + 0.7 (5, 0) = (3.8, 0.3) (the unit that is off keeps 0.3);
 *   z_1 = (2, 2) + (2, 0, 0, 0) T_1 = (2, 2) + (2, -4) = (4, -2), relu (4, 0),
 *   h_1 = 0.3 (2, 2) + 0.7 (4, 0) = (3.4, 0.6).
 * Negative row (label 1): h_0 the same (it reads layer 1's time 0);
 *   z_1 = (2, 2) + 2 (.5, .5) = (3, 3), h_1 = 0.3 (2, 2) + 0.7 (3, 3) = (2.7, 2.7).
 * Goodness of the positive row: 3.8^2 + 0.3^2 = 14.53, 3.4^2 + 0.6^2 = 11.92.
 * Without damping (d = 0): h_0 = (5, 0), h_1 = (4, 0) and (3, 3). */
static void set_layer(ff_layer *L, const float *w, const float *b)
{
    memcpy(L->w, w, L->fan_in * L->oc * sizeof *w);
    memcpy(L->b, b, L->oc * sizeof *b);
}

static void hand_rows(float damping, float want[2][2][2], const char *what)
{
    const size_t w[2] = {2, 2};
    const ff_net_spec s = rec_spec(4, 4, 2, w, 0);
    ff_net *net = NULL;
    ff_rec *rec = NULL;
    CHECK(ff_net_alloc(&net, &s) == FF_SUCCESS && ff_rec_alloc(&rec, net) == FF_SUCCESS,
          "%s: the hand net", what);
    if (!rec) {
        ff_net_free(net);
        return;
    }
    static const float u0[8] = {0.5f, 0, 0, 0.5f, 0, 0, 0, 0}, b0[2] = {0.5f, 0.5f};
    static const float u1[4] = {0.5f, 0.5f, 0.5f, 0.5f}, b1[2] = {1, 1};
    static const float t0[4] = {2, -1, 2, -1}, t1[8] = {1, -2, 0.5f, 0.5f, 0, 0, 0, 0};
    set_layer(&net->layer[0], u0, b0);
    set_layer(&net->layer[1], u1, b1);
    memcpy(rec->down[0], t0, sizeof t0);
    memcpy(rec->down[1], t1, sizeof t1);
    const ff_paper_config pc = FF_PAPER_DEFAULTS;
    const ff_rec_config rc = {8, damping, 3, 5, 0, 0, 0, 0};
    ff_rec_trainer *t = ff_rec_trainer_alloc(rec, 1, &pc, &rc);
    const float x[4] = {2, 2, 2, 2};
    const int y = 0, neg = 1;
    CHECK(t && ff_rec_bottom_up(rec, t, x, 1) == FF_SUCCESS, "%s: bottom-up pass", what);
    if (t) {
        const float *h0 = ff_rec_state(t, 0), *h1 = ff_rec_state(t, 1);
        CHECK(fabsf(h0[0] - 1) < 1e-6f && fabsf(h0[1] - 1) < 1e-6f && fabsf(h1[0] - 2) < 1e-6f &&
                  fabsf(h1[1] - 2) < 1e-6f,
              "%s: time 0 is (%g, %g), (%g, %g), not (1, 1), (2, 2)", what, h0[0], h0[1], h1[0],
              h1[1]);
        CHECK(ff_rec_iterate(rec, t, &y, &neg, 1) == FF_SUCCESS, "%s: an iteration", what);
        for (size_t l = 0; l < 2; l++)
            memcpy(want[l], ff_rec_state(t, l), 4 * sizeof(float)); /* rows: pos, neg */
    }
    ff_rec_trainer_free(t);
    ff_rec_free(rec);
    ff_net_free(net);
}

static void test_hand_iteration(void)
{
    float got[2][2][2] = {{{0}}}, plain[2][2][2] = {{{0}}};
    /* [layer][row][unit], rows positive then negative */
    static const float want[2][2][2] = {{{3.8f, 0.3f}, {3.8f, 0.3f}}, {{3.4f, 0.6f}, {2.7f, 2.7f}}};
    static const float undamped[2][2][2] = {{{5, 0}, {5, 0}}, {{4, 0}, {3, 3}}};
    hand_rows(0.3f, got, "damping 0.3");
    hand_rows(0.0f, plain, "no damping");
    int ok = 1, ok0 = 1, differ = 0;
    for (size_t i = 0; i < 8; i++) {
        const float g = (&got[0][0][0])[i], w = (&want[0][0][0])[i];
        const float p = (&plain[0][0][0])[i], u = (&undamped[0][0][0])[i];
        ok &= fabsf(g - w) <= 1e-6f * (1 + fabsf(w));
        ok0 &= fabsf(p - u) <= 1e-6f * (1 + fabsf(u));
        differ += fabsf(g - p) > 0.1f;
    }
    CHECK(ok, "damped iteration: h_0 (%g, %g | %g, %g), h_1 (%g, %g | %g, %g); by hand (3.8, 0.3 "
              "| 3.8, 0.3), (3.4, 0.6 | 2.7, 2.7)",
          got[0][0][0], got[0][0][1], got[0][1][0], got[0][1][1], got[1][0][0], got[1][0][1],
          got[1][1][0], got[1][1][1]);
    CHECK(ok0, "undamped iteration: h_0 (%g, %g), h_1 (%g, %g | %g, %g); by hand (5, 0), (4, 0 "
               "| 3, 3)",
          plain[0][0][0], plain[0][0][1], plain[1][0][0], plain[1][0][1], plain[1][1][0],
          plain[1][1][1]);
    CHECK(differ == 8, "negative control: only %d of the 8 numbers change without damping",
          differ);
    const double g0 = (double)got[0][0][0] * got[0][0][0] + (double)got[0][0][1] * got[0][0][1];
    const double g1 = (double)got[1][0][0] * got[1][0][0] + (double)got[1][0][1] * got[1][0][1];
    CHECK(fabs(g0 - 14.53) < 1e-4 && fabs(g1 - 11.92) < 1e-4,
          "goodness of the positive row %.6g, %.6g; by hand 14.53, 11.92", g0, g1);
}

/* ---- (b) the reference dynamics, and the local gradient ---- */

typedef struct {
    size_t H, K, D, head_from, N[MAXL], above[MAXL], fan[MAXL];
    double U[MAXL][MAXP], b[MAXL][MAXN], T[MAXL][MAXP];
} ref_net;

typedef struct {
    double xn[MAXD], lab[MAXK];
    double h[MAXL][MAXN], y[MAXL][MAXN];
    double u[MAXL][MAXN]; /* the damped pre-activation (damp_input) */
} ref_row;

static void ref_from(ref_net *rn, const ff_rec *rec)
{
    const ff_net *net = rec->net;
    memset(rn, 0, sizeof *rn);
    rn->H = net->n_layers, rn->K = net->n_classes, rn->D = net->layer[0].n_in;
    rn->head_from = net->head_from;
    for (size_t l = 0; l < rn->H; l++) {
        const ff_layer *L = &net->layer[l];
        rn->N[l] = L->n_out, rn->above[l] = rec->above[l], rn->fan[l] = L->fan_in;
        for (size_t i = 0; i < L->fan_in * L->oc; i++)
            rn->U[l][i] = L->w[i];
        for (size_t j = 0; j < L->oc; j++)
            rn->b[l][j] = L->b[j];
        for (size_t i = 0; i < rec->above[l] * L->oc; i++)
            rn->T[l][i] = rec->down[l][i];
    }
}

/* out = v / (exp(-100) + sqrt(mean v^2)) */
static void ref_rms(double *out, const double *v, size_t n)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += v[i] * v[i];
    const double s = exp(-100.0) + sqrt(ss / (double)n);
    for (size_t i = 0; i < n; i++)
        out[i] = v[i] / s;
}

/* z_l = b + below U + above T (top: optional, `top` 0 leaves it out) */
static void ref_z(const ref_net *rn, size_t l, const ref_row *r, const double *U, const double *b,
                  const double *T, int top, double *z)
{
    const double *below = l ? r->y[l - 1] : r->xn;
    const double *above = l + 1 < rn->H ? r->y[l + 1] : r->lab;
    const size_t N = rn->N[l];
    for (size_t j = 0; j < N; j++) {
        double s = b[j];
        for (size_t i = 0; i < rn->fan[l]; i++)
            s += below[i] * U[i * N + j];
        for (size_t a = 0; top && a < rn->above[l]; a++)
            s += above[a] * T[a * N + j];
        z[j] = s;
    }
}

/* time 0 of image x with `label` at the top */
static void ref_bottom_up(const ref_net *rn, ref_row *r, const float *x, int label)
{
    double v[MAXD];
    for (size_t i = 0; i < rn->D; i++)
        v[i] = x[i];
    ref_rms(r->xn, v, rn->D);
    double onehot[MAXK] = {0};
    onehot[label] = 1.0;
    ref_rms(r->lab, onehot, rn->K);
    for (size_t l = 0; l < rn->H; l++) {
        ref_z(rn, l, r, rn->U[l], rn->b[l], rn->T[l], 0, r->u[l]);
        for (size_t j = 0; j < rn->N[l]; j++)
            r->h[l][j] = fmax(r->u[l][j], 0.0);
        ref_rms(r->y[l], r->h[l], rn->N[l]);
    }
}

/* Unit j's next state from its old state h, old pre-activation u and new
 * input z: damped, the state (h = d h + (1 - d) relu(z)) or with di the
 * pre-activation (u = d u + (1 - d) z, h = relu(u)). */
static double ref_damp(double d, int di, double h, double *u, double z)
{
    if (!di)
        return d * h + (1.0 - d) * fmax(z, 0.0);
    *u = d * *u + (1.0 - d) * z;
    return fmax(*u, 0.0);
}

/* one synchronous iteration: every layer from the old normalised states */
static void ref_iterate(const ref_net *rn, ref_row *r, double d, int di)
{
    double h[MAXL][MAXN];
    for (size_t l = 0; l < rn->H; l++) {
        double z[MAXN];
        ref_z(rn, l, r, rn->U[l], rn->b[l], rn->T[l], 1, z);
        for (size_t j = 0; j < rn->N[l]; j++)
            h[l][j] = ref_damp(d, di, r->h[l][j], &r->u[l][j], z[j]);
    }
    for (size_t l = 0; l < rn->H; l++) {
        memcpy(r->h[l], h[l], rn->N[l] * sizeof **h);
        ref_rms(r->y[l], r->h[l], rn->N[l]);
    }
}

static double softplus(double v)
{
    return fmax(v, 0.0) + log1p(exp(-fabs(v)));
}

/* Layer l's FF loss at the next iteration of the 2B rows (positive, then
 * negative), each part a mean over its rows, threshold its width, with
 * the parameters p = [U | b | T] and everything else of the rows held;
 * pat receives each unit's z > 0. */
static double ref_layer_loss(const ref_net *rn, size_t l, const ref_row *rows, size_t B, double d,
                             int di, const double *p, char *pat)
{
    const size_t N = rn->N[l], nu = rn->fan[l] * N;
    double loss = 0.0;
    for (size_t i = 0; i < 2 * B; i++) {
        double z[MAXN], G = 0.0;
        ref_z(rn, l, &rows[i], p, p + nu, p + nu + N, 1, z);
        for (size_t j = 0; j < N; j++) {
            double u = rows[i].u[l][j];
            const double h = ref_damp(d, di, rows[i].h[l][j], &u, z[j]);
            G += h * h;
            pat[i * N + j] = di ? u > 0.0 : z[j] > 0.0;
        }
        loss += (i < B ? softplus((double)N - G) : softplus(G - (double)N)) / (double)B;
    }
    return loss;
}

/* The library's state of layer l (2B rows) against the reference rows. */
static double state_gap(const ff_rec_trainer *t, const ref_net *rn, size_t l, const ref_row *rows,
                        size_t B)
{
    const size_t N = rn->N[l];
    double want[MAXROWS * MAXN];
    for (size_t i = 0; i < 2 * B; i++)
        for (size_t j = 0; j < N; j++)
            want[i * N + j] = rows[i].h[l][j];
    return max_rel_diff(ff_rec_state(t, l), want, 2 * B * N);
}

/* The learning iteration is t0 alone (learn_first = learn_last = t0: the
 * ones before it do not learn); lr 0, no weight cost, momentum 1/2, T = 4:
 * after ff_rec_step the smoothed gradients hold momentum (1 - momentum) / 1
 * = 1/4 of the reference-form gradient, which is half the exact one (it
 * drops d(h^2)/dh's 2). */
static void gradcheck(const char *name, size_t H, const size_t *w, float damping, int di, int t0)
{
    enum { B = 3, D = 12, K = 3, T = 4 };
    const ff_net_spec s = rec_spec(D, K, H, w, H > 1);
    ff_rec *rec = make_rec(&s, 99 + H);
    CHECK(rec != NULL, "%s: net", name);
    if (!rec)
        return;
    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff = (ff_sgd_config){0.0f, 0.5f, 0.0f};
    pc.peer_lambda = 0.0f;
    const ff_rec_config rc = {T, damping, 1, 1, 0, t0, t0, di};
    ff_rec_trainer *t = ff_rec_trainer_alloc(rec, B, &pc, &rc);
    gsl_rng *r = new_rng(7);
    float x[B * D];
    int y[B], neg[B];
    fill_uniform(x, B * D, r, 0.0, 1.0);
    for (size_t i = 0; i < B; i++) {
        y[i] = (int)gsl_rng_uniform_int(r, K);
        neg[i] = (y[i] + 1 + (int)gsl_rng_uniform_int(r, K - 1)) % K;
    }
    gsl_rng_free(r);
    ref_net rn;
    ref_from(&rn, rec);
    ref_row rows[2 * B];
    for (size_t i = 0; i < 2 * B; i++)
        ref_bottom_up(&rn, &rows[i], x + (i % B) * D, i < B ? y[i] : neg[i - B]);
    int ok = t && ff_rec_bottom_up(rec, t, x, B) == FF_SUCCESS;
    for (int it = 1; ok && it < t0; it++) {
        ok &= ff_rec_iterate(rec, t, y, neg, B) == FF_SUCCESS;
        for (size_t i = 0; i < 2 * B; i++)
            ref_iterate(&rn, &rows[i], damping, di);
    }
    double loss[FF_MAX_LAYERS];
    ok = ok && ff_rec_iterate(rec, t, y, neg, B) == FF_SUCCESS &&
         ff_rec_step(rec, t, 1.0f, loss) == FF_SUCCESS;
    CHECK(ok, "%s: the library's passes", name);
    if (!ok) {
        ff_rec_trainer_free(t);
        free_rec(rec);
        return;
    }
    /* the rows after t0 iterations, for the dynamics */
    ref_row after[2 * B];
    memcpy(after, rows, sizeof rows);
    ref_row other[2 * B]; /* the other damping's (the negative control) */
    memcpy(other, rows, sizeof rows);
    for (size_t i = 0; i < 2 * B; i++) {
        ref_iterate(&rn, &after[i], damping, di);
        ref_iterate(&rn, &other[i], damping, !di);
    }
    double other_gap = 0.0;
    for (size_t l = 0; l < H; l++) {
        const double gap = state_gap(t, &rn, l, after, B);
        CHECK(gap <= 1e-5, "%s: layer %zu's state after %d iterations off the reference by %.3g",
              name, l, t0, gap);
        other_gap = fmax(other_gap, state_gap(t, &rn, l, other, B));
    }
    if (damping > 0.0f)
        CHECK(other_gap > 1e-3, "%s: negative control: the other damping's states match (%.3g)",
              name, other_gap);

    const ff_net *net = rec->net;
    for (size_t l = 0; l < H; l++) {
        const size_t N = rn.N[l], nu = rn.fan[l] * N, nt = rn.above[l] * N, np = nu + N + nt;
        double p[MAXP + MAXN + MAXP], fd[MAXP + MAXN + MAXP];
        float got[MAXP + MAXN + MAXP];
        memcpy(p, rn.U[l], nu * sizeof *p);
        memcpy(p + nu, rn.b[l], N * sizeof *p);
        memcpy(p + nu + N, rn.T[l], nt * sizeof *p);
        const float *mu = net->m + ff_net_param_offset(net, l);
        for (size_t i = 0; i < nu + N; i++)
            got[i] = 8.0f * mu[i]; /* 4 x, and x 2 for the exact gradient */
        for (size_t i = 0; i < nt; i++)
            got[nu + N + i] = 8.0f * rec->down_m[l][i];
        char pat0[2 * B * MAXN], pat1[2 * B * MAXN], pat2[2 * B * MAXN];
        const double l0 = ref_layer_loss(&rn, l, rows, B, damping, di, p, pat0);
        size_t kinks = 0;
        for (size_t i = 0; i < np; i++) {
            const double keep = p[i], h = 1e-6 * fmax(1.0, fabs(keep));
            p[i] = keep + h;
            const double lp = ref_layer_loss(&rn, l, rows, B, damping, di, p, pat1);
            p[i] = keep - h;
            const double lm = ref_layer_loss(&rn, l, rows, B, damping, di, p, pat2);
            p[i] = keep;
            fd[i] = (lp - lm) / (2.0 * h);
            if (memcmp(pat0, pat1, 2 * B * N) || memcmp(pat0, pat2, 2 * B * N)) {
                fd[i] = got[i]; /* a ReLU's kink, not the gradient: not judged */
                kinks++;
            }
        }
        double worst;
        const size_t bad = grad_mismatches(got, fd, np, GRAD_RTOL, GRAD_ATOL, &worst);
        CHECK(bad == 0 && kinks * 8 <= np,
              "%s, layer %zu at iteration %d: %zu of %zu entries off the finite differences "
              "(worst %.3g), %zu at kinks",
              name, l, t0, bad, np, worst, kinks);
        CHECK(rejects_corruption(got, fd, np), "%s, layer %zu: the check cannot fail", name, l);
        CHECK(isfinite(l0) && loss[l] > 0.0, "%s, layer %zu: loss %g", name, l, loss[l]);
    }
    ff_rec_trainer_free(t);
    free_rec(rec);
}

static void test_gradients(void)
{
    const size_t w2[2] = {5, 4}, w3[3] = {5, 4, 3};
    gradcheck("2 layers, damping 0.3", 2, w2, 0.3f, 0, 3);
    gradcheck("3 layers, damping 0.3", 3, w3, 0.3f, 0, 3);
    gradcheck("2 layers, no damping", 2, w2, 0.0f, 0, 2);
    gradcheck("1 layer, damping 0.5", 1, w2, 0.5f, 0, 1);
    gradcheck("2 layers, damped input 0.3", 2, w2, 0.3f, 1, 3);
    gradcheck("3 layers, damped input 0.3", 3, w3, 0.3f, 1, 3);
    gradcheck("1 layer, damped input 0.5", 1, w2, 0.5f, 1, 2);
}

/* ---- (c) the readout ---- */

/* 1x2 images, K = 2 labels, one hidden layer of two units (it reads the
 * image and the label directly, so its input is the same at every step):
 *   x = (1, 1), normalised (1, 1); U = [.5 0; .5 0], b = 0: time 0 h = (1, 0);
 *   the label normalised: sqrt(2) at the label; T = [0 0; -sqrt2 1.2/sqrt2]:
 *   label 0: relu((1, 0)) = (1, 0): h(t) = (1, 0), goodness 1 at every t;
 *   label 1: relu((1, 0) + (-2, 1.2)) = (0, 1.2): h(t) = (.3^t, 1.2 (1 - .3^t)),
 *   goodness .3^2t + 1.44 (1 - .3^t)^2: t = 1 .7956, 2 1.200564,
 *   3 1.36401876, 4 1.4168320884, 5 1.433016008.
 * Averaged over 3..5 (the paper's): label 1 (1.40462229 > 1); over 1..1:
 * label 0 (.7956 < 1); over 1..2: label 0 (.998082 < 1); over 1..3: label 1
 * (1.12006092); over 0..0: a tie (1, 1), the first label, 0. */
static void test_readout_constructed(void)
{
    const size_t w[1] = {2};
    const ff_net_spec s = rec_spec(2, 2, 1, w, 0);
    ff_net *net = NULL;
    ff_rec *rec = NULL;
    CHECK(ff_net_alloc(&net, &s) == FF_SUCCESS && ff_rec_alloc(&rec, net) == FF_SUCCESS,
          "the constructed net");
    if (!rec) {
        ff_net_free(net);
        return;
    }
    const float u[4] = {0.5f, 0, 0.5f, 0}, b[2] = {0, 0};
    set_layer(&net->layer[0], u, b);
    const float tw[4] = {0, 0, (float)(-2.0 / sqrt(2.0)), (float)(1.2 / sqrt(2.0))};
    memcpy(rec->down[0], tw, sizeof tw);
    ff_rec_eval_workspace *ws = ff_rec_eval_workspace_alloc(rec, 2);
    static const struct {
        int first, last;
        double g0, g1;
        int pick;
    } c[] = {
        {3, 5, 1.0, 1.404622285452, 1}, {1, 1, 1.0, 0.7956, 0}, {1, 2, 1.0, 0.998082, 0},
        {1, 3, 1.0, 1.12006092, 1},     {0, 0, 1.0, 1.0, 0},
    };
    const float x[2] = {1, 1};
    const int y = 1;
    for (size_t i = 0; ws && i < sizeof c / sizeof *c; i++) {
        const ff_rec_config rc = {8, 0.3f, c[i].first, c[i].last, 0, 0, 0, 0};
        double g[2] = {0, 0};
        ff_eval_result res;
        CHECK(ff_rec_goodness(rec, ws, g, x, 1, &rc) == FF_SUCCESS &&
                  fabs(g[0] - c[i].g0) <= 1e-5 && fabs(g[1] - c[i].g1) <= 1e-5,
              "readout over %d..%d: goodness %.9g, %.9g; by hand %.9g, %.9g", c[i].first,
              c[i].last, g[0], g[1], c[i].g0, c[i].g1);
        CHECK(ff_rec_eval(rec, ws, x, &y, 1, &rc, &res) == FF_SUCCESS &&
                  res.goodness_acc == (c[i].pick == y ? 1.0 : 0.0),
              "readout over %d..%d picks %s label %d", c[i].first, c[i].last,
              res.goodness_acc == 1.0 ? "label 1, not" : "another label than", c[i].pick);
    }
    CHECK(ws != NULL, "eval workspace");
    ff_rec_eval_workspace_free(ws);
    ff_rec_free(rec);
    ff_net_free(net);
}

/* Brute force, in double: g (n, K) averaged over first..last, summed over
 * the layers of c->readout_layers (0: head_from on); per layer the FF loss
 * under the true label (mean over the images); predictions. */
static void ref_readout(const ref_net *rn, const float *x, const int *y, size_t n,
                        const ff_rec_config *c, double *g, double *loss, int *pred, size_t *ties)
{
    const int steps = c->readout_last - c->readout_first + 1;
    memset(loss, 0, rn->H * sizeof *loss);
    *ties = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < rn->K; k++) {
            ref_row r;
            ref_bottom_up(rn, &r, x + i * rn->D, (int)k);
            double sum = 0.0;
            for (int t = 0; t <= c->readout_last; t++) {
                if (t > 0)
                    ref_iterate(rn, &r, c->damping, c->damp_input);
                if (t < c->readout_first)
                    continue;
                for (size_t l = 0; l < rn->H; l++) {
                    double G = 0.0;
                    for (size_t j = 0; j < rn->N[l]; j++)
                        G += r.h[l][j] * r.h[l][j];
                    if (c->readout_layers ? c->readout_layers >> l & 1u : l >= rn->head_from)
                        sum += G;
                    if ((int)k == y[i])
                        loss[l] += softplus((double)rn->N[l] - G) / steps / (double)n;
                }
            }
            g[i * rn->K + k] = sum / steps;
        }
        size_t best = 0;
        for (size_t k = 1; k < rn->K; k++)
            if (g[i * rn->K + k] > g[i * rn->K + best])
                best = k;
        pred[i] = (int)best;
        const double *gi = g + i * rn->K;
        for (size_t k = 0; k < rn->K; k++)
            *ties += k != best && gi[best] - gi[k] <= 1e-5 * gi[best];
    }
}

/* n images of d pixels uniform in [0, 1) and labels uniform in 0..K-1,
 * from a generator seeded with seed (pixels first, then labels). */
static void random_batch(float *x, int *y, size_t n, size_t d, size_t K, unsigned long seed)
{
    gsl_rng *r = new_rng(seed);
    fill_uniform(x, n * d, r, 0.0, 1.0);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)gsl_rng_uniform_int(r, K);
    gsl_rng_free(r);
}

static void test_readout_reference(void)
{
    enum { N = 7, D = 12, K = 3 };
    const size_t w[2] = {5, 4};
    const ff_net_spec s = rec_spec(D, K, 2, w, 1);
    ff_rec *rec = make_rec(&s, 5);
    CHECK(rec != NULL, "readout: net");
    if (!rec)
        return;
    float x[N * D];
    int y[N];
    random_batch(x, y, N, D, K, 11);
    ref_net rn;
    ref_from(&rn, rec);
    const ff_rec_config c = {8, 0.3f, 2, 4, 0, 0, 0, 0};
    double g[N * K], want[N * K], loss[MAXL];
    int pred[N];
    size_t ties;
    ref_readout(&rn, x, y, N, &c, want, loss, pred, &ties);
    /* passes of 2 images (cap 6): 2 + 2 + 2 + 1 */
    ff_rec_eval_workspace *ws = ff_rec_eval_workspace_alloc(rec, 6);
    CHECK(ws && ff_rec_goodness(rec, ws, g, x, N, &c) == FF_SUCCESS, "ff_rec_goodness runs");
    float gf[N * K];
    for (size_t i = 0; i < N * K; i++)
        gf[i] = (float)g[i];
    CHECK(max_rel_diff(gf, want, N * K) <= 1e-5,
          "ff_rec_goodness off the reference by %.3g (relative)", max_rel_diff(gf, want, N * K));
    size_t right = 0;
    for (size_t i = 0; i < N; i++)
        right += pred[i] == y[i];
    ff_eval_result res;
    CHECK(ws && ff_rec_eval(rec, ws, x, y, N, &c, &res) == FF_SUCCESS && res.n == N,
          "ff_rec_eval runs");
    if (ws) {
        CHECK(fabs(res.goodness_acc * N - (double)right) <= (double)ties + 0.5,
              "goodness accuracy %.4f, the reference's %zu of %d (%zu near-ties)",
              res.goodness_acc, right, N, ties);
        double lf = 0.0;
        for (size_t l = 0; l < 2; l++)
            lf = fmax(lf, fabs(res.loss[l] - loss[l]) / loss[l]);
        CHECK(lf <= 1e-5, "FF losses under the true label off the reference by %.3g", lf);
        /* the softmax readout is the plain net's, from ff_eval */
        ff_eval_workspace *ews = ff_eval_workspace_alloc(rec->net, 6);
        const ff_eval_config pc = {.target = 1, .readout = 1, .theta_width = 1};
        ff_eval_result plain;
        CHECK(ews && ff_eval(rec->net, ews, x, y, N, &pc, &plain) == FF_SUCCESS &&
                  plain.softmax_acc == res.softmax_acc && plain.head_loss == res.head_loss,
              "the softmax readout is not ff_eval's on the net");
        ff_eval_workspace_free(ews);
    }
    /* a wider window of passes: the same values */
    ff_rec_eval_workspace *big = ff_rec_eval_workspace_alloc(rec, 30);
    double g2[N * K];
    CHECK(big && ff_rec_goodness(rec, big, g2, x, N, &c) == FF_SUCCESS &&
              max_rel_diff(gf, g2, N * K) <= 1e-6,
          "passes of 10 images: goodness off passes of 2 by %.3g", max_rel_diff(gf, g2, N * K));
    ff_rec_eval_workspace_free(big);
    /* the readout's layers chosen (masks 1, 2, 3): layer 0 alone, layer 1
     * alone (the default here, head_from 1), both; a layer the net lacks is
     * refused */
    for (unsigned layers = 1; ws && layers <= 3; layers++) {
        const ff_rec_config cl = {8, 0.3f, 2, 4, layers, 0, 0, 0};
        ref_readout(&rn, x, y, N, &cl, want, loss, pred, &ties);
        CHECK(ff_rec_goodness(rec, ws, g, x, N, &cl) == FF_SUCCESS, "readout_layers %u runs",
              layers);
        for (size_t i = 0; i < N * K; i++)
            gf[i] = (float)g[i];
        CHECK(max_rel_diff(gf, want, N * K) <= 1e-5,
              "readout_layers %u: goodness off the reference by %.3g", layers,
              max_rel_diff(gf, want, N * K));
        if (layers == 2)
            CHECK(max_rel_diff(gf, g2, N * K) <= 1e-6,
                  "readout_layers 2 is not the default (layer 1)");
        if (layers == 1)
            CHECK(max_rel_diff(gf, g2, N * K) > 1e-3, "layer 0 alone reads as layer 1 alone");
    }
    const ff_rec_config none = {8, 0.3f, 2, 4, 4, 0, 0, 0};
    CHECK(ws && ff_rec_goodness(rec, ws, g, x, N, &none) == FF_EINVAL &&
              ff_rec_eval(rec, ws, x, y, N, &none, &res) == FF_EINVAL,
          "a readout of layer 2 of a net of 2 layers");
    /* a NaN weight (as a failed product leaves its output): an error, not
     * a readout whose every comparison fails */
    float *nan_at = &rec->net->layer[1].w[2];
    const float keep = *nan_at;
    *nan_at = NAN;
    CHECK(ws && ff_rec_goodness(rec, ws, g, x, N, &c) == FF_ENONFINITE &&
              ff_rec_eval(rec, ws, x, y, N, &c, &res) == FF_ENONFINITE,
          "a NaN weight: the readout not refused");
    *nan_at = keep;
    ff_rec_eval_workspace_free(ws);
    free_rec(rec);
}

/* ---- (d) iterations 0 ---- */

static void test_iterations_zero(void)
{
    enum { N = 9, D = 12, K = 3 };
    const size_t w[2] = {6, 5};
    const ff_net_spec s = rec_spec(D, K, 2, w, 0);
    ff_rec *rec = make_rec(&s, 21);
    CHECK(rec != NULL, "iterations 0: net");
    if (!rec)
        return;
    float x[N * D];
    int y[N];
    random_batch(x, y, N, D, K, 12);
    const ff_rec_config c = {0, 0.3f, 0, 0, 0, 0, 0, 0};
    ff_rec_eval_workspace *ws = ff_rec_eval_workspace_alloc(rec, 9);
    double g[N * K];
    CHECK(ws && ff_rec_goodness(rec, ws, g, x, N, &c) == FF_SUCCESS, "iterations 0: goodness");
    /* the plain net's goodness: every layer forward on the normalised
     * image, ReLU, RMS; no label anywhere */
    ref_net rn;
    ref_from(&rn, rec);
    double want[N * K];
    float gf[N * K];
    int same = 1;
    for (size_t i = 0; i < N; i++) {
        ref_row rr;
        ref_bottom_up(&rn, &rr, x + i * D, 0);
        double G = 0.0;
        for (size_t l = 0; l < 2; l++)
            for (size_t j = 0; j < w[l]; j++)
                G += rr.h[l][j] * rr.h[l][j];
        for (size_t k = 0; k < K; k++) {
            want[i * K + k] = G;
            gf[i * K + k] = (float)g[i * K + k];
            same &= g[i * K + k] == g[i * K];
        }
    }
    CHECK(same, "iterations 0: the labels' goodness differ, yet none reaches time 0");
    CHECK(max_rel_diff(gf, want, N * K) <= 1e-5,
          "iterations 0: goodness off the plain bottom-up net's by %.3g",
          max_rel_diff(gf, want, N * K));
    ff_eval_result res, plain;
    ff_eval_workspace *ews = ff_eval_workspace_alloc(rec->net, 9);
    const ff_eval_config pc = {.target = 1, .readout = 1, .theta_width = 1};
    CHECK(ws && ews && ff_rec_eval(rec, ws, x, y, N, &c, &res) == FF_SUCCESS &&
              ff_eval(rec->net, ews, x, y, N, &pc, &plain) == FF_SUCCESS,
          "iterations 0: the evaluations");
    if (ws && ews) {
        size_t zero = 0;
        for (size_t i = 0; i < N; i++)
            zero += y[i] == 0;
        CHECK(fabs(res.loss[0] - plain.loss[0]) <= 1e-5 * plain.loss[0] &&
                  fabs(res.loss[1] - plain.loss[1]) <= 1e-5 * plain.loss[1],
              "iterations 0: FF losses %.9g, %.9g; ff_eval on the net %.9g, %.9g", res.loss[0],
              res.loss[1], plain.loss[0], plain.loss[1]);
        CHECK(res.goodness_acc * N == (double)zero,
              "iterations 0: a tie among all labels picks the first (accuracy %g, %zu of %d "
              "images are label 0)",
              res.goodness_acc, zero, N);
    }
    ff_eval_workspace_free(ews);
    ff_rec_eval_workspace_free(ws);
    free_rec(rec);
}

/* ---- (e) refusals and the checkpoint section ---- */

static void test_refusals(void)
{
    const size_t w[2] = {4, 3};
    ff_net_spec s = rec_spec(6, 3, 2, w, 1);
    ff_net *net = NULL;
    ff_rec *rec = NULL;
    s.norm = FF_NORM_L2;
    CHECK(ff_net_alloc(&net, &s) == FF_SUCCESS && ff_rec_alloc(&rec, net) == FF_EINVAL && !rec,
          "ff_rec_alloc takes a net with L2 normalisation");
    ff_net_free(net);
    s.norm = FF_NORM_RMS, s.normalize_input = 0;
    CHECK(ff_net_alloc(&net, &s) == FF_SUCCESS && ff_rec_alloc(&rec, net) == FF_EINVAL,
          "ff_rec_alloc takes a net whose input is not normalised");
    ff_net_free(net);
    s = rec_spec(6, 3, 2, w, 1);
    s.ih = 2, s.iw = 3;
    s.layer[0] = (ff_layer_spec){.kind = FF_LAYER_CONV2D, .units = 4, .kh = 2, .kw = 2};
    CHECK(ff_net_alloc(&net, &s) == FF_SUCCESS && ff_rec_alloc(&rec, net) == FF_EINVAL,
          "ff_rec_alloc takes a conv2d layer");
    ff_net_free(net);

    static const ff_rec_config bad[] = {
        {8, 0.3f, 4, 3, 0, 0, 0, 0}, {8, 0.3f, 3, 9, 0, 0, 0, 0},  {8, 0.3f, -1, 5, 0, 0, 0, 0},
        {8, 1.5f, 3, 5, 0, 0, 0, 0}, {8, -0.1f, 3, 5, 0, 0, 0, 0}, {8, 0.3f, 3, 5, 0, -1, 0, 0},
        {8, 0.3f, 3, 5, 0, 0, 9, 0}, {8, 0.3f, 3, 5, 0, 0, 0, 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(ff_rec_config_check(&bad[i]) == FF_EINVAL, "config %zu is accepted", i);
    const ff_rec_config good = FF_REC_DEFAULTS;
    CHECK(ff_rec_config_check(&good) == FF_SUCCESS && good.iterations == 8 &&
              good.damping == 0.3f && good.readout_first == 3 && good.readout_last == 5,
          "FF_REC_DEFAULTS are not the paper's 8 iterations, damping 0.3, readout 3..5");

    rec = make_rec(&(ff_net_spec){0}, 1); /* no such net */
    CHECK(rec == NULL, "an empty spec built a net");
    s = rec_spec(6, 3, 2, w, 1);
    rec = make_rec(&s, 3);
    if (!rec)
        return;
    const ff_paper_config pc = FF_PAPER_DEFAULTS;
    const ff_rec_config zero = {0, 0.3f, 0, 0, 0, 0, 0, 0};
    CHECK(ff_rec_trainer_alloc(rec, 2, &pc, &zero) == NULL, "a trainer of 0 iterations");
    CHECK(ff_rec_trainer_alloc(rec, 0, &pc, &good) == NULL, "a trainer of capacity 0");
    const ff_rec_config late = {8, 0.3f, 3, 5, 0, 9, 0, 0}, crossed = {8, 0.3f, 3, 5, 0, 3, 2, 0};
    CHECK(ff_rec_trainer_alloc(rec, 2, &pc, &late) == NULL &&
              ff_rec_trainer_alloc(rec, 2, &pc, &crossed) == NULL,
          "a trainer of learning iterations 9 .. 8, or 3 .. 2");
    /* 3 iterations, of which 2 and 3 learn */
    const ff_rec_config two = {3, 0.3f, 3, 3, 0, 2, 3, 0};
    ff_rec_trainer *t = ff_rec_trainer_alloc(rec, 2, &pc, &two);
    CHECK(t != NULL, "trainer");
    if (t) {
        const float x[12] = {1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1};
        const int y[2] = {0, 1}, neg[2] = {2, 0}, bad_neg[2] = {2, 3};
        double loss[FF_MAX_LAYERS + 1];
        CHECK(ff_rec_iterate(rec, t, y, neg, 2) == FF_EINVAL, "an iteration before time 0");
        CHECK(ff_rec_train_head(rec, t, y, 2, 1.0f, loss) == FF_EINVAL,
              "the head's step before time 0");
        CHECK(ff_rec_step(rec, t, 1.0f, loss) == FF_EINVAL, "a step before time 0");
        CHECK(ff_rec_bottom_up(rec, t, x, 0) == FF_EINVAL &&
                  ff_rec_bottom_up(rec, t, x, 3) == FF_EINVAL,
              "a bottom-up pass of 0 or more than cap images");
        CHECK(ff_rec_bottom_up(rec, t, x, 2) == FF_SUCCESS, "bottom-up pass");
        CHECK(ff_rec_iterate(rec, t, y, neg, 1) == FF_EINVAL,
              "an iteration of another batch size");
        CHECK(ff_rec_iterate(rec, t, y, bad_neg, 2) == FF_EINVAL, "a label out of range");
        CHECK(ff_rec_train_head(rec, t, y, 2, 1.0f, loss) == FF_SUCCESS &&
                  ff_rec_train_head(rec, t, y, 2, 1.0f, loss) == FF_EINVAL,
              "the head's step twice on one pass");
        CHECK(ff_rec_iterate(rec, t, y, neg, 2) == FF_SUCCESS &&
                  ff_rec_step(rec, t, 1.0f, loss) == FF_EINVAL,
              "a step after an iteration that did not learn");
        CHECK(ff_rec_iterate(rec, t, y, neg, 2) == FF_SUCCESS &&
                  ff_rec_step(rec, t, 1.0f, loss) == FF_EINVAL,
              "a step before the last learning iteration");
        CHECK(ff_rec_iterate(rec, t, y, neg, 2) == FF_SUCCESS &&
                  ff_rec_step(rec, t, 1.0f, loss) == FF_SUCCESS &&
                  ff_rec_step(rec, t, 1.0f, loss) == FF_EINVAL,
              "two steps on one batch");
        CHECK(ff_rec_bottom_up(rec, t, x, 2) == FF_SUCCESS &&
                  ff_rec_iterate(rec, t, y, neg, 2) == FF_SUCCESS &&
                  ff_rec_train_head(rec, t, y, 2, 1.0f, loss) == FF_EINVAL,
              "the head's step after an iteration (its pass is overwritten)");
        CHECK(ff_rec_iterate(rec, t, y, neg, 2) == FF_SUCCESS &&
                  ff_rec_iterate(rec, t, y, neg, 2) == FF_SUCCESS &&
                  ff_rec_iterate(rec, t, y, neg, 2) == FF_EINVAL &&
                  ff_rec_step(rec, t, 1.0f, loss) == FF_SUCCESS,
              "a fourth iteration of three accepted, or the step after its refusal refused");
    }
    ff_rec_trainer_free(t);
    ff_rec_eval_workspace *ws = ff_rec_eval_workspace_alloc(rec, 6);
    double g[6];
    const float x[6] = {0};
    CHECK(ws && ff_rec_goodness(rec, ws, g, x, 0, &good) == FF_EINVAL &&
              ff_rec_goodness(rec, ws, g, x, 1, &bad[0]) == FF_EINVAL,
          "a readout of no image, or over an empty window");
    ff_rec_eval_workspace_free(ws);

    CHECK(ff_rec_nonfinite(rec) == -1, "finite weights called not finite");
    rec->down[1][2] = NAN;
    CHECK(ff_rec_nonfinite(rec) == 1, "a NaN top-down weight of layer 2 not found");
    rec->down[1][2] = 0.5f;

    /* the checkpoint section, written and read back */
    char path[] = "/tmp/test_recurrent.XXXXXX";
    const int fd = mkstemp(path);
    CHECK(fd >= 0, "a temporary file");
    if (fd < 0) {
        free_rec(rec);
        return;
    }
    close(fd);
    rec->m[3] = 0.25f; /* the optimiser state travels too */
    ff_ckpt_section sec[3];
    const size_t n_net = ff_ckpt_net_sections(rec->net, FF_OPT_SGD, sec); /* PARM MOMT */
    sec[n_net] = ff_rec_section(rec);
    ff_rec *back = make_rec(&s, 4), *other = NULL;
    const size_t w2[2] = {4, 4};
    const ff_net_spec s2 = rec_spec(6, 3, 2, w2, 1);
    other = make_rec(&s2, 4);
    ff_ckpt *c = NULL, *c1 = NULL;
    CHECK(ff_ckpt_write(path, &rec->net->spec, "test", 0, sec, n_net + 1) == FF_SUCCESS &&
              ff_ckpt_load(&c, path) == FF_SUCCESS,
          "checkpoint written and read");
    if (c && back && other) {
        CHECK(ff_rec_restore(c, back) == FF_SUCCESS &&
                  !memcmp(back->w, rec->w, 2 * rec->n_down * sizeof *rec->w),
              "the top-down weights and their state come back");
        CHECK(ff_rec_restore(c, other) == FF_ECKPT_MISMATCH,
              "another net's top-down weights restored");
    }
    CHECK(ff_ckpt_write(path, &rec->net->spec, "test", 0, sec, n_net) == FF_SUCCESS &&
              ff_ckpt_load(&c1, path) == FF_SUCCESS && back &&
              ff_rec_restore(c1, back) == FF_ECKPT_SECTION,
          "a checkpoint without the section restored");
    ff_ckpt_free(c1);
    ff_ckpt_free(c);
    remove(path);
    free_rec(other);
    free_rec(back);
    free_rec(rec);
}

/* ---- (f) learning, reproducibility, threads ---- */

enum { NC = 10, DIM = 36 };

/* class c: a random binary pattern at 0.8 plus U(0, 0.2) noise */
static void make_prototypes(float proto[NC][DIM], gsl_rng *r)
{
    for (int c = 0; c < NC; c++)
        for (size_t j = 0; j < DIM; j++)
            proto[c][j] = gsl_rng_uniform(r) < 0.5 ? 0.8f : 0.0f;
}

static void sample(float *x, int *y, size_t n, const float proto[NC][DIM], gsl_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)gsl_rng_uniform_int(r, NC);
        for (size_t j = 0; j < DIM; j++)
            x[i * DIM + j] = proto[y[i]][j] + (float)(0.2 * gsl_rng_uniform(r));
    }
}

/* A fresh net (seed 2024) trained for `batches` batches of B as the
 * program does: time 0, hard negatives (from neg_seed), the head's step,
 * T iterations that learn, the layers' step.  *first, *last: the summed
 * FF losses per image of the first and the last batch. */
static ff_rec *train(const ff_paper_config *pc, const ff_rec_config *rc, size_t width,
                     const float *x, const int *y, size_t n, size_t B, size_t batches,
                     unsigned long neg_seed, double *first, double *last)
{
    const size_t w[2] = {width, width};
    ff_net_spec s = rec_spec(DIM, NC, 2, w, 0);
    ff_rec *rec = make_rec(&s, 2024);
    ff_rec_trainer *t = rec ? ff_rec_trainer_alloc(rec, B, pc, rc) : NULL;
    if (!t) {
        free_rec(rec);
        return NULL;
    }
    gsl_rng *r = new_rng(neg_seed);
    int *neg = ff_rec_neg_labels(t);
    double loss[FF_MAX_LAYERS + 1];
    for (size_t b = 0; b < batches; b++) {
        const size_t i = b % (n / B) * B;
        int ok = ff_rec_bottom_up(rec, t, x + i * DIM, B) == FF_SUCCESS;
        ff_neg_labels_hard(neg, ff_rec_logits(t), y + i, B, NC, r);
        ok &= ff_rec_train_head(rec, t, y + i, B, 1.0f, loss) == FF_SUCCESS;
        for (int it = 0; it < rc->iterations; it++)
            ok &= ff_rec_iterate(rec, t, y + i, neg, B) == FF_SUCCESS;
        ok &= ff_rec_step(rec, t, 1.0f, loss) == FF_SUCCESS;
        if (!ok) {
            free_rec(rec);
            rec = NULL;
            break;
        }
        const double sum = (loss[0] + loss[1]) / (double)B;
        if (b == 0)
            *first = sum;
        *last = sum;
    }
    gsl_rng_free(r);
    ff_rec_trainer_free(t);
    return rec;
}

static int same_bits(const ff_rec *a, const ff_rec *b)
{
    return !memcmp(a->net->params, b->net->params, 2 * a->net->n_params * sizeof(float)) &&
           !memcmp(a->w, b->w, 2 * a->n_down * sizeof(float));
}

static void test_learning(void)
{
    enum { NTRAIN = 500, NTEST = 300, B = 25, BATCHES = 300 };
    static float xtr[NTRAIN * DIM], xte[NTEST * DIM];
    static int ytr[NTRAIN], yte[NTEST];
    float proto[NC][DIM];
    gsl_rng *r = new_rng(31337);
    make_prototypes(proto, r);
    sample(xtr, ytr, NTRAIN, proto, r);
    sample(xte, yte, NTEST, proto, r);
    gsl_rng_free(r);
    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff.lr = 0.05f; /* 300 steps instead of the paper's 30,000 */
    const ff_rec_config rc = FF_REC_DEFAULTS;
    double first = 0, last = 0;
    ff_rec *rec = train(&pc, &rc, 40, xtr, ytr, NTRAIN, B, BATCHES, 7, &first, &last);
    CHECK(rec != NULL, "training ran");
    if (!rec)
        return;
    CHECK(last < 0.5 * first, "FF losses per image: first batch %.4g, last %.4g", first, last);
    ff_rec_eval_workspace *ws = ff_rec_eval_workspace_alloc(rec, 100);
    ff_eval_result res;
    CHECK(ws && ff_rec_eval(rec, ws, xte, yte, NTEST, &rc, &res) == FF_SUCCESS &&
              res.goodness_acc >= 0.8 && res.softmax_acc >= 0.8,
          "held-out accuracy: goodness %.3f, softmax %.3f (chance 0.1)", res.goodness_acc,
          res.softmax_acc);
    ff_rec_eval_workspace_free(ws);

    double f[3], l[3];
    ff_rec *a = train(&pc, &rc, 40, xtr, ytr, NTRAIN, B, 20, 7, &f[0], &l[0]);
    ff_rec *b = train(&pc, &rc, 40, xtr, ytr, NTRAIN, B, 20, 7, &f[1], &l[1]);
    ff_rec *o = train(&pc, &rc, 40, xtr, ytr, NTRAIN, B, 20, 8, &f[2], &l[2]);
    CHECK(a && b && o, "short training runs");
    if (a && b && o) {
        CHECK(same_bits(a, b) && l[0] == l[1], "two runs from the same seeds differ");
        CHECK(!same_bits(a, o), "another seed for the negatives gave the same net");
    }
    free_rec(o);
    free_rec(b);
    free_rec(a);

    /* in two threads, wide enough for the products to be split */
    ff_rec *th[3];
    const int threads[3] = {1, 2, 2};
    for (int i = 0; i < 3; i++) {
        ff_system_set_threads(threads[i]);
        th[i] = train(&pc, &rc, 256, xtr, ytr, NTRAIN, 100, 3, 9, &f[0], &l[0]);
    }
    ff_system_set_threads(1);
    CHECK(th[0] && th[1] && th[2], "training in 1 and 2 threads");
    if (th[0] && th[1] && th[2]) {
        CHECK(same_bits(th[1], th[2]), "two runs in 2 threads from the same seeds differ");
        double d = 0.0, scale = 0.0;
        for (size_t j = 0; j < th[0]->n_down; j++) {
            d = fmax(d, fabs(th[0]->w[j] - th[1]->w[j]));
            scale = fmax(scale, fabs(th[0]->w[j]));
        }
        CHECK(d <= 1e-4 * scale, "2 threads: top-down weights %.3g off one thread's (largest %.3g)",
              d, scale);
    }
    for (int i = 0; i < 3; i++)
        free_rec(th[i]);
    free_rec(rec);
}

/* The small net's batch of (f)'s window and (g): four images of ten
 * pixels, three classes, hidden layers of 7 and 6 units (SN in all); each
 * image's negative label the next class. */
enum { SB = 4, SD = 10, SK = 3, SN0 = 7, SN1 = 6, SN = SN0 + SN1 };
static const size_t small_w[2] = {SN0, SN1};

static void small_batch(float *x, int *y, int *neg)
{
    random_batch(x, y, SB, SD, SK, 31);
    for (size_t i = 0; i < SB; i++)
        neg[i] = (y[i] + 1) % SK;
}

/* The paper's settings but lr 0, momentum 0.5, no weight cost and no peer
 * normalisation: a step leaves the net as it was and m (1 - m) grad in the
 * smoothed gradients, grad that of the iterations alone. */
static ff_paper_config gradients_only(void)
{
    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff = (ff_sgd_config){0.0f, 0.5f, 0.0f};
    pc.peer_lambda = 0.0f;
    return pc;
}

/* The learning iterations' window: a step's smoothed gradient from
 * iterations 2 .. 3 is the mean of those from 2 alone and from 3 alone
 * (lr 0, no weight cost, no peer normalisation, whose running means would
 * carry one iteration into the next); and, a negative control, not the
 * one from 2 .. 4. */
static void test_learning_window(void)
{
    enum { B = SB, T = 4 };
    const size_t *w = small_w;
    const ff_net_spec s = rec_spec(SD, SK, 2, w, 0);
    float x[SB * SD];
    int y[SB], neg[SB];
    small_batch(x, y, neg);
    const ff_paper_config pc = gradients_only();
    const int window[4][2] = {{2, 3}, {2, 2}, {3, 3}, {2, 4}};
    ff_rec *rec[4];
    int ok = 1;
    for (int k = 0; k < 4; k++) {
        const ff_rec_config rc = {T, 0.3f, 1, 1, 0, window[k][0], window[k][1], 0};
        rec[k] = make_rec(&s, 77); /* the same net each time */
        ff_rec_trainer *t = rec[k] ? ff_rec_trainer_alloc(rec[k], B, &pc, &rc) : NULL;
        double loss[FF_MAX_LAYERS + 1];
        ok &= t && ff_rec_bottom_up(rec[k], t, x, B) == FF_SUCCESS;
        for (int it = 1; ok && it <= window[k][1]; it++)
            ok &= ff_rec_iterate(rec[k], t, y, neg, B) == FF_SUCCESS;
        ok = ok && ff_rec_step(rec[k], t, 1.0f, loss) == FF_SUCCESS;
        ff_rec_trainer_free(t);
    }
    CHECK(ok, "learning windows 2-3, 2, 3, 2-4: the passes");
    if (ok) {
        double worst = 0, off = 0;
        for (size_t l = 0; l < 2; l++) {
            const size_t o = ff_net_param_offset(rec[0]->net, l);
            const size_t n = rec[0]->net->layer[l].n_params, nd = rec[0]->above[l] * w[l];
            for (size_t j = 0; j < n + nd; j++) {
                float m[4];
                for (int k = 0; k < 4; k++)
                    m[k] = j < n ? rec[k]->net->m[o + j] : rec[k]->down_m[l][j - n];
                const double mean = 0.5 * ((double)m[1] + (double)m[2]);
                worst = fmax(worst, fabs(m[0] - mean) / fmax(1e-6, fabs(mean)));
                off = fmax(off, fabs((double)m[3] - (double)m[0]) / fmax(1e-6, fabs(m[0])));
            }
        }
        CHECK(worst < 1e-5, "iterations 2 .. 3: the mean of 2's and 3's gradients, off by %.3g",
              worst);
        CHECK(off > 1e-3, "iterations 2 .. 4 learn the same as 2 .. 3 (%.3g apart)", off);
    }
    for (int k = 0; k < 4; k++)
        free_rec(rec[k]);
}

/* ---- (g) the step's rule: momentum, weight cost, gain, peer normalisation ---- */

/* The net of seed 77 after one batch of four images whose one learning
 * iteration is the first, stepped under pc with the learning rate's gain;
 * peer (SN): the running means the iteration left, pos (SN): the mean
 * state of the positive rows it left, unit by unit. */
static ff_rec *step_once(const ff_paper_config *pc, float gain, float *peer, float *pos)
{
    const ff_net_spec s = rec_spec(SD, SK, 2, small_w, 0);
    float x[SB * SD];
    int y[SB], neg[SB];
    small_batch(x, y, neg);
    const ff_rec_config rc = {2, 0.3f, 1, 1, 0, 1, 1, 0};
    ff_rec *rec = make_rec(&s, 77);
    ff_rec_trainer *t = rec ? ff_rec_trainer_alloc(rec, SB, pc, &rc) : NULL;
    double loss[FF_MAX_LAYERS + 1];
    int ok = t && ff_rec_bottom_up(rec, t, x, SB) == FF_SUCCESS &&
             ff_rec_iterate(rec, t, y, neg, SB) == FF_SUCCESS;
    if (ok) {
        size_t n = 0;
        const float *means = ff_rec_peer_means(t, &n);
        ok = n == SN;
        memcpy(peer, means, (ok ? SN : 0) * sizeof *peer);
        for (size_t l = 0, u = 0; l < 2; u += small_w[l], l++) {
            const float *h = ff_rec_state(t, l);
            for (size_t j = 0; j < small_w[l]; j++) {
                double m = 0.0;
                for (size_t i = 0; i < SB; i++)
                    m += h[i * small_w[l] + j];
                pos[u + j] = (float)(m / SB);
            }
        }
    }
    ok = ok && ff_rec_step(rec, t, gain, loss) == FF_SUCCESS;
    ff_rec_trainer_free(t);
    if (!ok) {
        free_rec(rec);
        return NULL;
    }
    return rec;
}

/* Parameter j of layer l, its bottom-up block (weights, then biases) first,
 * then its top-down weights; *m: its smoothed gradient; *decayed: whether
 * the weight cost reaches it (not a bias). */
static float step_param(const ff_rec *rec, size_t l, size_t j, float *m, int *decayed)
{
    const ff_layer *L = &rec->net->layer[l];
    const size_t o = ff_net_param_offset(rec->net, l);
    if (j < L->n_params) {
        *m = rec->net->m[o + j], *decayed = j < L->n_weights;
        return rec->net->params[o + j];
    }
    *m = rec->down_m[l][j - L->n_params], *decayed = 1;
    return rec->down[l][j - L->n_params];
}

static size_t step_count(const ff_rec *rec, size_t l)
{
    return rec->net->layer[l].n_params + rec->above[l] * rec->net->layer[l].n_out;
}

/* One step as optim.h writes it, on U, b and T alike: from g = 0, g =
 * (1 - m) grad, p -= lr gain (g + wc p) (weights; biases without wc), g
 * left as m g; grad is read off a step with lr 0, whose g is m (1 - m)
 * grad.  As a negative control, the weight cost on the biases too must
 * miss.  Peer normalisation: the running means move once per learning
 * iteration, decay m0 + (1 - decay) (the positive rows' mean state), and
 * each bias's gradient gains lambda (mean_j - the layer's average mean),
 * as in paper.h's step (train.h). */
static void test_step_rule(void)
{
    const float mom = 0.5f, lr = 0.1f, wc = 0.1f, gain = 0.7f, lambda = 0.03f;
    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff = (ff_sgd_config){0.0f, mom, 0.0f};
    pc.peer_lambda = 0.0f;
    float peer[3][SN], pos[3][SN];
    ff_rec *g = step_once(&pc, 1.0f, peer[0], pos[0]); /* its gradient, the net unchanged */
    pc.ff = (ff_sgd_config){lr, mom, wc};
    ff_rec *st = step_once(&pc, gain, peer[1], pos[1]);
    pc.ff = (ff_sgd_config){0.0f, mom, 0.0f};
    pc.peer_lambda = lambda;
    ff_rec *pn = step_once(&pc, 1.0f, peer[2], pos[2]);
    CHECK(g && st && pn, "three steps of one batch");
    if (g && st && pn) {
        double worst = 0.0, missed = 0.0, worst_m = 0.0, worst_peer = 0.0, worst_mean = 0.0;
        for (size_t l = 0, u = 0; l < 2; u += small_w[l], l++) {
            const ff_layer *L = &g->net->layer[l];
            double avg = 0.0; /* the layer's average running mean */
            for (size_t k = 0; k < small_w[l]; k++)
                avg += peer[2][u + k];
            avg /= (double)small_w[l];
            for (size_t j = 0; j < step_count(g, l); j++) {
                float gm, sm, pm;
                int decayed;
                const double p0 = step_param(g, l, j, &gm, &decayed);
                const double grad = gm / (mom * (1.0 - mom));
                const double got = step_param(st, l, j, &sm, &decayed);
                const double want =
                    p0 - lr * gain * ((1.0 - mom) * grad + (decayed ? wc * p0 : 0.0));
                worst = fmax(worst, fabs(got - want) / fmax(fabs(want), 1e-3));
                if (!decayed)
                    missed = fmax(missed, fabs(got - (want - lr * gain * wc * p0)));
                worst_m = fmax(worst_m, fabs(sm - mom * (1.0 - mom) * grad) / fmax(fabs(gm), 1e-6));
                (void)step_param(pn, l, j, &pm, &decayed);
                if (j >= L->n_weights && j < L->n_params) { /* bias of unit b */
                    const size_t b = j - L->n_weights;
                    const double push = mom * (1.0 - mom) * lambda * (peer[2][u + b] - avg);
                    worst_peer = fmax(worst_peer, fabs((pm - gm) - push) /
                                                      fmax(fmax(fabs(gm), fabs(push)), 1e-6));
                    const double mean =
                        pc.peer_decay * pc.peer_init + (1.0 - pc.peer_decay) * pos[2][u + b];
                    worst_mean = fmax(worst_mean, fabs(peer[2][u + b] - mean));
                }
            }
        }
        CHECK(worst < 1e-5, "the step's parameters off optim.h's formula by %.3g", worst);
        CHECK(missed > 1e-4, "the weight cost reached the biases too (%.3g)", missed);
        CHECK(worst_m < 1e-5, "the smoothed gradient left, m (1 - m) grad, off by %.3g", worst_m);
        CHECK(worst_peer < 1e-4, "the biases' peer push off lambda (mean - average) by %.3g",
              worst_peer);
        CHECK(worst_mean < 1e-6, "the running means off one update from the positive rows by %.3g",
              worst_mean);
    }
    free_rec(pn);
    free_rec(st);
    free_rec(g);
}

/* ---- (h) the label's scale ---- */

/* What (h) compares: both layers' states (2 SB rows each) after the last
 * iteration, and the readout's goodness of the batch's images. */
typedef struct {
    float h0[2 * SB * SN0], h1[2 * SB * SN1];
    double g[SB * SK];
} label_seen;

/* The net of seed 77 with label scale ls after one batch of (g)'s, every
 * one of 8 iterations learning, under gradients_only (the net unchanged,
 * the gradients left in the smoothed ones); then its readout of the
 * batch.  undo: the label's weights multiplied back by ls after the init
 * (the negative control). */
static ff_rec *label_step(float ls, int undo, label_seen *seen)
{
    const ff_net_spec s = rec_spec(SD, SK, 2, small_w, 0);
    float x[SB * SD];
    int y[SB], neg[SB];
    small_batch(x, y, neg);
    const ff_paper_config pc = gradients_only();
    const ff_rec_config rc = {8, 0.3f, 3, 5, 0, 1, 8, 0};
    ff_rec *rec = make_rec_init(&s, 77, ls, 1.0f);
    if (rec && undo)
        for (size_t i = 0; i < SK * SN1; i++)
            rec->down[1][i] *= ls;
    ff_rec_trainer *t = rec ? ff_rec_trainer_alloc(rec, SB, &pc, &rc) : NULL;
    ff_rec_eval_workspace *ws = rec ? ff_rec_eval_workspace_alloc(rec, SB * SK) : NULL;
    double loss[FF_MAX_LAYERS + 1];
    int ok = t && ws && ff_rec_bottom_up(rec, t, x, SB) == FF_SUCCESS;
    for (int it = 1; ok && it <= rc.iterations; it++)
        ok = ff_rec_iterate(rec, t, y, neg, SB) == FF_SUCCESS;
    if (ok) {
        memcpy(seen->h0, ff_rec_state(t, 0), sizeof seen->h0);
        memcpy(seen->h1, ff_rec_state(t, 1), sizeof seen->h1);
    }
    ok = ok && ff_rec_step(rec, t, 1.0f, loss) == FF_SUCCESS &&
         ff_rec_goodness(rec, ws, seen->g, x, SB, &rc) == FF_SUCCESS;
    ff_rec_eval_workspace_free(ws);
    ff_rec_trainer_free(t);
    if (!ok) {
        free_rec(rec);
        return NULL;
    }
    return rec;
}

/* max |a - b| over n floats */
static double float_gap(const float *a, const float *b, size_t n)
{
    double gap = 0.0;
    for (size_t i = 0; i < n; i++)
        gap = fmax(gap, fabs((double)a[i] - b[i]));
    return gap;
}

/* How far a lies from b: the largest |difference| of a state (returned)
 * and of a goodness (*g). */
static double seen_gap(const label_seen *a, const label_seen *b, double *g)
{
    *g = 0.0;
    for (size_t i = 0; i < SB * SK; i++)
        *g = fmax(*g, fabs(a->g[i] - b->g[i]));
    return fmax(float_gap(a->h0, b->h0, 2 * SB * SN0), float_gap(a->h1, b->h1, 2 * SB * SN1));
}

/* Scale 4, a power of two, so that the products are those of scale 1 bit
 * for bit: the label times 4, its weights over 4. */
static void test_label_scale(void)
{
    const float ls = 4.0f;
    static label_seen seen[3];
    ff_rec *one = label_step(1.0f, 0, &seen[0]);
    ff_rec *four = label_step(ls, 0, &seen[1]);
    ff_rec *undone = label_step(ls, 1, &seen[2]);
    CHECK(one && four && undone, "three nets through one batch and a readout");
    if (one && four && undone) {
        size_t init = 0, lab = 0, other = 0, moved = 0;
        for (size_t l = 0; l < 2; l++)
            for (size_t j = 0; j < step_count(one, l); j++) {
                float m1, m4;
                int decayed;
                const float p1 = step_param(one, l, j, &m1, &decayed);
                const float p4 = step_param(four, l, j, &m4, &decayed);
                const int label = l == 1 && j >= one->net->layer[l].n_params;
                init += p4 * (label ? ls : 1.0f) != p1;
                lab += label && m4 != ls * m1;
                other += !label && m4 != m1;
                moved += m1 != 0.0f;
            }
        double g, g_control;
        const double state = seen_gap(&seen[1], &seen[0], &g);
        const double control = seen_gap(&seen[2], &seen[0], &g_control);
        CHECK(init == 0, "%zu weights at scale 4 not those of scale 1 (the label's over 4)", init);
        CHECK(moved > 0, "no gradient at all");
        CHECK(state == 0.0, "the states at scale 4 off scale 1's by %.3g", state);
        CHECK(lab == 0, "%zu of the label's gradients not 4 times scale 1's", lab);
        CHECK(other == 0, "%zu of the other gradients not scale 1's", other);
        CHECK(g == 0.0, "the readout's goodness at scale 4 off scale 1's by %.3g", g);
        CHECK(control > 1e-3, "without the smaller start, the same states (%.3g apart)", control);
        CHECK(g_control > 1e-3, "without the smaller start, the same goodness (%.3g apart)",
              g_control);
        const ff_paper_config pc = FF_PAPER_DEFAULTS;
        const ff_rec_config rc = FF_REC_DEFAULTS;
        const float bad[3] = {0.0f, NAN, INFINITY};
        for (int k = 0; k < 3; k++) {
            one->label_scale = bad[k];
            ff_rec_trainer *t = ff_rec_trainer_alloc(one, SB, &pc, &rc);
            CHECK(!t, "a trainer with the label scale %g", (double)bad[k]);
            ff_rec_trainer_free(t);
            ff_rec_eval_workspace *ws = ff_rec_eval_workspace_alloc(one, SK);
            float x[SD] = {0};
            double gk[SK];
            CHECK(ws && ff_rec_goodness(one, ws, gk, x, 1, &rc) == FF_EINVAL,
                  "a readout with the label scale %g not refused", (double)bad[k]);
            ff_rec_eval_workspace_free(ws);
        }
    }
    free_rec(undone);
    free_rec(four);
    free_rec(one);
}

/* Whether the readout's goodness of each image is the same under every
 * label (to 1e-12 relative), for a net drawn with down_init c; -1 if a
 * call failed. */
static int label_unread(float c, ff_rec **out)
{
    const ff_net_spec s = rec_spec(SD, SK, 2, small_w, 0);
    float x[SB * SD];
    int y[SB], neg[SB];
    small_batch(x, y, neg);
    const ff_rec_config rc = {8, 0.3f, 3, 5, 0, 1, 8, 0};
    ff_rec *rec = make_rec_init(&s, 77, 1.0f, c);
    ff_rec_eval_workspace *ws = rec ? ff_rec_eval_workspace_alloc(rec, SB * SK) : NULL;
    double g[SB * SK];
    int same = -1;
    if (ws && ff_rec_goodness(rec, ws, g, x, SB, &rc) == FF_SUCCESS) {
        same = 1;
        for (size_t i = 0; i < SB; i++)
            for (size_t k = 1; k < SK; k++)
                same &= fabs(g[i * SK + k] - g[i * SK]) <= 1e-12 * fabs(g[i * SK]);
    }
    ff_rec_eval_workspace_free(ws);
    *out = rec;
    return same;
}

/* (i) The top-down weights' start c: at 0.5 (a power of two) half of c = 1's
 * bit for bit, at 0 zero, the biases drawn after them the same (the
 * generator ends where it would); at 0 the untrained net's iterations
 * never read the label, so its readout gives every label the same
 * goodness; at 1 not (the negative control). */
static void test_top_down_init(void)
{
    ff_rec *one, *half, *zero;
    const int one_same = label_unread(1.0f, &one);
    const int half_same = label_unread(0.5f, &half);
    const int zero_same = label_unread(0.0f, &zero);
    CHECK(one && half && zero && one_same >= 0 && half_same >= 0 && zero_same >= 0,
          "three nets and their readouts");
    if (one && half && zero) {
        size_t off_half = 0, off_zero = 0, biases = 0, n = 0;
        for (size_t l = 0; l < one->n_layers; l++) {
            const ff_layer *b1 = &one->net->layer[l], *bh = &half->net->layer[l],
                           *b0 = &zero->net->layer[l];
            for (size_t i = 0; i < one->above[l] * b1->n_out; i++, n++) {
                off_half += half->down[l][i] != 0.5f * one->down[l][i];
                off_zero += zero->down[l][i] != 0.0f;
            }
            for (size_t j = 0; j < b1->n_out; j++)
                biases += bh->b[j] != b1->b[j] || b0->b[j] != b1->b[j];
        }
        CHECK(n > 0 && off_half == 0, "%zu of %zu top-down weights at 0.5 not half of 1's",
              off_half, n);
        CHECK(off_zero == 0, "%zu top-down weights at 0 not zero", off_zero);
        CHECK(biases == 0, "%zu biases drawn after the init differ: the generator moved", biases);
        CHECK(zero_same == 1, "top-down weights at zero, yet the labels' goodness differs");
        CHECK(one_same == 0, "the reference init, yet every label has the same goodness");
    }
    free_rec(zero);
    free_rec(half);
    free_rec(one);
}

int main(void)
{
    test_hand_iteration();
    test_gradients();
    test_readout_constructed();
    test_readout_reference();
    test_iterations_zero();
    test_refusals();
    test_learning();
    test_learning_window();
    test_step_rule();
    test_label_scale();
    test_top_down_init();
    return check_done();
}
