/* paper.h - FF as the paper's reference code trains it.
 *
 * Hinton's released Matlab code (ffnew.m; docs/paper-protocol.md)
 * differs from the seed in every choice but the idea: all ten digits, the
 * label in the first ten pixels, RMS normalisation of the input and between
 * layers, threshold = layer width, peer normalisation, momentum SGD with
 * weight cost and a halfway linear learning-rate decay, and hard negatives
 * drawn from the softmax head's own mistakes.  The FF layers step as in
 * the seed (train.h's ff_train_ff_layers), under the rule ff_paper_rule.
 *
 * A trainer holds the buffers of a batch's passes; a program's main makes
 * the protocol's calls in order.  Supervised, one batch, all with the same
 * FF weights:
 *   ff_paper_neutral      the neutral pass (every label pixel 0.1) through
 *                         all the layers, and the head's logits;
 *   ff_neg_labels_hard    its logits choose each image's negative label
 *                         among the wrong ones (negatives.h);
 *   ff_paper_train_head   the head's step on the neutral pass;
 *   ff_paper_step_labels  the positive (true label) and negative (chosen
 *                         label) passes, stacked, layer by layer; each layer
 *                         steps on the sum of both gradients as soon as it
 *                         has them, then normalises both outputs for the
 *                         layer above.
 * Unsupervised (paper section 3.2):
 *   ff_neg_hybrid_images  the negative images (negatives.h);
 *   ff_paper_step_images  real and hybrid images, stacked, the same layer
 *                         step, no label anywhere;
 *   ff_paper_train_head   the head learns the labels from the positive
 *                         pass's normalised activities of the readout
 *                         layers, its gradient stopping at its weights.
 * The reference code runs the positive pass first and steps every layer at
 * the end; the order here computes the same, since no pass reads a layer's
 * weights after that layer has stepped.
 *
 * Layer 0's product of the batch's images is taken once, in
 * ff_paper_neutral, and shared by the three supervised passes (they differ
 * only in the label pixels): ff_paper_step_labels must follow
 * ff_paper_neutral on the same images, with no step of layer 0 between.
 * The net must have FF_NORM_RMS and normalize_input set
 * (ff_net_init_randn initialises it as the code does); its optimiser state
 * (net.h: m) holds the smoothed gradients. */
#ifndef FF_PAPER_H
#define FF_PAPER_H

#include <stddef.h>

#include "ff/error.h"
#include "ff/eval.h"
#include "ff/net.h"
#include "ff/optim.h"
#include "ff/train.h"

typedef struct {
    ff_sgd_config ff;    /* FF layers: lr 0.01, momentum 0.9, weight cost 0.001 */
    ff_sgd_config head;  /* softmax head: lr 0.1, momentum 0.9, weight cost 0.003 */
    float peer_lambda;   /* peer normalisation strength, 0.03 */
    float peer_decay;    /* running-mean decay, 0.9 */
    float peer_init;     /* running mean's start, 0.5 */
    float neutral;       /* label pixels of the neutral pass, 0.1 */
    int learn_head_bias; /* the reference code never updates it (0) */
} ff_paper_config;

/* The reference code's values, named for the programs' flag defaults too. */
#define FF_PAPER_LR 0.01f
#define FF_PAPER_LR_HEAD 0.1f
#define FF_PAPER_MOMENTUM 0.9f
#define FF_PAPER_WEIGHT_COST 0.001f
#define FF_PAPER_WEIGHT_COST_HEAD 0.003f
#define FF_PAPER_PEER 0.03f
#define FF_PAPER_PEER_DECAY 0.9f
#define FF_PAPER_NEUTRAL 0.1f
#define FF_PAPER_DEFAULTS                                                              \
    ((ff_paper_config){{FF_PAPER_LR, FF_PAPER_MOMENTUM, FF_PAPER_WEIGHT_COST},         \
                       {FF_PAPER_LR_HEAD, FF_PAPER_MOMENTUM, FF_PAPER_WEIGHT_COST_HEAD}, \
                       FF_PAPER_PEER, FF_PAPER_PEER_DECAY, 0.5f, FF_PAPER_NEUTRAL, 0})

/* The reference code's FF rule: threshold = each layer's width, the
 * reference gradient (FF_GRAD_REFERENCE), peer normalisation (c's lambda
 * and decay), momentum SGD c->ff. */
ff_ff_rule ff_paper_rule(const ff_paper_config *c);

typedef struct ff_paper ff_paper;

/* A trainer for batches of up to cap images. */
FF_MUST_CHECK
ff_paper *ff_paper_alloc(const ff_net *net, size_t cap, const ff_paper_config *c);
void ff_paper_free(ff_paper *p);
/* Peer normalisation's running mean activity per unit (the sum of the
 * layers' widths, *n), starting at c->peer_init: the trainer's state
 * between batches, which a checkpoint keeps besides the net (its
 * parameters and optimiser state) and the generator. */
