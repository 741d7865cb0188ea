/* common.c - flags, data, net shape and result files for the experiments. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ff/error.h"
#include "ff/paper.h"
#include "ff/system.h"

static const char *prog = "experiment";

void exp_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static const char *const kind_name[] = {"bp", "ff-sup", "ff-unsup",
                                         "paper-bp", "paper-ff-sup", "paper-ff-unsup"};

static void set_defaults(exp_opts *o, exp_kind kind)
{
    *o = (exp_opts){
        .kind = kind,
        .name = kind_name[kind],
        .data = "data/mnist",
        .model = "dense",
        .epochs = kind == EXP_BP ? 20 : 200,
        .eval_every = kind == EXP_BP ? 1 : 5,
        .batch = 128,
        .layers = 4,
        .units = 100,
        .head_from = 2,
        .threads = 1,
        .stages = 2,
        .seed = 1,
        .lr = 1e-4,
        .lr_head = 1e-4,
        .theta = 0.1,
        .neutral = 0.2f,
    };
    if (!EXP_PAPER(kind))
        return;
    o->batch = 100, o->eval_all = 1, o->val_split = 10000;
    if (kind == EXP_PAPER_BP) { /* a plain net: the head reads the last layer */
        o->layers = 3, o->units = 1000, o->head_from = 3, o->lr = o->lr_head = 1e-3;
        o->epochs = 20, o->eval_every = 1;
        return;
    }
    /* the reference code's net and settings (paper-protocol.md) */
    const ff_paper_config p = FF_PAPER_DEFAULTS;
    o->epochs = 100, o->layers = 3, o->units = 1000, o->seed = 17;
    if (kind == EXP_PAPER_FF_UNSUP) /* paper section 3.2: readout on the last three */
        o->epochs = 100, o->layers = 4, o->units = 2000, o->head_from = 2, o->blur_passes = 6;
    o->lr = p.ff.lr, o->lr_head = p.head.lr, o->neutral = p.neutral;
    o->momentum = p.ff.momentum, o->weight_cost = p.ff.weight_cost;
    o->weight_cost_head = p.head.weight_cost, o->peer = p.peer_lambda;
    o->hard_negatives = p.hard_negatives;
}

static const char *const kind_title[] = {
    "Backpropagation baseline on MNIST, seed protocol: digits 0-4.",
    "Supervised Forward-Forward (label overlaid on the image) on MNIST, seed\n"
    "protocol: positive digits 0-4, negative 5-9.",
    "Unsupervised Forward-Forward (real digits vs other digits) on MNIST, seed\n"
    "protocol: positive digits 0-4, negative 5-9.",
    "Backpropagation baseline, paper scale: all ten digits, 50,000 training /\n"
    "10,000 validation / 10,000 test images.",
    "Supervised Forward-Forward as the paper's reference code trains it: all ten\n"
    "digits, 50,000 training / 10,000 validation / 10,000 test images, RMS\n"
    "normalisation, threshold = layer width, peer normalisation, momentum SGD,\n"
    "hard negative labels; test error by goodness and by the softmax head.",
    "Unsupervised Forward-Forward, paper section 3.2: real digits against hybrid\n"
    "images of two digits, no labels in the FF layers; a linear softmax on the\n"
    "normalised activities of the last three layers; 50,000 / 10,000 / 10,000."};

