/* paper.h - supervised FF as the paper's reference code trains it.
 *
 * Hinton's released Matlab code (ffnew.m; ../shared/spec/paper-protocol.md)
 * differs from the seed in every choice but the idea: all ten digits, the
 * label in the first ten pixels, RMS normalisation of the input and between
 * layers, threshold = layer width, peer normalisation, momentum SGD with
 * weight cost and a halfway linear learning-rate decay, and hard negatives
 * drawn from the softmax head's own mistakes.  One batch, all with the same
 * FF weights:
 *   1. neutral pass (every label pixel 0.1) through all the layers; its
 *      head logits choose each image's negative label among the wrong ones;
 *      the head takes its step on it;
 *   2. positive pass (true label) and negative pass (chosen label), layer
 *      by layer; each layer steps on the sum of both gradients as soon as it
 *      has them, then normalises both outputs for the layer above.
 * The reference code runs the positive pass first and steps every layer at
 * the end; the order here computes the same, since no pass reads a layer's
 * weights after that layer has stepped.
 * The net must have n_classes = 10 label pixels, FF_NORM_RMS and
 * normalize_input set (ff_net_init_randn initialises it as the code does). */
#ifndef FF_PAPER_H
#define FF_PAPER_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "ff/eval.h"
#include "ff/net.h"
#include "ff/optim.h"

typedef struct {
    ff_sgd_config ff;    /* FF layers: lr 0.01, momentum 0.9, weight cost 0.001 */
    ff_sgd_config head;  /* softmax head: lr 0.1, momentum 0.9, weight cost 0.003 */
    float peer_lambda;   /* peer normalisation strength, 0.03 */
    float peer_decay;    /* running-mean decay, 0.9 */
    float peer_init;     /* running mean's start, 0.5 */
    float neutral;       /* label pixels of the neutral pass, 0.1 */
    int hard_negatives;  /* 1: sample the negative label from the head's softmax
                            over the wrong labels; 0: uniform over them */
    int learn_head_bias; /* the reference code never updates it (0) */
} ff_paper_config;

#define FF_PAPER_DEFAULTS                                                          \
    ((ff_paper_config){{0.01f, 0.9f, 0.001f}, {0.1f, 0.9f, 0.003f}, 0.03f, 0.9f, 0.5f, \
                       0.1f, 1, 0})

typedef struct ff_paper ff_paper;

ff_paper *ff_paper_alloc(const ff_net *net, size_t cap, const ff_paper_config *c);
void ff_paper_free(ff_paper *p);
/* The trainer's state between batches, all a checkpoint needs besides the
 * net and the generator: the smoothed gradients, times the momentum
 * (n_params floats: optim.h), and peer normalisation's running mean
 * activity per unit (the sum of the layers' widths).  *n: their floats. */
float *ff_paper_momentum(ff_paper *p, size_t *n);
float *ff_paper_peer_means(ff_paper *p, size_t *n);
/* Bytes of training workspace held. */
size_t ff_paper_bytes(const ff_paper *p);

/* One batch: x (B, D) raw images (no overlay), y (B) labels 0..9, gain the
 * epoch's learning-rate factor (ff_lr_gain), r the generator of the hard
 * negatives.  loss (n_layers + 1) receives each layer's FF loss summed over
 * the positive and the negative pass, then the head's cross-entropy, all
 * summed over the batch. */
int ff_paper_batch(ff_net *net, ff_paper *p, const float *x, const int *y, size_t B,
                   float gain, gsl_rng *r, double *loss);

/* Unsupervised FF (paper section 3.2), the same layer step: positive data
 * x_pos (B, D) real images, negative data x_neg (B, D) (hybrid images,
 * ff_hybrid_images), no label anywhere in the FF layers.  The softmax head
 * then learns the labels y (B) from the positive pass's normalised
 * activities of the readout layers, its gradient stopping at its weights.
 * loss as for ff_paper_batch. */
int ff_paper_unsup_batch(ff_net *net, ff_paper *p, const float *x_pos, const float *x_neg,
                         const int *y, size_t B, float gain, double *loss);

/* The softmax head's step, as both batches above take it, on its logits
 * (B, K), which the caller computed from head_in (ff_net_head_forward, its
 * blocks cap rows apart), against the labels y (B): the cross-entropy's
 * weight gradient (and the bias's with c->learn_head_bias; else the bias
 * stays as it is) added into g, the head's smoothed gradient times the
 * momentum (head.n_params floats, zero before the first step: optim.h),
 * then the momentum-SGD step of c->head, its learning rate times gain.
 * dlogits: (B, K) scratch.  Nothing reaches the FF layers.  Returns the
 * cross-entropy summed over the batch. */
double ff_paper_head_step(ff_net *net, float *g, float *dlogits, const float *logits,
                          const float *head_in, size_t B, size_t cap, const int *y,
                          const ff_paper_config *c, float gain);

/* How the paper's runs are evaluated: the FF losses (threshold = width) on
 * the true label or the raw image, the softmax readout (supervised: on the
 * neutral label `neutral`), and, supervised only, the goodness readout. */
ff_eval_config ff_paper_eval_config(int supervised, float neutral);

#endif
