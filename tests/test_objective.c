/* test_objective.c - activations, normalisation, goodness and the losses
 * (lib/include/ff/objective.h).
 *
 * Each reference below is written in this file, in double, from the formula
 * its header (and the seed protocol, "FF layer objective") states:
 *   FF loss: binary cross-entropy with logits (e.g. TensorFlow's
 *     sigmoid_cross_entropy_with_logits), logit u = sum_j h_j^2 - theta,
 *     loss = -[t log sigmoid(u) + (1 - t) log(1 - sigmoid(u))], which is
 *     softplus(-u) for t = 1 and softplus(u) for t = 0, summed over rows;
 *   softmax cross-entropy: log(sum_k exp(l_k)) - l_y;
 *   normalisations: y = h / (||h|| + 1e-7) and
 *     y = h / (exp(-100) + sqrt(mean h^2)).
 * Gradients are compared with central finite differences of these double
 * references (whose values are first checked against the library). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "gradcheck.h"
#include "ff/objective.h"

static void test_relu(void)
{
    float h[6] = {-2.0f, -1e-30f, 0.0f, 1e-30f, 0.5f, 3.0f};
    const float want[6] = {0.0f, 0.0f, 0.0f, 1e-30f, 0.5f, 3.0f};
    ff_relu(h, 6);
    int ok = 1;
    for (size_t i = 0; i < 6; i++)
        ok &= h[i] == want[i];
    CHECK(ok, "relu: got %g %g %g %g %g %g", h[0], h[1], h[2], h[3], h[4], h[5]);
    float neg[3] = {-5.0f, -0.1f, -2.0f};
    ff_relu(neg, 2);
    CHECK(neg[0] == 0.0f && neg[1] == 0.0f && neg[2] == -2.0f, "relu must touch only n floats");
    /* a NaN passes (the programs' guard finds it in the loss); -0 and
     * -inf become +0, +inf stays */
    float odd[4] = {NAN, -0.0f, -INFINITY, INFINITY};
    ff_relu(odd, 4);
    CHECK(isnan(odd[0]), "relu(NaN) must stay NaN, got %g", odd[0]);
    CHECK(odd[1] == 0.0f && !signbit(odd[1]) && odd[2] == 0.0f && !signbit(odd[2]) &&
              odd[3] == INFINITY, "relu(-0, -inf, inf): got %g %g %g", odd[1], odd[2], odd[3]);
}

static void test_goodness(gsl_rng *r)
{
    /* N = 37 exercises both a 16-wide partial-sum body and a tail */
    enum { B = 3, N = 37 };
    float h[B * N];
    fill_uniform(h, B * N, r, -2.0, 2.0);
    double g[B + 1] = {1.5, -2.0, 0.0, 99.0};
    ff_goodness_add(g, h, B, N);
    ff_goodness_add(g, h, B, N);
    const double start[B] = {1.5, -2.0, 0.0};
    for (size_t i = 0; i < B; i++) {
        double ss = 0.0;
        for (size_t j = 0; j < N; j++)
            ss += (double)h[i * N + j] * h[i * N + j];
        double want = start[i] + 2.0 * ss;
        CHECK(fabs(g[i] - want) <= 1e-6 * fabs(want), "goodness row %zu: %.9g, want %.9g", i,
              g[i], want);
    }
    CHECK(g[B] == 99.0, "goodness must touch only B rows");
}

/* BCE with logits in its textbook form (valid for moderate |u|). */
static double ref_bce(double u, int target)
{
    double s = 1.0 / (1.0 + exp(-u));
    return target ? -log(s) : -log(1.0 - s);
}

/* Mean FF loss of h = relu(z), in double. */
static double ref_ff_mean_loss(const double *z, size_t B, size_t N, double theta, int target)
{
    double total = 0.0;
    for (size_t i = 0; i < B; i++) {
        double ss = 0.0;
        for (size_t j = 0; j < N; j++) {
            double h = z[i * N + j] > 0 ? z[i * N + j] : 0.0;
            ss += h * h;
        }
        total += ref_bce(ss - theta, target);
    }
    return total / (double)B;
}

