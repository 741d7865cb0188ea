/* ff_head.c - a fresh softmax head on the frozen features of a saved paper
 * FF model.
 *
 *   ff_head MODEL --out DIR [--lr-head X] [--weight-cost-head X] [--epochs N]
 *           [--data DIR] [--threads N] [--no-test] [--quiet]
 *
 * MODEL is OUT/model.ffm (or OUT/checkpoint.ffm) of paper_ff_supervised,
 * paper_ff_unsupervised or paper_ff_recurrent.  The run is rebuilt from
 * the configuration the file holds (saved.h): its data split, its net with
 * the saved parameters.
 * Its flags are followed by ff_head's, which are the paper programs' flags
 * of the same names and are parsed by the same code (exp_parse): --lr-head
 * and --weight-cost-head default to the run's own, --epochs counts the new
 * head's epochs (default 20).
 *
 * Features: what the run's own head reads, computed as ff_eval computes
 * them (ff_eval_features): the normalised activities of layers head_from
 * and up (net.h), in the pass of the neutral label (supervised) or of the
 * raw image (unsupervised; the recurrent net's bottom-up pass, time 0).
 * Computed once for the run's training images, its validation images and,
 * unless --no-test or the run had --no-test, the test images, and kept in
 * memory: the FF layers are frozen.
 *
 * The head: zero weights, its bias fixed at 0 as in the reference code
 * (learned if ff_paper_config.learn_head_bias says so), trained by the
 * paper head's step (ff_paper_head_step: momentum smoothing of the
 * gradient, weight cost, learning rate times ff_lr_gain over the head's
 * own epochs) in batches of the run's batch size, in the training images'
 * fixed order (no reshuffling, as the reference code), whole batches only.
 * Nothing is random.
 *
 * Scored by the softmax readout (error and mean cross-entropy): after every
 * epoch on the first 10,000 training images and on the validation set, on
 * the test set once at the end.  Before the first epoch the run's own
 * saved head is scored on the same features (epoch -1, part "saved"); its
 * validation figures are those the run recorded after the epoch the model
 * stands at (exp_saved_epoch: the last for model.ffm, for a checkpoint the
 * one it was written after, if the run evaluated then), bit for bit (the
 * same products, with the run's --threads).  A checkpoint written in the
 * middle of an epoch has no such figures: a note on stderr says so.
 *
 * Files in --out (created at the start, but refused if it holds a run's
 * model.ffm or checkpoint.ffm or another experiment's config.txt), each
 * written under a temporary name and all renamed at the end, summary.tsv
 * last; nothing is written before the end, so an error or a kill leaves
 * no file:
 *   curve.tsv    "# epoch set part n head_loss softmax_acc seconds"; epoch
 *                from 0 (-1: the saved head), set train/val/test, part all
 *                (saved: the run's own head), softmax_acc in %
 *   config.txt   key value: the model, the run's seed, net and epochs, the
 *                head's settings, and the runs' provenance lines
 *                (exp_write_provenance: data checksums, compiler, CBLAS,
 *                product backend, CPU, commit)
 *   summary.tsv  the paper programs' columns (record.h), experiment
 *                paper-head, epochs the head's, goodness columns "-";
 *                best and final accuracy on validation (a run without
 *                one, --val-split 0: '-', and the training subset decides
 *                the status) */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "record.h"
#include "saved.h"
#include "ff/error.h"
#include "ff/gemm.h"
#include "ff/system.h"

#define HEAD_EPOCHS "20"
#define MAX_FLAGS 32

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ff_head MODEL --out DIR [--lr-head X] [--weight-cost-head X] [--epochs N]\n"
            "               [--data DIR] [--threads N] [--no-test] [--quiet]\n"
            "Trains a fresh softmax head on the frozen features of a saved paper FF model\n"
            "(OUT/model.ffm or OUT/checkpoint.ffm of paper_ff_supervised,\n"
            "paper_ff_unsupervised or paper_ff_recurrent): the normalised activities its\n"
            "own head reads, on the run's own split; scores it on the validation set and\n"
            "the first 10,000 training images after every epoch, and on the test set once\n"
            "at the end.\n"
            "  --out DIR             result directory: curve.tsv, config.txt, summary.tsv\n"
            "                        (required; not a run's own directory)\n"
            "  --lr-head X           learning rate of the head (default: the run's --lr-head)\n"
            "  --weight-cost-head X  weight cost of the head (default: the run's)\n"
            "  --epochs N            epochs of the head (default %s); the learning rate\n"
            "                        decays linearly over the second half\n"
            "  --data DIR            directory of the four IDX files (default data/mnist)\n"
            "  --threads N           threads of the products (default: the run's, for the\n"
            "                        run's bits)\n"
            "  --no-test             leave the test set out (always, if the run left it out)\n"
            "  --quiet               no progress line, no note about the data\n"
            "  --help                this text\n",
            HEAD_EPOCHS);
}

