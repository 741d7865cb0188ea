/* recurrent.h - the paper's recurrent net that models top-down effects
 * (Hinton 2022, section 3.4): an image treated as a static video.
 *
 * The net: the bottom layer is the pixel image, the top layer a one-of-K
 * label, and between them H hidden layers of ReLUs (the paper: two or
 * three, of 2000).  Hidden layer l reads, at the previous time step, the
 * normalised activities of the layer below (the image, for l = 0) through
 * its bottom-up weights U_l and of the layer above (the label, for
 * l = H-1) through its top-down weights T_l; every layer is updated at
 * once (synchronously), damped:
 *   z_l(t) = b_l + yhat_{l-1}(t-1) U_l + yhat_{l+1}(t-1) T_l
 *   h_l(t) = d h_l(t-1) + (1 - d) relu(z_l(t))       d: damping, 0.3
 * (with damp_input, the other reading of the paper's "pre-normalized
 * state": u_l(t) = d u_l(t-1) + (1 - d) z_l(t), u_l(0) = z_l(0), and
 * h_l(t) = relu(u_l(t)); the gate below is then [u > 0])
 *   yhat_l(t) = h_l(t) / (exp(-100) + sqrt(mean h_l(t)^2))      (RMS)
 * h, "the pre-normalised state", is the layer's state: its goodness is
 * sum_j h_j^2.  The image and the label are RMS-normalised the same way
 * (x / RMS(x); the one-hot becomes sqrt(K) at the label) and never change;
 * the label then times label_scale s (default 1; the paper says only that
 * the top layer is a one-of-K code).  The top layer's top-down weights
 * start s times smaller, so that its input from the label starts the same
 * for every s; s sets how fast that input learns: a step changes an
 * input's contribution in proportion to the input's squared length, K s^2
 * for the label against N_l for a hidden layer of N_l units.  The weight
 * cost shrinks those weights by the same share a step whatever s, so
 * against their learning it is s^2 times weaker.
 * Time 0 is a single bottom-up pass, h_l(0) = relu(b_l + yhat_{l-1}(0) U_l)
 * with no top-down input: it is the plain feed-forward net, and it holds
 * no label.  Then the iterations t = 1 .. T (the paper: 8).
 *
 * Parameters.  The bottom-up layers (U_l, b_l) and the softmax head are an
 * ff_net (net.h: dense layers, FF_NORM_RMS, normalize_input), built and
 * initialised as the paper programs build theirs; its one allocation holds
 * them and their optimiser state (net->m), so the plain bottom-up net is a
 * net that ff_eval and the checkpoint's PARM and MOMT sections (and any
 * tool that reads a saved net) read unchanged.  The top-down weights T_l
 * (above_l x N_l: above_l is N_{l+1}, or K at the top) and their optimiser
 * state are this module's one allocation (ff_rec.w, then ff_rec.m): an
 * ff_net's block holds only layers that chain, each reading the one
 * before, and the T_l do not.  A pre-activation has one bias, b_l, the
 * net's.
 *
 * Training, one batch of B images x with labels y, as the paper programs
 * of paper.h, under ff_paper_rule (threshold = width, the reference
 * gradient form, peer normalisation, momentum SGD with weight cost and the
 * learning rate's gain):
 *   ff_rec_bottom_up    time 0 of the images; the softmax head's logits on
 *                       its normalised activities (layers head_from and up);
 *   ff_neg_labels_hard  each image's negative label from those logits
 *                       (negatives.h): the paper's "single forward pass
 *                       through the net to get probabilities for all the
 *                       classes", choosing a wrong class in proportion to
 *                       its probability.  The one pass is the bottom-up
 *                       pass, which the iterations need anyway, read by a
 *                       softmax head trained as the reference code's head
 *                       (ff_paper_head_step).  Not the goodness of each
 *                       label: the label reaches the net only through the
 *                       top layer's top-down weights, so that takes
 *                       iterations per label, ten passes, not one (a
 *                       caller that pays for them gets each label's
 *                       goodness from ff_rec_goodness, below);
 *   ff_rec_train_head   the head's step on the bottom-up pass;
 *   ff_rec_iterate      T times: one iteration of the positive rows (label
 *                       y) and the negative rows (label neg) stacked, both
 *                       starting from the images' time-0 state; at a
 *                       learning iteration (learn_first .. learn_last),
 *                       each layer's FF gradient of this iteration is
 *                       added into its smoothed gradient;
 *   ff_rec_step         each layer's momentum-SGD step (U_l and b_l with
 *                       the net's optimiser state, T_l with this module's).
 * So the gradients of the n learning iterations are summed into one step
 * per batch, each weighted 1/n: the step is on their mean, and the
 * learning rate means what it means for the feed-forward net.  By default
 * every iteration 1 .. T learns (the paper does not say which do), time 0
 * never (the positive and negative rows are the same image there, with no
 * label: their states are equal).
 *
 * A layer's FF gradient at iteration t is local: the inputs yhat(t-1) and
 * its own h(t-1) are constants (no gradient through time, nor to another
 * layer).  Its loss is the FF loss of h(t) (positive rows target 1,
 * negative rows 0, each part a mean over its rows, train.h), so through
 * the damping dLoss/dz = (1 - d) [z > 0] dLoss/dh, with dLoss/dh in the
 * rule's form (FF_GRAD_REFERENCE drops the 2 of d(h^2)/dh).  The ReLU's
 * gate is explicit: a unit that is off keeps d h(t-1) of its state.  Peer
 * normalisation reads the positive rows' h(t) and updates its running
 * means at every learning iteration, then pushes dz as in train.h (not
 * gated).  Layer 0's bottom-up gradient is taken once per batch, on the
 * sum over iterations (and over positive and negative rows) of its dz:
 * its input, the image, is the same for all of them.
 *
 * Readout (test time): each image is run with each of the K labels, and
 * the label whose goodness, summed over the readout's hidden layers (by
 * default those from head_from on) and averaged over iterations
 * readout_first .. readout_last (the paper: 3 .. 5; 0 is time 0), is
 * largest wins (the first on ties).  The paper runs 8 iterations; those
 * after readout_last cannot change the readout, so it stops there. */
