/* optim.h - optimisers as pure functions over flat arrays.
 *
 * The caller owns the state (moment arrays, step count); a step touches only
 * the n floats it is given, so one call updates one layer's whole
 * parameter block (weights and biases together).  A net keeps the state of
 * either optimiser beside its parameters (net.h: m, v, step). */
#ifndef FF_OPTIM_H
#define FF_OPTIM_H

#include <stddef.h>

/* Adam in the Keras/TensorFlow form (seed protocol, "FF layer objective"):
 * at step t (from 1), m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * p -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps).
 * Keras defaults: b1 0.9, b2 0.999, eps 1e-7. */
typedef struct {
    float lr, beta1, beta2, eps;
} ff_adam_config;

#define FF_ADAM_KERAS(lr_) ((ff_adam_config){(lr_), 0.9f, 0.999f, 1e-7f})

/* p, m, v, g: (n).  m and v start at zero; t counts steps from 1. */
void ff_adam_step(float *p, float *m, float *v, const float *g, size_t n,
                  const ff_adam_config *c, long t);

/* The paper's reference code (ffnew.m): momentum-smoothed SGD with weight
 * cost, g = m g + (1 - m) grad, then p -= lr gain (g + wc p) for the first
 * n_decay entries (weights) and p -= lr gain g for the rest (biases).
 * grad is dLoss/dp (the reference code ascends; the signs are flipped
 * here, the arithmetic is the same).
 *
 * The step comes in two halves so that the gradient of a large layer can
 * be added into g by the very product that computes it (the gemm's alpha
 * and beta = 1), instead of being written out, read back and blended:
 *   1. g += (1 - m) grad           the gemm that computes grad, with
 *                                  alpha = 1 - m, beta = 1 (g starts at 0);
 *   2. p -= lr gain (g + wc p),    ff_sgd_step, which then leaves m g in g,
 *      g *= m                      ready for the next step's half 1.
 * Between steps g therefore holds m times the smoothed gradient. */
typedef struct {
    float lr, momentum, weight_cost;
} ff_sgd_config;

/* Half 2. p, g: (n). */
void ff_sgd_step(float *p, float *g, size_t n, size_t n_decay, const ff_sgd_config *c,
                 float gain);

/* The reference code's learning-rate factor for epoch e of E (from 1):
 * 1 while e <= E/2, then (1 + 2 (E - e)) / E, down to 1/E at the last. */
float ff_lr_gain(int e, int E);

/* Which of the two a training rule uses (train.h). */
typedef enum { FF_OPT_ADAM, FF_OPT_SGD } ff_opt_kind;

#endif
