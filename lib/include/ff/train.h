/* train.h - one training step on one batch: FF (local) or BP (end to end).
 *
 * Both read the batch in place: x (B, n_in) is a view into a dataset.
 *
 * FF's layer step is one function for both protocols (seed-protocol.md,
 * paper-protocol.md); what differs between them is a rule of a few named
 * choices, ff_ff_rule, and the data of the pass.  For each layer:
 *   h = relu(in W + b)                          forward, ReLU
 *   loss, dz = FF loss of h and its gradient    positive rows target 1,
 *                                               negative rows target 0
 *   [dz -= peer normalisation's push]           positive rows (paper)
 *   grad = [patches^T dz | column sums of dz]   the layer's own gradient
 *   W, b <- optimiser step                      Adam, or momentum SGD
 *   in = normalise(h)                           the layer above's input
 * and nothing reaches the layers below: each layer's input is a constant. */
#ifndef FF_TRAIN_H
#define FF_TRAIN_H

#include <stddef.h>

#include "ff/error.h"
#include "ff/net.h"
#include "ff/objective.h"
#include "ff/optim.h"

/* An FF layer step's choices.  The normalisation between layers is the
 * net's own (spec.norm), which the readouts use too. */
typedef struct {
    double theta;         /* goodness threshold, for every layer (seed 0.1) ... */
    int theta_width;      /* ... or 1: each layer's is its width (paper) */
    ff_grad_kind grad;    /* FF_GRAD_EXACT (seed), FF_GRAD_REFERENCE (paper) */
    float peer_lambda;    /* peer normalisation (paper 0.03), when the pass has */
    float peer_decay;     /* running means (ff_ff_pass.peer); decay 0.9 */
    ff_opt_kind opt;      /* FF_OPT_ADAM (seed) or FF_OPT_SGD (paper) */
    ff_adam_config adam;  /* opt FF_OPT_ADAM: state m, v, step in the net */
    ff_sgd_config sgd;    /* opt FF_OPT_SGD: state m in the net */
} ff_ff_rule;

/* The rule's FF loss of the n rows of h (n, N), a layer of width N: rows
 * [0, n_pos) positive (target 1), [n_pos, n) negative (target 0), at the
 * rule's threshold (theta, or N with theta_width) and in its gradient form.
 * Returns the loss summed over the rows of both parts; writes dLoss/dh,
 * each part a mean over its own rows, into dz (n, N).  The loss of every
 * FF layer step: ff_train_ff_layers', and the recurrent net's
 * (recurrent.h). */
double ff_ff_rule_loss(const ff_ff_rule *r, float *dz, const float *h, size_t n_pos, size_t n,
                       size_t N);

/* One pass of rows through the layers: rows [0, n_pos) are positive data,
 * [n_pos, n) negative (a seed batch: all of one sign; the paper: both
 * stacked, one matrix product for the two).  Each part's loss is a mean
 * over its own rows, and the layer steps on the sum of their gradients. */
typedef struct {
    const float *in; /* (n, n_in of the first layer): its input */
    size_t n, n_pos;
    int z_ready;     /* the first layer's pre-activation (bias included) is
                        already in its output (ff_ff_workspace_out): a product
                        the caller shared between passes; `in` is then read
                        for the weight gradient only */
    float gain;      /* the learning rate's factor (ff_lr_gain); 1 for none */
    float *peer;     /* running mean activity per unit of the layers stepped,
                        their widths in turn, updated; NULL: no peer
                        normalisation (with n_pos = 0 there is none) */
} ff_ff_pass;

/* A batch of the seed's: its B rows all positive (target 1) or all
 * negative (0), gain 1, no peer normalisation. */
ff_ff_pass ff_train_pass(const float *x, size_t B, int target);

/* The FF step of layers [l0, l1) on a pass (rows at most ws->cap), in that
 * order, each as soon as its output exists, with its input held constant:
 * the same as a whole forward pass followed by every layer's step.  Returns
 * layer l1-1's normalised output (in ws); loss[l] receives layer l's FF
 * loss, summed over the rows of both parts.  With peer normalisation, each
 * unit's running mean m is updated from the positive rows' raw activities
 * before use, m = decay m + (1 - decay) mean(h), and lambda (mbar - m_j) /
 * n_pos, mbar the layer's average of the means, is subtracted from each
 * positive row's dz_j (not gated by the ReLU: it revives dead units).  The
 * optimiser's learning rate is multiplied by the pass's gain; SGD leaves
 * the biases out of the weight cost.  ws->grad is needed by Adam only. */
const float *ff_train_ff_layers(ff_net *net, ff_ff_workspace *ws, const ff_ff_pass *pass,
                                size_t l0, size_t l1, const ff_ff_rule *rule, double *loss);

/* The seed protocol's settings. */
typedef struct {
    double theta;              /* goodness threshold (seed 0.1) */
    ff_adam_config adam;       /* FF layers; in BP every layer */
    ff_adam_config adam_head;  /* the softmax head */
} ff_train_config;

/* The seed's FF rule: threshold c->theta, the exact gradient, Adam c->adam,
 * no peer normalisation. */
ff_ff_rule ff_train_rule(const ff_train_config *c);

/* One FF step of the seed (seed protocol, "FF training loop"): the batch,
 * all positive (target 1) or all negative (0), through ff_train_ff_layers
 * with ff_train_rule(c); if train_head, the softmax head then takes one
 * step on the batch's labels y (B).  loss (n_layers + 1) receives each
 * layer's summed FF loss and, if train_head, the head's summed
 * cross-entropy (else 0).  B must not exceed ws->cap. */
FF_MUST_CHECK
int ff_train_ff_batch(ff_net *net, ff_ff_workspace *ws, const float *x, const int *y,
                      size_t B, int target, int train_head, const ff_train_config *c,
                      double *loss);

/* The head's half of ff_train_ff_batch, for callers that split the layers
 * between threads (pipeline.h): one Adam step (c->adam_head) of the
 * softmax head on what the layers from head_from on left in ws->head_in,
 * against y (B); returns its summed cross-entropy. */
double ff_train_ff_head(ff_net *net, ff_ff_workspace *ws, const int *y, size_t B,
                        const ff_train_config *c);

/* One BP step: forward through every layer to the softmax head,
 * cross-entropy against y (B), backward through heads, normalisations,
 * ReLUs and layers, then one Adam step for every layer and the head
 * (seed protocol, "BP baseline").  *loss receives the summed cross-entropy. */
FF_MUST_CHECK
int ff_train_bp_batch(ff_net *net, ff_bp_workspace *ws, const float *x, const int *y,
                      size_t B, const ff_train_config *c, double *loss);

/* BP's forward pass alone (logits in ws->logits); the backward pass of
 * ff_train_bp_batch needs what it leaves in ws.  Exposed for tests. */
void ff_bp_forward(const ff_net *net, ff_bp_workspace *ws, const float *x, size_t B);
/* BP's backward pass: ws->grads receives dLoss_mean/dparams for labels y.
 * Returns the summed cross-entropy. */
double ff_bp_backward(const ff_net *net, ff_bp_workspace *ws, const int *y, size_t B);

#endif
