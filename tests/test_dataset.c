/* test_dataset.c - selecting, slicing and overlaying labelled images.
 *
 * The experiments split MNIST into positive (0-4) and negative (5-9) sets
 * with ff_dataset_select and write labels into the first K pixels with the
 * overlays; an off-by-one in either silently changes what is learnt, so the
 * tests compare every pixel against hand-made data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ff/dataset.h"

#define N 10
#define H 2
#define W 4
#define D (H * W)

/* Pixel j of source row i: unique across the set, so a row copied from the
 * wrong place, or shifted by one, cannot match. */
static float pix(size_t i, size_t j)
{
    return (float)(100 * i + j);
}

static const int labels[N] = {3, 7, 0, 4, 9, 5, 1, 2, 8, 6};

static ff_dataset *make_source(void)
{
    ff_dataset *ds = ff_dataset_alloc(N, H, W);
    if (!ds)
        return NULL;
    for (size_t i = 0; i < N; i++) {
        ds->y[i] = labels[i];
        for (size_t j = 0; j < D; j++)
            ds->x[i * D + j] = pix(i, j);
    }
    return ds;
}

/* Whether row r of ds is an exact copy of source row i, label included. */
static int row_is(const ff_dataset *ds, size_t r, size_t i)
{
    if (ds->y[r] != labels[i])
        return 0;
    for (size_t j = 0; j < D; j++)
        if (ds->x[r * D + j] != pix(i, j))
            return 0;
    return 1;
}

static void test_alloc(void)
{
    ff_dataset *ds = ff_dataset_alloc(3, 5, 7);
    CHECK(ds && ds->x && ds->y, "alloc 3x5x7 failed");
    if (ds)
        CHECK(ds->n == 3 && ds->h == 5 && ds->w == 7 && ds->d == 35,
              "n %zu h %zu w %zu d %zu", ds->n, ds->h, ds->w, ds->d);
    ff_dataset_free(ds);
    /* sizes whose byte count wraps around must fail, not return a dataset
     * that claims more rows than its few bytes hold */
    ds = ff_dataset_alloc(SIZE_MAX / sizeof(float) + 2, 1, 1);
    CHECK(ds == NULL, "alloc of (SIZE_MAX / 4 + 2) x 1 x 1 floats must be NULL (n*d*4 wraps)");
    ff_dataset_free(ds);
    ds = ff_dataset_alloc(1, (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4));
    CHECK(ds == NULL, "alloc of 1 x 2^32 x 2^32 must be NULL (h*w wraps to 0)");
    ff_dataset_free(ds);
    ds = ff_dataset_alloc(0, 28, 28);
    CHECK(ds && ds->n == 0 && ds->d == 784, "an empty dataset must still be allocated");
    ff_dataset_free(ds);
    ff_dataset_free(NULL);
}

static void test_select(const ff_dataset *src)
{
    /* source rows with labels 0..4, in source order */
    const size_t pos[5] = {0, 2, 3, 6, 7}, neg[5] = {1, 4, 5, 8, 9};
    ff_dataset *s = ff_dataset_select(src, 0, 4, 0);
    CHECK(s && s->n == 5, "select 0-4: n %zu, expected 5", s ? s->n : 0);
    if (s && s->n == 5) {
        CHECK(s->h == H && s->w == W && s->d == D, "shape h %zu w %zu d %zu", s->h, s->w, s->d);
        for (size_t r = 0; r < 5; r++)
            CHECK(row_is(s, r, pos[r]), "select 0-4: row %zu is not source row %zu", r, pos[r]);
    }
    ff_dataset_free(s);

    s = ff_dataset_select(src, 5, 9, 0);
    CHECK(s && s->n == 5, "select 5-9: n %zu, expected 5", s ? s->n : 0);
    if (s && s->n == 5)
        for (size_t r = 0; r < 5; r++)
            CHECK(row_is(s, r, neg[r]), "select 5-9: row %zu is not source row %zu", r, neg[r]);
    ff_dataset_free(s);

    s = ff_dataset_select(src, 0, 4, 3);
    CHECK(s && s->n == 3, "select 0-4 limit 3: n %zu", s ? s->n : 0);
    if (s && s->n == 3)
        for (size_t r = 0; r < 3; r++)
            CHECK(row_is(s, r, pos[r]), "limit keeps the first: row %zu is not source row %zu",
                  r, pos[r]);
    ff_dataset_free(s);

    s = ff_dataset_select(src, 0, 4, 5);
    CHECK(s && s->n == 5, "limit equal to the count: n %zu", s ? s->n : 0);
    ff_dataset_free(s);
    s = ff_dataset_select(src, 0, 4, 1000);
    CHECK(s && s->n == 5, "limit above the count: n %zu", s ? s->n : 0);
    ff_dataset_free(s);

    s = ff_dataset_select(src, 7, 7, 0);
    CHECK(s && s->n == 1 && row_is(s, 0, 1), "select the single label 7");
    ff_dataset_free(s);
    s = ff_dataset_select(src, 0, 9, 0);
    CHECK(s && s->n == N, "select everything: n %zu", s ? s->n : 0);
    if (s && s->n == N)
        for (size_t r = 0; r < N; r++)
            CHECK(row_is(s, r, r), "select everything: row %zu moved", r);
    ff_dataset_free(s);
    s = ff_dataset_select(src, 10, 20, 0);
    CHECK(s && s->n == 0, "select of no label: n %zu, expected an empty dataset",
          s ? s->n : 0);
    ff_dataset_free(s);

    int untouched = 1;
    for (size_t i = 0; i < N; i++)
        untouched &= row_is(src, i, i);
    CHECK(untouched, "select modified its source");
}

