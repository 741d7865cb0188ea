/* test_parallel.c - the library's own threads (lib/src/parallel.h).
 *
 *  (a) ff_par_chunk: the T chunks of [0, n) tile it exactly, in order, each
 *      starting on a multiple of 16 (but the first);
 *  (b) ff_par_gemm in 1, 2 and 3 threads against a product written out in
 *      double, for every transpose of A and B, beta 0 and 1, products
 *      split by rows (C taller than wide), by columns, and too small to
 *      split; sizes that no chunk divides, so the last chunk is ragged;
 *  (c) the optimiser steps (ff_sgd_step, ff_adam_step) over arrays large
 *      enough to be split: the same bits in 2 and 3 threads as in one
 *      (each element's arithmetic does not depend on its chunk), and the
 *      entries past n untouched;
 *  (d) the element-wise passes of a batch (ReLU, both normalisations, the
 *      FF loss and its gradient, goodness, the bias gradient, layer 0's
 *      label variants) over a batch large enough to be split, with ragged
 *      blocks of rows and columns: the same bits in 2 and 3 threads as in
 *      one, the reported loss within rounding; the bias gradient also
 *      bit-equal to a plain column-by-column loop;
 *  (e) peer normalisation over the same batch, twice (its running means
 *      carry over): in 1, 2 and 3 threads bit-equal to the reference
 *      code's loop over units written out plainly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "ff/layer.h"
#include "ff/objective.h"
#include "ff/optim.h"
#include "ff/system.h"
#include "label_variants.h"
#include "parallel.h"
#include "peer_norm.h"

static void fill(float *a, size_t n, gsl_rng *r)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(2.0 * gsl_rng_uniform(r) - 1.0);
}

/* ---- (a) ---- */
static void test_chunk(void)
{
    static const size_t ns[] = {0, 1, 15, 16, 17, 100, 1000, 65537};
    for (size_t c = 0; c < sizeof ns / sizeof *ns; c++)
        for (int T = 1; T <= 5; T++) {
            size_t next = 0;
            int aligned = 1;
            for (int t = 0; t < T; t++) {
                size_t i0, i1;
                ff_par_chunk(ns[c], t, T, &i0, &i1);
                CHECK(i0 == next && i1 >= i0, "ff_par_chunk(%zu, %d, %d) = [%zu, %zu), expected "
                      "to start at %zu", ns[c], t, T, i0, i1, next);
                aligned &= i0 % 16 == 0;
                next = i1;
            }
            CHECK(next == ns[c], "ff_par_chunk's %d chunks of %zu end at %zu", T, ns[c], next);
            CHECK(aligned, "a chunk of %zu in %d threads starts off a multiple of 16", ns[c], T);
        }
}

/* ---- (b) ---- */

/* C = alpha op(A) op(B) + beta C in double; A, B, C row-major. */
static void gemm_ref(double *C, int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                     const float *A, const float *B, float beta)
{
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double s = 0.0;
            for (size_t k = 0; k < K; k++)
                s += (double)(ta ? A[k * M + i] : A[i * K + k]) *
                     (tb ? B[j * K + k] : B[k * N + j]);
            C[i * N + j] = alpha * s + beta * C[i * N + j];
        }
}