float *ff_paper_peer_means(ff_paper *p, size_t *n);
/* Bytes of the trainer's buffers (one block), as every trainer counts its
 * workspace: the net's parameters and optimiser state are not included. */
size_t ff_paper_bytes(const ff_paper *p);
/* The trainer's room for a batch's negative labels (cap ints), for the
 * negatives' draw (negatives.h) and ff_paper_step_labels. */
int *ff_paper_neg_labels(ff_paper *p);
/* The head's logits (B, K) of the last pass, until the next step:
 * ff_paper_neutral's, or the positive pass's of ff_paper_step_images. */
const float *ff_paper_logits(const ff_paper *p);

/* The neutral pass of x (B, D), raw images (no overlay): every label pixel
 * c->neutral, through all the layers to the head's logits; no step.
 * FF_EINVAL if the net cannot be trained so (see above) or B is 0 or above
 * the capacity. */
FF_MUST_CHECK
int ff_paper_neutral(ff_net *net, ff_paper *p, const float *x, size_t B);

/* The softmax head's step on the last pass (ff_paper_neutral, or the
 * positive rows of ff_paper_step_images) against the labels y (B), its
 * learning rate times gain (ff_lr_gain): ff_paper_head_step.
 * loss[n_layers] receives its cross-entropy, summed over the batch.
 * FF_EINVAL unless the last pass was of B rows and its logits are still
 * there. */
FF_MUST_CHECK
int ff_paper_train_head(ff_net *net, ff_paper *p, const int *y, size_t B, float gain,
                        double *loss);

/* Supervised: the positive passes of x (B, D) with the true labels y (B)
 * and the negative passes with the labels neg (B), stacked, through
 * ff_train_ff_layers with ff_paper_rule, learning rate times gain.
 * loss[l] (l < n_layers) receives layer l's FF loss summed over both
 * passes and the batch.  FF_EINVAL unless the last ff_paper_neutral was
 * of these images (the same x and B) and no step has followed it but the
 * head's. */
FF_MUST_CHECK
int ff_paper_step_labels(ff_net *net, ff_paper *p, const float *x, const int *y,
                         const int *neg, size_t B, float gain, double *loss);

/* Unsupervised: positive data x_pos (B, D), real images, and negative data
 * x_neg (B, D), stacked, through ff_train_ff_layers with ff_paper_rule;
 * then the head's logits of the positive pass (for ff_paper_train_head).
 * loss as for ff_paper_step_labels.  FF_EINVAL as for ff_paper_neutral. */
FF_MUST_CHECK
int ff_paper_step_images(ff_net *net, ff_paper *p, const float *x_pos, const float *x_neg,
                         size_t B, float gain, double *loss);

/* The softmax head's step, on its logits (B, K), which the caller computed
 * from head_in (ff_net_head_forward, its blocks cap rows apart), against
 * the labels y (B): the cross-entropy's weight gradient (and the bias's
 * with c->learn_head_bias; else the bias stays as it is) added into g, the
 * head's smoothed gradient times the momentum (head.n_params floats, zero
 * before the first step: optim.h), then the momentum-SGD step of c->head,
 * its learning rate times gain.  dlogits: (B, K) scratch.  Nothing reaches
 * the FF layers.  Returns the cross-entropy summed over the batch. */
double ff_paper_head_step(ff_net *net, float *g, float *dlogits, const float *logits,
                          const float *head_in, size_t B, size_t cap, const int *y,
                          const ff_paper_config *c, float gain);

/* The paper's net of local receptive fields (section 3.3, unsupervised, 1.16%
 * test error after 60 epochs): three locally connected layers (layer.h),
 * each location with its own weights, on 28x28x1 images:
 *   layer 1: a 4x4 grid of locations, stride 6, receptive field 10x10
 *            pixels, 128 channels at each (2048 units);
 *   layer 2: a 3x3 grid, 220 channels, each location reading all the
 *            channels of a 2x2 square of adjacent layer-1 locations: a 2x2
 *            kernel of stride 1 on the 4x4x128 grid (1980 units);
 *   layer 3: a 2x2 grid, 512 channels, likewise on layer 2 (2048 units).
 * With the paper's settings (10 classes, RMS normalisation of the input and
 * between layers); the readouts read layers head_from (from 0) to 2. */
ff_net_spec ff_paper_local_spec(size_t head_from);

/* How the paper's runs are evaluated: the FF losses (threshold = width) on
 * the true label or the raw image, the softmax readout (supervised: on the
 * neutral label `neutral`), and, supervised only, the goodness readout. */
ff_eval_config ff_paper_eval_config(int supervised, float neutral);

#endif