static void test_slice(const ff_dataset *src)
{
    ff_dataset *s = ff_dataset_slice(src, 2, 3);
    CHECK(s && s->n == 3, "slice [2, 5): n %zu", s ? s->n : 0);
    if (s && s->n == 3) {
        CHECK(s->h == H && s->w == W && s->d == D, "slice shape h %zu w %zu d %zu", s->h, s->w,
              s->d);
        for (size_t r = 0; r < 3; r++)
            CHECK(row_is(s, r, 2 + r), "slice [2, 5): row %zu is not source row %zu", r, r + 2);
        /* a slice is a copy: the FF programs overlay labels on theirs */
        s->x[0] = -1.0f;
        CHECK(src->x[2 * D] == pix(2, 0), "writing the slice changed the source");
    }
    ff_dataset_free(s);

    s = ff_dataset_slice(src, 0, N);
    CHECK(s && s->n == N && row_is(s, N - 1, N - 1), "slice of the whole set");
    ff_dataset_free(s);
    s = ff_dataset_slice(src, N - 1, 1);
    CHECK(s && s->n == 1 && row_is(s, 0, N - 1), "slice of the last row");
    ff_dataset_free(s);

    CHECK(ff_dataset_slice(src, 8, 3) == NULL, "slice [8, 11) of 10 rows must be NULL");
    CHECK(ff_dataset_slice(src, 0, N + 1) == NULL, "slice of 11 rows of 10 must be NULL");
    CHECK(ff_dataset_slice(src, N + 1, 0) == NULL, "slice starting past the end must be NULL");
    /* first + n wrapping around must not pass for in range */
    CHECK(ff_dataset_slice(src, 2, SIZE_MAX) == NULL, "slice of SIZE_MAX rows must be NULL");
    CHECK(ff_dataset_slice(src, SIZE_MAX, 2) == NULL, "slice from SIZE_MAX must be NULL");
}

#define B 3
#define K 5
#define DD 9

static void fill_rows(float *x)
{
    for (size_t i = 0; i < B * DD; i++)
        x[i] = 0.5f + (float)i;
}

/* A hand-worked shift: the 3x3 image 1..9 moved one row down and one
 * column left,
 *   1 2 3        0 0 0
 *   4 5 6   ->   2 3 0
 *   7 8 9        5 6 0
 * and its negative control, the opposite shift. */
