/* net.c - building a net, its readout head, and its workspaces. */
#include "ff/net.h"
#include "arena.h"
#include "bf16.h"
#include "ff/error.h"
#include "parallel.h"

#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>

/* A bound on every size of a net: a layer's inputs, outputs and parameters,
 * and their total.  Far above any net here; with it no size product wraps. */
#define MAX_SIZE ((size_t)1 << 40)

/* Whether a * b * c stays within MAX_SIZE (checked before multiplying). */
static int fits3(size_t a, size_t b, size_t c)
{
    return a <= MAX_SIZE && b <= MAX_SIZE && c <= MAX_SIZE && (!a || b <= MAX_SIZE / a) &&
           (!a || !b || c <= MAX_SIZE / (a * b));
}

/* A layer of `units` on an input of h x w x c: its input, its output (at
 * most h w units) and its weights (at most h w c units) within MAX_SIZE. */
static int layer_fits(size_t h, size_t w, size_t c, size_t units)
{
    return fits3(h, w, c) && fits3(h, w, units) && fits3(h * w, c, units);
}

/* A local layer's weights, positions x fan_in x units, within MAX_SIZE too:
 * each position has a kernel's weights, and there may be more positions
 * times kernel pixels than input pixels.  Its kernel fits the input (kh <=
 * h, kw <= w, checked first), so positions and fan_in are at most h w and
 * h w c, which layer_fits bounded. */
static int local_fits(size_t h, size_t w, size_t c, const ff_layer_spec *ls)
{
    if (!ls->kh || !ls->kw || !ls->stride || ls->kh > h || ls->kw > w)
        return 0;
    const size_t positions = ((h - ls->kh) / ls->stride + 1) * ((w - ls->kw) / ls->stride + 1);
    return fits3(positions, ls->kh * ls->kw * c, ls->units);
}

/* Shape the layers of s into L (and the head into *head); FF_EINVAL if one
 * does not fit its input, or is beyond MAX_SIZE. */
static int shape_layers(const ff_net_spec *s, ff_layer *L, ff_layer *head, size_t *head_off)
{
    if (s->n_layers == 0 || s->n_layers > FF_MAX_LAYERS || s->head_from >= s->n_layers ||
        !fits3(s->ih, s->iw, s->ic) || s->n_classes < 2 ||
        s->n_classes > s->ih * s->iw * s->ic)
        return FF_EINVAL;
    size_t h = s->ih, w = s->iw, c = s->ic, head_inputs = 0;
    for (size_t l = 0; l < s->n_layers; l++) {
        const ff_layer_spec *ls = &s->layer[l];
        const int known = ls->kind == FF_LAYER_DENSE ||
                          (ls->kind == FF_LAYER_CONV2D && ls->stride <= 1) ||
                          ls->kind == FF_LAYER_LOCAL;
        if (!known || !layer_fits(h, w, c, ls->units) ||
            (ls->kind == FF_LAYER_LOCAL && !local_fits(h, w, c, ls)))
            return FF_EINVAL;
        int status = ls->kind == FF_LAYER_DENSE ? ff_layer_dense(&L[l], h * w * c, ls->units)
                     : ls->kind == FF_LAYER_CONV2D
                         ? ff_layer_conv2d(&L[l], h, w, c, ls->kh, ls->kw, ls->units)
                         : ff_layer_local(&L[l], h, w, c, ls->kh, ls->kw, ls->stride, ls->units);
        if (status != FF_SUCCESS)
            return status;
        if (L[l].n_out > MAX_SIZE - head_inputs)
            return FF_EINVAL;
        h = L[l].oh, w = L[l].ow, c = L[l].oc;
        if (l >= s->head_from) {
            head_off[l] = head_inputs;
            head_inputs += L[l].n_out;
        }
    }
    if (!layer_fits(1, 1, head_inputs, s->n_classes))
        return FF_EINVAL;
    return ff_layer_dense(head, head_inputs, s->n_classes);
}

int ff_net_spec_check(const ff_net_spec *s, size_t *n_params)
{
    ff_layer L[FF_MAX_LAYERS], head;
    size_t head_off[FF_MAX_LAYERS];
    int status = shape_layers(s, L, &head, head_off);
    if (status != FF_SUCCESS)
        return status;
    size_t n = head.n_params; /* each below 2^41: nine of them cannot wrap */
    for (size_t l = 0; l < s->n_layers; l++)
        n += L[l].n_params;
    if (n_params)
        *n_params = n;
    return FF_SUCCESS;
}

