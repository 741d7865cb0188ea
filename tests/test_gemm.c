/* test_gemm.c - the product backends (ff/gemm.h) and bf16 rounding.
 *
 *  (a) ff_bf16_from_float by hand: exact values kept, a tie rounded to the
 *      even neighbour both ways, just past a tie rounded up, the largest
 *      float to infinity, a NaN kept a NaN (the add-and-truncate it uses
 *      would make 0x7fffffff an infinity of the other sign otherwise);
 *      over a million random floats of every magnitude, the move at most
 *      2^-8 of the value, and each result the nearer of the two bf16
 *      neighbours;
 *  (b) names parse back; an unknown name is refused; without oneDNN (or
 *      with it, as the build says) the oneDNN backends are refused, or
 *      accepted, accordingly;
 *  (c) every available backend, through ff_par_gemm in 1, 2 and 3 threads,
 *      for every transpose of A and B, alpha 1 and 0.37, beta 0 and 1, on
 *      strided views (tda > columns) and products split by rows, by
 *      columns and not split, against the product written out in double:
 *      fp32 within (K + 2) 2^-24 of the magnitudes, bf16 within
 *      2u + u^2 + (K + 2) 2^-24 (u = 2^-8; both bf16 backends); the entries beside the views
 *      untouched; and the product repeated (its primitive reused) gives
 *      the same bits;
 *  (d) negative control: bf16 is not fp32 in disguise: its error exceeds
 *      the fp32 bound somewhere, and the bf16 result matches the double
 *      product of the bf16-rounded inputs within the fp32 bound;
 *  (e) one supervised step of the paper's FF (ff/paper.h) in bf16 against
 *      the same step in fp32, from the same weights and batch: the weight
 *      changes agree within 3 % (relative, in the 2-norm: each product's
 *      inputs move by up to 2^-8) and are not the same bits; the two bf16
 *      backends, which differ only in the order of their sums, agree ten
 *      times more closely than either does with fp32;
 *  (f) parameters' bf16 copies (bf16.h), made once per change: none stale
 *      over four supervised steps in 2 threads, each reuse checked against
 *      its source; a weight written without ff_gemm_params_changed is
 *      caught (negative control), and with it is not; nor are the weights
 *      a checkpoint restores over copies of others. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "bf16.h"
#include "check.h"
#include "ff/checkpoint.h"
#include "ff/error.h"
#include "ff/gemm.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/system.h"
#include "parallel.h"

static const double U = 1.0 / 256.0; /* bf16's unit roundoff, 2^-8 */

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void test_rounding(gsl_rng *r)
{
    CHECK(ff_bf16_from_float(1.0f) == 0x3f80, "1 exact");
    CHECK(ff_bf16_from_float(-2.5f) == 0xc020, "-2.5 exact");
    CHECK(ff_bf16_from_float(from_bits(0x3f808000u)) == 0x3f80, "tie, even below");
    CHECK(ff_bf16_from_float(from_bits(0x3f818000u)) == 0x3f82, "tie, even above");
    CHECK(ff_bf16_from_float(from_bits(0x3f808001u)) == 0x3f81, "past a tie rounds up");
    CHECK(ff_bf16_from_float(from_bits(0x3f807fffu)) == 0x3f80, "below a tie rounds down");
    CHECK(ff_bf16_from_float(from_bits(0x7f7fffffu)) == 0x7f80, "FLT_MAX rounds to inf");
    CHECK(isnan(ff_bf16_to_float(ff_bf16_from_float(from_bits(0x7fffffffu)))), "NaN stays NaN");
    CHECK(isnan(ff_bf16_to_float(ff_bf16_from_float(from_bits(0xff800001u)))),
          "signalling NaN stays NaN");
    CHECK(ff_bf16_from_float(INFINITY) == 0x7f80, "inf stays inf");
    double worst = 0.0;
    int nearest = 1;
    for (int i = 0; i < 1000000; i++) {
        /* random sign and significand, exponent over the normal range */
        const uint32_t u = (uint32_t)gsl_rng_uniform_int(r, 1u << 31) |
                           ((uint32_t)gsl_rng_uniform_int(r, 2) << 31);
        const float x = from_bits((u & 0x807fffffu) |
                                  ((uint32_t)(1 + gsl_rng_uniform_int(r, 253)) << 23));
        const uint16_t h = ff_bf16_from_float(x);
        const double y = ff_bf16_to_float(h), e = fabs(y - x) / fabs((double)x);
        worst = e > worst ? e : worst;
        const double lo = ff_bf16_to_float((uint16_t)(bits(x) >> 16)),
                     hi = ff_bf16_to_float((uint16_t)((bits(x) >> 16) + 1));
        nearest &= fabs(y - x) <= fabs(lo - x) && fabs(y - x) <= fabs(hi - x);
    }
    CHECK(worst <= U, "relative move %g <= 2^-8", worst);
    CHECK(worst > U / 2, "the bound is nearly reached (%g)", worst);
    CHECK(nearest, "every result is the nearer neighbour");
}

