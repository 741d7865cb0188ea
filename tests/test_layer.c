/* test_layer.c - the dense and conv2d layers (lib/include/ff/layer.h).
 *
 * References used here, all written in this file from the definitions in
 * layer.h and not from the library's code:
 *   - ref_forward: the valid, stride-1 convolution in double, kernel layout
 *     (kh, kw, ic, oc) and NHWC images, as layer.h defines them;
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

/* A layer with its own parameter block, random weights and biases. */
typedef struct {
    ff_layer L;
    float *params;
} owned_layer;

static int make_layer(owned_layer *o, int conv, size_t ih, size_t iw, size_t ic, size_t kh,
                      size_t kw, size_t oc, gsl_rng *r)
{
    int status = conv ? ff_layer_conv2d(&o->L, ih, iw, ic, kh, kw, oc)
                      : ff_layer_dense(&o->L, ih * iw * ic, oc);
    if (status != FF_SUCCESS)
        return status;
    o->params = malloc(o->L.n_params * sizeof *o->params);
    ff_layer_bind(&o->L, o->params);
    fill_uniform(o->params, o->L.n_params, r, -1.0, 1.0); /* non-zero biases too */
    return FF_SUCCESS;
}

/* z (B, n_out) = valid convolution of x with (w, b), all in double. */
static void ref_forward(const ff_layer *L, double *z, const double *w, const double *b,
                        const double *x, size_t B)
{
    for (size_t n = 0; n < B; n++)
        for (size_t oy = 0; oy < L->oh; oy++)
            for (size_t ox = 0; ox < L->ow; ox++)
                for (size_t f = 0; f < L->oc; f++) {
                    double s = b[f];
                    for (size_t ky = 0; ky < L->kh; ky++)
                        for (size_t kx = 0; kx < L->kw; kx++)
                            for (size_t c = 0; c < L->ic; c++)
                                s += x[n * L->n_in + ((oy + ky) * L->iw + ox + kx) * L->ic + c] *
                                     w[((ky * L->kw + kx) * L->ic + c) * L->oc + f];
                    z[n * L->n_out + (oy * L->ow + ox) * L->oc + f] = s;
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
    int conv;
    size_t ih, iw, ic, kh, kw, oc;
} shape_case;

static const shape_case cases[] = {
    {"dense 7->5", 0, 1, 1, 7, 1, 1, 5},
    {"conv 3x3 on 6x5x2 -> 4", 1, 6, 5, 2, 3, 3, 4},
    {"conv 1x1 on 3x4x3 -> 2", 1, 3, 4, 3, 1, 1, 2},
    {"conv 2x3 on 5x6x2 -> 3", 1, 5, 6, 2, 2, 3, 3},
    {"conv 7x7 on 7x7x1 -> 5 (whole input)", 1, 7, 7, 1, 7, 7, 5},
    {"conv 1x4 on 3x4x2 -> 3 (full width)", 1, 3, 4, 2, 1, 4, 3},
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
    ff_layer_dense(&L, 7, 5);
    CHECK(ff_layer_cols_size(&L, 4) == 0, "dense needs no im2col");
    ff_layer_conv2d(&L, 3, 4, 3, 1, 1, 2);
    CHECK(ff_layer_cols_size(&L, 4) == 0, "1x1 conv needs no im2col");
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
    ff_layer_conv2d(&L, 2, 3, 1, 2, 2, 1);
    ff_layer_bind(&L, params);
    float cols[8], z[2] = {0}, zd[2] = {0};
    ff_layer_forward(&L, z, ff_layer_patches(&L, cols, x, 1), 1, 1);
    ff_layer_forward_direct(&L, zd, x, 1);
    CHECK(z[0] == 9.75f && z[1] == 12.25f, "hand example: got %g %g, want 9.75 12.25", z[0],
          z[1]);
    CHECK(zd[0] == 9.75f && zd[1] == 12.25f, "hand example (direct): got %g %g", zd[0], zd[1]);
}

static void test_case(const shape_case *sc, gsl_rng *r)
{
    const size_t B = 3;
    owned_layer o;
    int status = make_layer(&o, sc->conv, sc->ih, sc->iw, sc->ic, sc->kh, sc->kw, sc->oc, r);
    CHECK(status == FF_SUCCESS, "%s: shape rejected", sc->name);
    if (status != FF_SUCCESS)
        return;
    const ff_layer *L = &o.L;
    const size_t nz = B * L->n_out, nx = B * L->n_in, nw = L->fan_in * L->oc;
    float *x = malloc(nx * sizeof *x), *R = malloc(nz * sizeof *R);
    fill_uniform(x, nx, r, -1.0, 1.0);
    fill_uniform(R, nz, r, -1.0, 1.0);
    size_t ncols = ff_layer_cols_size(L, B);
    float *cols = malloc((ncols ? ncols : 1) * sizeof *cols);
    float *z = malloc(nz * sizeof *z), *zd = malloc(nz * sizeof *zd);
    double *zr = malloc(nz * sizeof *zr);
    double *wd = to_double(L->w, nw), *bd = to_double(L->b, L->oc), *xd = to_double(x, nx);

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
        e_nobias = fmax(e_nobias, fabs(z[i] + L->b[i % L->oc] - zd[i]) / (1.0 + fabs(zd[i])));
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
    bad = grad_mismatches(grad + nw, fd + nw, L->oc, GRAD_RTOL, GRAD_ATOL, &worst);
    CHECK(bad == 0, "%s: bias gradient: %zu entries off FD (worst %g)", sc->name, bad, worst);

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
    const size_t nw = L->fan_in * L->oc;
    double mx = 0.0, sum = 0.0, sumsq = 0.0;
    int in_range = 1, zero_bias = 1;
    for (size_t i = 0; i < nw; i++) {
        double w = L->w[i];
        in_range &= fabs(w) <= a;
        mx = fmax(mx, fabs(w));
        sum += w;
        sumsq += w * w;
    }
    for (size_t j = 0; j < L->oc; j++)
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
    ff_layer_dense(&L, 300, 200);
    check_glorot("dense 300->200", &L, sqrt(6.0 / (300 + 200)), r);
    ff_layer_conv2d(&L, 6, 5, 2, 3, 3, 400);
    check_glorot("conv 3x3x2 -> 400", &L, sqrt(6.0 / (3 * 3 * 2 + 3 * 3 * 400)), r);
    /* seed protocol "Conv2D model": fan_in 784, fan_out 28*28*100 = 78400 */
    ff_layer_conv2d(&L, 28, 28, 1, 28, 28, 100);
    const double a_seed = sqrt(6.0 / (784.0 + 78400.0));
    check_glorot("seed conv 28x28x1 -> 100", &L, a_seed, r);
    /* and this is about 9x below the dense layer's limit of the same shape
     * (784 -> 100), the difference the protocol says matters */
    CHECK(sqrt(6.0 / (784.0 + 100.0)) / a_seed > 9.0, "seed conv limit must be ~9x smaller");

    /* init draws from r only: the same seed gives the same weights */
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r1, 11);
    gsl_rng_set(r2, 11);
    ff_layer_dense(&L, 30, 20);
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

/* The seed's first conv layer is a 28x28 kernel covering the whole image:
 * a real convolution with oh = ow = 1, checked at full size once. */
static void test_seed_conv_forward(gsl_rng *r)
{
    const size_t B = 2;
    owned_layer o;
    make_layer(&o, 1, 28, 28, 1, 28, 28, 100, r);
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
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        test_case(&cases[i], r);
    test_glorot(r);
    test_seed_conv_forward(r);
    gsl_rng_free(r);
    return check_done();
}