static void usage(FILE *f, exp_kind kind)
{
    exp_opts d;
    set_defaults(&d, kind);
    const int paper = EXP_PAPER_FF(kind);
    fprintf(f,
            "usage: %s [flags]\n%s\n"
            "  --data DIR         directory of the four MNIST IDX files (default %s)\n"
            "  --out DIR          run directory (default results/%s-MODEL-seedSEED)\n"
            "  --model NAME       dense or conv2d (default %s)\n"
            "  --epochs N         training epochs (default %d)\n"
            "  --eval-every N     evaluate every N epochs and after the last (default %d)\n"
            "  --batch N          batch size (default %d)\n"
            "  --layers N         hidden layers (default %d, at most %d)\n"
            "  --units N          units (dense) or filters (conv2d) per layer (default %d)\n"
            "  --readout-from N   first hidden layer (from 1) read by the readouts (default %d)\n"
            "  --lr X             %s learning rate of the layers (default %g)\n"
            "  --lr-head X        %s learning rate of the softmax head (default %g)\n",
            prog, kind_title[kind], d.data, d.name, d.model, d.epochs, d.eval_every, d.batch,
            d.layers, FF_MAX_LAYERS, d.units, d.head_from, paper ? "SGD" : "Adam", d.lr,
            paper ? "SGD" : "Adam", d.lr_head);
    if (EXP_PAPER(kind))
        fprintf(f, "  --val-split N      the last N training images validate (default %ld)\n"
                   "  --no-test          leave the test set out (a search on validation)\n",
                d.val_split);
    if (paper)
        fprintf(f,
                "  --momentum X       gradient smoothing of the SGD (default %g)\n"
                "  --weight-cost X    weight cost of the layers (default %g)\n"
                "  --weight-cost-head X  weight cost of the softmax head (default %g)\n"
                "  --peer X           peer normalisation strength (default %g)\n"
                "  --uniform-negatives  supervised: negative labels uniform over the wrong\n"
                "                     ones (default: drawn from the head's softmax, hard)\n"
                "  --blur N           unsupervised: blur passes of the hybrid masks (default %d)\n",
                d.momentum, d.weight_cost, d.weight_cost_head, d.peer, d.blur_passes);
    else
        fprintf(f,
                "  --theta X          goodness threshold of the FF loss (default %g)\n"
                "  --norm NAME        normalisation between layers: l2 or rms (default %s)\n",
                d.theta, d.norm_rms ? "rms" : "l2");
    fprintf(f,
            "  --neutral X        label pixels of the neutral overlay (default %g)\n"
            "  --seed N           seed of the run's gsl_rng (default %lu)\n"
            "  --threads N        threads of the matrix products and element-wise passes\n"
            "                     (default %d)\n"
            "  --stages N         seed FF only: 2 trains layer 1 and the layers above on two\n"
            "                     threads, 1 on one; the results are the same (default %d)\n"
            "  --train-limit N    use at most N training images per part, 0: all (default 0)\n"
            "  --val-limit N      use at most N validation (and test) images per part,\n"
            "                     0: all (default 0)\n"
            "  --eval-all         evaluate every image (default: %s)\n"
            "  --quiet            no progress line\n"
            "  --help             this text\n",
            d.neutral, d.seed, d.threads, d.stages,
            EXP_PAPER(kind) ? "on" : "whole batches only, as the seed");
}

static long parse_long(const char *flag, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        exp_die("%s: '%s' is not an integer in [%ld, %ld]", flag, s, lo, hi);
    return v;
}

static double parse_double(const char *flag, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        exp_die("%s: '%s' is not a number in [%g, %g]", flag, s, lo, hi);
    return v;
}

enum {
    DATA = 256, OUT, MODEL, EPOCHS, EVERY, BATCH, LAYERS, UNITS, READOUT, LR, LRHEAD, THETA,
    NEUTRAL, SEED, THREADS, STAGES, TLIMIT, VLIMIT, EVALALL, QUIET, HELP, MOMENTUM, WC, WCHEAD,
    PEER, UNIFORM, BLUR, VALSPLIT, NORM, NOTEST
};

/* Whether a flag means anything to a program of this kind: one that does
 * not is refused rather than silently ignored. */
static int flag_applies(int flag, exp_kind kind)
{
    switch (flag) {
    case THETA:
    case NORM: return !EXP_PAPER_FF(kind); /* the paper: threshold = width, RMS */
    case STAGES: return kind == EXP_FF_SUP || kind == EXP_FF_UNSUP;
    case VALSPLIT:
    case NOTEST: return EXP_PAPER(kind);
    case MOMENTUM:
    case WC:
    case WCHEAD:
    case PEER: return EXP_PAPER_FF(kind);
    case UNIFORM: return kind == EXP_PAPER_FF_SUP;
    case BLUR: return kind == EXP_PAPER_FF_UNSUP;
    default: return 1;
    }
}

