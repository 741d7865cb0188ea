/* peer_norm.h - private: the reference code's peer normalisation.
 *
 * On a positive pass, each unit's running mean activity is updated before
 * use, mean = decay mean + (1 - decay) mean_batch(h), from the unnormalised
 * h; then lambda (avg - mean) / B, avg the layer's average of the running
 * means, is subtracted from every case's gradient (dz = dLoss/dz, descended),
 * pushing it towards units less active than the average.  Not gated by the
 * ReLU: it revives dead units. */
#ifndef FF_PEER_NORM_H
#define FF_PEER_NORM_H

#include <stddef.h>

/* dz, h (B, N); mean (N), updated in place.  Runs over blocks of units in
 * the library's threads, with the same bits for every thread count. */
void ff_peer_normalise(float *dz, float *mean, const float *h, size_t B, size_t N,
                       float lambda, float decay);

#endif