static void test_names(void)
{
    for (int b = 0; b < FF_GEMM_N; b++) {
        ff_gemm_backend p = FF_GEMM_N;
        CHECK(ff_gemm_parse(ff_gemm_name((ff_gemm_backend)b), &p) == FF_SUCCESS &&
                  p == (ff_gemm_backend)b, "%s parses back", ff_gemm_name((ff_gemm_backend)b));
    }
    ff_gemm_backend p = FF_GEMM_CBLAS;
    CHECK(ff_gemm_parse("bf16", &p) == FF_EINVAL && p == FF_GEMM_CBLAS, "unknown refused");
    CHECK(ff_gemm_name(FF_GEMM_N) == NULL, "no name past the last");
    CHECK(ff_gemm_current() == FF_GEMM_CBLAS, "CBLAS until chosen");
    CHECK(ff_gemm_available(FF_GEMM_CBLAS), "CBLAS always there");
    for (int b = FF_GEMM_DNNL_FP32; b <= FF_GEMM_DNNL_BF16; b++) {
        const int st = ff_gemm_select((ff_gemm_backend)b);
#ifdef FF_EXPECT_DNNL
        CHECK(st == FF_SUCCESS, "%s built in and started", ff_gemm_name((ff_gemm_backend)b));
#else
        CHECK(st == FF_EBACKEND && ff_gemm_current() == FF_GEMM_CBLAS,
              "%s refused without oneDNN", ff_gemm_name((ff_gemm_backend)b));
#endif
    }
    CHECK(ff_gemm_select(FF_GEMM_CBLAS) == FF_SUCCESS, "back to CBLAS");
}

/* An r x c view into a buffer of rows r and stride c + 3, every entry
 * (padding included) random. */
typedef struct {
    float *buf;
    gsl_matrix_float_view v;
} strided;

static strided make(size_t r, size_t c, gsl_rng *g)
{
    strided s;
    s.buf = malloc(r * (c + 3) * sizeof *s.buf);
    for (size_t i = 0; i < r * (c + 3); i++)
        s.buf[i] = (float)(2.0 * gsl_rng_uniform(g) - 1.0);
    s.v = gsl_matrix_float_view_array_with_tda(s.buf, r, c, c + 3);
    return s;
}

static double at(const gsl_matrix_float *X, CBLAS_TRANSPOSE_t t, size_t i, size_t j, int round)
{
    const float x = t == CblasNoTrans ? gsl_matrix_float_get(X, i, j)
                                      : gsl_matrix_float_get(X, j, i);
    return round ? ff_bf16_to_float(ff_bf16_from_float(x)) : x;
}

/* The worst ratio of |C - exact| to the bound's magnitude term, over C;
 * exact from the inputs rounded to bf16 when round. */
static double worst_ratio(const gsl_matrix_float *C, const gsl_matrix_float *C0, float alpha,
                          float beta, CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb,
                          const gsl_matrix_float *A, const gsl_matrix_float *B, int round)
{
    const size_t M = C->size1, N = C->size2, K = ta == CblasNoTrans ? A->size2 : A->size1;
    double worst = 0.0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double s = 0.0, mag = 0.0;
            for (size_t k = 0; k < K; k++) {
                const double p = at(A, ta, i, k, round) * at(B, tb, k, j, round);
                s += p, mag += fabs(p);
            }
            const double c0 = gsl_matrix_float_get(C0, i, j);
            const double exact = alpha * s + beta * c0;
            const double m = fabs(alpha) * mag + fabs(beta * c0);
            const double e = fabs(gsl_matrix_float_get(C, i, j) - exact) / (m > 0 ? m : 1);
            if (!(e <= worst)) /* NaN too: a failed product fills C with NaN */
                worst = e;
        }
    return worst;
}