void exp_parse(exp_opts *o, exp_kind kind, int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    prog = slash ? slash + 1 : argv[0];
    set_defaults(o, kind);
    static const struct option opts[] = {
        {"data", 1, 0, DATA}, {"out", 1, 0, OUT}, {"model", 1, 0, MODEL},
        {"epochs", 1, 0, EPOCHS}, {"eval-every", 1, 0, EVERY}, {"batch", 1, 0, BATCH},
        {"layers", 1, 0, LAYERS}, {"units", 1, 0, UNITS}, {"readout-from", 1, 0, READOUT},
        {"lr", 1, 0, LR}, {"lr-head", 1, 0, LRHEAD}, {"theta", 1, 0, THETA},
        {"neutral", 1, 0, NEUTRAL}, {"seed", 1, 0, SEED}, {"threads", 1, 0, THREADS},
        {"stages", 1, 0, STAGES},
        {"train-limit", 1, 0, TLIMIT}, {"val-limit", 1, 0, VLIMIT},
        {"momentum", 1, 0, MOMENTUM}, {"weight-cost", 1, 0, WC},
        {"weight-cost-head", 1, 0, WCHEAD}, {"peer", 1, 0, PEER},
        {"uniform-negatives", 0, 0, UNIFORM}, {"blur", 1, 0, BLUR},
        {"val-split", 1, 0, VALSPLIT}, {"norm", 1, 0, NORM}, {"no-test", 0, 0, NOTEST},
        {"eval-all", 0, 0, EVALALL}, {"quiet", 0, 0, QUIET}, {"help", 0, 0, HELP},
        {0, 0, 0, 0}};
    const char *out = NULL;
    opterr = 0;
    int index = -1;
    for (int c; (c = getopt_long(argc, argv, "", opts, &index)) != -1; index = -1) {
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", index >= 0 ? opts[index].name : "?");
        if (!flag_applies(c, kind))
            exp_die("%s does not apply to %s (see --help)", flag, prog);
        switch (c) {
        case DATA: o->data = optarg; break;
        case OUT: out = optarg; break;
        case MODEL:
            if (strcmp(optarg, "dense") && strcmp(optarg, "conv2d"))
                exp_die("--model: '%s' is not a model (use dense or conv2d)", optarg);
            o->model = optarg;
            break;
        case EPOCHS: o->epochs = (int)parse_long("--epochs", optarg, 1, 100000); break;
        case EVERY: o->eval_every = (int)parse_long("--eval-every", optarg, 1, 100000); break;
        case BATCH: o->batch = (int)parse_long("--batch", optarg, 1, 65536); break;
        case LAYERS: o->layers = (int)parse_long("--layers", optarg, 1, FF_MAX_LAYERS); break;
        case UNITS: o->units = (int)parse_long("--units", optarg, 1, 100000); break;
        case READOUT: o->head_from = (int)parse_long("--readout-from", optarg, 1, FF_MAX_LAYERS); break;
        case LR: o->lr = parse_double("--lr", optarg, 0, 10); break;
        case LRHEAD: o->lr_head = parse_double("--lr-head", optarg, 0, 10); break;
        case THETA: o->theta = parse_double("--theta", optarg, -1e9, 1e9); break;
        case NEUTRAL: o->neutral = (float)parse_double("--neutral", optarg, 0, 1); break;
        case SEED: o->seed = (unsigned long)parse_long("--seed", optarg, 0, 2147483647L); break;
        case THREADS: o->threads = (int)parse_long("--threads", optarg, 1, 256); break;
        case STAGES: o->stages = (int)parse_long("--stages", optarg, 1, 2); break;
        case TLIMIT: o->train_limit = parse_long("--train-limit", optarg, 0, 1L << 30); break;
        case VLIMIT: o->val_limit = parse_long("--val-limit", optarg, 0, 1L << 30); break;
        case EVALALL: o->eval_all = 1; break;
        case MOMENTUM: o->momentum = parse_double("--momentum", optarg, 0, 1); break;
        case WC: o->weight_cost = parse_double("--weight-cost", optarg, 0, 1); break;
        case WCHEAD: o->weight_cost_head = parse_double("--weight-cost-head", optarg, 0, 1); break;
        case PEER: o->peer = parse_double("--peer", optarg, 0, 100); break;
        case UNIFORM: o->hard_negatives = 0; break;
        case NORM:
            if (strcmp(optarg, "l2") && strcmp(optarg, "rms"))
                exp_die("--norm: '%s' is not a normalisation (use l2 or rms)", optarg);
            o->norm_rms = !strcmp(optarg, "rms");
            break;
        case VALSPLIT: o->val_split = parse_long("--val-split", optarg, 1, 1L << 30); break;
        case BLUR: o->blur_passes = (int)parse_long("--blur", optarg, 0, 100); break;
        case NOTEST: o->no_test = 1; break;
        case QUIET: o->quiet = 1; break;
        case HELP: usage(stdout, kind); exit(0);
        default:
            fprintf(stderr, "%s: error: unknown or incomplete flag '%s' (see --help)\n", prog,
                    optind > 0 && optind <= argc ? argv[optind - 1] : "?");
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: error: unexpected argument '%s' (see --help)\n", prog,
                argv[optind]);
        exit(2);
    }
    if (o->head_from > o->layers)
        exp_die("--readout-from %d exceeds --layers %d", o->head_from, o->layers);
    if (out)
        snprintf(o->out, sizeof o->out, "%s", out);
    else
        snprintf(o->out, sizeof o->out, "results/%s-%s-seed%lu", o->name, o->model, o->seed);
}