int ff_net_alloc(ff_net **out, const ff_net_spec *s)
{
    *out = NULL;
    ff_net *net = calloc(1, sizeof *net);
    if (!net)
        return FF_ENOMEM;
    int status = shape_layers(s, net->layer, &net->head, net->head_off);
    if (status != FF_SUCCESS) {
        free(net);
        return status;
    }
    net->spec = *s;
    net->n_layers = s->n_layers;
    net->head_from = s->head_from;
    net->n_classes = s->n_classes;
    for (size_t l = 0; l <= net->n_layers; l++) {
        const ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
        if (l < net->n_layers && L->n_out > net->width)
            net->width = L->n_out;
        net->n_params += L->n_params;
        if (L->n_params > net->max_layer_params)
            net->max_layer_params = L->n_params;
    }
    net->params = calloc(3 * net->n_params, sizeof *net->params);
    if (!net->params) {
        free(net);
        return FF_ENOMEM;
    }
    net->m = net->params + net->n_params;
    net->v = net->m + net->n_params;
    float *p = net->params;
    for (size_t l = 0; l < net->n_layers; l++) {
        ff_layer_bind(&net->layer[l], p);
        p += net->layer[l].n_params;
    }
    ff_layer_bind(&net->head, p);
    /* each layer's block and the head's: bf16 products convert a block once
     * after each of its steps (lib/src/bf16.h) */
    for (size_t l = 0; l <= net->n_layers; l++) {
        const ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
        ff_bf16_register(L->w, L->n_params);
    }
    *out = net;
    return FF_SUCCESS;
}

void ff_net_free(ff_net *net)
{
    if (!net)
        return;
    for (size_t l = 0; l <= net->n_layers; l++)
        ff_bf16_unregister(l < net->n_layers ? net->layer[l].w : net->head.w);
    free(net->params);
    free(net);
}

void ff_net_init_glorot(ff_net *net, gsl_rng *r)
{
    for (size_t l = 0; l < net->n_layers; l++)
        ff_layer_init_glorot(&net->layer[l], r);
    ff_layer_init_glorot(&net->head, r);
    memset(net->m, 0, 2 * net->n_params * sizeof *net->m);
    memset(net->step, 0, sizeof net->step);
    ff_bf16_changed(net->params, net->n_params);
}

void ff_net_init_randn(ff_net *net, gsl_rng *r)
{
    for (size_t l = 0; l < net->n_layers; l++)
        ff_layer_init_randn(&net->layer[l], r);
    memset(net->head.w, 0, net->head.n_params * sizeof *net->head.w);
    memset(net->m, 0, 2 * net->n_params * sizeof *net->m);
    memset(net->step, 0, sizeof net->step);
    ff_bf16_changed(net->params, net->n_params);
}

size_t ff_net_param_offset(const ff_net *net, size_t l)
{
    const ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
    return (size_t)(L->w - net->params);
}

void ff_net_head_forward(const ff_net *net, float *logits, const float *head_in,
                         size_t B, size_t cap)
{
    const size_t K = net->n_classes;
    gsl_matrix_float_view Z = gsl_matrix_float_view_array(logits, B, K);
    for (size_t l = net->head_from; l < net->n_layers; l++) {
        const size_t n = net->layer[l].n_out;
        gsl_matrix_float_const_view X =
            gsl_matrix_float_const_view_array(head_in + cap * net->head_off[l], B, n);
        gsl_matrix_float_const_view W =
            gsl_matrix_float_const_view_array(net->head.w + net->head_off[l] * K, n, K);
        ff_par_gemm(CblasNoTrans, CblasNoTrans, 1.0f, &X.matrix, &W.matrix,
                    l == net->head_from ? 0.0f : 1.0f, &Z.matrix);
    }
    for (size_t i = 0; i < B; i++)
        for (size_t k = 0; k < K; k++)
            logits[i * K + k] += net->head.b[k];
}

/* grad = alpha [the head's weight gradient] + beta grad, beta 0 or 1 */
static void head_weight_grad(const ff_net *net, float *grad, const float *head_in,
                             const float *dlogits, size_t B, size_t cap, float alpha, float beta)
{
    const size_t K = net->n_classes;
    gsl_matrix_float_const_view D = gsl_matrix_float_const_view_array(dlogits, B, K);
    for (size_t l = net->head_from; l < net->n_layers; l++) {
        const size_t n = net->layer[l].n_out;
        gsl_matrix_float_const_view X =
            gsl_matrix_float_const_view_array(head_in + cap * net->head_off[l], B, n);
        gsl_matrix_float_view G = gsl_matrix_float_view_array(grad + net->head_off[l] * K, n, K);
        ff_par_gemm(CblasTrans, CblasNoTrans, alpha, &X.matrix, &D.matrix, beta, &G.matrix);
    }
    ff_layer_bias_grad(&net->head, grad + net->head.fan_in * K, dlogits, B, alpha, beta);
}

