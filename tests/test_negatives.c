/* test_negatives.c - FF's negative data (lib/include/ff/negatives.h).
 *
 *  (a) uniform labels: in range, evenly spread, the same from the same
 *      seed, a stream that continues across calls;
 *  (b) wrong labels: never the true one, uniform over the others, each
 *      row's label the one its documented draw names (a reference draw
 *      from the same generator values, written out here), so that a run's
 *      generator stream is what it was; hard labels on equal logits are
 *      the same draw bit for bit;
 *  (c) hard labels: never the true one even where the head likes it best,
 *      the softmax of the other logits by a chi-square test, a label whose
 *      weight underflows never drawn;
 *  (d) hybrid images: every pixel from one of two source images, pairs of
 *      two classes with distinct_classes, the same from the same seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "ff/negatives.h"

#define K 5
#define NDRAW 20000

static gsl_rng *new_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, seed);
    return r;
}

/* ---- (a) uniform labels ---- */

static void test_labels_uniform(void)
{
    static int a[NDRAW + 1], b[NDRAW], c[NDRAW];
    gsl_rng *r = new_rng(1);
    if (!r) {
        CHECK(0, "gsl_rng_alloc failed");
        return;
    }
    a[NDRAW] = -99;
    ff_neg_labels_uniform(a, NDRAW, K, r);
    gsl_rng_set(r, 1);
    ff_neg_labels_uniform(b, NDRAW, K, r);
    gsl_rng_set(r, 2);
    ff_neg_labels_uniform(c, NDRAW, K, r);

    size_t count[K] = {0}, out_of_range = 0;
    for (size_t i = 0; i < NDRAW; i++) {
        if (a[i] < 0 || a[i] >= K)
            out_of_range++;
        else
            count[a[i]]++;
    }
    CHECK(out_of_range == 0, "%zu labels outside [0, %d)", out_of_range, K);
    CHECK(a[NDRAW] == -99, "ff_neg_labels_uniform wrote past n");
    for (int k = 0; k < K; k++) {
        CHECK(count[k] > 0, "label %d never drawn in %d draws", k, NDRAW);
        /* 4000 expected, sd 57: 15% off is 10 sd, so only a broken draw fails */
        CHECK(count[k] > NDRAW / K * 85 / 100 && count[k] < NDRAW / K * 115 / 100,
              "label %d drawn %zu times of %d, expected about %d", k, count[k], NDRAW,
              NDRAW / K);
    }
    CHECK(memcmp(a, b, sizeof b) == 0, "same seed, different labels");
    CHECK(memcmp(a, c, sizeof c) != 0, "seeds 1 and 2 gave the same labels");

    /* consecutive calls continue the stream rather than restart it, or the
     * negatives would get the same labels every epoch */
    gsl_rng_set(r, 1);
    ff_neg_labels_uniform(b, NDRAW / 2, K, r);
    ff_neg_labels_uniform(b + NDRAW / 2, NDRAW / 2, K, r);
    CHECK(memcmp(a, b, sizeof b) == 0, "two half calls differ from one whole call");

    ff_neg_labels_uniform(c, NDRAW, 1, r);
    int all_zero = 1;
    for (size_t i = 0; i < NDRAW; i++)
        all_zero &= c[i] == 0;
    CHECK(all_zero, "K = 1 must give only label 0");
    gsl_rng_free(r);
}

/* ---- (b) uniform wrong labels ---- */

enum { NC = 10, NW = 9000 };

/* The documented draw, from the generator's values: u = gsl_rng_uniform
 * times the total weight, walked through the wrong labels in order. */
static int reference_draw(const double *w, gsl_rng *r)
{
    double total = 0.0;
    for (int k = 0; k < NC; k++)
        total += w[k];
    double u = gsl_rng_uniform(r) * total;
    int pick = NC;
    for (int k = 0; k < NC; k++) {
        if (w[k] == 0.0)
            continue;
        pick = k;
        if (u < w[k])
            break;
        u -= w[k];
    }
    return pick;
}

