/* eval.c - FF losses and the softmax and goodness readouts over a set. */
#include "ff/eval.h"
#include "ff/error.h"
#include "ff/dataset.h"
#include "ff/objective.h"
#include "label_variants.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ff_eval_workspace {
    ff_ff_workspace *ff; /* activity buffers for the layers, as in training */
    float *zraw;         /* (cap, n_out0): layer 0 pre-activation of the batch */
    float *zbase;        /* (cap, n_out0): the same with the label pixels zeroed */
    float *z;            /* (cap, n_out0): one variant's pre-activation */
    float *unit;         /* (K, D): the unit images e_k */
    float *resp;         /* (K, n_out0): layer 0's response to e_k, no bias */
    double *ss;          /* (n_layers, cap): per-layer sums of squares of a pass */
    double *x0ss, *lss;  /* (cap): sums of squares of each image off and on the label pixels */
    double *best;        /* (cap): best goodness so far */
    int *best_k;         /* (cap) */
};

ff_eval_workspace *ff_eval_workspace_alloc(const ff_net *net, size_t cap)
{
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes;
    if (cap < K)
        cap = K;
    ff_eval_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->ff = ff_ff_workspace_alloc(net, cap);
    ws->zraw = malloc(cap * L0->n_out * sizeof(float));
    ws->zbase = malloc(cap * L0->n_out * sizeof(float));
    ws->z = malloc(cap * L0->n_out * sizeof(float));
    ws->unit = calloc(K * L0->n_in, sizeof(float));
    ws->resp = malloc(K * L0->n_out * sizeof(float));
    ws->ss = malloc(net->n_layers * cap * sizeof(double));
    ws->x0ss = malloc(cap * sizeof(double));
    ws->lss = malloc(cap * sizeof(double));
    ws->best = malloc(cap * sizeof(double));
    ws->best_k = malloc(cap * sizeof(int));
    if (!ws->ff || !ws->zraw || !ws->zbase || !ws->z || !ws->unit || !ws->resp ||
        !ws->ss || !ws->x0ss || !ws->lss || !ws->best || !ws->best_k) {
        ff_eval_workspace_free(ws);
        return NULL;
    }
    for (size_t k = 0; k < K; k++)
        ws->unit[k * L0->n_in + k] = 1.0f;
    return ws;
}

void ff_eval_workspace_free(ff_eval_workspace *ws)
{
    if (!ws)
        return;
    ff_ff_workspace_free(ws->ff);
    free(ws->zraw);
    free(ws->zbase);
    free(ws->z);
    free(ws->unit);
    free(ws->resp);
    free(ws->ss);
    free(ws->x0ss);
    free(ws->lss);
    free(ws->best);
    free(ws->best_k);
    free(ws);
}

/* Run the net from layer 0's pre-activation z (B, n_out0).  Leaves each
 * layer's per-example sum of squares in ws->ss (n_layers, B), the readout
 * goodness in ws->goodness and, if logits, the head's logits in ws->logits. */
static void run_from_z0(const ff_net *net, ff_eval_workspace *ews, const float *z, size_t B,
                        int logits)
{
    ff_ff_workspace *ws = ews->ff;
    memset(ws->goodness, 0, B * sizeof *ws->goodness);
    memset(ews->ss, 0, net->n_layers * B * sizeof *ews->ss);
    const float *in = NULL;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        float *h = ff_ff_workspace_out(net, ws, l);
        if (l == 0) {
            memcpy(h, z, B * L->n_out * sizeof *h);
        } else {
            const float *patches = ff_layer_patches(L, ws->cols, in, B);
            ff_layer_forward(L, h, patches, B, 1);
        }
        ff_relu(h, B * L->n_out);
        ff_goodness_add(ews->ss + l * B, h, B, L->n_out);
        if (l >= net->head_from)
            for (size_t i = 0; i < B; i++)
                ws->goodness[i] += ews->ss[l * B + i];
        ff_normalize(h, ws->scale, h, B, L->n_out, net->spec.norm);
        in = h;
    }
    if (logits)
        ff_net_head_forward(net, ws->logits, ws->head_in, B, ws->cap);
}

/* Add to loss (n_layers) the FF losses of the rows i of the last pass for
 * which label is NULL or label[i] == k. */
static void add_losses(double *loss, const ff_net *net, const ff_eval_workspace *ews,
                       size_t B, const int *label, int k, const ff_eval_config *c)
{
    for (size_t l = 0; l < net->n_layers; l++) {
        const double theta = c->theta_width ? (double)net->layer[l].n_out : c->theta;
        for (size_t i = 0; i < B; i++)
            if (!label || label[i] == k)
                loss[l] += ff_ff_row_loss(ews->ss[l * B + i], theta, c->target);
    }
}

