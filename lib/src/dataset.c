/* dataset.c - loading, selecting, overlaying and jittering labelled images. */
#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/idx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

ff_dataset *ff_dataset_alloc(size_t n, size_t h, size_t w)
{
    const size_t rows = n ? n : 1;
    if ((w && h > SIZE_MAX / w) || (h * w != 0 && rows > SIZE_MAX / sizeof(float) / (h * w)) ||
        rows > SIZE_MAX / sizeof(int))
        return NULL; /* sizes whose byte count would wrap */
    ff_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->n = n;
    ds->h = h;
    ds->w = w;
    ds->d = h * w;
    ds->x = malloc(rows * ds->d * sizeof *ds->x);
    ds->y = malloc(rows * sizeof *ds->y);
    if (!ds->x || !ds->y) {
        ff_dataset_free(ds);
        return NULL;
    }
    return ds;
}

void ff_dataset_free(ff_dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->y);
    free(ds);
}

int ff_dataset_load_idx(ff_dataset **out, const char *images_path,
                        const char *labels_path, const char **bad)
{
    const char *unused;
    if (!bad)
        bad = &unused;
    *out = NULL;
    *bad = NULL;
    ff_idx img, lab;
    int status = ff_idx_read(&img, images_path, 3);
    if (status != FF_SUCCESS) {
        *bad = status == FF_ENOMEM ? NULL : images_path;
        return status;
    }
    status = ff_idx_read(&lab, labels_path, 1);
    if (status != FF_SUCCESS) {
        *bad = status == FF_ENOMEM ? NULL : labels_path;
        ff_idx_free(&img);
        return status;
    }
    ff_dataset *ds = NULL;
    if (lab.dims[0] != img.dims[0])
        status = FF_EIDX_COUNT;
    for (size_t i = 0; status == FF_SUCCESS && i < lab.count; i++)
        if (lab.data[i] > 9) {
            status = FF_EIDX_LABEL;
            *bad = labels_path;
        }
    if (status == FF_SUCCESS) {
        ds = ff_dataset_alloc(img.dims[0], img.dims[1], img.dims[2]);
        if (!ds)
            status = FF_ENOMEM;
    }
    if (status == FF_SUCCESS) {
        for (size_t i = 0; i < img.count; i++)
            ds->x[i] = img.data[i] / 255.0f;
        for (size_t i = 0; i < ds->n; i++)
            ds->y[i] = lab.data[i];
        *out = ds;
    }
    ff_idx_free(&img);
    ff_idx_free(&lab);
    return status;
}

ff_dataset *ff_dataset_select(const ff_dataset *src, int lo, int hi, size_t limit)
{
    size_t n = 0;
    for (size_t i = 0; i < src->n; i++)
        n += src->y[i] >= lo && src->y[i] <= hi;
    if (limit && n > limit)
        n = limit;
    ff_dataset *ds = ff_dataset_alloc(n, src->h, src->w);
    if (!ds)
        return NULL;
    for (size_t i = 0, j = 0; j < n; i++) {
        if (src->y[i] < lo || src->y[i] > hi)
            continue;
        memcpy(ds->x + j * ds->d, src->x + i * src->d, src->d * sizeof *ds->x);
        ds->y[j++] = src->y[i];
    }
    return ds;
}

ff_dataset *ff_dataset_slice(const ff_dataset *src, size_t first, size_t n)
{
    if (first > src->n || n > src->n - first)
        return NULL;
    ff_dataset *ds = ff_dataset_alloc(n, src->h, src->w);
    if (!ds)
        return NULL;
    memcpy(ds->x, src->x + first * src->d, n * src->d * sizeof *ds->x);
    memcpy(ds->y, src->y + first, n * sizeof *ds->y);
    return ds;
}

/* quoted in the report: begin label-overlay */
void ff_overlay_onehot(float *x, const int *y, size_t B, size_t d, size_t K, float on)
{
    for (size_t i = 0; i < B; i++) {
        float *row = x + i * d;
        for (size_t k = 0; k < K; k++)
            row[k] = (size_t)y[i] == k ? on : 0.0f;
    }
}

/* quoted in the report: end label-overlay */
void ff_overlay_fill(float *x, size_t B, size_t d, size_t K, float v)
{
    for (size_t i = 0; i < B; i++)
        for (size_t k = 0; k < K; k++)
            x[i * d + k] = v;
}

void ff_shift_image(float *dst, const float *src, size_t h, size_t w, int dy, int dx)
{
    const long H = (long)h, W = (long)w;
    for (long r = 0; r < H; r++) {
        const long sr = r - dy;
        float *out = dst + r * W;
        if (sr < 0 || sr >= H) {
            memset(out, 0, (size_t)W * sizeof *out);
            continue;
        }
        /* columns c with 0 <= c - dx < W: [lo, hi) */
        const long lo = dx > 0 ? dx : 0, hi = dx < 0 ? W + dx : W;
        memset(out, 0, (size_t)lo * sizeof *out);
        memcpy(out + lo, src + sr * W + (lo - dx), (size_t)(hi - lo) * sizeof *out);
        memset(out + hi, 0, (size_t)(W - hi) * sizeof *out);
    }
}

void ff_jitter(float *dst, const float *src, size_t B, size_t h, size_t w, int max_shift,
               gsl_rng *r)
{
    const size_t d = h * w;
    if (max_shift == 0) {
        memcpy(dst, src, B * d * sizeof *dst);
        return;
    }
    const unsigned long n = 2 * (unsigned long)max_shift + 1;
    for (size_t i = 0; i < B; i++) {
        const int dy = (int)gsl_rng_uniform_int(r, n) - max_shift;
        const int dx = (int)gsl_rng_uniform_int(r, n) - max_shift;
        ff_shift_image(dst + i * d, src + i * d, h, w, dy, dx);
    }
}