gsl_rng *exp_setup(const exp_opts *o)
{
    ff_system_flush_denormals();
    ff_system_set_threads(o->threads);
    if (ff_system_blas_misdetected())
        fprintf(stderr, "%s: warning: OpenBLAS did not recognise this CPU and uses its slow "
                        "generic kernels; set OPENBLAS_CORETYPE=$(scripts/openblas-coretype) "
                        "(the Makefile does)\n", prog);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        exp_die("out of memory");
    gsl_rng_set(r, o->seed);
    return r;
}

static const char *const idx_files[4] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

static ff_dataset *load_pair(const exp_opts *o, int first)
{
    char img[4096], lab[4096];
    snprintf(img, sizeof img, "%s/%s", o->data, idx_files[first]);
    snprintf(lab, sizeof lab, "%s/%s", o->data, idx_files[first + 1]);
    ff_dataset *ds;
    int status = ff_dataset_load_idx(&ds, img, lab);
    if (status == FF_EOPEN)
        exp_die("cannot open %s or %s: %s (run 'make data', or pass --data DIR)", img, lab,
                strerror(errno));
    if (status != FF_SUCCESS)
        exp_die("%s / %s: %s (replace the file: 'make data')", img, lab, ff_strerror(status));
    if (ds->h != 28 || ds->w != 28)
        exp_die("%s: images are %zux%zu, expected 28x28 MNIST", img, ds->h, ds->w);
    return ds;
}

static ff_dataset *select_or_die(const ff_dataset *src, int lo, int hi, long limit)
{
    ff_dataset *ds = ff_dataset_select(src, lo, hi, (size_t)limit);
    if (!ds)
        exp_die("out of memory");
    if (ds->n == 0)
        exp_die("no images of digits %d-%d in the data", lo, hi);
    return ds;
}

static ff_dataset *slice_or_die(const ff_dataset *src, size_t first, size_t n)
{
    ff_dataset *ds = ff_dataset_slice(src, first, n);
    if (!ds)
        exp_die("out of memory, or the data has fewer than %zu images", first + n);
    return ds;
}

/* The paper's split: the last --val-split (10,000) training images validate,
 * the others train (50,000), test = the t10k file; limits take the first
 * images of each part. */
