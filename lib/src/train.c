/* train.c - the FF layer step of both protocols, and the BP step; see train.h. */
#include "ff/train.h"
#include "ff/error.h"
#include "ff/objective.h"
#include "parallel.h"
#include "peer_norm.h"

#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix_float.h>

static void adam(ff_net *net, size_t l, const float *grad, const ff_adam_config *c)
{
    const ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
    size_t off = ff_net_param_offset(net, l);
    ff_adam_step(net->params + off, net->m + off, net->v + off, grad, L->n_params, c,
                 ++net->step[l]);
}

/* quoted in the report: begin ff-layer-step */
/* Layer l's weight gradient from dz (n rows) on its patches, and the
 * rule's optimiser step: Adam on the gradient written into `grad`, or
 * momentum SGD on the gradient added into its smoothed gradient by the
 * product that computes it (optim.h's two halves). */
static void update(ff_net *net, size_t l, float *grad, const float *patches, const float *dz,
                   size_t n, const ff_ff_rule *r, float gain)
{
    const ff_layer *L = &net->layer[l];
    const size_t off = ff_net_param_offset(net, l);
    if (r->opt == FF_OPT_ADAM) {
        ff_adam_config a = r->adam;
        a.lr *= gain;
        ff_layer_weight_grad(L, grad, patches, dz, n);
        adam(net, l, grad, &a);
    } else {
        ff_layer_weight_grad_add(L, net->m + off, patches, dz, n, 1.0f - r->sgd.momentum);
        ff_sgd_step(net->params + off, net->m + off, L->n_params, L->n_weights, &r->sgd,
                    gain);
    }
}

/* The FF loss of rows [i0, i1) of h (B, N) against target, summed, and its
 * gradient, a mean over those rows, into the same rows of dz; 0 for none. */
static double part_loss(float *dz, const float *h, size_t i0, size_t i1, size_t N, double theta,
                        int target, ff_grad_kind grad)
{
    return i1 > i0 ? ff_ff_loss(dz + i0 * N, h + i0 * N, i1 - i0, N, theta, target, grad) : 0.0;
}

double ff_ff_rule_loss(const ff_ff_rule *r, float *dz, const float *h, size_t n_pos, size_t n,
                       size_t N)
{
    const double theta = r->theta_width ? (double)N : r->theta;
    return part_loss(dz, h, 0, n_pos, N, theta, 1, r->grad) +
           part_loss(dz, h, n_pos, n, N, theta, 0, r->grad);
}

const float *ff_train_ff_layers(ff_net *net, ff_ff_workspace *ws, const ff_ff_pass *pass,
                                size_t l0, size_t l1, const ff_ff_rule *r, double *loss)
{
    const size_t n = pass->n, np = pass->n_pos;
    const float *in = pass->in;
    float *peer = pass->peer;
    for (size_t l = l0; l < l1; l++) {
        const ff_layer *L = &net->layer[l];
        const size_t N = L->n_out;
        float *h = ff_ff_workspace_out(net, ws, l), *dz = ws->dz;
        const float *patches = ff_layer_patches(L, ws->cols, in, n);
        if (l > l0 || !pass->z_ready)
            ff_layer_forward(L, h, patches, n, 1);
        ff_relu(h, n * N);
        loss[l] = ff_ff_rule_loss(r, dz, h, np, n, N);
        if (peer && np)
            ff_peer_normalise(dz, peer, h, np, N, r->peer_lambda, r->peer_decay);
        update(net, l, ws->grad, patches, dz, n, r, pass->gain);
        ff_normalize(h, ws->scale, h, n, N, net->spec.norm);
        in = h;
        peer = peer ? peer + N : NULL;
    }
    return in;
}

/* quoted in the report: end ff-layer-step */
ff_ff_pass ff_train_pass(const float *x, size_t B, int target)
{
    return (ff_ff_pass){.in = x, .n = B, .n_pos = target ? B : 0, .gain = 1.0f};
}

ff_ff_rule ff_train_rule(const ff_train_config *c)
{
    return (ff_ff_rule){.theta = c->theta, .grad = FF_GRAD_EXACT, .opt = FF_OPT_ADAM,
                        .adam = c->adam};
}