/* ff_head's flags: MODEL, and the paper programs' flags to add to the
 * run's (flag[0..n)), with their values. */
typedef struct {
    const char *model, *out; /* out: --out's value, also in flag */
    char *flag[MAX_FLAGS];
    int n, quiet;
} head_args;

static int one_of(const char *a, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a, names[i]))
            return 1;
    return 0;
}

static void parse_args(head_args *h, int argc, char **argv)
{
    static const char *const valued[] = {"--out", "--lr-head", "--weight-cost-head",
                                         "--epochs", "--data", "--threads"};
    static const char *const bare[] = {"--no-test", "--quiet"};
    int epochs = 0;
    memset(h, 0, sizeof *h);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int value = one_of(a, valued, sizeof valued / sizeof *valued);
        if (!strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (a[0] != '-' && !h->model) {
            h->model = a;
            continue;
        } else if (!value && !one_of(a, bare, sizeof bare / sizeof *bare)) {
            fprintf(stderr, "ff_head: error: unexpected argument '%s' (see --help)\n", a);
            exit(2);
        } else if ((value && i + 1 >= argc) || h->n + 2 > MAX_FLAGS - 2) {
            fprintf(stderr, "ff_head: error: %s '%s' (see --help)\n",
                    value && i + 1 >= argc ? "no value after" : "too many flags, from", a);
            exit(2);
        }
        if (!strcmp(a, "--out"))
            h->out = argv[i + 1];
        epochs |= !strcmp(a, "--epochs");
        h->quiet |= !strcmp(a, "--quiet");
        h->flag[h->n++] = argv[i];
        if (value)
            h->flag[h->n++] = argv[++i];
    }
    if (!h->model || !h->out) {
        fprintf(stderr, "ff_head: error: %s (see --help)\n",
                h->model ? "--out DIR is required" : "no MODEL given");
        exit(2);
    }
    if (!epochs)
        h->flag[h->n++] = "--epochs", h->flag[h->n++] = HEAD_EPOCHS;
}

/* One set's features in memory, in chunks of `rows` images
 * (ff_eval_features), and what is scored of it: its first n images. */
typedef struct {
    const char *set; /* curve.tsv's set column */
    float *feat;
    size_t rows, n;
    const int *y;
} head_set;

enum { TRAIN, VAL, TEST, N_SETS };

/* A program's state: the rebuilt run, the head's step, the features, the
 * curve so far (in memory) and what summary.tsv reports. */
typedef struct {
    exp_saved s;
    exp_ctx x;
    ff_paper_config pc;     /* the head's step: pc.head and pc.learn_head_bias */
    head_set set[N_SETS];   /* feat NULL: none */
    size_t n_train;         /* training images in memory (set[TRAIN].n are scored) */
    float *g, *logits, *dlogits; /* smoothed gradient (head.n_params); (rows, K) */
    char *curve_text;
    size_t curve_len;
    FILE *curve;
    double t0, t_features;
    double best, final, test; /* softmax accuracy, %, of the set watched */
    int best_epoch;
} head_run;

/* The features of the images of ds, in chunks of `rows`, all scored. */
static head_set features(const ff_net *net, ff_eval_workspace *ews, const ff_eval_config *c,
                         const char *set, const ff_dataset *ds, size_t rows)
{
    const size_t chunks = (ds->n + rows - 1) / rows, F = net->head.fan_in;
    head_set h = {set, malloc(chunks * rows * F * sizeof(float)), rows, ds->n, ds->y};
    if (!h.feat)
        exp_die("out of memory: the %s set's features need %.2f GB", set,
                (double)(chunks * rows * F * sizeof(float)) / 1e9);
    if (ff_eval_features(net, ews, h.feat, rows, ds->x, ds->n, c) != FF_SUCCESS)
        exp_die("internal: no features of the %s set (%zu images)", set, ds->n);
    return h;
}

/* Check --out, rebuild the run, create --out, compute the features, and
 * allocate the head's state and the curve. */
