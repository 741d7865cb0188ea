/* label_variants.h - private: layer 0's product, shared by an image's label
 * variants.
 *
 * Supervised FF runs one image under several labels (the goodness readout's
 * ten, the paper step's neutral, positive and negative passes), and the
 * variants differ only in the K label pixels.  Layer 0 is linear in its
 * input, so its pre-activation is computed once per image, zraw = x W with
 * no bias; the label pixels' own contribution is taken out (zbase) and each
 * variant's put back from resp (K, N), layer 0's response to the unit
 * images e_k.  Nets that normalise their input then divide by the
 * variant's RMS, found from sums of squares without building the input. */
#ifndef FF_LABEL_VARIANTS_H
#define FF_LABEL_VARIANTS_H

#include <stddef.h>

/* zbase (B, N) = zraw - sum_k x[i, k] resp_k: layer 0's pre-activation as
 * if the first K pixels of x (B, D) were zero. */
void ff_lv_unlabel(float *zbase, const float *zraw, const float *x, const float *resp,
                   size_t B, size_t D, size_t N, size_t K);

/* z (B, N) = zbase + sum_k w_k resp_k, w given per row by `label`
 * (one-hot) or by `fill` (the same value for every k) when label is NULL. */
void ff_lv_variant(float *z, const float *zbase, const float *resp, const int *label,
                   float fill, size_t B, size_t N, size_t K);

/* Nets that normalise their input (paper): z (B, N), a variant's
 * pre-activation without bias, becomes z / RMS + bias, the RMS of the
 * variant's input (D pixels) found from the sums of squares off the label
 * pixels (x0ss) and on them: `extra` plus, per row, extra_rows[i] when
 * given. */
void ff_lv_input_norm(float *z, const double *x0ss, double extra, const double *extra_rows,
                      const float *bias, size_t B, size_t N, size_t D);

/* 1 / RMS of an input of D pixels whose squares sum to ss, as the paper's
 * nets normalise it (ff_normalize, FF_NORM_RMS), rounded to a float. */
float ff_lv_inv_rms(double ss, size_t D);

/* x0ss, lss (B): each row of x (B, D)'s sum of squares off and on the K
 * label pixels; lss may be NULL. */
void ff_lv_split_sumsq(double *x0ss, double *lss, const float *x, size_t B, size_t D,
                       size_t K);

#endif