static void test_products(gsl_rng *g)
{
    /* split by rows, by columns (both above FF_PAR_MIN_MACS), not split */
    static const size_t shapes[][3] = {{300, 200, 90}, {60, 600, 60}, {9, 11, 13}};
    static const CBLAS_TRANSPOSE_t tr[2] = {CblasNoTrans, CblasTrans};
    int bf16_beyond_fp32 = 0;
    for (int b = 0; b < FF_GEMM_N; b++) {
        if (ff_gemm_select((ff_gemm_backend)b) != FF_SUCCESS)
            continue;
        const int bf16 = b == FF_GEMM_DNNL_BF16 || b == FF_GEMM_CBLAS_BF16;
        for (size_t s = 0; s < 3; s++)
            for (int ia = 0; ia < 2; ia++)
                for (int ib = 0; ib < 2; ib++)
                    for (int T = 1; T <= 3; T++) {
                        const size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                        const CBLAS_TRANSPOSE_t ta = tr[ia], tb = tr[ib];
                        const float alpha = T == 2 ? 0.37f : 1.0f, beta = T == 3 ? 0.0f : 1.0f;
                        strided A = ta == CblasNoTrans ? make(M, K, g) : make(K, M, g);
                        strided B = tb == CblasNoTrans ? make(K, N, g) : make(N, K, g);
                        strided C = make(M, N, g);
                        float *c0 = malloc(M * (N + 3) * sizeof *c0);
                        memcpy(c0, C.buf, M * (N + 3) * sizeof *c0);
                        gsl_matrix_float_view C0 =
                            gsl_matrix_float_view_array_with_tda(c0, M, N, N + 3);
                        ff_system_set_threads(T);
                        ff_par_gemm(ta, tb, alpha, &A.v.matrix, &B.v.matrix, beta, &C.v.matrix);
                        const double fp32 = (double)(K + 2) / (1 << 24);
                        const double bound = bf16 ? 2 * U + U * U + fp32 : fp32;
                        const double e = worst_ratio(&C.v.matrix, &C0.matrix, alpha, beta, ta,
                                                     tb, &A.v.matrix, &B.v.matrix, 0);
                        CHECK(e <= bound, "%s %zux%zux%zu ta %d tb %d T %d: error %g > bound %g",
                              ff_gemm_name((ff_gemm_backend)b), M, N, K, ia, ib, T, e, bound);
                        if (bf16) {
                            bf16_beyond_fp32 |= e > fp32;
                            const double er = worst_ratio(&C.v.matrix, &C0.matrix, alpha, beta,
                                                          ta, tb, &A.v.matrix, &B.v.matrix, 1);
                            CHECK(er <= fp32, "bf16 %zux%zux%zu: %g from the rounded inputs' "
                                  "product > %g", M, N, K, er, fp32);
                        }
                        int pad = 1;
                        for (size_t i = 0; i < M; i++)
                            for (size_t j = N; j < N + 3; j++)
                                pad &= C.buf[i * (N + 3) + j] == c0[i * (N + 3) + j];
                        CHECK(pad, "entries beside C's view untouched");
                        /* again, from the same C: the same bits */
                        float *c1 = malloc(M * (N + 3) * sizeof *c1);
                        memcpy(c1, C.buf, M * (N + 3) * sizeof *c1);
                        memcpy(C.buf, c0, M * (N + 3) * sizeof *c0);
                        ff_par_gemm(ta, tb, alpha, &A.v.matrix, &B.v.matrix, beta, &C.v.matrix);
                        CHECK(!memcmp(c1, C.buf, M * (N + 3) * sizeof *c1),
                              "%s: a repeated product gives the same bits",
                              ff_gemm_name((ff_gemm_backend)b));
                        free(c1), free(c0), free(A.buf), free(B.buf), free(C.buf);
                    }
    }
    CHECK(bf16_beyond_fp32, "bf16's error exceeds the fp32 bound somewhere (rounded inputs)");
    ff_system_set_threads(1);
    CHECK_OK(ff_gemm_select(FF_GEMM_CBLAS));
}