static void split_paper(const exp_opts *o, exp_data *d, const ff_dataset *train,
                        const ff_dataset *test)
{
    const size_t hold = (size_t)o->val_split;
    if (train->n <= hold)
        exp_die("the training file holds %zu images, not more than --val-split %zu", train->n,
                hold);
    size_t n_train = train->n - hold, n_val = hold, n_test = test->n;
    if (o->train_limit && (size_t)o->train_limit < n_train)
        n_train = (size_t)o->train_limit;
    if (o->val_limit) {
        n_val = (size_t)o->val_limit < n_val ? (size_t)o->val_limit : n_val;
        n_test = (size_t)o->val_limit < n_test ? (size_t)o->val_limit : n_test;
    }
    d->train_pos = slice_or_die(train, 0, n_train);
    d->val_pos = slice_or_die(train, train->n - hold, n_val);
    d->test = slice_or_die(test, 0, n_test);
}

void exp_load(const exp_opts *o, exp_data *d)
{
    memset(d, 0, sizeof *d);
    ff_dataset *train = load_pair(o, 0), *test = load_pair(o, 2);
    if (EXP_PAPER(o->kind)) {
        split_paper(o, d, train, test);
    } else {
        d->train_pos = select_or_die(train, 0, 4, o->train_limit);
        d->train_neg = select_or_die(train, 5, 9, o->train_limit);
        d->val_pos = select_or_die(test, 0, 4, o->val_limit);
        d->val_neg = select_or_die(test, 5, 9, o->val_limit);
    }
    ff_dataset_free(train);
    ff_dataset_free(test);
    for (int i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", o->data, idx_files[i]);
        if (ff_sha256_file(d->sha256[i], path) != FF_SUCCESS)
            exp_die("%s: cannot read to checksum it", path);
    }
    size_t smallest = d->train_pos->n;
    if (d->train_neg && d->train_neg->n < smallest)
        smallest = d->train_neg->n;
    if ((size_t)o->batch > smallest)
        exp_die("--batch %d exceeds the training images per part (%zu)", o->batch, smallest);
}

void exp_data_free(exp_data *d)
{
    ff_dataset_free(d->train_pos);
    ff_dataset_free(d->train_neg);
    ff_dataset_free(d->val_pos);
    ff_dataset_free(d->val_neg);
    ff_dataset_free(d->test);
}

ff_net *exp_build_net(const exp_opts *o, gsl_rng *r)
{
    const int paper = EXP_PAPER_FF(o->kind);
    ff_net_spec s = {.ih = 28, .iw = 28, .ic = 1, .n_layers = (size_t)o->layers,
                     .head_from = (size_t)o->head_from - 1, .n_classes = EXP_PAPER(o->kind) ? 10 : 5,
                     .norm = paper || o->norm_rms ? FF_NORM_RMS : FF_NORM_L2,
                     .normalize_input = paper};
    int conv = !strcmp(o->model, "conv2d");
    for (int l = 0; l < o->layers; l++) {
        /* seed "Conv2D model": a 28x28 kernel over the whole image, then 1x1 */
        size_t k = conv && l == 0 ? 28 : 1;
        s.layer[l] = (ff_layer_spec){conv ? FF_LAYER_CONV2D : FF_LAYER_DENSE,
                                     (size_t)o->units, k, k};
    }
    ff_net *net;
    int status = ff_net_alloc(&net, &s);
    if (status != FF_SUCCESS)
        exp_die("cannot build the net: %s", ff_strerror(status));
    if (paper)
        ff_net_init_randn(net, r);
    else
        ff_net_init_glorot(net, r);
    return net;
}

ff_pipeline *exp_ff_trainer(const exp_opts *o, ff_net *net, const ff_train_config *c)
{
    /* layer 1 alone on stage 0: it holds most of the work (784 inputs) */
    size_t split = o->stages == 2 && net->head_from >= 1 && net->n_layers > 1 ? 1 : 0;
    ff_pipeline *p;
    int status = ff_pipeline_alloc(&p, net, (size_t)o->batch, split, c);
    if (status != FF_SUCCESS)
        exp_die("cannot start the trainer: %s", ff_strerror(status));
    return p;
}

