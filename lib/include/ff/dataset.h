/* dataset.h - images and labels in memory, and what FF does to them.
 *
 * A dataset is a flat row-major block of float images, pixels in [0, 1],
 * one row per image, plus one int label per image.  Batches are never
 * copied: batch i of size B is the pointer x + i*B*d (a view).
 *
 * Label overlay (seed protocol, "Label overlay"; paper section 3.2): the
 * label is written into the first K pixels of the flattened image, one-hot
 * for a real label, or the same value in every one of the K pixels for the
 * neutral ("default") overlay used by one-pass prediction.  Which labels and
 * images are negative data is negatives.h's. */
#ifndef FF_DATASET_H
#define FF_DATASET_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "ff/error.h"

typedef struct {
    size_t n;    /* number of images */
    size_t h, w; /* image height and width; d = h * w */
    size_t d;
    float *x;    /* (n, d), pixels in [0, 1] */
    int *y;      /* (n), labels */
} ff_dataset;

FF_MUST_CHECK
ff_dataset *ff_dataset_alloc(size_t n, size_t h, size_t w);
void ff_dataset_free(ff_dataset *ds);

/* Load an IDX image file and its IDX label file (each raw or gzipped: idx.h).
 * Checks everything idx.h checks, plus: images are rank 3, labels rank 1,
 * the counts agree, and every label is 0..9.  Pixels are divided by 255.
 * Unless bad is NULL, *bad is the path the status is about: images_path
 * or labels_path, or NULL if it is about both (the counts), neither
 * (FF_ENOMEM), or the status is FF_SUCCESS. */
FF_MUST_CHECK
int ff_dataset_load_idx(ff_dataset **out, const char *images_path,
                        const char *labels_path, const char **bad);

/* A new dataset holding, in their original order, the images of `src` whose
 * label lies in [lo, hi], at most `limit` of them (0: no limit).
 * Labels are kept as they are.  NULL if out of memory. */
FF_MUST_CHECK
ff_dataset *ff_dataset_select(const ff_dataset *src, int lo, int hi, size_t limit);

/* A new dataset holding rows [first, first + n) of `src`.  NULL if out of
 * memory or out of range. */
FF_MUST_CHECK
ff_dataset *ff_dataset_slice(const ff_dataset *src, size_t first, size_t n);

/* Overwrite the first K pixels of each of the B rows of x (B, d) with the
 * one-hot code of y[i] (value `on`, the others 0). */
void ff_overlay_onehot(float *x, const int *y, size_t B, size_t d, size_t K, float on);

/* Overwrite the first K pixels of each of the B rows of x (B, d) with `v`. */
void ff_overlay_fill(float *x, size_t B, size_t d, size_t K, float v);

/* Jitter (paper section 3.3: training images shifted by up to 2 pixels).
 * ff_shift_image: dst (h, w) = src (h, w) moved dy pixels down and dx
 * right, dst[r][c] = src[r - dy][c - dx], 0 where that falls outside src;
 * |dy|, |dx| < h, w.  dst and src must not overlap.
 * ff_jitter: each of the B images of src (B, h*w) shifted into dst by its
 * own (dy, dx), drawn from r uniformly over the (2 max_shift + 1)^2 shifts
 * (dy first, then dx, image after image: 2 B draws); max_shift 0 copies
 * with no draw.  The label overlay, if any, comes after. */
void ff_shift_image(float *dst, const float *src, size_t h, size_t w, int dy, int dx);
void ff_jitter(float *dst, const float *src, size_t B, size_t h, size_t w, int max_shift,
               gsl_rng *r);

#endif