static void test_ff_loss_value(void)
{
    /* hand computation: row 0 has sum h^2 = 0.01+0.04+0.09 = 0.14, so
     * u = 0.04 at theta = 0.1; row 1 has sum h^2 = 0.1 = theta, u = 0, and
     * the loss is log 2 for either target; row 2, sum h^2 = 1, u = 0.9. */
    const float h[3 * 3] = {0.1f, 0.2f, 0.3f, 0.0f, 0.0f, 0.316227766f, 1.0f, 0.0f, 0.0f};
    double u0 = (0.1 * 0.1 + 0.2 * 0.2 + 0.3 * 0.3) - 0.1, u1 = 0.316227766 * 0.316227766 - 0.1,
           u2 = 0.9;
    for (int t = 0; t <= 1; t++) {
        double want = ref_bce(u0, t) + ref_bce(u1, t) + ref_bce(u2, t);
        double got = ff_ff_loss(NULL, h, 3, 3, 0.1, t, FF_GRAD_EXACT);
        CHECK(fabs(got - want) < 1e-6, "ff_ff_loss target %d: %.9g, want %.9g (summed)", t, got,
              want);
        double mid = ff_ff_loss(NULL, h + 3, 1, 3, 0.1, t, FF_GRAD_EXACT);
        CHECK(fabs(mid - log(2.0)) < 1e-6, "u = 0 must cost log 2, got %.9g", mid);
    }
    /* softplus(-0.9) = log(1 + e^-0.9) = 0.341153874732,
     * softplus(0.9) = 0.9 + softplus(-0.9) = 1.241153874732 */
    CHECK(fabs(ff_ff_loss(NULL, h + 6, 1, 3, 0.1, 1, FF_GRAD_EXACT) - 0.341153874732) < 1e-6,
          "softplus(-0.9) mismatch");
    CHECK(fabs(ff_ff_loss(NULL, h + 6, 1, 3, 0.1, 0, FF_GRAD_EXACT) - 1.241153874732) < 1e-6,
          "softplus(0.9) mismatch");
}

static void test_ff_loss_grad(gsl_rng *r)
{
    enum { B = 4, N = 10 };
    const double thetas[2] = {0.1, 1.5};
    for (int ti = 0; ti < 2; ti++)
        for (int target = 0; target <= 1; target++) {
            /* z away from 0 (|z| in [0.1, 0.5]) so the FD never crosses the
             * ReLU's kink; about half of the units are off */
            float z[B * N], h[B * N], dz[B * N];
            double zd[B * N], fd[B * N];
            for (size_t i = 0; i < B * N; i++) {
                double m = 0.1 + 0.4 * gsl_rng_uniform(r);
                z[i] = (float)(gsl_rng_uniform(r) < 0.5 ? -m : m);
                zd[i] = z[i];
                h[i] = z[i];
            }
            ff_relu(h, B * N);
            for (size_t i = 0; i < B * N; i++)
                dz[i] = 12345.0f; /* every entry, off units included, is written */
            double sum = ff_ff_loss(dz, h, B, N, thetas[ti], target, FF_GRAD_EXACT);
            double want = ref_ff_mean_loss(zd, B, N, thetas[ti], target) * B;
            CHECK(fabs(sum - want) < 1e-6 * want, "ff loss theta %g target %d: %.9g vs %.9g",
                  thetas[ti], target, sum, want);
            const double step = 1e-4;
            for (size_t i = 0; i < B * N; i++) {
                double z0 = zd[i];
                zd[i] = z0 + step;
                double lp = ref_ff_mean_loss(zd, B, N, thetas[ti], target);
                zd[i] = z0 - step;
                double lm = ref_ff_mean_loss(zd, B, N, thetas[ti], target);
                zd[i] = z0;
                fd[i] = (lp - lm) / (2 * step);
            }
            double worst;
            size_t bad = grad_mismatches(dz, fd, B * N, GRAD_RTOL, GRAD_ATOL, &worst);
            CHECK(bad == 0, "ff loss dz theta %g target %d: %zu entries off FD (worst %g)",
                  thetas[ti], target, bad, worst);
            CHECK(rejects_corruption(dz, fd, B * N), "ff loss dz check must reject 10%% off");
            /* the reference code's gradient: the same loss, half of dz */
            float dzr[B * N];
            double sum_r = ff_ff_loss(dzr, h, B, N, thetas[ti], target, FF_GRAD_REFERENCE);
            int half = sum_r == sum;
            for (size_t i = 0; i < B * N; i++)
                half &= 2.0f * dzr[i] == dz[i];
            CHECK(half, "ff loss with FF_GRAD_REFERENCE: not the same loss and half of dz");
        }
}