void exp_start(exp_ctx *x, exp_kind kind, int argc, char **argv)
{
    exp_parse(&x->o, kind, argc, argv);
    x->rng = exp_setup(&x->o);
    exp_load(&x->o, &x->d);
    x->net = exp_build_net(&x->o, x->rng);
}

void exp_stop(exp_ctx *x)
{
    ff_net_free(x->net);
    exp_data_free(&x->d);
    gsl_rng_free(x->rng);
}

ff_paper_config exp_paper_config(const exp_opts *o)
{
    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff.lr = (float)o->lr, pc.head.lr = (float)o->lr_head;
    pc.ff.momentum = pc.head.momentum = (float)o->momentum;
    pc.ff.weight_cost = (float)o->weight_cost, pc.head.weight_cost = (float)o->weight_cost_head;
    pc.peer_lambda = (float)o->peer, pc.neutral = o->neutral;
    pc.hard_negatives = o->hard_negatives;
    return pc;
}

ff_train_config exp_train_config(const exp_opts *o)
{
    return (ff_train_config){.theta = o->theta,
                             .adam = FF_ADAM_KERAS((float)o->lr),
                             .adam_head = FF_ADAM_KERAS((float)o->lr_head)};
}

size_t exp_eval_count(const exp_opts *o, size_t n)
{
    if (o->eval_all || n < (size_t)o->batch)
        return n;
    return n / (size_t)o->batch * (size_t)o->batch;
}

size_t exp_train_subset(const ff_dataset *train)
{
    return train->n < EXP_TRAIN_SUBSET ? train->n : EXP_TRAIN_SUBSET;
}

int exp_eval_due(const exp_opts *o, int epoch)
{
    return epoch % o->eval_every == 0 || epoch == o->epochs - 1;
}

static void mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            exp_die("cannot create directory %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        exp_die("cannot create directory %s: %s", buf, strerror(errno));
}

static void open_result(ff_outfile *f, const exp_opts *o, const char *name)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", o->out, name);
    if (ff_outfile_open(f, path) != FF_SUCCESS)
        exp_die("cannot write %s: %s (check --out)", path, strerror(errno));
}

void exp_run_begin(exp_run *run, const exp_opts *o, const exp_data *d)
{
    (void)d;
    memset(run, 0, sizeof *run);
    run->o = o;
    run->soft_best = run->good_best = -1.0;
    run->soft_final = run->good_final = NAN;
    run->test_soft = run->test_good = NAN;
    mkdirs(o->out);
    open_result(&run->curve, o, "curve.tsv");
    fprintf(run->curve.f, "# epoch set part n");
    for (int l = 1; l <= o->layers; l++)
        fprintf(run->curve.f, " loss_%d", l);
    fprintf(run->curve.f, " head_loss softmax_acc goodness_acc seconds\n");
    run->t0 = ff_system_seconds();
}

/* An accuracy of summary.tsv, '-' when there is none. */
static void put_acc(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.2f", v);
    else
        fprintf(f, " -");
}

static void put(FILE *f, double v, int ok)
{
    if (ok && isfinite(v))
        fprintf(f, " %.6g", v);
    else
        fprintf(f, " -");
}

void exp_run_record(exp_run *run, int epoch, const char *set, const char *part,
                    const ff_eval_result *r, int n_layers, int ff_losses, int goodness)
{
    FILE *f = run->curve.f;
    fprintf(f, "%d %s %s %zu", epoch, set, part, r->n);
    for (int l = 0; l < n_layers; l++)
        put(f, r->loss[l], ff_losses);
    put(f, r->head_loss, 1);
    put(f, 100.0 * r->softmax_acc, 1);
    put(f, 100.0 * r->goodness_acc, goodness);
    fprintf(f, " %.2f\n", ff_system_seconds() - run->t0);
    fflush(f); /* progress visible in the temporary file; renamed only at the end */
    if (!strcmp(set, "test")) {
        run->test_soft = 100.0 * r->softmax_acc;
        run->test_good = 100.0 * r->goodness_acc;
        return;
    }
    if (strcmp(set, "val") || !strcmp(part, "neg"))
        return;
    run->soft_final = 100.0 * r->softmax_acc;
    if (run->soft_final > run->soft_best)
        run->soft_best = run->soft_final, run->soft_best_epoch = epoch;
    if (!goodness)
        return;
    run->good_final = 100.0 * r->goodness_acc;
    if (run->good_final > run->good_best)
        run->good_best = run->good_final, run->good_best_epoch = epoch;
}

