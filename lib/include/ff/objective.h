/* objective.h - activations, normalisation, goodness and the losses.
 *
 * Kernels on flat row-major arrays: outputs first, then inputs, then sizes.
 * B rows (examples), N columns (a layer's n_out), K classes. */
#ifndef FF_OBJECTIVE_H
#define FF_OBJECTIVE_H

#include <stddef.h>

/* h = max(h, 0), in place, n floats; a NaN stays NaN, so that a weight
 * gone bad reaches the loss (where the programs look for it) instead of
 * vanishing into a zero. */
void ff_relu(float *h, size_t n);

/* Row normalisation between layers.
 * FF_NORM_L2  (seed, "pre-normalisation"): y = h / (||h|| + 1e-7).
 * FF_NORM_RMS (paper reference code):       y = h / (exp(-100) + sqrt(mean(h^2))).
 * Either makes the next layer blind to the length of h, i.e. to the
 * goodness this layer already computed (paper section 2.1). */
typedef enum { FF_NORM_L2, FF_NORM_RMS } ff_norm_kind;

/* y (B, N) = h / scale row by row; scale (B) receives the divisors.
 * y may equal h (in place). */
void ff_normalize(float *y, float *scale, const float *h, size_t B, size_t N,
                  ff_norm_kind kind);
/* BP through the normalisation: dh (B, N) from dy (B, N), given h and the
 * scale that ff_normalize returned.  dh must not alias dy or h. */
void ff_normalize_backward(float *dh, const float *dy, const float *h,
                           const float *scale, size_t B, size_t N, ff_norm_kind kind);

/* Goodness: g[i] += sum_j h[i, j]^2 for each of the B rows (accumulated, so
 * that a net's total goodness gathers layer after layer). */
void ff_goodness_add(double *g, const float *h, size_t B, size_t N);

/* The FF layer objective (seed protocol, "FF layer objective"): logit
 * u_i = sum_j h_ij^2 - theta, binary cross-entropy with logits against
 * target t (1 positive, 0 negative), mean over the batch.  Returns the
 * summed (not mean) loss over the B rows, so callers can average over a
 * whole data set.  If dz is not NULL it receives the gradient for the
 * pre-activation z of h = relu(z): dz_ij = (sigmoid(u_i) - t) / B * c h_ij
 * (zero where the unit is off, since h_ij = 0 there), where c = 2 gives
 * dLoss_mean/dz (FF_GRAD_EXACT) and c = 1 the reference code's gradient,
 * which drops the 2 of d(h^2)/dh (FF_GRAD_REFERENCE).  With theta = N this
 * is the paper's logistic goodness with threshold = width. */
typedef enum { FF_GRAD_EXACT, FF_GRAD_REFERENCE } ff_grad_kind;
double ff_ff_loss(float *dz, const float *h, size_t B, size_t N, double theta,
                  int target, ff_grad_kind grad);

/* The FF loss of one example whose layer has sum of squares `sumsq`:
 * softplus(theta - sumsq) for target 1, softplus(sumsq - theta) for 0. */
double ff_ff_row_loss(double sumsq, double theta, int target);

/* Softmax cross-entropy with logits against integer labels y (B).  Returns
 * the summed loss over the rows; if dlogits is not NULL it receives
 * dLoss_mean/dlogits = (softmax - onehot(y)) / B. */
double ff_softmax_xent(float *dlogits, const float *logits, const int *y,
                       size_t B, size_t K);

/* Index of the largest of the K values at v (first one on ties). */
size_t ff_argmax(const float *v, size_t K);

#endif
