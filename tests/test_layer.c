/* test_layer.c - the dense, conv2d and locally connected layers
 * (lib/include/ff/layer.h).
 *
 * References used here, all written in this file from the definitions in
 * layer.h and not from the library's code:
 *   - ref_forward: the valid convolution in double, kernel layout
 *     (kh, kw, ic, oc) and NHWC images, as layer.h defines them, with the
 *     local layer's stride and its weights and biases per position;
 *   - gradients: central finite differences, in double, of the scalar
 *     L = sum(z .* R) for a random R, so that dL/dz = R is what the library's
 *     backward functions receive.  L is linear in w, b and x, so the central
 *     difference has no truncation error and the comparison can be tight.
 *   - Glorot: the Keras GlorotUniform definition quoted in layer.h and the
 *     seed protocol ("Conv2D model"): U(-a, a), a = sqrt(6/(fan_in+fan_out)),
 *     fan_in = kh*kw*ic, fan_out = kh*kw*oc; variance of U(-a, a) is a^2/3. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "gradcheck.h"
#include "ff/error.h"
#include "ff/layer.h"
#include "ff/system.h"

/* A layer with its own parameter block, random weights and biases. */
typedef struct {
    ff_layer L;
    float *params;
} owned_layer;

static int make_layer(owned_layer *o, ff_layer_kind kind, size_t ih, size_t iw, size_t ic,
                      size_t kh, size_t kw, size_t stride, size_t oc, gsl_rng *r)
{
    int status = kind == FF_LAYER_CONV2D ? ff_layer_conv2d(&o->L, ih, iw, ic, kh, kw, oc)
                 : kind == FF_LAYER_LOCAL
                     ? ff_layer_local(&o->L, ih, iw, ic, kh, kw, stride, oc)
                     : ff_layer_dense(&o->L, ih * iw * ic, oc);
    if (status != FF_SUCCESS)
        return status;
    o->params = malloc(o->L.n_params * sizeof *o->params);
    ff_layer_bind(&o->L, o->params);
    fill_uniform(o->params, o->L.n_params, r, -1.0, 1.0); /* non-zero biases too */
    return FF_SUCCESS;
}

/* z (B, n_out) = valid convolution of x with (w, b), all in double: output
 * (oy, ox) reads input rows oy*stride .. oy*stride + kh - 1 (columns
 * likewise) and, in a local layer, the weights (fan_in, oc) and biases (oc)
 * of its position p = oy*ow + ox, at w + p*fan_in*oc and b + p*oc. */
static void ref_forward(const ff_layer *L, double *z, const double *w, const double *b,
                        const double *x, size_t B)
{
    const int local = L->kind == FF_LAYER_LOCAL;
    const size_t st = L->stride;
    for (size_t n = 0; n < B; n++)
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++) {
                const size_t p = local ? oy * L->ow + ox : 0;
                const double *wp = w + p * L->fan_in * L->oc, *bp = b + p * L->oc;
                for (size_t f = 0; f < L->oc; f++) {
                    double s = bp[f];
                    for (size_t ky = 0; ky < L->kh; ky++)
                        for (size_t kx = 0; kx < L->kw; kx++)
                            for (size_t c = 0; c < L->ic; c++)
                                s += x[n * L->n_in +
                                       ((oy * st + ky) * L->iw + ox * st + kx) * L->ic + c] *
                                     wp[((ky * L->kw + kx) * L->ic + c) * L->oc + f];
                    z[n * L->n_out + (oy * L->ow + ox) * L->oc + f] = s;
                }
            }
}

static double *to_double(const float *a, size_t n)
{
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = a[i];
    return d;
}

/* L = sum(z .* R) with z the double reference forward. */
static double ref_objective(const ff_layer *L, const double *w, const double *b,
                            const double *x, const float *R, size_t B, double *zbuf)
{
    ref_forward(L, zbuf, w, b, x, B);
    double s = 0.0;
    for (size_t i = 0; i < B * L->n_out; i++)
        s += zbuf[i] * R[i];
    return s;
}

typedef struct {
    const char *name;
    ff_layer_kind kind;
    size_t ih, iw, ic, kh, kw, stride, oc;
} shape_case;

