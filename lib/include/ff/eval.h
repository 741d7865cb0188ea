/* eval.h - FF losses and the two readouts over a whole set of images.
 *
 * Readouts (seed protocol, "Evaluation"):
 *   - softmax: argmax of the head's logits, on the image with the neutral
 *     overlay (supervised FF) or on the raw image (unsupervised FF, BP);
 *   - goodness: the image is tried with each of the K one-hot labels; the
 *     prediction is the label whose pass has the largest goodness (sum of
 *     squared raw activities of layers head_from and up).
 *
 * Layer 0 is linear in its input, and label variants differ only in the
 * first K pixels, so its pre-activation is computed once per image with
 * those pixels zeroed, and variant k adds the response to a unit pixel k
 * (computed once per call).  The variants then cost only the layers above. */
#ifndef FF_EVAL_H
#define FF_EVAL_H

#include <stddef.h>

#include "ff/error.h"
#include "ff/net.h"

typedef struct {
    int supervised;  /* FF inputs carry the one-hot overlay of y */
    int target;      /* FF loss target: 1 positive data, 0 negative */
    int readout;     /* also score the softmax readout against y */
    int goodness;    /* and, with readout, the goodness readout: K more passes */
    float neutral;   /* value of every label pixel in the neutral overlay */
    double theta;    /* goodness threshold of the FF loss */
    int theta_width; /* 1: each layer's threshold is its width instead (paper) */
} ff_eval_config;

typedef struct {
    size_t n;                     /* images evaluated */
    double loss[FF_MAX_LAYERS];   /* mean FF loss per layer */
    double head_loss;             /* mean softmax cross-entropy (readout only) */
    double softmax_acc;           /* fraction correct (readout only) */
    double goodness_acc;
} ff_eval_result;

typedef struct ff_eval_workspace ff_eval_workspace;

FF_MUST_CHECK
ff_eval_workspace *ff_eval_workspace_alloc(const ff_net *net, size_t cap);
void ff_eval_workspace_free(ff_eval_workspace *ws);

/* Evaluate the n images x (n, D), raw (no overlay), with labels y (n): the
 * label to overlay (supervised) and the label to score (readout).
 * FF_EINVAL if n is 0; FF_ENONFINITE if a loss, the head's loss or a
 * goodness compared is not finite (a product that fails gives NaN: gemm_backend.h),
 * where an argmax would silently score chance. */
FF_MUST_CHECK
int ff_eval(const ff_net *net, ff_eval_workspace *ws, const float *x, const int *y,
            size_t n, const ff_eval_config *c, ff_eval_result *out);

/* The softmax readout's input for the n images x (n, D), computed as
 * ff_eval computes it for the same images (the same products: the same
 * bits, with a workspace of the same capacity): the normalised activities
 * of layers head_from and up in the pass the readout reads, on the
 * neutral overlay c->neutral if c->supervised, else on the raw image.
 * feat receives them in chunks of `rows` images, each in the layout
 * ff_net_head_forward reads with cap = rows: images j rows .. j rows +
 * rows - 1 in chunk j at feat + j rows F (F = head.fan_in), layer l's block
 * (rows, n_out) at chunk + rows head_off[l].  feat: ceil(n / rows) chunks;
 * the rows of the last one past n are left as they are.  FF_EINVAL if n or
 * rows is 0. */
FF_MUST_CHECK
int ff_eval_features(const ff_net *net, ff_eval_workspace *ws, float *feat, size_t rows,
                     const float *x, size_t n, const ff_eval_config *c);

/* The softmax readout of the net's head on n images' features in that
 * layout (chunks of `rows`), against the labels y (n): out's n, head_loss
 * (mean cross-entropy) and softmax_acc; the FF losses 0, goodness_acc NaN.
 * With rows = the capacity of the workspace that computed the features
 * (the cap it was allocated with, or K if that is larger), ff_eval's
 * softmax figures exactly.  logits: (rows, K) scratch.
 * FF_EINVAL if n or rows is 0; FF_ENONFINITE if the loss is not finite. */
FF_MUST_CHECK
int ff_eval_readout(const ff_net *net, float *logits, const float *feat, size_t rows,
                    const int *y, size_t n, ff_eval_result *out);

#endif
