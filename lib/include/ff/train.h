/* train.h - one training step on one batch: FF (local) or BP (end to end).
 *
 * Both read the batch in place: x (B, n_in) is a view into a dataset. */
#ifndef FF_TRAIN_H
#define FF_TRAIN_H

#include <stddef.h>

#include "ff/net.h"
#include "ff/optim.h"

typedef struct {
    double theta;              /* goodness threshold (seed 0.1) */
    ff_adam_config adam;       /* FF layers; in BP every layer */
    ff_adam_config adam_head;  /* the softmax head */
} ff_train_config;

/* One FF step (seed protocol, "FF training loop"): the batch passes through
 * the layers once; each layer, as soon as its output exists, takes one Adam
 * step on its own loss (target 1 for positive data, 0 for negative), with its
 * input held constant, then normalises its output for the next layer.
 * Because a layer's output is computed before its step, this is the same as
 * a whole forward pass followed by every layer's step.  If train_head, the
 * softmax head then takes one step on the batch's labels y (B).
 * loss (n_layers + 1) receives each layer's summed FF loss and, if
 * train_head, the head's summed cross-entropy (else 0).
 * B must not exceed ws->cap. */
int ff_train_ff_batch(ff_net *net, ff_ff_workspace *ws, const float *x, const int *y,
                      size_t B, int target, int train_head, const ff_train_config *c,
                      double *loss);

/* The two halves of ff_train_ff_batch, for callers that split the layers
 * between threads (pipeline.h).  ff_train_ff_layers runs layers [l0, l1)
 * on `in` (the batch for l0 = 0, else layer l0-1's normalised output) and
 * returns layer l1-1's normalised output (in ws); loss[l] receives layer l's
 * summed FF loss.  ff_train_ff_head steps the softmax head on what the
 * layers from head_from on left in ws->head_in, and returns its summed
 * cross-entropy. */
const float *ff_train_ff_layers(ff_net *net, ff_ff_workspace *ws, const float *in, size_t B,
                                size_t l0, size_t l1, int target, const ff_train_config *c,
                                double *loss);
double ff_train_ff_head(ff_net *net, ff_ff_workspace *ws, const int *y, size_t B,
                        const ff_train_config *c);

/* One BP step: forward through every layer to the softmax head,
 * cross-entropy against y (B), backward through heads, normalisations,
 * ReLUs and layers, then one Adam step for every layer and the head
 * (seed protocol, "BP baseline").  *loss receives the summed cross-entropy. */
int ff_train_bp_batch(ff_net *net, ff_bp_workspace *ws, const float *x, const int *y,
                      size_t B, const ff_train_config *c, double *loss);

/* BP's forward pass alone (logits in ws->logits); the backward pass of
 * ff_train_bp_batch needs what it leaves in ws.  Exposed for tests. */
void ff_bp_forward(const ff_net *net, ff_bp_workspace *ws, const float *x, size_t B);
/* BP's backward pass: ws->grads receives dLoss_mean/dparams for labels y.
 * Returns the summed cross-entropy. */
double ff_bp_backward(const ff_net *net, ff_bp_workspace *ws, const int *y, size_t B);

#endif