void ff_net_head_weight_grad(const ff_net *net, float *grad, const float *head_in,
                             const float *dlogits, size_t B, size_t cap)
{
    head_weight_grad(net, grad, head_in, dlogits, B, cap, 1.0f, 0.0f);
}

void ff_net_head_weight_grad_add(const ff_net *net, float *grad, const float *head_in,
                                 const float *dlogits, size_t B, size_t cap, float alpha)
{
    head_weight_grad(net, grad, head_in, dlogits, B, cap, alpha, 1.0f);
}

static size_t max_cols(const ff_net *net, size_t cap)
{
    size_t m = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t c = ff_layer_cols_size(&net->layer[l], cap);
        m = c > m ? c : m;
    }
    return m;
}

/* Lay out an FF workspace in `a` (sizing pass when a->base is NULL). */
static void ff_layout(ff_ff_workspace *ws, arena *a, const ff_net *net, size_t cap)
{
    const size_t F = sizeof(float), W = net->width, K = net->n_classes;
    ws->cap = cap;
    if (net->head_from > 0) {
        ws->act[0] = carve(a, cap * W * F);
        ws->act[1] = net->head_from > 1 ? carve(a, cap * W * F) : NULL;
    }
    ws->head_in = carve(a, cap * net->head.fan_in * F);
    ws->dz = carve(a, cap * W * F);
    ws->grad = carve(a, net->max_layer_params * F);
    ws->cols = carve(a, max_cols(net, cap) * F);
    ws->scale = carve(a, cap * F);
    ws->logits = carve(a, cap * K * F);
    ws->dlogits = carve(a, cap * K * F);
    ws->goodness = carve(a, cap * sizeof(double));
}

ff_ff_workspace *ff_ff_workspace_alloc(const ff_net *net, size_t cap)
{
    ff_ff_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    arena a = {0};
    ff_layout(ws, &a, net, cap);
    if (!arena_commit(&a)) {
        free(ws);
        return NULL;
    }
    ff_layout(ws, &a, net, cap);
    ws->bytes = a.used;
    ws->mem = a.base;
    return ws;
}

void ff_ff_workspace_free(ff_ff_workspace *ws)
{
    if (!ws)
        return;
    free(ws->mem);
    free(ws);
}

float *ff_ff_workspace_out(const ff_net *net, const ff_ff_workspace *ws, size_t l)
{
    if (l >= net->head_from)
        return ws->head_in + ws->cap * net->head_off[l];
    return ws->act[l % 2];
}

static void bp_layout(ff_bp_workspace *ws, arena *a, const ff_net *net, size_t cap)
{
    const size_t F = sizeof(float), W = net->width, K = net->n_classes;
    ws->cap = cap;
    ws->head_in = carve(a, cap * net->head.fan_in * F);
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        ws->h[l] = carve(a, cap * L->n_out * F);
        ws->y[l] = l >= net->head_from ? (ws->head_in ? ws->head_in + cap * net->head_off[l] : NULL)
                                       : carve(a, cap * L->n_out * F);
        ws->scale[l] = carve(a, cap * F);
        size_t c = ff_layer_cols_size(L, cap);
        ws->cols[l] = c ? carve(a, c * F) : NULL;
    }
    ws->logits = carve(a, cap * K * F);
    ws->dlogits = carve(a, cap * K * F);
    ws->d[0] = carve(a, cap * W * F);
    ws->d[1] = carve(a, cap * W * F);
    ws->dh = carve(a, cap * W * F);
    ws->dcols = carve(a, max_cols(net, cap) * F);
    ws->grads = carve(a, net->n_params * F);
}

ff_bp_workspace *ff_bp_workspace_alloc(const ff_net *net, size_t cap)
{
    ff_bp_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    arena a = {0};
    bp_layout(ws, &a, net, cap);
    if (!arena_commit(&a)) {
        free(ws);
        return NULL;
    }
    bp_layout(ws, &a, net, cap);
    ws->bytes = a.used;
    ws->mem = a.base;
    return ws;
}

void ff_bp_workspace_free(ff_bp_workspace *ws)
{
    if (!ws)
        return;
    free(ws->mem);
    free(ws);
}