#ifndef FF_RECURRENT_H
#define FF_RECURRENT_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "ff/checkpoint.h"
#include "ff/error.h"
#include "ff/eval.h"
#include "ff/net.h"
#include "ff/paper.h"

typedef struct {
    int iterations;     /* T, after time 0 (paper 8) */
    float damping;      /* d: the share of the previous state (paper 0.3) */
    int readout_first;  /* the goodness readout averages iterations */
    int readout_last;   /* readout_first .. readout_last (paper 3 .. 5) */
    unsigned readout_layers; /* and sums the goodness of the hidden layers l
                                of bit l (layer 0: bit 0); 0: of those from
                                the net's head_from on.  Only the readout
                                reads it. */
    int learn_first;    /* the iterations whose FF gradients train the */
    int learn_last;     /* layers, learn_first .. learn_last (ff_rec_learning);
                           0, 0: all of them, 1 .. iterations */
    int damp_input;     /* 1: damp the pre-activation, not the state (below) */
} ff_rec_config;

/* The paper's values, named for the program's flag defaults too. */
#define FF_REC_ITERATIONS 8
#define FF_REC_DAMPING 0.3f
#define FF_REC_READOUT_FIRST 3
#define FF_REC_READOUT_LAST 5
#define FF_REC_DEFAULTS                                                          \
    ((ff_rec_config){FF_REC_ITERATIONS, FF_REC_DAMPING, FF_REC_READOUT_FIRST, \
                     FF_REC_READOUT_LAST, 0, 0, 0, 0})

/* FF_EINVAL unless 0 <= readout_first <= readout_last <= iterations,
 * 0 <= damping <= 1, 0 <= learn_first, 0 <= learn_last <= iterations
 * and damp_input is 0 or 1
 * (the trainer checks the rest of the learning iterations). */
FF_MUST_CHECK
int ff_rec_config_check(const ff_rec_config *c);
/* The iterations that learn, *first .. *last: learn_first and learn_last,
 * a 0 read as 1 and as iterations. */
void ff_rec_learning(const ff_rec_config *c, int *first, int *last);