/* Chi-square of counts (NC) against probabilities p (NC, zero where no
 * draw is expected) over n draws; *min_e: the smallest expected count. */
static double chi2(const size_t *count, const double *p, size_t n, double *min_e)
{
    double c = 0.0;
    *min_e = INFINITY;
    for (int k = 0; k < NC; k++) {
        if (p[k] == 0.0)
            continue;
        const double e = p[k] * (double)n;
        *min_e = fmin(*min_e, e);
        c += (count[k] - e) * (count[k] - e) / e;
    }
    return c;
}

static void test_labels_wrong(void)
{
    static int y[NW], neg[NW], ref[NW], hard[NW];
    static float zero[NW * NC];
    gsl_rng *r = new_rng(11), *g = new_rng(11);
    if (!r || !g) {
        CHECK(0, "gsl_rng_alloc failed");
        return;
    }
    for (size_t i = 0; i < NW; i++)
        y[i] = (int)(i % NC);
    neg[NW - 1] = -99;
    ff_neg_labels_wrong(neg, y, NW - 1, NC, r);
    CHECK(neg[NW - 1] == -99, "ff_neg_labels_wrong wrote past n");
    ff_neg_labels_wrong(neg + NW - 1, y + NW - 1, 1, NC, r);
    size_t same = 0, mismatch = 0, count[NC] = {0};
    for (size_t i = 0; i < NW; i++) {
        double w[NC];
        for (int k = 0; k < NC; k++)
            w[k] = k == y[i] ? 0.0 : 1.0;
        ref[i] = reference_draw(w, g);
        mismatch += neg[i] != ref[i];
        same += neg[i] == y[i];
        if (y[i] == 3 && neg[i] >= 0 && neg[i] < NC)
            count[neg[i]]++;
    }
    CHECK(same == 0, "the true label drawn %zu times of %d", same, NW);
    CHECK(mismatch == 0, "%zu of %d labels differ from the documented draw", mismatch, NW);
    CHECK(gsl_rng_get(r) == gsl_rng_get(g), "the draw used the generator other than documented");
    double p[NC], min_e;
    for (int k = 0; k < NC; k++)
        p[k] = k == 3 ? 0.0 : 1.0 / (NC - 1);
    const double c = chi2(count, p, NW / NC, &min_e);
    CHECK(min_e >= 5.0 && c < 30.0, "label 3's negatives off uniform, chi2 %.1f (8 dof)", c);

    /* hard labels on a head that is still zero: the same draw */
    gsl_rng_set(r, 11);
    ff_neg_labels_hard(hard, zero, y, NW, NC, r);
    CHECK(memcmp(hard, neg, sizeof hard) == 0, "hard labels on equal logits differ from the "
                                               "uniform wrong labels");
    gsl_rng_free(g);
    gsl_rng_free(r);
}

/* ---- (c) hard labels ---- */