static size_t count_correct_logits(const float *logits, const int *y, size_t B, size_t K)
{
    size_t n = 0;
    for (size_t i = 0; i < B; i++)
        n += ff_argmax(logits + i * K, K) == (size_t)y[i];
    return n;
}

/* resp: layer 0's response to each unit image e_k (no bias), once per
 * call: what label pixel k at 1 adds to a pre-activation. */
static void unit_responses(const ff_net *net, ff_eval_workspace *ews)
{
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes;
    ff_layer_forward(L0, ews->resp, ff_layer_patches(L0, ews->ff->cols, ews->unit, K), K, 0);
}

/* zraw: layer 0 on the B images xb as given (with its bias unless the
 * input is normalised); with a normalised input, also the images' sums of
 * squares off and on the label pixels.  The passes of the batch start from
 * these (label_variants.h). */
static void layer0_batch(const ff_net *net, ff_eval_workspace *ews, const float *xb, size_t B)
{
    const ff_layer *L0 = &net->layer[0];
    const int innorm = net->spec.normalize_input;
    ff_layer_forward(L0, ews->zraw, ff_layer_patches(L0, ews->ff->cols, xb, B), B, !innorm);
    if (innorm)
        ff_lv_split_sumsq(ews->x0ss, ews->lss, xb, B, L0->n_in, net->n_classes);
}

/* Layer 0's pre-activation of the raw images (their first pixels
 * included): zraw itself, or, with a normalised input, zraw over each
 * image's RMS plus the bias, in z. */
static const float *z_raw_image(const ff_net *net, ff_eval_workspace *ews, size_t B)
{
    const ff_layer *L0 = &net->layer[0];
    if (!net->spec.normalize_input)
        return ews->zraw;
    memcpy(ews->z, ews->zraw, B * L0->n_out * sizeof *ews->z);
    ff_lv_input_norm(ews->z, ews->x0ss, 0.0, ews->lss, L0->b, B, L0->n_out, L0->n_in);
    return ews->z;
}

/* Layer 0's pre-activation of the images with every label pixel at
 * `neutral`, in z, from zbase (the label pixels' contribution taken out). */
static const float *z_neutral(const ff_net *net, ff_eval_workspace *ews, size_t B, float neutral)
{
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes, N0 = L0->n_out;
    ff_lv_variant(ews->z, ews->zbase, ews->resp, NULL, neutral, B, N0, K);
    if (net->spec.normalize_input)
        ff_lv_input_norm(ews->z, ews->x0ss, (double)K * neutral * neutral, NULL, L0->b, B, N0,
                         L0->n_in);
    return ews->z;
}

/* 1 if the n values of v are all finite */
static int all_finite(const double *v, size_t n)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= isfinite(v[i]) != 0;
    return ok;
}

int ff_eval(const ff_net *net, ff_eval_workspace *ews, const float *x, const int *y,
            size_t n, const ff_eval_config *c, ff_eval_result *out)
{
    ff_ff_workspace *ws = ews->ff;
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes, D = L0->n_in, N0 = L0->n_out;
    const int innorm = net->spec.normalize_input;
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return FF_EINVAL;

    unit_responses(net, ews);
    size_t soft_ok = 0, good_ok = 0;
    double head_loss = 0.0;
    int finite = 1; /* every goodness compared (a NaN would lose each comparison) */
    for (size_t first = 0; first < n; first += ws->cap) {
        const size_t B = n - first < ws->cap ? n - first : ws->cap;
        const float *xb = x + first * D;
        const int *yb = y + first;
        /* zraw: layer 0 on the image as given; zbase: the same with the
         * label pixels' contribution taken out (no copy of the batch) */
        layer0_batch(net, ews, xb, B);
        /* The pass the net is trained on, for the FF losses.  Supervised
         * with the goodness readout: it is the goodness pass of each row's
         * own label, below; otherwise it runs here (and, unsupervised, its
         * logits are the softmax readout: the head reads the raw image). */
        const int fused = c->supervised && c->readout && c->goodness;
        if (!fused) {
            const float *z;
            if (c->supervised) {
                ff_lv_unlabel(ews->zbase, ews->zraw, xb, ews->resp, B, D, N0, K);
                ff_lv_variant(ews->z, ews->zbase, ews->resp, yb, 0.0f, B, N0, K);
                if (innorm)
                    ff_lv_input_norm(ews->z, ews->x0ss, 1.0, NULL, L0->b, B, N0, D);
                z = ews->z;
            } else {
                z = z_raw_image(net, ews, B);
            }
            run_from_z0(net, ews, z, B, c->readout);
            add_losses(out->loss, net, ews, B, NULL, 0, c);
        }
        if (!c->readout)
            continue;
        if (c->goodness) /* (supervised without it: done above) */
            ff_lv_unlabel(ews->zbase, ews->zraw, xb, ews->resp, B, D, N0, K);
        if (c->supervised)
            run_from_z0(net, ews, z_neutral(net, ews, B, c->neutral), B, 1);
        soft_ok += count_correct_logits(ws->logits, yb, B, K);
        head_loss += ff_softmax_xent(NULL, ws->logits, yb, B, K);
        if (!c->goodness)
            continue;
        /* quoted in the report: begin goodness-readout */
        for (size_t k = 0; k < K; k++) { /* label k: pixel k's response, filled in at 1 */
            ff_lv_variant(ews->z, ews->zbase, ews->resp + k * N0, NULL, 1.0f, B, N0, 1);
            if (innorm)
                ff_lv_input_norm(ews->z, ews->x0ss, 1.0, NULL, L0->b, B, N0, D);
            run_from_z0(net, ews, ews->z, B, 0);
            finite &= all_finite(ws->goodness, B);
            for (size_t i = 0; i < B; i++)
                if (k == 0 || ws->goodness[i] > ews->best[i]) {
                    ews->best[i] = ws->goodness[i];
                    ews->best_k[i] = (int)k;
                }
            if (fused)
                add_losses(out->loss, net, ews, B, yb, (int)k, c);
        }
        for (size_t i = 0; i < B; i++)
            good_ok += ews->best_k[i] == yb[i];
        /* quoted in the report: end goodness-readout */
    }
    for (size_t l = 0; l < net->n_layers; l++)
        out->loss[l] /= (double)n;
    out->head_loss = c->readout ? head_loss / (double)n : NAN;
    out->softmax_acc = c->readout ? (double)soft_ok / (double)n : NAN;
    out->goodness_acc = c->readout && c->goodness ? (double)good_ok / (double)n : NAN;
    for (size_t l = 0; l < net->n_layers; l++)
        finite &= isfinite(out->loss[l]) != 0;
    if (!finite || (c->readout && !isfinite(out->head_loss)))
        return FF_ENONFINITE;
    return FF_SUCCESS;
}