static void head_start(head_run *h, const head_args *a)
{
    memset(h, 0, sizeof *h);
    h->t0 = ff_system_seconds();
    exp_set_program("ff_head");
    exp_check_out(a->out, "paper-head"); /* before the data are read */
    exp_saved_load(&h->s, "ff_head", a->model);
    if (!EXP_PAPER_FF(h->s.kind)) {
        fprintf(stderr, "ff_head: error: %s: a model of experiment '%s', not of the paper's FF "
                        "(give OUT/model.ffm of paper_ff_supervised, paper_ff_unsupervised or "
                        "paper_ff_recurrent)\n",
                a->model, h->s.experiment);
        exit(1);
    }
    exp_saved_start(&h->s, &h->x, a->n, a->flag, a->quiet);
    exp_saved_epoch(&h->s); /* for its note, if written mid-epoch */
    const exp_opts *o = &h->x.o;
    const ff_net *net = h->x.net;
    exp_mkdirs(o->out);
    h->pc = exp_paper_config(o); /* the run's, with ff_head's --lr-head and --weight-cost-head */

    const size_t B = (size_t)o->batch, cap = exp_eval_cap(o), K = net->n_classes;
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, cap);
    if (!ews)
        exp_die("out of memory");
    const ff_eval_config c = ff_paper_eval_config(EXP_OVERLAY(o->kind), o->neutral);
    h->set[TRAIN] = features(net, ews, &c, "train", h->x.d.train_pos, B);
    h->n_train = h->set[TRAIN].n;
    h->set[TRAIN].n = exp_train_subset(h->x.d.train_pos);
    if (h->x.d.val_pos)
        h->set[VAL] = features(net, ews, &c, "val", h->x.d.val_pos, cap);
    if (!o->no_test)
        h->set[TEST] = features(net, ews, &c, "test", h->x.d.test, cap);
    ff_eval_workspace_free(ews);
    h->t_features = ff_system_seconds() - h->t0;

    h->g = calloc(net->head.n_params, sizeof *h->g);
    h->logits = malloc((B > cap ? B : cap) * K * sizeof *h->logits);
    h->dlogits = malloc(B * K * sizeof *h->dlogits);
    h->curve = open_memstream(&h->curve_text, &h->curve_len);
    if (!h->g || !h->logits || !h->dlogits || !h->curve)
        exp_die("out of memory");
    fprintf(h->curve, "# epoch set part n head_loss softmax_acc seconds\n");
    h->best = h->final = h->test = NAN;
    h->best_epoch = -1;
}

/* Score the head on a set and append the curve line; returns the softmax
 * accuracy in %. */
static double record(head_run *h, int epoch, int set, const char *part)
{
    const head_set *s = &h->set[set];
    ff_eval_result r;
    const int status = ff_eval_readout(h->x.net, h->logits, s->feat, s->rows, s->y, s->n, &r);
    if (status == FF_ENONFINITE)
        exp_die("epoch %d, the %s set: the head's output is not finite; stopped, nothing "
                "written (try a smaller --lr-head)", epoch + 1, s->set);
    if (status != FF_SUCCESS)
        exp_die("internal: no readout of the %s set (%s)", s->set, ff_strerror(status));
    fprintf(h->curve, "%d %s %s %zu", epoch, s->set, part, r.n);
    exp_put_figure(h->curve, r.head_loss, 1);
    exp_put_figure(h->curve, 100.0 * r.softmax_acc, 1);
    fprintf(h->curve, " %.2f\n", ff_system_seconds() - h->t0);
    return 100.0 * r.softmax_acc;
}

/* The set whose accuracy summary.tsv reports: validation, or without one
 * (a run of --val-split 0) the training subset. */
static int watched(const head_run *h)
{
    return h->set[VAL].feat ? VAL : TRAIN;
}

/* After an epoch: the training subset, then the validation set. */
static void evaluate(head_run *h, int epoch)
{
    for (int set = TRAIN; set <= VAL; set++) {
        if (!h->set[set].feat)
            continue;
        const double acc = record(h, epoch, set, "all");
        if (set != watched(h))
            continue;
        h->final = acc;
        if (!(acc <= h->best))
            h->best = acc, h->best_epoch = epoch;
    }
}

/* One epoch of the head on the training features, whole batches of the
 * run's size in their fixed order; returns the mean cross-entropy. */
static double train_epoch(head_run *h, int epoch)
{
    ff_net *net = h->x.net;
    const head_set *t = &h->set[TRAIN];
    const size_t B = t->rows, F = net->head.fan_in, batches = h->n_train / B;
    const float gain = ff_lr_gain(epoch + 1, h->x.o.epochs);
    double total = 0.0;
    for (size_t b = 0; b < batches; b++) {
        const float *head_in = t->feat + b * B * F; /* chunk b: rows = B */
        ff_net_head_forward(net, h->logits, head_in, B, B);
        const double loss = ff_paper_head_step(net, h->g, h->dlogits, h->logits, head_in, B, B,
                                               t->y + b * B, &h->pc, gain);
        if (!isfinite(loss))
            exp_die("epoch %d, batch %zu: the head's loss is not finite (%g); stopped, nothing "
                    "written (try a smaller --lr-head)", epoch + 1, b + 1, loss);
        total += loss;
    }
    return total / (double)(batches * B);
}