/* A paper net of `layers` x `units` (randn, seeded), its workspace for
 * batches of B, and a batch: uniform pixels, labels i % 10. */
typedef struct {
    gsl_rng *r;
    ff_net *net;
    ff_paper *p;
    float *x;
    int y[64];
    size_t B;
} paper_case;

static void case_alloc(paper_case *t, size_t layers, size_t units, size_t B)
{
    ff_net_spec s = {.ih = 28, .iw = 28, .ic = 1, .n_layers = layers, .head_from = 1,
                     .n_classes = 10, .norm = FF_NORM_RMS, .normalize_input = 1};
    for (size_t l = 0; l < layers; l++)
        s.layer[l] = (ff_layer_spec){FF_LAYER_DENSE, units, 1, 1, 1};
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    t->B = B;
    t->r = gsl_rng_alloc(gsl_rng_mt19937);
    CHECK(B <= 64 && ff_net_alloc(&t->net, &s) == FF_SUCCESS, "net");
    ff_net_init_randn(t->net, t->r);
    t->p = ff_paper_alloc(t->net, B, &c);
    t->x = malloc(B * 784 * sizeof *t->x);
    for (size_t i = 0; i < B * 784; i++)
        t->x[i] = (float)gsl_rng_uniform(t->r);
    for (size_t i = 0; i < B; i++)
        t->y[i] = (int)(i % 10);
}

static void case_free(paper_case *t)
{
    free(t->x);
    ff_paper_free(t->p);
    ff_net_free(t->net);
    gsl_rng_free(t->r);
}

/* One supervised step of the case, its negative labels shifted by k. */
static void case_step(paper_case *t, size_t k)
{
    int *neg = ff_paper_neg_labels(t->p);
    double loss[FF_MAX_LAYERS + 1];
    for (size_t i = 0; i < t->B; i++)
        neg[i] = (int)((t->y[i] + 1 + (i + k) % 9) % 10);
    CHECK_OK(ff_paper_neutral(t->net, t->p, t->x, t->B));
    CHECK_OK(ff_paper_train_head(t->net, t->p, t->y, t->B, 1.0f, loss));
    CHECK_OK(ff_paper_step_labels(t->net, t->p, t->x, t->y, neg, t->B, 1.0f, loss));
}

/* One supervised step of the paper's FF in backend b (FF_GEMM_N: none)
 * from the same start; the weights after it into w, their count into n. */
static void paper_step(ff_gemm_backend b, float *w, size_t *n)
{
    paper_case t;
    case_alloc(&t, 2, 300, 50);
    if (b != FF_GEMM_N) {
        CHECK(ff_gemm_select(b) == FF_SUCCESS, "backend");
        case_step(&t, 0);
        CHECK_OK(ff_gemm_select(FF_GEMM_CBLAS));
    }
    *n = t.net->n_params;
    memcpy(w, t.net->params, t.net->n_params * sizeof *w);
    case_free(&t);
}

/* The relative 2-norm distance of two steps' weight changes from w0. */
static double step_distance(const float *w0, const float *wa, const float *wb, size_t n)
{
    double d2 = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double da = (double)wa[i] - w0[i], db = (double)wb[i] - w0[i];
        d2 += (da - db) * (da - db), s2 += da * da;
    }
    return s2 > 0.0 ? sqrt(d2 / s2) : INFINITY;
}

