/* net.h - a stack of FF layers, the softmax readout, and their workspaces.
 *
 * A net is n_layers hidden layers (dense, conv2d or locally connected:
 * layer.h; each followed by ReLU and a row normalisation that feeds the
 * next layer) and two readouts read from hidden layers head_from ..
 * n_layers-1 (seed: layers 2-4, i.e. head_from = 1):
 *   - a trained linear softmax head (n_classes) on their *normalised*
 *     activities, concatenated;
 *   - goodness, the sum of squares of their *raw* activities (no weights).
 *
 * Memory (FF's advantage, seed protocol "Known weaknesses"): FF training
 * needs one layer's input and output at a time.  ff_ff_workspace holds two
 * activity buffers that the layers below head_from use in turn, one dz
 * buffer and one gradient buffer of the largest layer, and the readout's
 * input, into which each layer from head_from on writes its normalised
 * output directly (it is what the readout reads, and it is the next layer's
 * input).  Its size grows with depth only by what the readout reads.
 * ff_bp_workspace keeps every layer's activities and gradients, as
 * backpropagation must. */
#ifndef FF_NET_H
#define FF_NET_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "ff/error.h"
#include "ff/layer.h"
#include "ff/objective.h"

#define FF_MAX_LAYERS 8

typedef struct {
    ff_layer_kind kind;
    size_t units;  /* dense: width; conv2d, local: filters (channels per position) */
    size_t kh, kw; /* conv2d, local: kernel (ignored for dense) */
    size_t stride; /* local: the kernel's step, at least 1; conv2d: 0 or 1 (its
                      stride is 1, and 0 is what a spec that names no stride
                      holds); ignored for dense */
} ff_layer_spec;

typedef struct {
    size_t ih, iw, ic;   /* input image shape */
    size_t n_layers;
    ff_layer_spec layer[FF_MAX_LAYERS];
    size_t head_from;    /* first hidden layer read by the readouts */
    size_t n_classes;    /* softmax outputs, and label pixels in the overlay */
    ff_norm_kind norm;
    int normalize_input; /* normalise the input too (paper), not only between layers */
} ff_net_spec;

typedef struct {
    ff_net_spec spec;
    size_t n_layers, head_from, n_classes;
    ff_layer layer[FF_MAX_LAYERS];
    ff_layer head;                   /* dense: head_inputs -> n_classes */
    size_t head_off[FF_MAX_LAYERS];  /* layer l's first column in the head input */
    size_t width;                    /* largest n_out of the hidden layers */
    size_t max_layer_params;         /* largest n_params, head included */
    size_t n_params;
    float *params;                   /* (n_params): each layer's block, then the head's */
    /* The optimiser's state, whichever trains the net (optim.h), zero after
     * an init: Adam's two moments and steps taken per layer (head last),
     * or momentum SGD's smoothed gradients (times the momentum) in m. */
    float *m, *v;                    /* (n_params) */
    long step[FF_MAX_LAYERS + 1];
} ff_net;

/* Check a spec without allocating anything: the layer count, head_from,
 * n_classes, and each layer's shape (its input is the previous layer's
 * output; a conv2d's stride 0 or 1, a local layer's at least 1), every
 * size it implies at most 2^40 (none can wrap).  *n_params (may be NULL)
 * receives the parameters it implies.
 * FF_EINVAL if the spec cannot be built. */
FF_MUST_CHECK
int ff_net_spec_check(const ff_net_spec *spec, size_t *n_params);
/* Build a net from its spec (checked as above).  Parameters are zero until
 * an init. */
FF_MUST_CHECK
int ff_net_alloc(ff_net **out, const ff_net_spec *spec);
void ff_net_free(ff_net *net);
/* Glorot-uniform for every layer and the head, zero biases, optimiser state
 * reset. Draws from r in layer order. */
void ff_net_init_glorot(ff_net *net, gsl_rng *r);
/* The paper's reference code: weights randn / sqrt(fan_in), zero biases,
 * and a head that starts at zero; optimiser state reset. */
void ff_net_init_randn(ff_net *net, gsl_rng *r);
/* Offset of a layer's parameter block in params/m/v (l == n_layers: head). */
size_t ff_net_param_offset(const ff_net *net, size_t l);

/* The softmax head: logits (B, K) = [blocks of head_in] W + b, where head_in
 * holds layer l's (B, n_out_l) block at head_in + cap * head_off[l]: the
 * blocks are laid out for cap rows (the workspace's), of which the first
 * B <= cap are used.  The two gradients read head_in the same way. */
void ff_net_head_forward(const ff_net *net, float *logits, const float *head_in,
                         size_t B, size_t cap);
/* grad (head.n_params) = the head's weight gradient from dlogits (B, K). */
void ff_net_head_weight_grad(const ff_net *net, float *grad, const float *head_in,
                             const float *dlogits, size_t B, size_t cap);
/* grad += alpha times that gradient (the momentum SGD's half 1: optim.h). */
void ff_net_head_weight_grad_add(const ff_net *net, float *grad, const float *head_in,
                                 const float *dlogits, size_t B, size_t cap, float alpha);

/* FF workspace: see the header comment.  cap = rows it holds (a batch, or
 * a stacked pass: train.h).  A trainer with buffers of its own may lay one
 * over them (paper.c; mem NULL, not to be freed here). */
typedef struct {
    size_t cap;
    float *act[2];    /* (cap, width): outputs of layers below head_from */
    float *head_in;   /* readout input, blocks as in ff_net_head_forward */
    float *dz;        /* (cap, width) */
    float *grad;      /* (max_layer_params): Adam's gradient (SGD adds into m) */
    float *cols;      /* im2col of the largest layer */
    float *scale;     /* (cap) */
    float *logits, *dlogits; /* (cap, K) */
    double *goodness; /* (cap) */
    size_t bytes;     /* total bytes held */
    void *mem;        /* the one block all of the above live in */
} ff_ff_workspace;

FF_MUST_CHECK
ff_ff_workspace *ff_ff_workspace_alloc(const ff_net *net, size_t cap);
void ff_ff_workspace_free(ff_ff_workspace *ws);
/* Where layer l writes its output for a batch (in act, or in head_in). */
float *ff_ff_workspace_out(const ff_net *net, const ff_ff_workspace *ws, size_t l);

/* BP workspace: every layer's activities and every gradient. */
typedef struct {
    size_t cap;
    float *h[FF_MAX_LAYERS];       /* (cap, n_out): ReLU outputs */
    float *y[FF_MAX_LAYERS];       /* (cap, n_out): normalised (head layers: in head_in) */
    float *scale[FF_MAX_LAYERS];   /* (cap) */
    float *cols[FF_MAX_LAYERS];    /* im2col of each layer's input (NULL if none) */
    const float *patches[FF_MAX_LAYERS];
    float *head_in;
    float *logits, *dlogits;       /* (cap, K) */
    float *d[2], *dh, *dcols;      /* gradient scratch */
    float *grads;                  /* (n_params) */
    size_t bytes;
    void *mem;
} ff_bp_workspace;

FF_MUST_CHECK
ff_bp_workspace *ff_bp_workspace_alloc(const ff_net *net, size_t cap);
void ff_bp_workspace_free(ff_bp_workspace *ws);

#endif
