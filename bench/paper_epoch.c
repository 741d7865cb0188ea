/* paper_epoch.c - seconds per training epoch of the paper-scale runs.
 *
 * Times the paper's supervised batch (neutral pass, hard negatives, the
 * head's step, the stacked positive and negative passes: paper.h) on the
 * reference code's 3 x 1000 net and on the paper's 4 x 2000 net, and the
 * unsupervised one (hybrid-image negatives) on 4 x 2000 and on the paper's
 * net of local receptive fields (ff/paper.h: ff-unsup-local), for a number
 * of batches of 100 on MNIST-sized data (uniform noise from a seeded
 * gsl_rng: a step's cost does not depend on the pixel values), and scales
 * to an epoch of 50,000 images, evaluation excluded.  One untimed batch
 * first (buffers touched, threads started); then each batch is timed on
 * its own and the epoch scaled from the median batch, so that a moment's
 * interruption on a shared machine moves it little.  Also prints the rate
 * of the epoch's matrix products: 2 flops per multiply-add, counting each
 * pass's forward product and each weight gradient (the neutral pass has no
 * gradient).  Then times one evaluation of eval_images images (default
 * 10,000: the size of the validation and of the test set) with the
 * readouts the run's program asks for: softmax and goodness (supervised),
 * softmax alone (unsupervised).
 *
 * usage: paper_epoch [batches] [threads] [eval_images]   (defaults 50, 2, 10000) */
#include <stdio.h>
#include <stdlib.h>

#include "ff/dataset.h"
#include "ff/negatives.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/system.h"

enum { B = 100, D = 784, N_EPOCH = 50000 };

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v (n > 0), which it sorts. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The paper's dense nets: layers x units, the readouts from layer 2. */
static ff_net_spec dense_spec(size_t layers, size_t units)
{
    ff_net_spec s = {.ih = 28, .iw = 28, .ic = 1, .n_layers = layers, .head_from = 1,
                     .n_classes = 10, .norm = FF_NORM_RMS, .normalize_input = 1};
    for (size_t l = 0; l < layers; l++)
        s.layer[l] = (ff_layer_spec){FF_LAYER_DENSE, units, 1, 1, 1};
    return s;
}

static void run(const char *name, ff_net_spec s, int supervised, int batches,
                const ff_dataset *data, gsl_rng *r)
{
    const size_t layers = s.n_layers;
    ff_net *net;
    if (ff_net_alloc(&net, &s) != 0)
        exit(1);
    ff_net_init_randn(net, r);
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    ff_paper *p = ff_paper_alloc(net, B, &c);
    float *neg = malloc(B * D * sizeof *neg), *mask_ws = malloc(2 * D * sizeof *mask_ws);
    if (!p || !neg || !mask_ws)
        exit(1);
    int *neg_label = ff_paper_neg_labels(p);
    double loss[FF_MAX_LAYERS + 1], *secs = malloc((size_t)batches * sizeof *secs),
                                    *hybrid = malloc((size_t)batches * sizeof *hybrid);
    if (!secs || !hybrid)
        exit(1);
    for (int b = -1; b < batches; b++) { /* b = -1: the untimed batch */
        const size_t i = (size_t)(b + 1) * B % (data->n - B + 1);
        const float *x = data->x + i * D;
        const int *y = data->y + i;
        const double t = ff_system_seconds();
        double th = 0.0;
        if (supervised) {
            ff_paper_neutral(net, p, x, B);
            ff_neg_labels_hard(neg_label, ff_paper_logits(p), y, B, net->n_classes, r);
            ff_paper_train_head(net, p, y, B, 1.0f, loss);
            ff_paper_step_labels(net, p, x, y, neg_label, B, 1.0f, loss);
        } else {
            ff_neg_hybrid_images(neg, data, B, 6, 0, r, mask_ws);
            th = ff_system_seconds() - t;
            ff_paper_step_images(net, p, x, neg, B, 1.0f, loss);
            ff_paper_train_head(net, p, y, B, 1.0f, loss);
        }
        if (b >= 0)
            secs[b] = ff_system_seconds() - t, hybrid[b] = th;
    }
    const double per_batch = median(secs, batches);
    const double epoch = per_batch * N_EPOCH / B;
    double macs = 0.0; /* per image and pass: each patch row's fan_in x oc */
    for (size_t l = 0; l < layers; l++)
        macs += (double)ff_layer_rows(&net->layer[l], 1) * (double)net->layer[l].fan_in *
                (double)net->layer[l].oc;
    const double passes = supervised ? 5.0 : 4.0; /* (pos + neg) x (forward + gradient), + neutral */
    const double tflop = 2.0 * macs * passes * N_EPOCH * 1e-12;
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, 1000);
    if (!ews)
        exit(1);
    const ff_eval_config ev = ff_paper_eval_config(supervised, c.neutral);
    ff_eval_result res;
    const double t_eval = ff_system_seconds();
    ff_eval(net, ews, data->x, data->y, data->n, &ev, &res);
    const double eval = ff_system_seconds() - t_eval;
    ff_eval_workspace_free(ews);
    printf("%-16s %6.1f s/epoch  %5.1f ms/batch  %.2f TFLOP/epoch  %5.0f GFLOP/s  %5.1f s/eval",
           name, epoch, 1e3 * per_batch, tflop, tflop * 1e3 / epoch, eval);
    if (!supervised)
        printf("  (hybrid images %.1f s/epoch)", median(hybrid, batches) * N_EPOCH / B);
    printf("\n");
    free(hybrid);
    free(secs);
    free(mask_ws);
    free(neg);
    ff_paper_free(p);
    ff_net_free(net);
}

int main(int argc, char **argv)
{
    const int batches = argc > 1 ? atoi(argv[1]) : 50, threads = argc > 2 ? atoi(argv[2]) : 2,
              n_eval = argc > 3 ? atoi(argv[3]) : 10000;
    if (batches < 1 || threads < 1 || n_eval < B || n_eval > 1000000) {
        fprintf(stderr, "paper_epoch: batches and threads must be positive and eval_images "
                        "in [%d, 1000000]; usage: paper_epoch [batches] [threads] "
                        "[eval_images]\n", B);
        return 2;
    }
    char cblas[1024];
    ff_system_flush_denormals();
    ff_system_set_threads(threads);
    const size_t n = (size_t)n_eval;
    printf("# cblas: %s\n"
           "# threads: %d, batches of %d timed: %d (the median scaled to %d images); "
           "evaluations of %zu images\n",
           ff_system_cblas(cblas, sizeof cblas), threads, B, batches, N_EPOCH, n);

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ff_dataset *data = ff_dataset_alloc(n, 28, 28);
    if (!data)
        return 1;
    for (size_t i = 0; i < n * D; i++)
        data->x[i] = (float)gsl_rng_uniform(r);
    for (size_t i = 0; i < n; i++)
        data->y[i] = (int)(i % 10);
    run("ff-sup-3x1000", dense_spec(3, 1000), 1, batches, data, r);
    run("ff-sup-4x2000", dense_spec(4, 2000), 1, batches, data, r);
    run("ff-unsup-4x2000", dense_spec(4, 2000), 0, batches, data, r);
    run("ff-unsup-local", ff_paper_local_spec(0), 0, batches, data, r);
    ff_dataset_free(data);
    gsl_rng_free(r);
    return 0;
}