static void test_shift(void)
{
    const float src[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float want[9] = {0, 0, 0, 2, 3, 0, 5, 6, 0};
    const float back[9] = {0, 4, 5, 0, 7, 8, 0, 0, 0}; /* dy -1, dx +1 */
    float dst[9];
    ff_shift_image(dst, src, 3, 3, 1, -1);
    CHECK(memcmp(dst, want, sizeof dst) == 0, "shift (1, -1) of 1..9 is not the hand-worked one");
    ff_shift_image(dst, src, 3, 3, -1, 1);
    CHECK(memcmp(dst, back, sizeof dst) == 0, "shift (-1, 1) of 1..9 is not the hand-worked one");
    CHECK(memcmp(dst, want, sizeof dst) != 0, "opposite shifts give the same image");
    ff_shift_image(dst, src, 3, 3, 0, 0);
    CHECK(memcmp(dst, src, sizeof dst) == 0, "shift (0, 0) is not a copy");
    ff_shift_image(dst, src, 3, 3, 2, 2);
    CHECK(dst[8] == 1 && dst[0] == 0 && dst[4] == 0, "shift (2, 2) does not move pixel 0 to 8");
}

/* ff_jitter draws every one of the 25 shifts of max_shift 2 about equally
 * often (each image a 7x7 with one lit centre pixel: where it lands is
 * the shift), and max_shift 0 copies without drawing. */
static void test_jitter(void)
{
    enum { S = 7, NIMG = 2500 };
    float *src = calloc((size_t)NIMG * S * S, sizeof *src);
    float *dst = malloc((size_t)NIMG * S * S * sizeof *dst);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    CHECK(src && dst && r && r2, "cannot allocate");
    if (!src || !dst || !r || !r2)
        goto out;
    for (size_t i = 0; i < NIMG; i++)
        src[i * S * S + 3 * S + 3] = 1;
    gsl_rng_set(r, 5);
    ff_jitter(dst, src, NIMG, S, S, 2, r);
    int count[S * S] = {0}, bad = 0;
    for (size_t i = 0; i < NIMG; i++) {
        int lit = -1, n = 0;
        for (int j = 0; j < S * S; j++)
            if (dst[i * S * S + j] != 0) {
                lit = j;
                n++;
            }
        if (n != 1 || lit / S < 1 || lit / S > 5 || lit % S < 1 || lit % S > 5)
            bad++;
        else
            count[lit]++;
    }
    CHECK(bad == 0, "%d jittered images lost their pixel or moved it more than 2", bad);
    /* 100 expected per shift; binomial sd 9.8: within 4 sd */
    for (int y = 1; y <= 5; y++)
        for (int x = 1; x <= 5; x++)
            CHECK(count[y * S + x] > 60 && count[y * S + x] < 140,
                  "shift (%d, %d) drawn %d times in %d, expected about 100", y - 3, x - 3,
                  count[y * S + x], NIMG);
    gsl_rng_set(r, 9);
    gsl_rng_set(r2, 9);
    ff_jitter(dst, src, NIMG, S, S, 0, r);
    CHECK(memcmp(dst, src, (size_t)NIMG * S * S * sizeof *dst) == 0, "max_shift 0 is not a copy");
    CHECK(gsl_rng_get(r) == gsl_rng_get(r2), "max_shift 0 drew from the generator");
out:
    gsl_rng_free(r);
    gsl_rng_free(r2);
    free(src);
    free(dst);
}

static void test_overlays(void)
{
    float x[B * DD + 1];
    const float guard = -7.0f;
    const int y[B] = {0, 4, 2};

    fill_rows(x);
    x[B * DD] = guard;
    ff_overlay_onehot(x, y, B, DD, K, 0.75f);
    for (size_t i = 0; i < B; i++) {
        for (size_t k = 0; k < K; k++) {
            float want = (int)k == y[i] ? 0.75f : 0.0f;
            CHECK(x[i * DD + k] == want, "onehot row %zu pixel %zu: %g, expected %g", i, k,
                  (double)x[i * DD + k], (double)want);
        }
        for (size_t j = K; j < DD; j++)
            CHECK(x[i * DD + j] == 0.5f + (float)(i * DD + j),
                  "onehot touched row %zu pixel %zu beyond the first %d", i, j, K);
    }
    CHECK(x[B * DD] == guard, "onehot wrote past the last row");

    fill_rows(x);
    ff_overlay_fill(x, B, DD, K, 0.2f);
    for (size_t i = 0; i < B; i++) {
        for (size_t k = 0; k < K; k++)
            CHECK(x[i * DD + k] == 0.2f, "fill row %zu pixel %zu: %g", i, k,
                  (double)x[i * DD + k]);
        for (size_t j = K; j < DD; j++)
            CHECK(x[i * DD + j] == 0.5f + (float)(i * DD + j),
                  "fill touched row %zu pixel %zu beyond the first %d", i, j, K);
    }
    CHECK(x[B * DD] == guard, "fill wrote past the last row");

    /* overlaying twice must leave only the second label: negatives are
     * relabelled in place every epoch */
    fill_rows(x);
    ff_overlay_onehot(x, y, B, DD, K, 1.0f);
    const int y2[B] = {3, 3, 0};
    ff_overlay_onehot(x, y2, B, DD, K, 1.0f);
    for (size_t i = 0; i < B; i++) {
        float sum = 0.0f;
        for (size_t k = 0; k < K; k++)
            sum += x[i * DD + k];
        CHECK(sum == 1.0f && x[i * DD + (size_t)y2[i]] == 1.0f,
              "relabelled row %zu does not hold exactly label %d", i, y2[i]);
    }
}

int main(void)
{
    test_alloc();
    ff_dataset *src = make_source();
    CHECK(src != NULL, "cannot allocate the source dataset");
    if (src) {
        test_select(src);
        test_slice(src);
    }
    ff_dataset_free(src);
    test_overlays();
    test_shift();
    test_jitter();
    return check_done();
}
