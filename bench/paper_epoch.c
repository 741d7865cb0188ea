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
 * softmax alone (unsupervised).  Does all this for each product backend
 * (ff/gemm.h), one line each, the backends taking turns batch by batch so
 * that they are compared side by side: every backend built in, or the one
 * of --precision (fp32: the CBLAS; bf16: oneDNN's bf16).  A '#' header
 * first: the threads and batches, the CPU, each backend and what it ran
 * on (the library, and oneDNN's instruction set).
 *
 * usage: paper_epoch [batches] [threads] [eval_images] [--precision fp32|bf16]
 *        (defaults 50, 2, 10000, every backend) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_check.h"
#include "ff/dataset.h"
#include "ff/gemm.h"
#include "ff/negatives.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/system.h"

enum { B = 100, D = 784, N_EPOCH = 50000 };
static const char USAGE[] =
    "paper_epoch [batches] [threads] [eval_images] [--precision fp32|bf16]";

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

/* One backend's copy of a run: its net, workspace and generator, all made
 * alike, so that every backend does the same work. */
typedef struct {
    ff_gemm_backend backend;
    ff_net *net;
    ff_paper *p;
    gsl_rng *r;
    float *neg, *mask_ws;
    double *secs, *hybrid;
} lane;

static void lane_alloc(lane *ln, ff_gemm_backend b, const ff_net_spec *s, int batches)
{
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    ln->backend = b;
    ln->r = gsl_rng_alloc(gsl_rng_mt19937);
    bench_need(ln->r != NULL, "the generator");
    bench_check(ff_net_alloc(&ln->net, s), "ff_net_alloc");
    ff_net_init_randn(ln->net, ln->r);
    ln->p = ff_paper_alloc(ln->net, B, &c);
    ln->neg = malloc(B * D * sizeof *ln->neg);
    ln->mask_ws = malloc(2 * D * sizeof *ln->mask_ws);
    ln->secs = malloc((size_t)batches * sizeof *ln->secs);
    ln->hybrid = malloc((size_t)batches * sizeof *ln->hybrid);
    bench_need(ln->p && ln->neg && ln->mask_ws && ln->secs && ln->hybrid, "a lane's buffers");
}

static void lane_free(lane *ln)
{
    free(ln->hybrid);
    free(ln->secs);
    free(ln->mask_ws);
    free(ln->neg);
    ff_paper_free(ln->p);
    ff_net_free(ln->net);
    gsl_rng_free(ln->r);
}

/* Batch b (-1: the untimed one) of a lane, in its backend. */
static void lane_batch(lane *ln, int b, int supervised, const ff_dataset *data)
{
    bench_check(ff_gemm_select(ln->backend), "ff_gemm_select");
    ff_net *net = ln->net;
    ff_paper *p = ln->p;
    int *neg_label = ff_paper_neg_labels(p);
    double loss[FF_MAX_LAYERS + 1];
    const size_t i = (size_t)(b + 1) * B % (data->n - B + 1);
    const float *x = data->x + i * D;
    const int *y = data->y + i;
    const double t = ff_system_seconds();
    double th = 0.0;
    if (supervised) {
        bench_check(ff_paper_neutral(net, p, x, B), "ff_paper_neutral");
        ff_neg_labels_hard(neg_label, ff_paper_logits(p), y, B, net->n_classes, ln->r);
        bench_check(ff_paper_train_head(net, p, y, B, 1.0f, loss), "ff_paper_train_head");
        bench_check(ff_paper_step_labels(net, p, x, y, neg_label, B, 1.0f, loss),
                    "ff_paper_step_labels");
    } else {
        ff_neg_hybrid_images(ln->neg, data, B, 6, 0, ln->r, ln->mask_ws);
        th = ff_system_seconds() - t;
        bench_check(ff_paper_step_images(net, p, x, ln->neg, B, 1.0f, loss),
                    "ff_paper_step_images");
        bench_check(ff_paper_train_head(net, p, y, B, 1.0f, loss), "ff_paper_train_head");
    }
    if (b >= 0)
        ln->secs[b] = ff_system_seconds() - t, ln->hybrid[b] = th;
}

/* One line per backend: the backends take turns batch by batch, so that
 * they are timed side by side on a machine whose speed drifts. */
static void run(const char *name, ff_net_spec s, int supervised, int batches,
                const ff_dataset *data, const ff_gemm_backend *backends, int nb)
{
    lane lanes[FF_GEMM_N];
    for (int k = 0; k < nb; k++)
        lane_alloc(&lanes[k], backends[k], &s, batches);
    for (int b = -1; b < batches; b++)
        for (int k = 0; k < nb; k++)
            lane_batch(&lanes[k], b, supervised, data);
    const ff_net *net = lanes[0].net;
    double macs = 0.0; /* per image and pass: each patch row's fan_in x oc */
    for (size_t l = 0; l < s.n_layers; l++)
        macs += (double)ff_layer_rows(&net->layer[l], 1) * (double)net->layer[l].fan_in *
                (double)net->layer[l].oc;
    /* (pos + neg) x (forward + gradient), + neutral */
    const double passes = supervised ? 5.0 : 4.0;
    const double tflop = 2.0 * macs * passes * N_EPOCH * 1e-12;
    const ff_paper_config c = FF_PAPER_DEFAULTS;
    const ff_eval_config ev = ff_paper_eval_config(supervised, c.neutral);
    for (int k = 0; k < nb; k++) {
        lane *ln = &lanes[k];
        const double per_batch = median(ln->secs, batches);
        const double epoch = per_batch * N_EPOCH / B;
        ff_eval_workspace *ews = ff_eval_workspace_alloc(ln->net, 1000);
        bench_need(ews != NULL, "the evaluation workspace");
        bench_check(ff_gemm_select(ln->backend), "ff_gemm_select");
        ff_eval_result res;
        const double t_eval = ff_system_seconds();
        bench_check(ff_eval(ln->net, ews, data->x, data->y, data->n, &ev, &res), "ff_eval");
        const double eval = ff_system_seconds() - t_eval;
        ff_eval_workspace_free(ews);
        printf("%-16s %-10s %6.1f s/epoch  %5.1f ms/batch  %.2f TFLOP/epoch  %5.0f GFLOP/s  "
               "%5.1f s/eval", name, ff_gemm_name(ln->backend), epoch, 1e3 * per_batch, tflop,
               tflop * 1e3 / epoch, eval);
        if (!supervised)
            printf("  (hybrid images %.1f s/epoch)", median(ln->hybrid, batches) * N_EPOCH / B);
        printf("\n");
        fflush(stdout);
        lane_free(ln);
    }
}

static void usage_error(const char *why)
{
    bench_usage("paper_epoch", why, USAGE);
}

int main(int argc, char **argv)
{
    /* the positional arguments, and --precision anywhere */
    const char *pos[3] = {"50", "2", "10000"}, *precision = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--precision")) {
            if (++i == argc)
                usage_error("--precision needs fp32 or bf16");
            precision = argv[i];
        } else if (npos < 3) {
            pos[npos++] = argv[i];
        } else {
            usage_error("too many arguments");
        }
    }
    const int batches = bench_int("paper_epoch", "batches", pos[0], 1, 100000, USAGE);
    const int threads = bench_int("paper_epoch", "threads", pos[1], 1, 256, USAGE);
    const int n_eval = bench_int("paper_epoch", "eval_images", pos[2], B, 1000000, USAGE);
    /* the backends timed: fp32 in the CBLAS, bf16 in oneDNN, or (no
     * --precision) every backend built in, side by side */
    ff_gemm_backend backends[FF_GEMM_N];
    int nb = 0;
    if (precision && strcmp(precision, "fp32") && strcmp(precision, "bf16"))
        usage_error("--precision takes fp32 or bf16");
    for (int b = 0; b < FF_GEMM_N; b++) {
        const ff_gemm_backend be = (ff_gemm_backend)b;
        const int wanted = !precision || (!strcmp(precision, "fp32") && be == FF_GEMM_CBLAS) ||
                           (!strcmp(precision, "bf16") && be == FF_GEMM_DNNL_BF16);
        if (wanted && ff_gemm_available(be))
            backends[nb++] = be;
    }
    if (!nb) {
        fprintf(stderr, "paper_epoch: bf16 needs oneDNN, which this build lacks: install "
                        "libdnnl-dev (make deps) and rebuild\n");
        return 1;
    }
    char what[1024];
    ff_system_flush_denormals();
    ff_system_set_threads(threads);
    const size_t n = (size_t)n_eval;
    printf("# threads: %d, batches of %d timed: %d (the median scaled to %d images); "
           "evaluations of %zu images\n", threads, B, batches, N_EPOCH, n);
    printf("# cpu: %s\n", ff_system_cpu(what, sizeof what));
    for (int k = 0; k < nb; k++)
        printf("# %s: %s\n", ff_gemm_name(backends[k]),
               ff_gemm_describe(backends[k], what, sizeof what));

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ff_dataset *data = ff_dataset_alloc(n, 28, 28);
    bench_need(r && data, "the evaluation data");
    for (size_t i = 0; i < n * D; i++)
        data->x[i] = (float)gsl_rng_uniform(r);
    for (size_t i = 0; i < n; i++)
        data->y[i] = (int)(i % 10);
    run("ff-sup-3x1000", dense_spec(3, 1000), 1, batches, data, backends, nb);
    run("ff-sup-4x2000", dense_spec(4, 2000), 1, batches, data, backends, nb);
    run("ff-unsup-4x2000", dense_spec(4, 2000), 0, batches, data, backends, nb);
    run("ff-unsup-local", ff_paper_local_spec(0), 0, batches, data, backends, nb);
    ff_dataset_free(data);
    gsl_rng_free(r);
    return 0;
}