static void test_step(void)
{
    enum { MAXP = 2 * 1000 * 1000 };
    float *w0 = malloc(MAXP * sizeof *w0), *w32 = malloc(MAXP * sizeof *w32),
          *w16 = malloc(MAXP * sizeof *w16), *wd = malloc(MAXP * sizeof *wd);
    size_t n0, n32, n16;
    paper_step(FF_GEMM_N, w0, &n0); /* FF_GEMM_N: no step, the start */
    paper_step(FF_GEMM_CBLAS, w32, &n32);
    paper_step(FF_GEMM_CBLAS_BF16, w16, &n16);
    CHECK(n0 == n32 && n0 == n16, "same nets");
    const double rel = step_distance(w0, w32, w16, n0);
    CHECK(rel < 0.03, "cblas-bf16 step within 3%% of fp32's (%g)", rel);
    CHECK(rel > 0.0, "and not the same bits (%g)", rel);
    printf("bf16 step against fp32: relative difference of the weight changes %.4f\n", rel);
    if (ff_gemm_available(FF_GEMM_DNNL_BF16)) {
        size_t nd;
        paper_step(FF_GEMM_DNNL_BF16, wd, &nd);
        const double rd = step_distance(w0, w32, wd, n0), r2 = step_distance(w0, w16, wd, n0);
        CHECK(nd == n0 && rd < 0.03, "dnnl-bf16 step within 3%% of fp32's (%g)", rd);
        /* the two bf16 backends differ only in the order of their sums */
        CHECK(r2 < rel / 10, "dnnl-bf16 and cblas-bf16 steps agree (%g), far closer than "
              "bf16 and fp32 (%g)", r2, rel);
        printf("dnnl-bf16 against fp32 %.4f, against cblas-bf16 %.2g\n", rd, r2);
    }
    free(w0), free(w32), free(w16), free(wd);
}

/* Copies of parameters (bf16.h): over supervised steps of the paper's FF
 * in cblas-bf16, with every reused copy checked against its source, none is
 * stale; a weight written behind the library's back is caught (the negative
 * control), and not once ff_gemm_params_changed says so. */
static void test_copies(void)
{
    paper_case t;
    case_alloc(&t, 3, 200, 40);
    ff_system_set_threads(2);
    CHECK(ff_gemm_select(FF_GEMM_CBLAS_BF16) == FF_SUCCESS, "cblas-bf16");
    ff_bf16_verify(1);
    for (size_t step = 0; step < 4; step++)
        case_step(&t, step);
    CHECK(ff_bf16_stale() == 0, "%lu stale copies over four steps", ff_bf16_stale());
    CHECK_OK(ff_paper_neutral(t.net, t.p, t.x, t.B)); /* copies of the weights as they are now */
    t.net->layer[1].w[7] += 1.0f;           /* then one written behind the library's back */
    CHECK_OK(ff_paper_neutral(t.net, t.p, t.x, t.B));
    CHECK(ff_bf16_stale() > 0, "a weight written unannounced goes unnoticed");
    ff_bf16_verify(1);
    t.net->layer[1].w[7] -= 1.0f;
    ff_gemm_params_changed(t.net->layer[1].w + 7, 1);
    CHECK_OK(ff_paper_neutral(t.net, t.p, t.x, t.B));
    CHECK(ff_bf16_stale() == 0, "announced, the copy is made afresh");
    /* a checkpoint restored over weights whose copies exist */
    ff_ckpt_section sec[3];
    const char *path = "test_gemm.ffm";
    const size_t n_sec = ff_ckpt_net_sections(t.net, FF_OPT_SGD, sec);
    CHECK(ff_ckpt_write(path, &t.net->spec, "x", 0, sec, n_sec) == FF_SUCCESS,
          "checkpoint written");
    case_step(&t, 5);
    CHECK_OK(ff_paper_neutral(t.net, t.p, t.x, t.B)); /* copies of the stepped weights */
    ff_ckpt *c = NULL;
    CHECK(ff_ckpt_load(&c, path) == FF_SUCCESS &&
              ff_ckpt_restore_net(c, t.net, FF_OPT_SGD) == FF_SUCCESS,
          "checkpoint restored");
    CHECK_OK(ff_paper_neutral(t.net, t.p, t.x, t.B));
    CHECK(ff_bf16_stale() == 0, "after a restore, copies of the restored weights");
    ff_ckpt_free(c);
    remove(path);
    ff_bf16_verify(0);
    CHECK_OK(ff_gemm_select(FF_GEMM_CBLAS));
    ff_system_set_threads(1);
    case_free(&t);
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ff_system_flush_denormals();
    test_rounding(r);
    test_names();
    test_products(r);
    test_step();
    test_copies();
    gsl_rng_free(r);
    return check_done();
}
