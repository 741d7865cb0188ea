/* layer.h - the three trainable layer kinds, behind one interface.
 *
 * Shapes use these names: B examples in a batch; a layer maps an input of
 * (ih, iw, ic) = n_in floats per example (NHWC, row-major) to an output of
 * (oh, ow, oc) = n_out floats.  A dense layer is (1, 1, n_in) -> (1, 1, n_out).
 * A conv2d layer uses stride 1 and valid padding: oh = ih - kh + 1.  A
 * locally connected layer ("local": a convolution without weight sharing,
 * the paper's section 3.3) has a stride s and valid padding:
 * oh = (ih - kh) / s + 1 (rows and columns the last position does not reach
 * are not read), ow likewise, each of its P = oh*ow output positions with
 * its own weights.
 *
 * Every kind is a matrix product on "patches": rows = B*oh*ow, row
 * b*oh*ow + p the kh*kw*ic input values under output position p of example
 * b (im2col), times the weights (fan_in = kh*kw*ic, oc).  Dense and conv2d
 * share one weight matrix W (fan_in, oc) among all rows: one product.  A
 * local layer has one W_p per position: P products, each of the B rows of
 * its position (every P-th row of the patches, written into every P-th row
 * block of z; leading dimensions P*fan_in and n_out), each split among the
 * library's threads as any product is (parallel.h).  For a dense layer and for a 1x1 kernel of
 * stride 1 the input already is its patch matrix and nothing is copied.
 * The kernel layout (kh, kw, ic, oc) is Keras's, so fan_in/fan_out match its
 * Glorot-uniform initialiser (seed protocol, "Conv2D model").
 *
 * Parameters live in the owning net's single allocation, w then b, so a
 * layer's n_params floats are one flat block that an optimiser updates in
 * one loop.  Dense, conv2d: w is (fan_in, oc), b is (oc).  Local: w is
 * (P, fan_in, oc), W_p at w + p*fan_in*oc, and b is (P, oc): a bias per
 * position and channel, since no weight is shared (a unit at one place
 * owes nothing to the unit of the same channel at another); b then has the
 * layout of one output row (n_out floats), as for a dense layer. */
#ifndef FF_LAYER_H
#define FF_LAYER_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "ff/error.h"

/* The values are stored in model files (checkpoint.h): never renumber. */
typedef enum { FF_LAYER_DENSE, FF_LAYER_CONV2D, FF_LAYER_LOCAL } ff_layer_kind;

typedef struct {
    ff_layer_kind kind;
    size_t ih, iw, ic;  /* input shape */
    size_t kh, kw;      /* kernel shape (dense: 1, 1) */
    size_t stride;      /* kernel step (dense, conv2d: 1) */
    size_t oh, ow, oc;  /* output shape */
    size_t n_in, n_out; /* ih*iw*ic, oh*ow*oc */
    size_t fan_in;      /* kh*kw*ic: rows of each weight matrix */
    size_t positions;   /* weight matrices: P = oh*ow (local), 1 (shared) */
    size_t n_weights;   /* positions*fan_in*oc: floats of w */
    size_t n_bias;      /* positions*oc: floats of b */
    size_t n_params;    /* n_weights + n_bias */
    float *w;           /* (positions, fan_in, oc) */
    float *b;           /* (positions, oc) */
} ff_layer;

/* Set the shape of a dense layer n_in -> n_out. FF_EINVAL on a zero size. */
FF_MUST_CHECK
int ff_layer_dense(ff_layer *L, size_t n_in, size_t n_out);
/* Set the shape of a conv2d layer; FF_EINVAL if the kernel does not fit. */
FF_MUST_CHECK
int ff_layer_conv2d(ff_layer *L, size_t ih, size_t iw, size_t ic,
                    size_t kh, size_t kw, size_t filters);
/* Set the shape of a locally connected layer: kernel kh x kw moved by
 * `stride`, `filters` channels at each of its positions; FF_EINVAL on a
 * zero size or stride, or if the kernel does not fit. */
FF_MUST_CHECK
int ff_layer_local(ff_layer *L, size_t ih, size_t iw, size_t ic, size_t kh, size_t kw,
                   size_t stride, size_t filters);
/* Point w and b into `params` (n_params floats). */
void ff_layer_bind(ff_layer *L, float *params);

/* Rows of the patch matrix for B examples: B*oh*ow (every kind). */
size_t ff_layer_rows(const ff_layer *L, size_t B);
/* Floats of im2col workspace needed for B examples (0 if none). */
size_t ff_layer_cols_size(const ff_layer *L, size_t B);

/* The patch matrix (rows, fan_in) of x (B, n_in): x itself when the layer
 * needs no im2col, else `cols` (ff_layer_cols_size floats) filled from x. */
const float *ff_layer_patches(const ff_layer *L, float *cols, const float *x, size_t B);

/* z (B, n_out) = patches W (local: row b*P + p times W_p), plus b if
 * add_bias. */
void ff_layer_forward(const ff_layer *L, float *z, const float *patches, size_t B,
                      int add_bias);

/* The layer's own gradient, no input gradient (FF's local step, and BP's
 * weight step): grad (n_params) = [patches^T dz | column sums of dz],
 * overwritten. dz is (B, n_out) = dLoss/dz.  Local: the block of W_p is
 * (position p's patch rows)^T (its dz columns), and the bias gradient the
 * column sums of dz seen as (B, n_out). */
void ff_layer_weight_grad(const ff_layer *L, float *grad, const float *patches,
                          const float *dz, size_t B);

/* The same times alpha, added to grad instead of overwriting it. */
void ff_layer_weight_grad_add(const ff_layer *L, float *grad, const float *patches,
                              const float *dz, size_t B, float alpha);

/* The bias part alone: gb (n_bias) = alpha [column sums of dz] + beta gb,
 * beta 0 or 1 (for a head whose weights are read from several blocks);
 * dz seen as (B*oh*ow, oc), or for a local layer as (B, n_out). */
void ff_layer_bias_grad(const ff_layer *L, float *gb, const float *dz, size_t B, float alpha,
                        float beta);

/* BP only: dx (B, n_in) = dLoss/dx from dz (B, n_out).  dcols is workspace
 * of ff_layer_cols_size floats (unused when the layer needs no im2col). */
void ff_layer_input_grad(const ff_layer *L, float *dx, const float *dz, size_t B,
                         float *dcols);

/* Keras Glorot-uniform: w ~ U(-a, a), a = sqrt(6 / (kh*kw*ic + kh*kw*oc));
 * b = 0.  A local layer's positions each as a conv2d of its kernel would
 * be (fan_in per position; Keras's LocallyConnected2D computes both fans
 * from its 3-D kernel, each times P, and so shrinks every weight as the
 * grid grows, though no unit reads more inputs). */
void ff_layer_init_glorot(ff_layer *L, gsl_rng *r);
/* The paper's reference code (ffnew.m): w ~ N(0, 1) / sqrt(fan_in); b = 0.
 * Local: fan_in per position, kh*kw*ic, the inputs a unit reads. */
void ff_layer_init_randn(ff_layer *L, gsl_rng *r);

/* Reference kernel for the tests: z (B, n_out) = the direct (naive) valid
 * convolution of x (B, n_in) with w, plus b (local: with the stride, and
 * each position's own w and b).  Slow; never used in training. */
void ff_layer_forward_direct(const ff_layer *L, float *z, const float *x, size_t B);

#endif