static void test_ff_loss_extremes(void)
{
    /* u = 4*1e4 - 0.1: exp(u) overflows a double; the loss must not */
    enum { N = 4 };
    float h[N] = {100.0f, 100.0f, 100.0f, 100.0f}, dz[N];
    const double u = 4e4 - 0.1;
    double l1 = ff_ff_loss(dz, h, 1, N, 0.1, 1, FF_GRAD_EXACT);
    int finite = isfinite(l1);
    for (size_t j = 0; j < N; j++)
        finite &= isfinite(dz[j]);
    CHECK(finite && l1 >= 0.0 && l1 < 1e-12, "large u, target 1: loss %g, want ~0", l1);
    double l0 = ff_ff_loss(dz, h, 1, N, 0.1, 0, FF_GRAD_EXACT);
    finite = isfinite(l0);
    for (size_t j = 0; j < N; j++)
        finite &= isfinite(dz[j]);
    CHECK(finite && fabs(l0 - u) < 1e-6 * u, "large u, target 0: loss %g, want ~u = %g", l0, u);
    /* sigmoid(u) = 1 exactly in double, so dz = (1 - 0) / B * 2h = 200 */
    CHECK(fabs(dz[0] - 200.0f) < 1e-3f, "large u, target 0: dz %g, want 200", dz[0]);
    /* u = 1 - 1e5: the other tail */
    float g[N] = {0.5f, 0.5f, 0.5f, 0.5f};
    double m1 = ff_ff_loss(dz, g, 1, N, 1e5, 1, FF_GRAD_EXACT);
    finite = isfinite(m1);
    for (size_t j = 0; j < N; j++)
        finite &= isfinite(dz[j]);
    CHECK(finite && fabs(m1 - (1e5 - 1.0)) < 1e-6 * 1e5, "very negative u, target 1: %g", m1);
    double m0 = ff_ff_loss(dz, g, 1, N, 1e5, 0, FF_GRAD_EXACT);
    CHECK(isfinite(m0) && m0 >= 0.0 && m0 < 1e-12, "very negative u, target 0: %g", m0);
}

/* Mean softmax cross-entropy in double: log(sum exp) - l_y. */
static double ref_xent_mean(const double *l, const int *y, size_t B, size_t K)
{
    double total = 0.0;
    for (size_t i = 0; i < B; i++) {
        double s = 0.0;
        for (size_t k = 0; k < K; k++)
            s += exp(l[i * K + k]);
        total += log(s) - l[i * K + (size_t)y[i]];
    }
    return total / (double)B;
}

