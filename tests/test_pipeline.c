/* test_pipeline.c - the two-stage FF trainer gives the same bits as the
 * one-thread step (pipeline.h's promise), and refuses splits it cannot run. */
#include <string.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "ff/error.h"
#include "ff/pipeline.h"

enum { B = 16, NB = 24, D = 64 };

static ff_net *make_net(unsigned long seed)
{
    ff_net_spec s = {.ih = 8, .iw = 8, .ic = 1, .n_layers = 3, .head_from = 1,
                     .n_classes = 3, .norm = FF_NORM_L2};
    s.layer[0] = (ff_layer_spec){FF_LAYER_DENSE, 20, 1, 1, 1};
    s.layer[1] = (ff_layer_spec){FF_LAYER_DENSE, 12, 1, 1, 1};
    s.layer[2] = (ff_layer_spec){FF_LAYER_DENSE, 10, 1, 1, 1};
    ff_net *net = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    if (ff_net_alloc(&net, &s) == FF_SUCCESS)
        ff_net_init_glorot(net, r);
    gsl_rng_free(r);
    return net;
}

int main(void)
{
    static float x[NB * B * D];
    static int y[NB * B];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    for (size_t i = 0; i < sizeof x / sizeof *x; i++)
        x[i] = (float)gsl_rng_uniform(r);
    for (size_t i = 0; i < NB * B; i++)
        y[i] = (int)gsl_rng_uniform_int(r, 3);
    gsl_rng_free(r);

    const ff_train_config c = {.theta = 0.1, .adam = FF_ADAM_KERAS(1e-2f),
                               .adam_head = FF_ADAM_KERAS(1e-2f)};
    ff_net *one = make_net(3), *two = make_net(3);
    ff_ff_workspace *ws = ff_ff_workspace_alloc(one, B);
    ff_pipeline *p = NULL;
    CHECK(one && two && ws, "nets and workspace");
    CHECK(ff_pipeline_alloc(&p, two, B, 1, &c) == FF_SUCCESS, "a split after layer 1");
    if (!one || !two || !ws || !p)
        return check_done();

    /* the seed's epoch shape: positive batches (head trained), then negative */
    double loss[FF_MAX_LAYERS + 1], sum_one[FF_MAX_LAYERS + 1] = {0}, sum_two[FF_MAX_LAYERS + 1];
    for (int epoch = 0; epoch < 2; epoch++)
        for (int b = 0; b < NB; b++) {
            int pos = b < NB / 2;
            CHECK_OK(ff_train_ff_batch(one, ws, x + b * B * D, y + b * B, B, pos, pos, &c, loss));
            for (size_t l = 0; l <= one->n_layers; l++)
                sum_one[l] += loss[l];
            CHECK(ff_pipeline_batch(p, x + b * B * D, y + b * B, B, pos, pos) == FF_SUCCESS,
                  "batch %d accepted", b);
        }
    ff_pipeline_sync(p, sum_two);

    CHECK(memcmp(one->params, two->params, 3 * one->n_params * sizeof(float)) == 0,
          "parameters and Adam moments bit for bit equal");
    CHECK(memcmp(one->step, two->step, sizeof one->step) == 0, "same step counts");
    for (size_t l = 0; l <= one->n_layers; l++)
        CHECK(sum_one[l] == sum_two[l], "layer %zu loss sums %.17g vs %.17g", l, sum_one[l],
              sum_two[l]);
    ff_pipeline_sync(p, sum_two);
    CHECK(sum_two[0] == 0.0, "a sync starts the loss sums afresh");
    CHECK(ff_pipeline_batch(p, x, y, B + 1, 1, 1) == FF_EINVAL, "batch above capacity refused");
    ff_pipeline_free(p);

    ff_pipeline *bad = NULL;
    CHECK(ff_pipeline_alloc(&bad, two, B, 2, &c) == FF_EINVAL && !bad,
          "split above the first readout layer refused");
    CHECK(ff_pipeline_alloc(&bad, two, 0, 1, &c) == FF_EINVAL && !bad, "zero capacity refused");
    CHECK(ff_pipeline_alloc(&bad, two, B, 0, &c) == FF_SUCCESS && bad, "split 0: one thread");
    ff_pipeline_free(bad);

    ff_ff_workspace_free(ws);
    ff_net_free(one);
    ff_net_free(two);
    return check_done();
}