static void test_labels_hard(void)
{
    enum { NH = 6000 };
    static float logits[NH * NC];
    static int y[NH], neg[NH];
    /* the true label 0 has the largest logit, so it would be drawn most
     * often if it were not excluded; label 9 sits 1000 below the rest, its
     * weight exp(-1000) a double's zero */
    const float row[NC] = {4.0f, 1.0f, 0.0f, 2.0f, -1.0f, 0.5f, 1.5f, -0.5f, 0.25f, -1000.0f};
    for (size_t i = 0; i < NH; i++) {
        memcpy(logits + i * NC, row, sizeof row);
        y[i] = 0;
    }
    gsl_rng *r = new_rng(5), *g = new_rng(5);
    if (!r || !g) {
        CHECK(0, "gsl_rng_alloc failed");
        return;
    }
    ff_neg_labels_hard(neg, logits, y, NH, NC, r);
    size_t count[NC] = {0}, bad = 0, mismatch = 0;
    double p[NC], w[NC], z = 0.0, mx = 2.0; /* the largest wrong logit */
    for (int k = 0; k < NC; k++)
        z += w[k] = k == 0 ? 0.0 : exp((double)row[k] - mx);
    for (int k = 0; k < NC; k++)
        p[k] = w[k] / z;
    for (size_t i = 0; i < NH; i++) {
        if (neg[i] < 1 || neg[i] > 8)
            bad++;
        else
            count[neg[i]]++;
        mismatch += neg[i] != reference_draw(w, g);
    }
    CHECK(bad == 0, "%zu labels were the true one, the underflowed one or out of range", bad);
    CHECK(mismatch == 0, "%zu of %d labels differ from the documented draw", mismatch, NH);
    double min_e;
    p[9] = 0.0;
    const double c = chi2(count, p, NH, &min_e);
    CHECK(min_e >= 5.0 && c < 30.0,
          "hard labels off the softmax of the wrong labels' logits, chi2 %.1f (7 dof)", c);
    /* negative control: the same counts are far from uniform */
    for (int k = 1; k < 9; k++)
        p[k] = 1.0 / 8;
    CHECK(chi2(count, p, NH, &min_e) > 100.0, "hard labels look uniform: the test is blind");
    gsl_rng_free(g);
    gsl_rng_free(r);
}

/* ---- (d) hybrid images ---- */

/* Hybrid images of 28 x 28 images, two per class (five classes), every
 * pixel of an image of class c equal to c + 1: a hybrid's pixel values name
 * the classes it was cut from.  Each pixel must come from one of two source
 * images; any-image pairs share a class about one time in nine (a hybrid
 * of one value), distinct-class pairs never do (a mask of 784 blurred
 * random bits that is all on or all off does not occur). */
#define HB 300
static void test_hybrids(void)
{
    enum { HH = 28, HW = 28, HD = HH * HW, HN = 10 };
    ff_dataset *ds = ff_dataset_alloc(HN, HH, HW);
    float *out = malloc(2 * HB * HD * sizeof *out), *ws = malloc(2 * HD * sizeof *ws);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    CHECK(ds && out && ws && r, "allocation failed");
    if (!ds || !out || !ws || !r)
        goto done;
    for (size_t i = 0; i < HN; i++) {
        ds->y[i] = (int)(i / 2);
        for (size_t j = 0; j < HD; j++)
            ds->x[i * HD + j] = (float)(i / 2 + 1);
    }
    for (int distinct = 0; distinct <= 1; distinct++) {
        gsl_rng_set(r, 7);
        ff_neg_hybrid_images(out, ds, HB, 6, distinct, r, ws);
        size_t single = 0, bad = 0;
        for (size_t i = 0; i < HB; i++) {
            float v[2] = {out[i * HD], -1};
            size_t nv = 1;
            for (size_t j = 0; j < HD; j++) {
                float p = out[i * HD + j];
                if (p == v[0] || (nv == 2 && p == v[1]))
                    continue;
                if (nv == 2 || p < 1 || p > 5 || p != (float)(int)p)
                    bad++;
                else
                    v[nv++] = p;
            }
            single += nv == 1;
        }
        CHECK(bad == 0, "distinct %d: %zu pixels from neither of two source images", distinct,
              bad);
        if (distinct)
            CHECK(single == 0, "distinct classes: %zu of %d hybrids are of one class", single, HB);
        else /* 300 / 9 = 33 expected, sd 5.4 */
            CHECK(single > 10 && single < 60,
                  "any images: %zu of %d hybrids of one class, expected about 33", single, HB);
    }
    /* the same seed gives the same hybrids */
    gsl_rng_set(r, 7);
    ff_neg_hybrid_images(out + HB * HD, ds, HB, 6, 1, r, ws);
    CHECK(memcmp(out, out + HB * HD, HB * HD * sizeof *out) == 0,
          "the same seed gave different hybrids");
done:
    gsl_rng_free(r);
    free(ws);
    free(out);
    ff_dataset_free(ds);
}

int main(void)
{
    test_labels_uniform();
    test_labels_wrong();
    test_labels_hard();
    test_hybrids();
    return check_done();
}
