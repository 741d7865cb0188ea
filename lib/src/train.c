/* train.c - the FF step and the BP step. */
#include "ff/train.h"
#include "ff/error.h"
#include "ff/objective.h"
#include "parallel.h"

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
const float *ff_train_ff_layers(ff_net *net, ff_ff_workspace *ws, const float *in, size_t B,
                                size_t l0, size_t l1, int target, const ff_train_config *c,
                                double *loss)
{
    for (size_t l = l0; l < l1; l++) {
        const ff_layer *L = &net->layer[l];
        float *h = ff_ff_workspace_out(net, ws, l);
        const float *patches = ff_layer_patches(L, ws->cols, in, B);
        ff_layer_forward(L, h, patches, B, 1);
        ff_relu(h, B * L->n_out);
        loss[l] = ff_ff_loss(ws->dz, h, B, L->n_out, c->theta, target, FF_GRAD_EXACT);
        ff_layer_weight_grad(L, ws->grad, patches, ws->dz, B);
        adam(net, l, ws->grad, &c->adam);
        ff_normalize(h, ws->scale, h, B, L->n_out, net->spec.norm);
        in = h;
    }
    return in;
}

/* quoted in the report: end ff-layer-step */
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
    ff_train_ff_layers(net, ws, x, B, 0, net->n_layers, target, c, loss);
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
