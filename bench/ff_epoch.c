/* ff_epoch.c - seconds per training epoch, and working memory by depth.
 *
 * Times FF and BP training epochs of the seed's dense net on MNIST-sized
 * data (60,000 images of 784 pixels, uniform noise from a seeded gsl_rng:
 * the cost of a step does not depend on the pixel values), evaluation
 * excluded; then prints the bytes of the FF and the BP training workspace
 * as the net gets deeper, which is FF's memory advantage made visible.
 *
 * usage: ff_epoch [epochs] [threads]      (defaults 3 and 1) */
#include <stdio.h>
#include <stdlib.h>

#include "bench_check.h"
#include "ff/net.h"
#include "ff/pipeline.h"
#include "ff/system.h"
#include "ff/train.h"

static ff_net *dense_net(size_t layers, size_t units, gsl_rng *r)
{
    ff_net_spec s = {.ih = 28, .iw = 28, .ic = 1, .n_layers = layers, .head_from = 1,
                     .n_classes = 5, .norm = FF_NORM_L2};
    for (size_t l = 0; l < layers; l++)
        s.layer[l] = (ff_layer_spec){FF_LAYER_DENSE, units, 1, 1, 1};
    ff_net *net;
    bench_check(ff_net_alloc(&net, &s), "ff_net_alloc");
    ff_net_init_glorot(net, r);
    return net;
}

int main(int argc, char **argv)
{
    static const char usage[] = "ff_epoch [epochs] [threads]";
    if (argc > 3)
        bench_usage("ff_epoch", "too many arguments", usage);
    const int epochs = argc > 1 ? bench_int("ff_epoch", "epochs", argv[1], 1, 1000, usage) : 3;
    const int threads = argc > 2 ? bench_int("ff_epoch", "threads", argv[2], 1, 256, usage) : 1;
    const size_t n = 60000, D = 784, B = 128;
    char cblas[1024];
    ff_system_flush_denormals();
    ff_system_set_threads(threads);
    printf("# cblas: %s\n# threads: %d, epochs timed: %d\n", ff_system_cblas(cblas, sizeof cblas),
           threads, epochs);

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    float *x = malloc(n * D * sizeof *x);
    int *y = malloc(n * sizeof *y);
    bench_need(r && x && y, "the data");
    for (size_t i = 0; i < n * D; i++)
        x[i] = (float)gsl_rng_uniform(r);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)(i % 5);

    ff_net *net = dense_net(4, 100, r);
    ff_train_config c = {.theta = 0.1, .adam = FF_ADAM_KERAS(1e-4f),
                         .adam_head = FF_ADAM_KERAS(1e-4f)};
    double loss[FF_MAX_LAYERS + 1];
    for (size_t split = 0; split <= 1; split++) {
        ff_pipeline *p;
        bench_check(ff_pipeline_alloc(&p, net, B, split, &c), "ff_pipeline_alloc");
        double t = ff_system_seconds();
        for (int e = 0; e < epochs; e++) { /* half positive (head trained), half negative */
            for (size_t i = 0; i + B <= n; i += B)
                bench_check(ff_pipeline_batch(p, x + i * D, y + i, B, i < n / 2, i < n / 2),
                            "ff_pipeline_batch");
            ff_pipeline_sync(p, loss);
        }
        printf("ff  dense 4x100  %.3f s/epoch (60,000 images, %s)\n",
               (ff_system_seconds() - t) / epochs,
               split ? "2 stages: layer 1 | layers 2-4 + head" : "1 thread");
        ff_pipeline_free(p);
    }
    ff_bp_workspace *bws = ff_bp_workspace_alloc(net, B);
    bench_need(bws != NULL, "the BP workspace");
    double t = ff_system_seconds();
    for (int e = 0; e < epochs; e++)
        for (size_t i = 0; i + B <= n / 2; i += B)
            bench_check(ff_train_bp_batch(net, bws, x + i * D, y + i, B, &c, loss),
                        "ff_train_bp_batch");
    printf("bp  dense 4x100  %.3f s/epoch (30,000 images)\n", (ff_system_seconds() - t) / epochs);
    ff_bp_workspace_free(bws);
    ff_net_free(net);

    printf("# training workspace bytes, batch %zu, width 100, readout from layer 2\n"
           "# depth ff_bytes bp_bytes (readout input included in both)\n", B);
    for (size_t depth = 2; depth <= FF_MAX_LAYERS; depth++) {
        ff_net *d = dense_net(depth, 100, r);
        ff_ff_workspace *f = ff_ff_workspace_alloc(d, B);
        ff_bp_workspace *b = ff_bp_workspace_alloc(d, B);
        bench_need(f && b, "the training workspaces");
        printf("%zu %zu %zu\n", depth, f->bytes, b->bytes);
        ff_ff_workspace_free(f);
        ff_bp_workspace_free(b);
        ff_net_free(d);
    }
    free(x);
    free(y);
    gsl_rng_free(r);
    return 0;
}