static void progress(const head_run *h, int epoch, double loss, int quiet)
{
    if (quiet || !isatty(2))
        return;
    fprintf(stderr, "\rff_head epoch %d/%d  loss %.4f  %s softmax %.2f%%%s  %.0fs   ",
            epoch + 1, h->x.o.epochs, loss, h->set[VAL].feat ? "val" : "train", h->final,
            exp_at_chance(h->final, h->x.net->n_classes) ? "  AT CHANCE" : "",
            ff_system_seconds() - h->t0);
    if (epoch + 1 == h->x.o.epochs)
        fputc('\n', stderr);
}

static void write_config(FILE *f, const void *run, double seconds)
{
    const head_run *h = run;
    const exp_opts *o = &h->x.o;
    const exp_data *d = &h->x.d;
    const ff_net *net = h->x.net;
    const char *run_epochs = exp_saved_flag(&h->s, "--epochs");
    char units[16];
    fprintf(f, "# key value: everything this head depended on\n");
    fprintf(f, "experiment paper-head\nsource_model %s\nsource_model_sha256 %s\n"
               "source_finished %d\nsource_experiment %s\nseed %lu\nlayers %d\nunits %s\n"
               "source_epochs %s\nreadout_from %d\nfeatures %zu\nfeature_pass %s\n",
            h->s.path, h->s.sha256, h->s.ckpt->finished, h->s.experiment, o->seed, o->layers,
            exp_units_text(units, o), run_epochs ? run_epochs : "-", o->head_from, net->head.fan_in,
            EXP_OVERLAY(o->kind) ? "neutral_label" : "raw_image");
    if (EXP_OVERLAY(o->kind))
        fprintf(f, "neutral %g\n", o->neutral);
    fprintf(f, "head_init zero\nhead_bias %s\noptimizer sgd momentum=%g "
               "lr_decay=linear_after_half\nlr_head %g\nweight_cost_head %g\nepochs %d\n"
               "batch %d\norder fixed\nthreads %d\ndata %s\ntrain %zu\ntrain_scored %zu\n"
               "val %zu\ntest %zu\ntest_evaluated %d\n",
            h->pc.learn_head_bias ? "learned" : "fixed_at_zero", h->pc.head.momentum,
            h->pc.head.lr, h->pc.head.weight_cost, o->epochs, o->batch, o->threads, o->data,
            h->n_train, h->set[TRAIN].n, h->set[VAL].n, d->test->n, h->set[TEST].feat != NULL);
    exp_write_provenance(f, d);
    fprintf(f, "seconds_features %.2f\nseconds %.2f\n", h->t_features, seconds);
}

static void write_summary(FILE *f, const void *run, double seconds)
{
    const head_run *h = run;
    const exp_opts *o = &h->x.o;
    exp_summary_header(f, 1);
    fprintf(f, "paper-head %s %lu %d", o->model, o->seed, o->epochs);
    if (watched(h) == VAL)
        fprintf(f, " %.2f %d %.2f", h->best, h->best_epoch, h->final);
    else
        fprintf(f, " - - -");
    fprintf(f, " - - - %.2f", seconds);
    exp_summary_paper_columns(f, o, h->test, NAN);
    fprintf(f, " %s\n", exp_at_chance(h->final, h->x.net->n_classes) ? "chance" : "learned");
}

/* The three files, written under temporary names, then renamed together
 * (summary.tsv last): a failure leaves none of them. */
static void head_finish(head_run *h)
{
    const double seconds = ff_system_seconds() - h->t0;
    if (fclose(h->curve) != 0)
        exp_die("out of memory");
    h->curve = NULL;
    exp_write_results(h->x.o.out, h->curve_text, h->curve_len, write_config, write_summary, h,
                      seconds);
}

static void head_stop(head_run *h)
{
    for (int i = 0; i < N_SETS; i++)
        free(h->set[i].feat);
    free(h->g);
    free(h->logits);
    free(h->dlogits);
    free(h->curve_text);
    exp_stop(&h->x);
    exp_saved_free(&h->s);
}

int main(int argc, char **argv)
{
    head_args a;
    parse_args(&a, argc, argv);
    static head_run h;
    head_start(&h, &a);
    ff_net *net = h.x.net;

    /* the run's own head, then a new one from zero */
    for (int set = TRAIN; set <= VAL; set++)
        if (h.set[set].feat)
            record(&h, -1, set, "saved");
    memset(net->head.w, 0, net->head.n_params * sizeof *net->head.w); /* w, then b */
    ff_gemm_params_changed(net->head.w, net->head.n_params); /* ff/gemm.h: bf16 copies */
    for (int epoch = 0; epoch < h.x.o.epochs; epoch++) {
        const double loss = train_epoch(&h, epoch);
        evaluate(&h, epoch);
        progress(&h, epoch, loss, a.quiet);
    }
    if (h.set[TEST].feat)
        h.test = record(&h, h.x.o.epochs - 1, TEST, "all");
    head_finish(&h);
    head_stop(&h);
    return 0;
}