static void test_gemm(gsl_rng *r)
{
    /* (M, N, K): split by rows, by columns, square-ish, and too small */
    static const size_t shapes[][3] = {
        {517, 67, 131}, {45, 391, 203}, {150, 161, 97}, {20, 9, 30},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        /* all but the last must be split, in up to 3 threads (parallel.h) */
        const int split = M * N * K >= FF_PAR_MIN_MACS && (M >= 32 * 3 || N >= 32 * 3);
        CHECK(split == (s + 1 < sizeof shapes / sizeof *shapes),
              "shape %zu x %zu x %zu no longer tests what it should (split: %d)", M, N, K, split);
        float *A = malloc(M * K * sizeof *A), *B = malloc(K * N * sizeof *B),
              *C0 = malloc(M * N * sizeof *C0), *C = malloc(M * N * sizeof *C);
        double *want = malloc(M * N * sizeof *want);
        fill(A, M * K, r);
        fill(B, K * N, r);
        fill(C0, M * N, r);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int beta = 0; beta < 2; beta++)
                    for (int T = 1; T <= 3; T++) {
                        ff_system_set_threads(T);
                        memcpy(C, C0, M * N * sizeof *C);
                        for (size_t i = 0; i < M * N; i++)
                            want[i] = C0[i];
                        gemm_ref(want, ta, tb, M, N, K, 0.75f, A, B, (float)beta);
                        gsl_matrix_float_view a = ta ? gsl_matrix_float_view_array(A, K, M)
                                                     : gsl_matrix_float_view_array(A, M, K);
                        gsl_matrix_float_view b = tb ? gsl_matrix_float_view_array(B, N, K)
                                                     : gsl_matrix_float_view_array(B, K, N);
                        gsl_matrix_float_view c = gsl_matrix_float_view_array(C, M, N);
                        ff_par_gemm(ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                                0.75f, &a.matrix, &b.matrix, (float)beta, &c.matrix);
                        double err = 0.0;
                        for (size_t i = 0; i < M * N; i++)
                            err = fmax(err, fabs(C[i] - want[i]));
                        CHECK(err < 1e-4, "ff_par_gemm %zux%zux%zu ta %d tb %d beta %d in %d "
                              "threads: off the double product by %.3g", M, N, K, ta, tb, beta,
                              T, err);
                    }
        free(A);
        free(B);
        free(C0);
        free(C);
        free(want);
    }
    ff_system_set_threads(1);
}

/* ---- (c) ---- */
static void test_steps(gsl_rng *r)
{
    /* two splits of weights from biases, one before the last chunk starts
     * and one after the first chunk ends, whatever the thread count */
    enum { N = 100003, PAD = 16 };
    static const size_t n_decay[2] = {20001, 70001};
    const ff_sgd_config sgd = {0.05f, 0.9f, 0.01f};
    const ff_adam_config adam = FF_ADAM_KERAS(0.01f);
    float *p0 = malloc((N + PAD) * sizeof *p0), *g0 = malloc((N + PAD) * sizeof *g0);
    float *p[3], *g[3], *m[3], *v[3];
    fill(p0, N + PAD, r);
    fill(g0, N + PAD, r);
    for (int T = 1; T <= 3; T++) {
        const int i = T - 1;
        p[i] = malloc((N + PAD) * sizeof(float));
        g[i] = malloc((N + PAD) * sizeof(float));
        m[i] = calloc(N + PAD, sizeof(float));
        v[i] = calloc(N + PAD, sizeof(float));
        memcpy(p[i], p0, (N + PAD) * sizeof(float));
        memcpy(g[i], g0, (N + PAD) * sizeof(float));
        ff_system_set_threads(T);
        for (long t = 1; t <= 2; t++) {
            ff_sgd_step(p[i], g[i], N, n_decay[t - 1], &sgd, 0.5f);
            ff_adam_step(p[i], m[i], v[i], g0, N, &adam, t);
        }
    }
    ff_system_set_threads(1);
    for (int i = 1; i < 3; i++) {
        CHECK(!memcmp(p[i], p[0], N * sizeof(float)) && !memcmp(g[i], g[0], N * sizeof(float)),
              "the optimiser steps in %d threads differ from one thread", i + 1);
        CHECK(!memcmp(m[i], m[0], N * sizeof(float)) && !memcmp(v[i], v[0], N * sizeof(float)),
              "Adam's moments in %d threads differ from one thread", i + 1);
    }
    /* and they did step: every entry, weights and biases, moved */
    size_t moved = 0;
    for (size_t j = 0; j < N; j++)
        moved += p[0][j] != p0[j];
    CHECK(moved == N, "the optimiser steps moved %zu of %d parameters", moved, N);
    for (int i = 0; i < 3; i++) {
        CHECK(!memcmp(p[i] + N, p0 + N, PAD * sizeof(float)) &&
              !memcmp(g[i] + N, g0 + N, PAD * sizeof(float)),
              "an optimiser step in %d threads wrote past its n entries", i + 1);
        free(p[i]);
        free(g[i]);
        free(m[i]);
        free(v[i]);
    }
    free(p0);
    free(g0);
}