static void test_softmax_xent(gsl_rng *r)
{
    /* hand value: logits (1, 2, 3), label 2: log(e + e^2 + e^3) - 3
     * = 0.40760596444 */
    const float l1[3] = {1.0f, 2.0f, 3.0f};
    const int y1 = 2;
    double v = ff_softmax_xent(NULL, l1, &y1, 1, 3);
    CHECK(fabs(v - 0.40760596444) < 1e-6, "xent (1,2,3) label 2: %.10g", v);

    enum { B = 5, K = 4 };
    float logits[B * K], dl[B * K];
    double ld[B * K], fd[B * K];
    const int y[B] = {0, 3, 1, 1, 2};
    fill_uniform(logits, B * K, r, -3.0, 3.0);
    for (size_t i = 0; i < B * K; i++)
        ld[i] = logits[i];
    double sum = ff_softmax_xent(dl, logits, y, B, K);
    double want = ref_xent_mean(ld, y, B, K) * B;
    CHECK(fabs(sum - want) < 1e-6 * want, "xent sum %.9g, want %.9g (summed over rows)", sum,
          want);
    const double step = 1e-4;
    for (size_t i = 0; i < B * K; i++) {
        double l0 = ld[i];
        ld[i] = l0 + step;
        double lp = ref_xent_mean(ld, y, B, K);
        ld[i] = l0 - step;
        double lm = ref_xent_mean(ld, y, B, K);
        ld[i] = l0;
        fd[i] = (lp - lm) / (2 * step);
    }
    double worst;
    size_t bad = grad_mismatches(dl, fd, B * K, GRAD_RTOL, GRAD_ATOL, &worst);
    CHECK(bad == 0, "xent dlogits: %zu entries off FD (worst %g)", bad, worst);
    CHECK(rejects_corruption(dl, fd, B * K), "xent dlogits check must reject 10%% off");

    /* exp(1000) overflows: a stable implementation still gives ~1000 */
    const float big[3] = {1000.0f, 0.0f, -1000.0f};
    const int yb = 1;
    float db[3];
    double vb = ff_softmax_xent(db, big, &yb, 1, 3);
    CHECK(isfinite(vb) && fabs(vb - 1000.0) < 1e-6, "xent with huge logits: %g", vb);
    CHECK(isfinite(db[0]) && isfinite(db[1]) && isfinite(db[2]) && fabs(db[0] - 1.0f) < 1e-6f &&
              fabs(db[1] + 1.0f) < 1e-6f,
          "xent dlogits with huge logits: %g %g %g", db[0], db[1], db[2]);
}

/* The divisor s(h) of one row, in double, for both kinds. */
static double ref_scale(const double *h, size_t N, ff_norm_kind kind)
{
    double ss = 0.0;
    for (size_t j = 0; j < N; j++)
        ss += h[j] * h[j];
    return kind == FF_NORM_L2 ? sqrt(ss) + 1e-7 : exp(-100.0) + sqrt(ss / (double)N);
}

/* sum(y .* R) for y = h / s(h), row by row. */
static double ref_norm_objective(const double *h, const float *R, size_t B, size_t N,
                                 ff_norm_kind kind)
{
    double total = 0.0;
    for (size_t i = 0; i < B; i++) {
        double s = ref_scale(h + i * N, N, kind);
        for (size_t j = 0; j < N; j++)
            total += h[i * N + j] / s * R[i * N + j];
    }
    return total;
}