/* The top-down half of the net; the bottom-up half is *net. */
typedef struct {
    ff_net *net;                    /* bottom-up layers and the head; not owned */
    size_t n_layers, n_classes;     /* H, K */
    size_t above[FF_MAX_LAYERS];    /* rows of T_l: N_{l+1}, or K for l = H-1 */
    size_t n_down;                  /* top-down weights in all */
    float label_scale;              /* s: the label layer is the RMS-normalised one-hot
                                       times s; 1 after ff_rec_alloc; set it, finite and
                                       > 0, before ff_rec_init_randn.  Not in the
                                       checkpoint section: the caller sets the s the
                                       net was trained with */
    float down_init;                /* c: ff_rec_init_randn draws the top-down weights c
                                       times the reference code's scale (1 after
                                       ff_rec_alloc; 0: they start at zero, the draws
                                       still made, so that the generator ends where it
                                       would); finite and >= 0 */
    float *down[FF_MAX_LAYERS];     /* (above[l], N_l): T_l, in w */
    float *down_m[FF_MAX_LAYERS];   /* (above[l], N_l): its smoothed gradient, in m */
    float *w;                       /* (n_down): every T_l, layer 0 first; then, in the
                                       same block, m (n_down): momentum SGD's state
                                       (optim.h), zero after an init */
    float *m;
} ff_rec;

/* The top-down weights of net (zero until an init).  FF_EINVAL unless its
 * layers are dense, it normalises with FF_NORM_RMS between layers and on
 * its input; FF_ENOMEM. */
FF_MUST_CHECK
int ff_rec_alloc(ff_rec **out, ff_net *net);
void ff_rec_free(ff_rec *rec);
/* The reference code's initialisation (ff_layer_init_randn): each T_l
 * c randn / sqrt(above[l]), c the net's down_init (1: the reference code's),
 * drawn from r in layer order, the top layer's (which reads the label)
 * divided by label_scale too; the optimiser state zero.  The bottom-up
 * layers are the net's (ff_net_init_randn). */
void ff_rec_init_randn(ff_rec *rec, gsl_rng *r);
/* The first layer (from 0) with a top-down weight that is not finite, or
 * -1: a check of the weights a check of the net's parameters does not
 * see. */
FF_MUST_CHECK
int ff_rec_nonfinite(const ff_rec *rec);

/* The top-down weights and their optimiser state (2 n_down floats) as a
 * checkpoint section, tag FF_REC_TAG, and back: FF_ECKPT_SECTION if there
 * is none, FF_ECKPT_MISMATCH unless it holds exactly that many bytes. */
#define FF_REC_TAG "TDWN"
ff_ckpt_section ff_rec_section(const ff_rec *rec);
FF_MUST_CHECK
int ff_rec_restore(const ff_ckpt *c, ff_rec *rec);

/* ---- training ---- */

typedef struct ff_rec_trainer ff_rec_trainer;

/* A trainer for batches of up to cap images (2 cap rows: positive and
 * negative), with the head's and the layers' settings of pc (the FF rule
 * is ff_paper_rule(pc)) and the iterations of rc (at least 1, and the
 * learning ones, ff_rec_learning, 1 <= first <= last <= iterations).  NULL
 * if out of memory, rc is not valid or rec->label_scale is not finite and
 * > 0. */
FF_MUST_CHECK
ff_rec_trainer *ff_rec_trainer_alloc(const ff_rec *rec, size_t cap, const ff_paper_config *pc,
                                     const ff_rec_config *rc);
void ff_rec_trainer_free(ff_rec_trainer *t);
/* Peer normalisation's running mean per hidden unit (the sum of the
 * widths, *n), starting at pc->peer_init: the trainer's state between
 * batches, which a checkpoint keeps. */
float *ff_rec_peer_means(ff_rec_trainer *t, size_t *n);
/* Bytes of the trainer's buffers (one block); as ff_paper_bytes, the
 * net's and the top-down weights' parameters and optimiser state are not
 * included. */
size_t ff_rec_trainer_bytes(const ff_rec_trainer *t);
/* Room for a batch's negative labels (cap ints). */
int *ff_rec_neg_labels(ff_rec_trainer *t);
/* The head's logits (B, K) of the last bottom-up pass. */
const float *ff_rec_logits(const ff_rec_trainer *t);
/* Layer l's state h (rows, N_l) as it stands: the B images' time 0 after
 * ff_rec_bottom_up, the 2B rows (positive, then negative) after an
 * iteration. */