/* Images first .. first + B - 1 of a set, from head_in (blocks cap rows
 * apart) into their rows of feat's chunks (blocks `rows` rows apart). */
static void copy_features(const ff_net *net, float *feat, size_t rows, size_t first,
                          const float *head_in, size_t cap, size_t B)
{
    const size_t F = net->head.fan_in;
    for (size_t i = 0; i < B; i++) {
        const size_t j = first + i;
        float *chunk = feat + j / rows * rows * F;
        for (size_t l = net->head_from; l < net->n_layers; l++) {
            const size_t m = net->layer[l].n_out, off = net->head_off[l];
            memcpy(chunk + rows * off + j % rows * m, head_in + cap * off + i * m,
                   m * sizeof *feat);
        }
    }
}

int ff_eval_features(const ff_net *net, ff_eval_workspace *ews, float *feat, size_t rows,
                     const float *x, size_t n, const ff_eval_config *c)
{
    const ff_ff_workspace *ws = ews->ff;
    const ff_layer *L0 = &net->layer[0];
    const size_t K = net->n_classes, D = L0->n_in, N0 = L0->n_out;
    if (n == 0 || rows == 0)
        return FF_EINVAL;
    unit_responses(net, ews);
    for (size_t first = 0; first < n; first += ws->cap) {
        const size_t B = n - first < ws->cap ? n - first : ws->cap;
        const float *xb = x + first * D;
        layer0_batch(net, ews, xb, B);
        const float *z;
        if (c->supervised) { /* the readout's pass of ff_eval */
            ff_lv_unlabel(ews->zbase, ews->zraw, xb, ews->resp, B, D, N0, K);
            z = z_neutral(net, ews, B, c->neutral);
        } else {
            z = z_raw_image(net, ews, B);
        }
        run_from_z0(net, ews, z, B, 0);
        copy_features(net, feat, rows, first, ws->head_in, ws->cap, B);
    }
    return FF_SUCCESS;
}

int ff_eval_readout(const ff_net *net, float *logits, const float *feat, size_t rows,
                    const int *y, size_t n, ff_eval_result *out)
{
    const size_t K = net->n_classes, F = net->head.fan_in;
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0 || rows == 0)
        return FF_EINVAL;
    size_t ok = 0;
    double loss = 0.0;
    for (size_t first = 0; first < n; first += rows) { /* chunk first / rows */
        const size_t B = n - first < rows ? n - first : rows;
        ff_net_head_forward(net, logits, feat + first * F, B, rows);
        ok += count_correct_logits(logits, y + first, B, K);
        loss += ff_softmax_xent(NULL, logits, y + first, B, K);
    }
    out->head_loss = loss / (double)n;
    out->softmax_acc = (double)ok / (double)n;
    out->goodness_acc = NAN;
    return isfinite(out->head_loss) ? FF_SUCCESS : FF_ENONFINITE;
}
