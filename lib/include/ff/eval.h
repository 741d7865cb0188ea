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

ff_eval_workspace *ff_eval_workspace_alloc(const ff_net *net, size_t cap);
void ff_eval_workspace_free(ff_eval_workspace *ws);

/* Evaluate the n images x (n, D), raw (no overlay), with labels y (n): the
 * label to overlay (supervised) and the label to score (readout). */
int ff_eval(const ff_net *net, ff_eval_workspace *ws, const float *x, const int *y,
            size_t n, const ff_eval_config *c, ff_eval_result *out);

#endif