const float *ff_rec_state(const ff_rec_trainer *t, size_t l);

/* Time 0 of x (B, D), raw images: the bottom-up pass, and the head's
 * logits on it.  FF_EINVAL unless 0 < B <= cap. */
FF_MUST_CHECK
int ff_rec_bottom_up(ff_rec *rec, ff_rec_trainer *t, const float *x, size_t B);

/* The head's step on the bottom-up pass against the labels y (B)
 * (ff_paper_head_step, learning rate times gain); loss[n_layers] receives
 * its cross-entropy, summed over the batch.  FF_EINVAL unless the last
 * call was ff_rec_bottom_up of B images. */
FF_MUST_CHECK
int ff_rec_train_head(ff_rec *rec, ff_rec_trainer *t, const int *y, size_t B, float gain,
                      double *loss);

/* One synchronous damped iteration of the 2B rows: positive rows with the
 * labels y (B) at the top, negative rows with neg (B); the first after
 * ff_rec_bottom_up starts both from the images' time 0.  The iteration's
 * number t counts from 1 after that pass; if t learns (ff_rec_learning),
 * every layer's FF gradient of this iteration (above), times
 * (1 - momentum) / n, n the number of learning iterations, is added into
 * its smoothed gradient (net->m, rec->m), and the FF losses are kept for
 * ff_rec_step.  FF_EINVAL unless ff_rec_bottom_up of B images came first,
 * if the trainer's rc.iterations have run since it, or if a label is
 * outside [0, K). */
FF_MUST_CHECK
int ff_rec_iterate(ff_rec *rec, ff_rec_trainer *t, const int *y, const int *neg, size_t B);

/* Every layer's momentum-SGD step (optim.h) on what the iterations added,
 * learning rate times gain: U_l and b_l (the biases without weight cost),
 * then T_l.  loss[l] (l < n_layers) receives layer l's FF loss, summed
 * over both parts and the batch, averaged over the learning iterations.
 * Once per batch: FF_EINVAL unless every learning iteration ran since
 * ff_rec_bottom_up and no step followed it. */
FF_MUST_CHECK
int ff_rec_step(ff_rec *rec, ff_rec_trainer *t, float gain, double *loss);

/* ---- readout ---- */

typedef struct ff_rec_eval_workspace ff_rec_eval_workspace;

/* A workspace for passes of cap rows: cap / K images at a time, each under
 * every label (cap at least K). */
FF_MUST_CHECK
ff_rec_eval_workspace *ff_rec_eval_workspace_alloc(const ff_rec *rec, size_t cap);
void ff_rec_eval_workspace_free(ff_rec_eval_workspace *ws);

/* g (n, K): the goodness of each of the n images x (n, D), raw, under each
 * label, summed over the readout's hidden layers (c->readout_layers) and
 * averaged over iterations c->readout_first .. c->readout_last.  FF_EINVAL
 * if n is 0, c is not valid, c->readout_layers names a layer the net
 * does not have, or rec->label_scale is not finite and > 0; FF_ENONFINITE
 * if a goodness is not finite (as ff_eval). */
FF_MUST_CHECK
int ff_rec_goodness(const ff_rec *rec, ff_rec_eval_workspace *ws, double *g, const float *x,
                    size_t n, const ff_rec_config *c);

/* The readouts of n images x (n, D) against their labels y (n): n;
 * loss[l], layer l's FF loss (threshold = width, target 1) under the true
 * label, averaged over the readout's iterations, mean over the images;
 * goodness_acc, the recurrent readout's accuracy (as ff_rec_goodness);
 * head_loss and softmax_acc, the softmax head's on the bottom-up pass,
 * computed by ff_eval itself (the raw image: eval.h), so the same figures
 * as ff_eval gives for the net.  FF_EINVAL and FF_ENONFINITE as
 * ff_rec_goodness and ff_eval. */
FF_MUST_CHECK
int ff_rec_eval(const ff_rec *rec, ff_rec_eval_workspace *ws, const float *x, const int *y,
                size_t n, const ff_rec_config *c, ff_eval_result *out);

#endif
