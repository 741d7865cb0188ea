/* test_optim.c - Adam in the Keras/TensorFlow form (lib/include/ff/optim.h).
 *
 * Reference: the update that tf.keras.optimizers.Adam (TF 2.x,
 * OptimizerV2 _resource_apply_dense -> training_ops.ResourceApplyAdam)
 * performs, as the seed protocol ("FF layer objective") writes it out:
 *   t counts from 1;
 *   m_t = beta1 m_{t-1} + (1 - beta1) g_t
 *   v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
 *   alpha_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)
 *   p_t = p_{t-1} - alpha_t m_t / (sqrt(v_t) + eps)
 * eps is added to the raw sqrt(v_t), not to the bias-corrected one (the
 * Kingma & Ba / PyTorch form); the difference is visible when g is small, and
 * the test shows that the Kingma & Ba form would be rejected. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ff/optim.h"

enum { NP = 5, STEPS = 3 };

/* Gradients per step: big, small (where eps placement matters), negative,
 * zero throughout (the parameter must not move), and a sign change. */
static const float grads[STEPS][NP] = {
    {0.5f, 1e-4f, -2.0f, 0.0f, 0.3f},
    {0.4f, 2e-4f, -1.0f, 0.0f, -0.6f},
    {-0.1f, 5e-5f, -3.0f, 0.0f, 0.2f},
};
static const float p_init[NP] = {0.5f, -1.0f, 2.0f, 0.25f, 0.0f};

/* The reference above, in double.  keras_eps = 0 gives the Kingma & Ba
 * form instead (eps added to sqrt(v_hat)), for the negative control. */
static void ref_adam(double p[NP], double m[NP], double v[NP], const float g[NP], double lr,
                     double b1, double b2, double eps, long t, int keras_eps)
{
    double alpha = lr * sqrt(1.0 - pow(b2, (double)t)) / (1.0 - pow(b1, (double)t));
    for (int i = 0; i < NP; i++) {
        m[i] = b1 * m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * v[i] + (1.0 - b2) * (double)g[i] * g[i];
        if (keras_eps) {
            p[i] -= alpha * m[i] / (sqrt(v[i]) + eps);
        } else {
            double mhat = m[i] / (1.0 - pow(b1, (double)t));
            double vhat = v[i] / (1.0 - pow(b2, (double)t));
            p[i] -= lr * mhat / (sqrt(vhat) + eps);
        }
    }
}

/* The comparison: p within 1e-4 of its own total movement (a
 * small-gradient parameter moves as far as a large one under Adam) plus
 * 4 float ulps of p (p itself is stored in float). */
static int close_to_ref(double got, double ref, double p0)
{
    return fabs(got - ref) <= 1e-4 * fabs(ref - p0) + 4.0 * FLT_EPSILON * fabs(ref);
}

/* Run STEPS library steps and the reference side by side.  Returns how many
 * (step, parameter) pairs fail close_to_ref; *kb_fail gets how many the
 * Kingma & Ba form would fail against the same reference. */
static int run(const ff_adam_config *c, const char *name, int *kb_fail)
{
    float p[NP + 1], m[NP + 1], v[NP + 1];
    double pr[NP], mr[NP] = {0}, vr[NP] = {0}, pk[NP], mk[NP] = {0}, vk[NP] = {0};
    memcpy(p, p_init, sizeof p_init);
    memset(m, 0, sizeof m);
    memset(v, 0, sizeof v);
    p[NP] = m[NP] = v[NP] = 77.0f; /* beyond n: must never be touched */
    for (int i = 0; i < NP; i++)
        pr[i] = pk[i] = p_init[i];
    int fail = 0;
    double mv_err = 0.0;
    *kb_fail = 0;
    for (long t = 1; t <= STEPS; t++) {
        ff_adam_step(p, m, v, grads[t - 1], NP, c, t);
        ref_adam(pr, mr, vr, grads[t - 1], c->lr, c->beta1, c->beta2, c->eps, t, 1);
        ref_adam(pk, mk, vk, grads[t - 1], c->lr, c->beta1, c->beta2, c->eps, t, 0);
        for (int i = 0; i < NP; i++) {
            mv_err = fmax(mv_err, fabs(m[i] - mr[i]) / (fabs(mr[i]) + 1e-30));
            mv_err = fmax(mv_err, fabs(v[i] - vr[i]) / (fabs(vr[i]) + 1e-30));
            if (!close_to_ref(p[i], pr[i], p_init[i])) {
                fail++;
                fprintf(stderr, "%s: step %ld parameter %d: %.9g, reference %.9g\n", name, t, i,
                        p[i], pr[i]);
            }
            *kb_fail += !close_to_ref(pk[i], pr[i], p_init[i]);
        }
    }
    /* a zero gradient leaves m = v = 0 and the parameter exactly where it was */
    CHECK(p[3] == p_init[3], "%s: parameter with zero gradients moved to %.9g", name, p[3]);
    CHECK(mv_err < 1e-5, "%s: moments differ from the reference by %g (relative)", name,
          mv_err);
    CHECK(p[NP] == 77.0f && m[NP] == 77.0f && v[NP] == 77.0f,
          "%s: a step must touch only the n floats it is given", name);
    return fail;
}

int main(void)
{
    /* the seed's settings (lr 1e-4, Keras betas and eps), a larger lr, and
     * non-default betas and eps (no constant may be baked in) */
    const ff_adam_config cfgs[3] = {
        FF_ADAM_KERAS(1e-4f),
        FF_ADAM_KERAS(1e-2f),
        {0.05f, 0.8f, 0.99f, 1e-3f},
    };
    const char *names[3] = {"keras lr 1e-4", "keras lr 1e-2", "custom"};
    CHECK(cfgs[0].lr == 1e-4f && cfgs[0].beta1 == 0.9f && cfgs[0].beta2 == 0.999f &&
              cfgs[0].eps == 1e-7f,
          "FF_ADAM_KERAS must give Keras's defaults (0.9, 0.999, 1e-7)");
    for (int k = 0; k < 3; k++) {
        int kb;
        int fail = run(&cfgs[k], names[k], &kb);
        CHECK(fail == 0, "%s: %d parameter values differ from the Keras reference", names[k],
              fail);
        /* negative control: the Kingma & Ba placement of eps (at least on the
         * small-gradient parameter) fails the same comparison */
        CHECK(kb > 0, "%s: the Kingma-Ba form passes too: the test cannot tell them apart",
              names[k]);
    }

    /* t counts from 1: the first step moves every parameter with a non-zero
     * gradient by about lr * sign(g) (m/sqrt(v) = sign(g) after bias
     * correction, up to eps).  With t from 0 alpha would be 0/0; from 2 the
     * step would be about 0.75 lr. */
    const ff_adam_config c = FF_ADAM_KERAS(1e-2f);
    float p[4] = {1.0f, -1.0f, 0.5f, 2.0f}, m[4] = {0}, v[4] = {0};
    const float g[4] = {0.7f, -3.0f, 25.0f, -0.01f};
    const float p0[4] = {1.0f, -1.0f, 0.5f, 2.0f};
    ff_adam_step(p, m, v, g, 4, &c, 1);
    for (int i = 0; i < 4; i++) {
        double step = p0[i] - p[i], want = g[i] > 0 ? 1e-2 : -1e-2;
        CHECK(fabs(step - want) < 1e-3 * 1e-2 + 1e-6, "first step of parameter %d: %.9g, want %g",
              i, step, want);
    }
    return check_done();
}
