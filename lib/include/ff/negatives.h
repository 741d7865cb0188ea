/* negatives.h - FF's negative data: the ways of choosing it.
 *
 * FF learns to tell positive data (real images with their true label) from
 * negative data; what the negative data is decides what the layers learn.
 * Each choice is one function, called before the layer step with the
 * run's generator: by the experiment's main, or, where a flag picks among
 * them (the paper programs' --uniform-negatives), by exp_neg_labels
 * (experiments/common.h), which the main calls:
 *   - uniform labels (seed protocol, "Label overlay"): the seed's negatives
 *     are digits 5-9 and the labels 0-4, so any label is wrong;
 *   - uniform wrong labels: the same image under a label other than its own;
 *   - hard labels (paper-protocol.md, "Hard negatives"): a wrong label
 *     drawn from the softmax head's own belief, its mistakes most often
 *     (or from any readout's scores given as logits: the recurrent net's
 *     goodness of each label, paper_ff_recurrent --goodness-negatives);
 *   - hybrid images (paper section 3.2): no labels at all, but images whose
 *     short-range statistics are real and whose shapes are not.
 * Labels are written into an int array for the label overlay (dataset.h)
 * or the paper's step (paper.h); images into a float array (B, d). */
#ifndef FF_NEGATIVES_H
#define FF_NEGATIVES_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "ff/dataset.h"

/* neg[i] uniform in [0, K) for i < n, one gsl_rng_uniform_int(r, K) each. */
void ff_neg_labels_uniform(int *neg, size_t n, int K, gsl_rng *r);

/* neg[i] uniform over the K - 1 labels other than y[i] (K >= 2), for
 * i < n: one gsl_rng_uniform(r) u per row, which picks the label whose
 * interval of [0, K - 1) holds u (K - 1) (the last wrong label if rounding
 * overshoots), the labels in order. */
void ff_neg_labels_wrong(int *neg, const int *y, size_t n, size_t K, gsl_rng *r);

/* Hard negatives: neg[i] drawn from the softmax of row i of logits (n, K)
 * with the true class y[i] removed, no temperature: label k != y[i] with
 * probability exp(l_k) / sum_{j != y[i]} exp(l_j) (K >= 2), drawn as in
 * ff_neg_labels_wrong with those weights (exp(l_k - max), max over the
 * wrong labels).  Equal logits (a head still at zero) give the uniform
 * draw of ff_neg_labels_wrong, bit for bit. */
void ff_neg_labels_hard(int *neg, const float *logits, const int *y, size_t n, size_t K,
                        gsl_rng *r);

/* Hybrid images: out (B, d), row i = mask * a + (1 - mask) * b for two
 * different images a, b of ds drawn at random, where the mask is a random
 * bit image blurred `passes` times with the filter [1/4, 1/2, 1/4]
 * horizontally and vertically (edge pixels repeated) and thresholded at
 * 0.5: large regions of one digit beside large regions of another, with
 * the short-range statistics of real digits but not their shapes.
 * distinct_classes: b is drawn again until its label differs from a's
 * (else about one pair in ten shares a class).  ds must hold two images or
 * more, and with distinct_classes two classes or more: the caller checks
 * (else the draw of b is out of range, or never ends).  ws: 2 * d floats
 * of scratch. */
void ff_neg_hybrid_images(float *out, const ff_dataset *ds, size_t B, int passes,
                          int distinct_classes, gsl_rng *r, float *ws);

#endif