/* ---- (d) ---- */
enum { PB = 131, PN = 997, PD = 50, PK = 10, NOUT = 8 };

/* Every pass once, in the current thread count: outputs in out[0..NOUT) */
static double batch_passes(float *out[NOUT], const float *h0, const float *x, const float *resp,
                           const int *label, const double *x0ss, const float *bias)
{
    ff_layer L;
    CHECK_OK(ff_layer_dense(&L, 3, PN));
    float *h = out[0], *scale = out[7];
    memcpy(h, h0, PB * PN * sizeof *h);
    ff_relu(h, PB * PN);
    ff_normalize(out[1], scale, h, PB, PN, FF_NORM_L2);
    ff_normalize(out[1], scale + PB, out[1], PB, PN, FF_NORM_RMS);
    double loss = ff_ff_loss(out[2], h, PB, PN, 300.0, 1, FF_GRAD_EXACT);
    double *g = (double *)out[3]; /* PB doubles */
    memset(g, 0, PB * sizeof *g);
    ff_goodness_add(g, h, PB, PN);
    ff_goodness_add(g, h0, PB, PN);
    ff_layer_bias_grad(&L, out[4], out[2], PB, 0.5f, 0.0f);
    ff_layer_bias_grad(&L, out[4], h0, PB, -2.0f, 1.0f);
    ff_lv_unlabel(out[5], h0, x, resp, PB, PD, PN, PK);
    ff_lv_variant(out[6], out[5], resp, label, 0.0f, PB, PN, PK);
    ff_lv_variant(out[5], out[6], resp, NULL, 0.1f, PB, PN, PK);
    ff_lv_input_norm(out[6], x0ss, 1.0, x0ss, bias, PB, PN, PD);
    return loss;
}

static void test_batch_passes(gsl_rng *r)
{
    CHECK(PB * PN >= FF_PAR_MIN_ELEMS, "the batch of (d) is too small to be split");
    float *h0 = malloc(PB * PN * sizeof *h0), *x = malloc(PB * PD * sizeof *x);
    float *resp = malloc(PK * PN * sizeof *resp), *bias = malloc(PN * sizeof *bias);
    int label[PB];
    double x0ss[PB];
    fill(h0, PB * PN, r);
    fill(x, PB * PD, r);
    fill(resp, PK * PN, r);
    fill(bias, PN, r);
    for (int i = 0; i < PB; i++) {
        label[i] = (int)gsl_rng_uniform_int(r, PK);
        x0ss[i] = 10.0 * gsl_rng_uniform(r);
    }
    float *out[3][NOUT];
    double loss[3];
    for (int T = 1; T <= 3; T++) {
        for (int k = 0; k < NOUT; k++)
            out[T - 1][k] = calloc(PB * PN, sizeof(float));
        ff_system_set_threads(T);
        loss[T - 1] = batch_passes(out[T - 1], h0, x, resp, label, x0ss, bias);
    }
    ff_system_set_threads(1);
    static const char *const name[NOUT] = {"ReLU", "normalisation", "FF loss gradient",
                                           "goodness", "bias gradient", "label variants",
                                           "input normalisation", "normalisation scales"};
    for (int i = 1; i < 3; i++) {
        for (int k = 0; k < NOUT; k++)
            CHECK(!memcmp(out[i][k], out[0][k], PB * PN * sizeof(float)),
                  "the %s in %d threads differs from one thread", name[k], i + 1);
        CHECK(fabs(loss[i] - loss[0]) <= 1e-12 * fabs(loss[0]),
              "the FF loss in %d threads is %.17g, in one %.17g", i + 1, loss[i], loss[0]);
    }
    /* the bias gradient against a plain loop over each column */
    size_t same = 0;
    for (size_t j = 0; j < PN; j++) {
        float s = 0.0f, t = 0.0f;
        for (size_t i = 0; i < PB; i++)
            s += out[0][2][i * PN + j], t += h0[i * PN + j];
        float want = 0.5f * s;
        want = want + -2.0f * t;
        same += !memcmp(&want, &out[0][4][j], sizeof want);
    }
    CHECK(same == PN, "the bias gradient differs from a column-by-column loop in %zu of %d",
          PN - same, PN);
    /* and the passes did something */
    size_t on = 0;
    for (size_t j = 0; j < PB * PN; j++)
        on += out[0][0][j] > 0.0f;
    CHECK(on > PB * PN / 3 && on < 2 * PB * PN / 3, "ReLU kept %zu of %d", on, PB * PN);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < NOUT; k++)
            free(out[i][k]);
    free(h0);
    free(x);
    free(resp);
    free(bias);
}