static void test_normalize(gsl_rng *r)
{
    enum { B = 4, N = 37 };
    const ff_norm_kind kinds[2] = {FF_NORM_L2, FF_NORM_RMS};
    const char *names[2] = {"L2", "RMS"};
    for (int ki = 0; ki < 2; ki++) {
        ff_norm_kind kind = kinds[ki];
        float h[B * N], y[B * N], yin[B * N], scale[B], scale2[B];
        fill_uniform(h, B * N, r, 0.0, 2.0);
        /* row 3: tiny activities, norm ~4e-6, where L2's +1e-7 is visible */
        for (size_t j = 0; j < N; j++)
            h[3 * N + j] *= 1e-6f;
        ff_normalize(y, scale, h, B, N, kind);
        for (size_t i = 0; i < B; i++) {
            double hd[N], ss = 0.0, sy = 0.0;
            for (size_t j = 0; j < N; j++) {
                hd[j] = h[i * N + j];
                sy += (double)y[i * N + j] * y[i * N + j];
            }
            double s = ref_scale(hd, N, kind);
            for (size_t j = 0; j < N; j++)
                ss += hd[j] * hd[j];
            CHECK(fabs(scale[i] - s) <= 1e-6 * s, "%s row %zu: scale %.9g, want %.9g", names[ki],
                  i, scale[i], s);
            /* L2: ||y|| = ||h|| / (||h|| + 1e-7); RMS: mean(y^2) ~ 1 */
            double want = kind == FF_NORM_L2 ? sqrt(ss) / (sqrt(ss) + 1e-7) : 1.0;
            double got = kind == FF_NORM_L2 ? sqrt(sy) : sy / N;
            CHECK(fabs(got - want) < 1e-5, "%s row %zu: %s %.9g, want %.9g", names[ki], i,
                  kind == FF_NORM_L2 ? "norm" : "mean square", got, want);
        }
        /* in place gives exactly the out-of-place result */
        memcpy(yin, h, sizeof h);
        ff_normalize(yin, scale2, yin, B, N, kind);
        CHECK(memcmp(yin, y, sizeof y) == 0 && memcmp(scale, scale2, sizeof scale) == 0,
              "%s: in-place normalisation must equal out-of-place", names[ki]);

        /* backward: L = sum(y .* R), dh from dy = R, against FD.  Rows of
         * ordinary size here (the tiny row would need a tiny step). */
        float R[B * N], dh[B * N];
        double hd[B * N], fd[B * N];
        fill_uniform(R, B * N, r, -1.0, 1.0);
        fill_uniform(h, B * N, r, -1.0, 2.0);
        ff_normalize(y, scale, h, B, N, kind);
        ff_normalize_backward(dh, R, h, scale, B, N, kind);
        for (size_t i = 0; i < B * N; i++)
            hd[i] = h[i];
        const double step = 1e-4;
        for (size_t i = 0; i < B * N; i++) {
            double h0 = hd[i];
            hd[i] = h0 + step;
            double lp = ref_norm_objective(hd, R, B, N, kind);
            hd[i] = h0 - step;
            double lm = ref_norm_objective(hd, R, B, N, kind);
            hd[i] = h0;
            fd[i] = (lp - lm) / (2 * step);
        }
        double worst;
        size_t bad = grad_mismatches(dh, fd, B * N, GRAD_RTOL, GRAD_ATOL, &worst);
        CHECK(bad == 0, "%s backward: %zu of %d entries off FD (worst %g)", names[ki], bad,
              B * N, worst);
        CHECK(rejects_corruption(dh, fd, B * N), "%s backward check must reject 10%% off",
              names[ki]);
    }

    /* An all-zero row (every unit of a layer off, common after ReLU) must
     * give y = 0, as h / (tiny + 0) is 0 in exact arithmetic: the paper's
     * reference code divides and gets 0.  A NaN here would poison the next
     * layer and the readout. */
    for (int ki = 0; ki < 2; ki++) {
        float z[N] = {0}, yz[N], sz;
        ff_normalize(yz, &sz, z, 1, N, kinds[ki]);
        int zero = 1;
        for (size_t j = 0; j < N; j++)
            zero &= yz[j] == 0.0f;
        CHECK(zero, "%s: an all-zero row must normalise to zeros, got y[0] = %g (scale %g)",
              names[ki], yz[0], sz);
    }
    float z[N] = {0}, yz[N], sz;
    ff_normalize(yz, &sz, z, 1, N, FF_NORM_L2);
    CHECK(sz == 1e-7f, "L2: an all-zero row's scale is exactly the 1e-7, got %g", sz);
}

static void test_argmax(void)
{
    const float a[5] = {1.0f, 3.0f, 3.0f, 2.0f, 3.0f};
    CHECK(ff_argmax(a, 5) == 1, "argmax ties go to the first index");
    const float b[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    CHECK(ff_argmax(b, 4) == 0, "all equal: index 0");
    const float c[4] = {-4.0f, -3.0f, -2.0f, -1.0f};
    CHECK(ff_argmax(c, 4) == 3, "largest last");
    CHECK(ff_argmax(c, 1) == 0, "K = 1: index 0");
    CHECK(ff_argmax(c, 3) == 2, "only the first K values are read");
    const float d[3] = {-FLT_MAX, -INFINITY, -FLT_MAX};
    CHECK(ff_argmax(d, 3) == 0, "very negative values, tie: first");
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20240602);
    test_relu();
    test_goodness(r);
    test_ff_loss_value();
    test_ff_loss_grad(r);
    test_ff_loss_extremes();
    test_softmax_xent(r);
    test_normalize(r);
    test_argmax();
    gsl_rng_free(r);
    return check_done();
}