#define DENSE FF_LAYER_DENSE
#define CONV FF_LAYER_CONV2D
#define LOCAL FF_LAYER_LOCAL
static const shape_case cases[] = {
    {"dense 7->5", DENSE, 1, 1, 7, 1, 1, 1, 5},
    {"conv 3x3 on 6x5x2 -> 4", CONV, 6, 5, 2, 3, 3, 1, 4},
    {"conv 1x1 on 3x4x3 -> 2", CONV, 3, 4, 3, 1, 1, 1, 2},
    {"conv 2x3 on 5x6x2 -> 3", CONV, 5, 6, 2, 2, 3, 1, 3},
    {"conv 7x7 on 7x7x1 -> 5 (whole input)", CONV, 7, 7, 1, 7, 7, 1, 5},
    {"conv 1x4 on 3x4x2 -> 3 (full width)", CONV, 3, 4, 2, 1, 4, 1, 3},
    {"local 3x3 s1 on 6x5x2 -> 4", LOCAL, 6, 5, 2, 3, 3, 1, 4},
    {"local 3x3 s2 on 7x6x2 -> 3 (overlap, a column unread)", LOCAL, 7, 6, 2, 3, 3, 2, 3},
    {"local 2x2 s3 on 7x7x1 -> 2 (gaps between positions)", LOCAL, 7, 7, 1, 2, 2, 3, 2},
    {"local 1x1 s1 on 3x4x3 -> 2 (no im2col)", LOCAL, 3, 4, 3, 1, 1, 1, 2},
    {"local 1x1 s2 on 5x5x2 -> 3 (im2col of a 1x1 kernel)", LOCAL, 5, 5, 2, 1, 1, 2, 3},
    {"local 2x2 s1 on 4x4x3 -> 5 (the paper's layers 2, 3)", LOCAL, 4, 4, 3, 2, 2, 1, 5},
    {"local 10x10 s6 on 28x28x1 -> 3 (the paper's layer 1)", LOCAL, 28, 28, 1, 10, 10, 6, 3},
    {"local 4x3 s1 on 4x3x2 -> 3 (whole input: dense)", LOCAL, 4, 3, 2, 4, 3, 1, 3},
};