void exp_paper_step(int status, size_t B)
{
    if (status != FF_SUCCESS)
        exp_die("the paper step refused the net (it needs RMS-normalised input and at most "
                "64 classes) or a batch of %zu", B);
}

void exp_run_test(exp_run *run, const exp_ctx *x, ff_eval_workspace *ews,
                  const ff_eval_config *ev, int ff_losses, int goodness)
{
    if (x->o.no_test)
        return;
    ff_eval_result r;
    ff_eval(x->net, ews, x->d.test->x, x->d.test->y, x->d.test->n, ev, &r);
    exp_run_record(run, x->o.epochs - 1, "test", "all", &r, x->o.layers, ff_losses, goodness);
}

void exp_run_progress(exp_run *run, int epoch, double train_loss)
{
    const exp_opts *o = run->o;
    if (o->quiet || !isatty(2))
        return;
    double t = ff_system_seconds() - run->t0, eta = t / (epoch + 1) * (o->epochs - epoch - 1);
    fprintf(stderr, "\r%s %s epoch %d/%d  loss %.4f  val softmax %.2f%%", o->name, o->model,
            epoch + 1, o->epochs, train_loss, run->soft_final);
    if (isfinite(run->good_final))
        fprintf(stderr, "  goodness %.2f%%", run->good_final);
    fprintf(stderr, "  %.0fs  ETA %.0fs   ", t, eta);
    if (epoch == o->epochs - 1)
        fputc('\n', stderr);
}

/* The commit the sources were built from, "-dirty" when a tracked file
 * other than a result (results/, report/) differs from it: those do not go
 * into the programs, and a re-run deletes its own old results first. */
static void git_commit(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *p = popen("cd '" FF_SOURCE_DIR "' 2>/dev/null && c=$(git rev-parse HEAD 2>/dev/null) && "
                    "{ git diff --quiet HEAD -- . ':(exclude)results' ':(exclude)report' "
                    "2>/dev/null && echo \"$c\" || echo \"$c-dirty\"; }", "r");
    if (!p)
        return;
    if (fgets(buf, (int)len, p))
        buf[strcspn(buf, "\n")] = 0;
    else
        snprintf(buf, len, "unknown");
    pclose(p);
}

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && colon) {
            snprintf(buf, len, "%s", colon + 2);
            buf[strcspn(buf, "\n")] = 0;
            break;
        }
    }
    fclose(f);
}