double ff_train_ff_head(ff_net *net, ff_ff_workspace *ws, const int *y, size_t B,
                        const ff_train_config *c)
{
    ff_net_head_forward(net, ws->logits, ws->head_in, B, ws->cap);
    double loss = ff_softmax_xent(ws->dlogits, ws->logits, y, B, net->n_classes);
    ff_net_head_weight_grad(net, ws->grad, ws->head_in, ws->dlogits, B, ws->cap);
    adam(net, net->n_layers, ws->grad, &c->adam_head);
    return loss;
}

int ff_train_ff_batch(ff_net *net, ff_ff_workspace *ws, const float *x, const int *y,
                      size_t B, int target, int train_head, const ff_train_config *c,
                      double *loss)
{
    if (B == 0 || B > ws->cap)
        return FF_EINVAL;
    const ff_ff_rule rule = ff_train_rule(c);
    const ff_ff_pass pass = ff_train_pass(x, B, target);
    ff_train_ff_layers(net, ws, &pass, 0, net->n_layers, &rule, loss);
    loss[net->n_layers] = train_head ? ff_train_ff_head(net, ws, y, B, c) : 0.0;
    return FF_SUCCESS;
}

void ff_bp_forward(const ff_net *net, ff_bp_workspace *ws, const float *x, size_t B)
{
    const float *in = x;
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        ws->patches[l] = ff_layer_patches(L, ws->cols[l], in, B);
        ff_layer_forward(L, ws->h[l], ws->patches[l], B, 1);
        ff_relu(ws->h[l], B * L->n_out);
        ff_normalize(ws->y[l], ws->scale[l], ws->h[l], B, L->n_out, net->spec.norm);
        in = ws->y[l];
    }
    ff_net_head_forward(net, ws->logits, ws->head_in, B, ws->cap);
}

double ff_bp_backward(const ff_net *net, ff_bp_workspace *ws, const int *y, size_t B)
{
    const size_t K = net->n_classes;
    double loss = ff_softmax_xent(ws->dlogits, ws->logits, y, B, K);
    ff_net_head_weight_grad(net, ws->grads + ff_net_param_offset(net, net->n_layers),
                            ws->head_in, ws->dlogits, B, ws->cap);
    gsl_matrix_float_const_view D = gsl_matrix_float_const_view_array(ws->dlogits, B, K);
    /* dy: gradient reaching layer l's normalised output, from the layer
     * above (already in dy, written as that layer's input gradient) and,
     * for readout layers, from the head. */
    float *dy = ws->d[0];
    for (size_t l = net->n_layers; l-- > 0;) {
        const ff_layer *L = &net->layer[l];
        const size_t N = L->n_out;
        int has_above = l + 1 < net->n_layers;
        if (l >= net->head_from) {
            gsl_matrix_float_const_view W =
                gsl_matrix_float_const_view_array(net->head.w + net->head_off[l] * K, N, K);
            gsl_matrix_float_view DY = gsl_matrix_float_view_array(dy, B, N);
            ff_par_gemm(CblasNoTrans, CblasTrans, 1.0f, &D.matrix, &W.matrix,
                        has_above ? 1.0f : 0.0f, &DY.matrix);
        } else if (!has_above) {
            memset(dy, 0, B * N * sizeof *dy);
        }
        ff_normalize_backward(ws->dh, dy, ws->h[l], ws->scale[l], B, N, net->spec.norm);
        for (size_t i = 0; i < B * N; i++) /* through the ReLU: h > 0 iff z > 0 */
            if (ws->h[l][i] <= 0.0f)
                ws->dh[i] = 0.0f;
        ff_layer_weight_grad(L, ws->grads + ff_net_param_offset(net, l), ws->patches[l],
                             ws->dh, B);
        if (l > 0) {
            dy = dy == ws->d[0] ? ws->d[1] : ws->d[0];
            ff_layer_input_grad(L, dy, ws->dh, B, ws->dcols);
        }
    }
    return loss;
}

int ff_train_bp_batch(ff_net *net, ff_bp_workspace *ws, const float *x, const int *y,
                      size_t B, const ff_train_config *c, double *loss)
{
    if (B == 0 || B > ws->cap)
        return FF_EINVAL;
    ff_bp_forward(net, ws, x, B);
    *loss = ff_bp_backward(net, ws, y, B);
    for (size_t l = 0; l < net->n_layers; l++)
        adam(net, l, ws->grads + ff_net_param_offset(net, l), &c->adam);
    adam(net, net->n_layers, ws->grads + ff_net_param_offset(net, net->n_layers),
         &c->adam_head);
    return FF_SUCCESS;
}