static void test_shapes(void)
{
    ff_layer L;
    CHECK(ff_layer_dense(&L, 0, 5) == FF_EINVAL, "dense with n_in 0 must be EINVAL");
    CHECK(ff_layer_dense(&L, 5, 0) == FF_EINVAL, "dense with n_out 0 must be EINVAL");
    CHECK(ff_layer_dense(&L, 7, 5) == FF_SUCCESS, "dense 7->5 must be valid");
    CHECK(L.kind == FF_LAYER_DENSE && L.n_in == 7 && L.n_out == 5 && L.fan_in == 7 &&
              L.n_params == 7 * 5 + 5 && L.ih == 1 && L.iw == 1 && L.ic == 7 && L.kh == 1 &&
              L.kw == 1 && L.oh == 1 && L.ow == 1 && L.oc == 5,
          "dense 7->5 is (1,1,7) -> (1,1,5) with 40 parameters");

    /* every zero size, and a kernel one larger than the input in each axis */
    const size_t bad[][6] = {{0, 5, 2, 3, 3, 4}, {6, 0, 2, 3, 3, 4}, {6, 5, 0, 3, 3, 4},
                             {6, 5, 2, 0, 3, 4}, {6, 5, 2, 3, 0, 4}, {6, 5, 2, 3, 3, 0},
                             {6, 5, 2, 7, 3, 4}, {6, 5, 2, 3, 6, 4}, {2, 2, 1, 3, 3, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const size_t *s = bad[i];
        CHECK(ff_layer_conv2d(&L, s[0], s[1], s[2], s[3], s[4], s[5]) == FF_EINVAL,
              "conv2d(%zu,%zu,%zu, k %zux%zu, %zu) must be EINVAL", s[0], s[1], s[2], s[3],
              s[4], s[5]);
    }

    CHECK(ff_layer_conv2d(&L, 6, 5, 2, 3, 3, 4) == FF_SUCCESS, "conv 3x3 on 6x5x2 is valid");
    CHECK(L.kind == FF_LAYER_CONV2D && L.oh == 4 && L.ow == 3 && L.oc == 4 && L.n_in == 60 &&
              L.n_out == 48 && L.fan_in == 18 && L.n_params == 18 * 4 + 4,
          "conv 3x3 on 6x5x2 -> 4 is (4,3,4), fan_in 18, 76 parameters");
    CHECK(ff_layer_rows(&L, 3) == 3 * 4 * 3, "rows = B*oh*ow");
    CHECK(ff_layer_cols_size(&L, 3) == 3 * 12 * 18, "im2col holds rows*fan_in floats");

    /* the seed's first Conv2D layer: 28x28 kernel on 28x28x1, 100 filters */
    CHECK(ff_layer_conv2d(&L, 28, 28, 1, 28, 28, 100) == FF_SUCCESS, "seed conv layer valid");
    CHECK(L.oh == 1 && L.ow == 1 && L.n_out == 100 && L.fan_in == 784 &&
              L.n_params == 784 * 100 + 100,
          "seed conv layer is (1,1,100) with fan_in 784");

    /* dense and 1x1 kernels need no im2col (layer.h) */
    CHECK_OK(ff_layer_dense(&L, 7, 5));
    CHECK(ff_layer_cols_size(&L, 4) == 0, "dense needs no im2col");
    CHECK_OK(ff_layer_conv2d(&L, 3, 4, 3, 1, 1, 2));
    CHECK(ff_layer_cols_size(&L, 4) == 0, "1x1 conv needs no im2col");
    CHECK(L.stride == 1 && L.positions == 1 && L.n_weights == 6 && L.n_bias == 2,
          "conv2d: stride 1, one shared weight matrix");

    /* local: every zero size, a zero stride, a kernel one too large */
    const size_t bad_local[][7] = {{0, 5, 2, 3, 3, 1, 4}, {6, 0, 2, 3, 3, 1, 4},
                                   {6, 5, 0, 3, 3, 1, 4}, {6, 5, 2, 0, 3, 1, 4},
                                   {6, 5, 2, 3, 0, 1, 4}, {6, 5, 2, 3, 3, 0, 4},
                                   {6, 5, 2, 3, 3, 1, 0}, {6, 5, 2, 7, 3, 1, 4},
                                   {6, 5, 2, 3, 6, 2, 4}};
    for (size_t i = 0; i < sizeof bad_local / sizeof bad_local[0]; i++) {
        const size_t *s = bad_local[i];
        CHECK(ff_layer_local(&L, s[0], s[1], s[2], s[3], s[4], s[5], s[6]) == FF_EINVAL,
              "local(%zu,%zu,%zu, k %zux%zu, stride %zu, %zu) must be EINVAL", s[0], s[1], s[2],
              s[3], s[4], s[5], s[6]);
    }
    /* the paper's first layer: (28 - 10) / 6 + 1 = 4 locations a side, each
     * with its own 10x10x128 weights and 128 biases */
    CHECK(ff_layer_local(&L, 28, 28, 1, 10, 10, 6, 128) == FF_SUCCESS, "paper layer 1 valid");
    CHECK(L.kind == FF_LAYER_LOCAL && L.oh == 4 && L.ow == 4 && L.oc == 128 &&
              L.n_out == 2048 && L.fan_in == 100 && L.positions == 16 &&
              L.n_weights == 16 * 100 * 128 && L.n_bias == 16 * 128 &&
              L.n_params == 204800 + 2048 && L.stride == 6,
          "paper layer 1 is (4,4,128), 16 positions of fan_in 100, 206848 parameters");
    CHECK(ff_layer_rows(&L, 3) == 3 * 16 && ff_layer_cols_size(&L, 3) == 3 * 16 * 100,
          "local: rows = B*positions, im2col rows*fan_in");
    /* (7 - 3) / 2 + 1 = 3 rows, (6 - 3) / 2 + 1 = 2 columns: column 5 unread */
    CHECK(ff_layer_local(&L, 7, 6, 2, 3, 3, 2, 3) == FF_SUCCESS && L.oh == 3 && L.ow == 2,
          "local 3x3 stride 2 on 7x6: 3x2 positions");
    CHECK_OK(ff_layer_local(&L, 3, 4, 3, 1, 1, 1, 2));
    CHECK(ff_layer_cols_size(&L, 4) == 0, "1x1 local of stride 1 needs no im2col");
    CHECK_OK(ff_layer_local(&L, 5, 5, 2, 1, 1, 2, 3));
    CHECK(L.oh == 3 && ff_layer_cols_size(&L, 4) == 4 * 9 * 2,
          "1x1 local of stride 2 needs im2col (it skips pixels)");
}

/* A 2x3x1 image, a 2x2 kernel, one filter, worked out by hand:
 *   x = [1 2 3; 4 5 6], w = [ky=0: 1 -1; ky=1: 2 0.5], b = 0.25
 *   z(0,0) = 1*1 - 1*2 + 2*4 + 0.5*5 + 0.25 = 9.75
 *   z(0,1) = 1*2 - 1*3 + 2*5 + 0.5*6 + 0.25 = 12.25 */
static void test_hand_example(void)
{
    ff_layer L;
    float params[5] = {1.0f, -1.0f, 2.0f, 0.5f, 0.25f};
    const float x[6] = {1, 2, 3, 4, 5, 6};
    CHECK_OK(ff_layer_conv2d(&L, 2, 3, 1, 2, 2, 1));
    ff_layer_bind(&L, params);
    float cols[8], z[2] = {0}, zd[2] = {0};
    ff_layer_forward(&L, z, ff_layer_patches(&L, cols, x, 1), 1, 1);
    ff_layer_forward_direct(&L, zd, x, 1);
    CHECK(z[0] == 9.75f && z[1] == 12.25f, "hand example: got %g %g, want 9.75 12.25", z[0],
          z[1]);
    CHECK(zd[0] == 9.75f && zd[1] == 12.25f, "hand example (direct): got %g %g", zd[0], zd[1]);
}

/* A 3x3x1 image, a 2x2 kernel of stride 1, one channel: 4 positions, each
 * with its own weights (kernel order ky, kx) and bias, worked out by hand:
 *   x = [1 2 3; 4 5 6; 7 8 9]; patches p0 = [1 2 4 5], p1 = [2 3 5 6],
 *   p2 = [4 5 7 8], p3 = [5 6 8 9]
 *   W0 = [1 0 0 1],   b0 = 0.25:  1 + 5 + 0.25            =  6.25
 *   W1 = [0 0 0 2],   b1 = -1:    2*6 - 1                 = 11
 *   W2 = [-1 0 1 0],  b2 = 0:     -4 + 7                  =  3
 *   W3 = [.5 .5 .5 .5], b3 = 2:   0.5 (5 + 6 + 8 + 9) + 2 = 16
 * Negative control: a conv2d sharing W0 and b0 at every position gives
 *   [1+5, 2+6, 4+8, 5+9] + 0.25 = 6.25 8.25 12.25 14.25: the same at p0,
 * where the weights coincide, and different everywhere else.
 * Then a stride: a 4x4x1 image x = 1..16, a 2x2 kernel of stride 2 (four
 * positions that do not overlap), W_p all (p + 1), no bias:
 *   p0 = 1+2+5+6 = 14, p1 = 3+4+7+8 = 22, p2 = 9+10+13+14 = 46,
 *   p3 = 11+12+15+16 = 54; z = 14, 44, 138, 216. */
static void test_hand_local(void)
{
    ff_layer L, C;
    float params[4 * 4 + 4] = {1, 0, 0, 1,   0, 0, 0, 2,   -1, 0, 1, 0,
                               0.5f, 0.5f, 0.5f, 0.5f,   0.25f, -1, 0, 2};
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(ff_layer_local(&L, 3, 3, 1, 2, 2, 1, 1) == FF_SUCCESS && L.n_params == 20,
          "hand example: 4 positions of 4 weights and a bias");
    ff_layer_bind(&L, params);
    float cols[16], z[4], zd[4];
    ff_layer_forward(&L, z, ff_layer_patches(&L, cols, x, 1), 1, 1);
    ff_layer_forward_direct(&L, zd, x, 1);
    const float want[4] = {6.25f, 11.0f, 3.0f, 16.0f};
    CHECK(!memcmp(z, want, sizeof z), "local hand example: got %g %g %g %g, want 6.25 11 3 16",
          z[0], z[1], z[2], z[3]);
    CHECK(!memcmp(zd, want, sizeof zd), "local hand example (direct): got %g %g %g %g", zd[0],
          zd[1], zd[2], zd[3]);
    float shared[5] = {1, 0, 0, 1, 0.25f}, zc[4];
    CHECK_OK(ff_layer_conv2d(&C, 3, 3, 1, 2, 2, 1));
    ff_layer_bind(&C, shared);
    ff_layer_forward(&C, zc, ff_layer_patches(&C, cols, x, 1), 1, 1);
    const float conv_want[4] = {6.25f, 8.25f, 12.25f, 14.25f};
    CHECK(!memcmp(zc, conv_want, sizeof zc), "shared-weight control: got %g %g %g %g", zc[0],
          zc[1], zc[2], zc[3]);
    CHECK(zc[0] == z[0] && zc[1] != z[1] && zc[2] != z[2] && zc[3] != z[3],
          "local differs from the shared conv exactly where its weights do");

    float ps[4 * 4 + 4] = {0};
    for (size_t p = 0; p < 4; p++)
        for (size_t i = 0; i < 4; i++)
            ps[p * 4 + i] = (float)(p + 1);
    float x4[16], cols4[16];
    for (int i = 0; i < 16; i++)
        x4[i] = (float)(i + 1);
    CHECK_OK(ff_layer_local(&L, 4, 4, 1, 2, 2, 2, 1));
    ff_layer_bind(&L, ps);
    ff_layer_forward(&L, z, ff_layer_patches(&L, cols4, x4, 1), 1, 1);
    ff_layer_forward_direct(&L, zd, x4, 1);
    const float want2[4] = {14, 44, 138, 216};
    CHECK(!memcmp(z, want2, sizeof z) && !memcmp(zd, want2, sizeof zd),
          "stride 2 hand example: got %g %g %g %g (direct %g %g %g %g), want 14 44 138 216",
          z[0], z[1], z[2], z[3], zd[0], zd[1], zd[2], zd[3]);
}

static void test_case(const shape_case *sc, gsl_rng *r)
{
    const size_t B = 3;
    owned_layer o;
    int status = make_layer(&o, sc->kind, sc->ih, sc->iw, sc->ic, sc->kh, sc->kw, sc->stride,
                            sc->oc, r);
    CHECK(status == FF_SUCCESS, "%s: shape rejected", sc->name);
    if (status != FF_SUCCESS)
        return;
    const ff_layer *L = &o.L;
    const size_t nz = B * L->n_out, nx = B * L->n_in, nw = L->n_weights;
    float *x = malloc(nx * sizeof *x), *R = malloc(nz * sizeof *R);
    fill_uniform(x, nx, r, -1.0, 1.0);
    fill_uniform(R, nz, r, -1.0, 1.0);
    size_t ncols = ff_layer_cols_size(L, B);
    float *cols = malloc((ncols ? ncols : 1) * sizeof *cols);
    float *z = malloc(nz * sizeof *z), *zd = malloc(nz * sizeof *zd);
    double *zr = malloc(nz * sizeof *zr);
    double *wd = to_double(L->w, nw), *bd = to_double(L->b, L->n_bias), *xd = to_double(x, nx);

    /* forward: patches + sgemm == naive direct == double reference */
    const float *P = ff_layer_patches(L, cols, x, B);
    CHECK((ncols == 0) == (P == x), "%s: patches must be x itself iff no im2col", sc->name);
    ff_layer_forward(L, z, P, B, 1);
    ff_layer_forward_direct(L, zd, x, B);
    ref_forward(L, zr, wd, bd, xd, B);
    double e_gemm = 0.0, e_direct = 0.0;
    for (size_t i = 0; i < nz; i++) {
        e_gemm = fmax(e_gemm, fabs(z[i] - zd[i]) / (1.0 + fabs(zd[i])));
        e_direct = fmax(e_direct, fabs(zd[i] - zr[i]) / (1.0 + fabs(zr[i])));
    }
    CHECK(e_gemm < 1e-5, "%s: forward differs from forward_direct by %g", sc->name, e_gemm);
    CHECK(e_direct < 1e-6, "%s: forward_direct differs from the reference by %g", sc->name,
          e_direct);
    /* without the bias, exactly the bias is missing (up to rounding) */
    ff_layer_forward(L, z, P, B, 0);
    double e_nobias = 0.0;
    for (size_t i = 0; i < nz; i++)
        e_nobias =
            fmax(e_nobias, fabs(z[i] + L->b[i % L->n_bias] - zd[i]) / (1.0 + fabs(zd[i])));
    CHECK(e_nobias < 1e-5, "%s: add_bias=0 differs from z - b by %g", sc->name, e_nobias);

    /* weight gradient of L = sum(z .* R), against central differences */
    const double h = 1e-2;
    float *grad = malloc(L->n_params * sizeof *grad);
    for (size_t i = 0; i < L->n_params; i++)
        grad[i] = 12345.0f; /* "overwritten": stale values must not leak in */
    ff_layer_weight_grad(L, grad, P, R, B);
    double *fd = malloc((L->n_params > nx ? L->n_params : nx) * sizeof *fd);
    for (size_t i = 0; i < L->n_params; i++) {
        double *p = i < nw ? &wd[i] : &bd[i - nw], p0 = *p;
        *p = p0 + h;
        double lp = ref_objective(L, wd, bd, xd, R, B, zr);
        *p = p0 - h;
        double lm = ref_objective(L, wd, bd, xd, R, B, zr);
        *p = p0;
        fd[i] = (lp - lm) / (2 * h);
    }
    double worst;
    size_t bad = grad_mismatches(grad, fd, L->n_params, GRAD_RTOL, GRAD_ATOL, &worst);
    CHECK(bad == 0, "%s: weight gradient: %zu of %zu entries off FD (worst %g)", sc->name, bad,
          L->n_params, worst);
    CHECK(rejects_corruption(grad, fd, L->n_params),
          "%s: the weight-gradient check must reject a 10%% error", sc->name);
    /* the bias block alone, so that a bias-only error cannot hide among many
     * weights */
    bad = grad_mismatches(grad + nw, fd + nw, L->n_bias, GRAD_RTOL, GRAD_ATOL, &worst);
    CHECK(bad == 0, "%s: bias gradient: %zu entries off FD (worst %g)", sc->name, bad, worst);
    /* the _add form: g + alpha [the same gradient], every entry, biases too */
    const float alpha = 0.375f;
    float *gadd = malloc(L->n_params * sizeof *gadd), *g0 = malloc(L->n_params * sizeof *g0);
    fill_uniform(g0, L->n_params, r, -1.0, 1.0);
    memcpy(gadd, g0, L->n_params * sizeof *gadd);
    ff_layer_weight_grad_add(L, gadd, P, R, B, alpha);
    double e_add = 0.0;
    for (size_t i = 0; i < L->n_params; i++)
        e_add = fmax(e_add, fabs(gadd[i] - (g0[i] + alpha * (double)grad[i])) /
                                (1.0 + fabs(g0[i]) + fabs(grad[i])));
    CHECK(e_add < 1e-5, "%s: weight_grad_add differs from g + alpha grad by %g", sc->name, e_add);
    free(g0);
    free(gadd);

    /* input gradient, with the im2col workspace the header asks for (or
     * NULL when the layer needs none: the header says it is unused then) */
    float *dx = malloc(nx * sizeof *dx);
    for (size_t i = 0; i < nx; i++)
        dx[i] = 12345.0f;
    float *dcols = ncols ? malloc(ncols * sizeof *dcols) : NULL;
    ff_layer_input_grad(L, dx, R, B, dcols);
    for (size_t i = 0; i < nx; i++) {
        double x0 = xd[i];
        xd[i] = x0 + h;
        double lp = ref_objective(L, wd, bd, xd, R, B, zr);
        xd[i] = x0 - h;
        double lm = ref_objective(L, wd, bd, xd, R, B, zr);
        xd[i] = x0;
        fd[i] = (lp - lm) / (2 * h);
    }
    bad = grad_mismatches(dx, fd, nx, GRAD_RTOL, GRAD_ATOL, &worst);
    CHECK(bad == 0, "%s: input gradient (%s): %zu of %zu entries off FD (worst %g)", sc->name,
          ncols ? "im2col" : "no im2col", bad, nx, worst);
    CHECK(rejects_corruption(dx, fd, nx),
          "%s: the input-gradient check must reject a 10%% error", sc->name);

    free(dcols);
    free(dx);
    free(fd);
    free(grad);
    free(wd);
    free(bd);
    free(xd);
    free(zr);
    free(zd);
    free(z);
    free(cols);
    free(R);
    free(x);
    free(o.params);
}

/* Glorot-uniform statistics of one layer with limit a. */
static void check_glorot(const char *name, ff_layer *L, double a, gsl_rng *r)
{
    float *params = malloc(L->n_params * sizeof *params);
    ff_layer_bind(L, params);
    for (size_t i = 0; i < L->n_params; i++)
        params[i] = 7.0f; /* the biases must be set to zero, not left alone */
    ff_layer_init_glorot(L, r);
    const size_t nw = L->n_weights;
    double mx = 0.0, sum = 0.0, sumsq = 0.0;
    int in_range = 1, zero_bias = 1;
    for (size_t i = 0; i < nw; i++) {
        double w = L->w[i];
        in_range &= fabs(w) <= a;
        mx = fmax(mx, fabs(w));
        sum += w;
        sumsq += w * w;
    }
    for (size_t j = 0; j < L->n_bias; j++)
        zero_bias &= L->b[j] == 0.0f;
    double mean = sum / (double)nw, var = sumsq / (double)nw - mean * mean;
    CHECK(in_range, "%s: some |w| > a = %g (max %g)", name, a, mx);
    /* the whole range is used: with >= 2000 draws the largest |w| is within
     * 1% of a with probability > 1 - 0.99^2000 */
    CHECK(mx > 0.99 * a, "%s: max |w| = %g, expected close to a = %g", name, mx, a);
    CHECK(zero_bias, "%s: biases must be zero", name);
    /* var of U(-a,a) is a^2/3; with n >= 2000 the estimate's relative
     * standard error is sqrt(0.8/n) <= 2%, so 10% is a 5-sigma band */
    CHECK(fabs(var / (a * a / 3.0) - 1.0) < 0.1, "%s: variance %g, expected a^2/3 = %g", name,
          var, a * a / 3.0);
    CHECK(fabs(mean) < 0.05 * a, "%s: mean %g, expected ~0", name, mean);
    free(params);
}

static void test_glorot(gsl_rng *r)
{
    ff_layer L;
    CHECK_OK(ff_layer_dense(&L, 300, 200));
    check_glorot("dense 300->200", &L, sqrt(6.0 / (300 + 200)), r);
    CHECK_OK(ff_layer_conv2d(&L, 6, 5, 2, 3, 3, 400));
    check_glorot("conv 3x3x2 -> 400", &L, sqrt(6.0 / (3 * 3 * 2 + 3 * 3 * 400)), r);
    /* seed protocol "Conv2D model": fan_in 784, fan_out 28*28*100 = 78400 */
    /* local: per position as conv2d of its kernel (fan_out kh*kw*oc), over
     * every position's weights and biases */
    CHECK_OK(ff_layer_local(&L, 7, 6, 2, 3, 3, 2, 50));
    check_glorot("local 3x3x2 stride 2 -> 50", &L, sqrt(6.0 / (3 * 3 * 2 + 3 * 3 * 50)), r);
    CHECK_OK(ff_layer_conv2d(&L, 28, 28, 1, 28, 28, 100));
    const double a_seed = sqrt(6.0 / (784.0 + 78400.0));
    check_glorot("seed conv 28x28x1 -> 100", &L, a_seed, r);
    /* and this is about 9x below the dense layer's limit of the same shape
     * (784 -> 100), the difference the protocol says matters */
    CHECK(sqrt(6.0 / (784.0 + 100.0)) / a_seed > 9.0, "seed conv limit must be ~9x smaller");

    /* init draws from r only: the same seed gives the same weights */
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r1, 11);
    gsl_rng_set(r2, 11);
    CHECK_OK(ff_layer_dense(&L, 30, 20));
    float *p1 = malloc(L.n_params * sizeof *p1), *p2 = malloc(L.n_params * sizeof *p2);
    ff_layer_bind(&L, p1);
    ff_layer_init_glorot(&L, r1);
    ff_layer_bind(&L, p2);
    ff_layer_init_glorot(&L, r2);
    CHECK(memcmp(p1, p2, L.n_params * sizeof *p1) == 0, "same seed must give the same weights");
    gsl_rng_set(r2, 12);
    ff_layer_init_glorot(&L, r2);
    CHECK(memcmp(p1, p2, L.n_params * sizeof *p1) != 0, "another seed must give other weights");
    free(p1);
    free(p2);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

/* The paper's init (randn / sqrt(fan_in), zero biases) of a local layer:
 * fan_in per position, every position's weights drawn, every bias zeroed. */
static void test_randn_local(gsl_rng *r)
{
    ff_layer L;
    CHECK_OK(ff_layer_local(&L, 28, 28, 1, 10, 10, 6, 32)); /* 16 positions x 100 x 32 = 51200 */
    float *params = malloc(L.n_params * sizeof *params);
    for (size_t i = 0; i < L.n_params; i++)
        params[i] = 7.0f;
    ff_layer_bind(&L, params);
    ff_layer_init_randn(&L, r);
    double sum = 0.0, sumsq = 0.0, last = 0.0; /* last position's alone, too */
    int zero_bias = 1;
    for (size_t i = 0; i < L.n_weights; i++) {
        sum += L.w[i], sumsq += (double)L.w[i] * L.w[i];
        if (i >= L.n_weights - L.fan_in * L.oc)
            last += (double)L.w[i] * L.w[i];
    }
    for (size_t j = 0; j < L.n_bias; j++)
        zero_bias &= L.b[j] == 0.0f;
    const double n = (double)L.n_weights, var = sumsq / n - (sum / n) * (sum / n);
    /* variance 1/fan_in = 0.01; its estimate's relative sd sqrt(2/n) < 1%
     * (last position: 3200 draws, 2.5%), so 5% and 15% are 5-6 sigma bands */
    CHECK(fabs(var / 0.01 - 1.0) < 0.05, "local randn: variance %g, want 1/fan_in = 0.01", var);
    CHECK(fabs(last / 3200.0 / 0.01 - 1.0) < 0.15,
          "local randn: the last position's variance %g, want 0.01", last / 3200.0);
    CHECK(zero_bias, "local randn: every position's biases zero");
    free(params);
}

/* The fast kernel (im2col + one product per position, split among threads
 * as the library splits products) against the direct one, on random local
 * shapes with strides, several channels and batches; with 2 threads too,
 * on shapes whose products are large enough to be split (parallel.h), and
 * then the weight and input gradients of 2 threads against 1. */
static void test_random_local(gsl_rng *r)
{
    double worst = 0.0, worst_t = 0.0;
    int failed = 0;
    for (int t = 0; t < 40; t++) {
        const int big = t >= 34; /* the last: products of >= 2^21 multiply-adds */
        size_t ih = 1 + gsl_rng_uniform_int(r, 12), iw = 1 + gsl_rng_uniform_int(r, 12);
        size_t ic = 1 + gsl_rng_uniform_int(r, 4), oc = 1 + gsl_rng_uniform_int(r, 6);
        size_t kh = 1 + gsl_rng_uniform_int(r, ih), kw = 1 + gsl_rng_uniform_int(r, iw);
        size_t stride = 1 + gsl_rng_uniform_int(r, 4), B = 1 + gsl_rng_uniform_int(r, 5);
        if (big) /* 64 rows per position, fan_in 200, 170-199 channels */
            ih = iw = 20, ic = 2, kh = kw = 10, stride = 5, B = 64,
            oc = 170 + gsl_rng_uniform_int(r, 30);
        owned_layer o;
        if (make_layer(&o, FF_LAYER_LOCAL, ih, iw, ic, kh, kw, stride, oc, r) != FF_SUCCESS) {
            failed++;
            continue;
        }
        const ff_layer *L = &o.L;
        const size_t nz = B * L->n_out, nx = B * L->n_in, nc = ff_layer_cols_size(L, B);
        float *x = malloc(nx * sizeof *x), *z = malloc(nz * sizeof *z),
              *zd = malloc(nz * sizeof *zd), *cols = malloc((nc ? nc : 1) * sizeof *cols);
        fill_uniform(x, nx, r, -1.0, 1.0);
        ff_system_set_threads(big ? 2 : 1);
        const float *P = ff_layer_patches(L, cols, x, B);
        ff_layer_forward(L, z, P, B, 1);
        ff_layer_forward_direct(L, zd, x, B);
        for (size_t i = 0; i < nz; i++)
            worst = fmax(worst, fabs(z[i] - zd[i]) / (1.0 + fabs(zd[i])));
        if (big) { /* gradients: 2 threads against 1 (the depth is never split) */
            float *g2 = malloc(L->n_params * sizeof *g2), *g1 = malloc(L->n_params * sizeof *g1);
            float *dx2 = malloc(nx * sizeof *dx2), *dx1 = malloc(nx * sizeof *dx1);
            float *dc = malloc((nc ? nc : 1) * sizeof *dc);
            ff_layer_weight_grad(L, g2, P, zd, B);
            ff_layer_input_grad(L, dx2, zd, B, dc);
            ff_system_set_threads(1);
            ff_layer_weight_grad(L, g1, P, zd, B);
            ff_layer_input_grad(L, dx1, zd, B, dc);
            for (size_t i = 0; i < L->n_params; i++)
                worst_t = fmax(worst_t, fabs(g2[i] - g1[i]) / (1.0 + fabs(g1[i])));
            for (size_t i = 0; i < nx; i++)
                worst_t = fmax(worst_t, fabs(dx2[i] - dx1[i]) / (1.0 + fabs(dx1[i])));
            free(dc);
            free(dx1);
            free(dx2);
            free(g1);
            free(g2);
        }
        ff_system_set_threads(1);
        free(cols);
        free(zd);
        free(z);
        free(x);
        free(o.params);
    }
    CHECK(failed == 0, "random local shapes: %d refused", failed);
    CHECK(worst < 1e-5, "random local shapes: forward differs from direct by %g", worst);
    CHECK(worst_t < 1e-4, "local gradients in 2 threads differ from 1 thread's by %g", worst_t);
}

/* The seed's first conv layer is a 28x28 kernel covering the whole image:
 * a real convolution with oh = ow = 1, checked at full size once. */
static void test_seed_conv_forward(gsl_rng *r)
{
    const size_t B = 2;
    owned_layer o;
    make_layer(&o, FF_LAYER_CONV2D, 28, 28, 1, 28, 28, 1, 100, r);
    float *x = malloc(B * 784 * sizeof *x), *z = malloc(B * 100 * sizeof *z),
          *zd = malloc(B * 100 * sizeof *zd);
    float *cols = malloc(ff_layer_cols_size(&o.L, B) * sizeof *cols);
    fill_uniform(x, B * 784, r, 0.0, 1.0);
    ff_layer_forward(&o.L, z, ff_layer_patches(&o.L, cols, x, B), B, 1);
    ff_layer_forward_direct(&o.L, zd, x, B);
    double e = 0.0;
    for (size_t i = 0; i < B * 100; i++)
        e = fmax(e, fabs(z[i] - zd[i]) / (1.0 + fabs(zd[i])));
    CHECK(e < 1e-4, "seed conv forward differs from direct by %g", e);
    free(cols);
    free(zd);
    free(z);
    free(x);
    free(o.params);
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20240601);
    test_shapes();
    test_hand_example();
    test_hand_local();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        test_case(&cases[i], r);
    test_glorot(r);
    test_randn_local(r);
    test_random_local(r);
    test_seed_conv_forward(r);
    gsl_rng_free(r);
    return check_done();
}