/* ---- (e) ---- */
static void peer_plain(float *dz, float *mean, const float *h, size_t B, size_t N, float lambda,
                       float decay)
{
    double avg = 0.0;
    for (size_t j = 0; j < N; j++) {
        double s = 0.0;
        for (size_t i = 0; i < B; i++)
            s += h[i * N + j];
        mean[j] = decay * mean[j] + (1.0f - decay) * (float)(s / (double)B);
        avg += mean[j];
    }
    avg /= (double)N;
    for (size_t j = 0; j < N; j++) {
        const float push = (float)(lambda * (avg - mean[j]) / (double)B);
        for (size_t i = 0; i < B; i++)
            dz[i * N + j] -= push;
    }
}

static void test_peer(gsl_rng *r)
{
    const float lambda = 0.03f, decay = 0.9f;
    float *h = malloc(PB * PN * sizeof *h), *dz0 = malloc(PB * PN * sizeof *dz0);
    float *dz[4], mean[4][PN];
    fill(h, PB * PN, r);
    fill(dz0, PB * PN, r);
    for (size_t i = 0; i < PB * PN; i++)
        h[i] = h[i] > 0.0f ? h[i] : 0.0f;
    for (int v = 0; v < 4; v++) { /* v = 0: the plain loop; 1..3: threads */
        dz[v] = malloc(PB * PN * sizeof(float));
        memcpy(dz[v], dz0, PB * PN * sizeof(float));
        for (size_t j = 0; j < PN; j++)
            mean[v][j] = 0.5f;
        ff_system_set_threads(v ? v : 1);
        for (int rep = 0; rep < 2; rep++) {
            if (v)
                ff_peer_normalise(dz[v], mean[v], h, PB, PN, lambda, decay);
            else
                peer_plain(dz[v], mean[v], h, PB, PN, lambda, decay);
        }
    }
    ff_system_set_threads(1);
    for (int v = 1; v < 4; v++) {
        CHECK(!memcmp(mean[v], mean[0], sizeof mean[0]),
              "peer normalisation's running means in %d threads differ from the plain loop", v);
        CHECK(!memcmp(dz[v], dz[0], PB * PN * sizeof(float)),
              "peer normalisation's gradient in %d threads differs from the plain loop", v);
    }
    CHECK(memcmp(dz[0], dz0, PB * PN * sizeof(float)), "peer normalisation changed nothing");
    for (int v = 0; v < 4; v++)
        free(dz[v]);
    free(h);
    free(dz0);
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    test_chunk();
    test_gemm(r);
    test_steps(r);
    test_batch_passes(r);
    test_peer(r);
    gsl_rng_free(r);
    return check_done();
}