void exp_run_finish(exp_run *run, const exp_data *d, const ff_net *net, size_t ws_bytes)
{
    const exp_opts *o = run->o;
    double seconds = ff_system_seconds() - run->t0;
    char commit[128], cblas[1024], cpu[256];
    git_commit(commit, sizeof commit);
    ff_system_cblas(cblas, sizeof cblas);
    cpu_model(cpu, sizeof cpu);

    ff_outfile cfg;
    open_result(&cfg, o, "config.txt");
    FILE *f = cfg.f;
    fprintf(f, "# key value: everything this run depended on\n");
    fprintf(f, "experiment %s\nmodel %s\ndata %s\nepochs %d\neval_every %d\nbatch %d\n"
               "layers %d\nunits %d\nreadout_from %d\nlr %g\nlr_head %g\ntheta %g\n"
               "neutral %g\nseed %lu\nthreads %d\nstages %d\ntrain_limit %ld\nval_limit %ld\n"
               "eval_all %d\n",
            o->name, o->model, o->data, o->epochs, o->eval_every, o->batch, o->layers,
            o->units, o->head_from, o->lr, o->lr_head, o->theta, o->neutral, o->seed,
            o->threads, o->stages, o->train_limit, o->val_limit, o->eval_all);
    if (EXP_PAPER_FF(o->kind)) {
        const ff_paper_config p = FF_PAPER_DEFAULTS;
        fprintf(f, "rng mt19937\noptimizer sgd momentum=%g weight_cost=%g "
                   "weight_cost_head=%g lr_decay=linear_after_half\n"
                   "normalisation rms tiny=exp(-100) input_too\ninit randn/sqrt(fan_in) head=0\n"
                   "threshold layer_width\npeer_normalisation lambda=%g decay=%g init=%g\n"
                   "negatives %s\nhead_bias %s\ndigits 0-9\n",
                o->momentum, o->weight_cost, o->weight_cost_head, o->peer, p.peer_decay,
                p.peer_init,
                o->kind == EXP_PAPER_FF_UNSUP ? "hybrid_images"
                : o->hard_negatives           ? "hard"
                                              : "uniform",
                p.learn_head_bias ? "learned" : "fixed_at_zero");
        fprintf(f, "blur_passes %d\n", o->blur_passes);
    } else if (o->kind == EXP_PAPER_BP) {
        fprintf(f, "rng mt19937\noptimizer adam_keras beta1=0.9 beta2=0.999 eps=1e-7 "
                   "lr_decay=linear_after_half\nnormalisation %s\ndigits 0-9\n",
                o->norm_rms ? "rms tiny=exp(-100)" : "l2 eps=1e-7");
    }
    if (EXP_PAPER(o->kind)) {
        fprintf(f, "val_split %ld\ntrain %zu\nval %zu\ntest %zu\ntest_evaluated %d\n",
                o->val_split, d->train_pos->n, d->val_pos->n, d->test->n, !o->no_test);
    } else {
        fprintf(f, "rng mt19937\noptimizer adam_keras beta1=0.9 beta2=0.999 eps=1e-7\n"
                   "normalisation %s\npositive_digits 0-4\nnegative_digits 5-9\n",
                o->norm_rms ? "rms tiny=exp(-100)" : "l2 eps=1e-7");
        fprintf(f, "train_pos %zu\ntrain_neg %zu\nval_pos %zu\nval_neg %zu\n",
                d->train_pos->n, d->train_neg->n, d->val_pos->n, d->val_neg->n);
    }
    for (int i = 0; i < 4; i++)
        fprintf(f, "sha256_%s %s\n", idx_files[i], d->sha256[i]);
    fprintf(f, "parameters %zu\nworkspace_bytes %zu\n", net->n_params, ws_bytes);
    fprintf(f, "compiler %s\ncblas %s\ncpu %s\ncommit %s\nseconds %.2f\n",
            ff_system_compiler(), cblas, cpu, commit, seconds);

    ff_outfile sum;
    open_result(&sum, o, "summary.tsv");
    const int paper = EXP_PAPER(o->kind);
    fprintf(sum.f, "# experiment model seed epochs softmax_best softmax_best_epoch "
                   "softmax_final goodness_best goodness_best_epoch goodness_final seconds%s\n",
            paper ? " layers units test_softmax test_goodness" : "");
    int good = isfinite(run->good_final);
    fprintf(sum.f, "%s %s %lu %d %.2f %d %.2f", o->name, o->model, o->seed, o->epochs,
            run->soft_best, run->soft_best_epoch, run->soft_final);
    if (good)
        fprintf(sum.f, " %.2f %d %.2f", run->good_best, run->good_best_epoch, run->good_final);
    else
        fprintf(sum.f, " - - -");
    fprintf(sum.f, " %.2f", seconds);
    if (paper) {
        fprintf(sum.f, " %d %d", o->layers, o->units);
        put_acc(sum.f, run->test_soft);
        put_acc(sum.f, good ? run->test_good : NAN);
    }
    fputc('\n', sum.f);

    /* summary.tsv last: its presence marks the run complete */
    if (ff_outfile_commit(&run->curve) != FF_SUCCESS || ff_outfile_commit(&cfg) != FF_SUCCESS ||
        ff_outfile_commit(&sum) != FF_SUCCESS)
        exp_die("cannot write the results in %s (disk full?)", o->out);
}
