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
        .checkpoint_every = 10,
        .inject_nan = {-1, -1},
        .inject_stop = {-1, -1},
    };
    if (!EXP_PAPER(kind))
        return;
    o->batch = 100, o->eval_all = 1, o->val_split = 10000, o->checkpoint_every = 1;
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
        fprintf(f, "  --val-split N      the last N training images validate (default %ld); 0: all\n"
                   "                     train, no validation (a final run, fixed epochs)\n"
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
                "  --blur N           unsupervised: blur passes of the hybrid masks (default %d)\n"
                "  --distinct-classes unsupervised: the two digits of a hybrid image are of\n"
                "                     different classes (default: any two different images)\n",
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
            "  --checkpoint-every N  write OUT/checkpoint.ffm every N epochs, 0: only when\n"
            "                     SIGINT or SIGTERM arrives (default %d); the same command\n"
            "                     resumes from it, with the same results\n"
            "  --restart          discard a checkpoint in OUT and start afresh\n"
            "  --inject-nan E,B   testing: a weight of layer 1 turns NaN before batch B of\n"
            "                     epoch E (both from 0)\n"
            "  --inject-stop E,B  testing: the program sends itself SIGTERM there\n"
            "  --quiet            no progress line\n"
            "  --help             this text\n",
            d.neutral, d.seed, d.threads, d.stages,
            EXP_PAPER(kind) ? "on" : "whole batches only, as the seed", d.checkpoint_every);
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

/* "E,B": an epoch and a batch, both from 0 */
static void parse_pair(long *v, const char *flag, const char *s)
{
    char buf[64];
    const char *comma = strchr(s, ',');
    if (!comma || (size_t)(comma - s) >= sizeof buf)
        exp_die("%s: '%s' is not EPOCH,BATCH", flag, s);
    snprintf(buf, sizeof buf, "%.*s", (int)(comma - s), s);
    v[0] = parse_long(flag, buf, 0, 100000);
    v[1] = parse_long(flag, comma + 1, 0, 1L << 30);
}

enum {
    DATA = 256, OUT, MODEL, EPOCHS, EVERY, BATCH, LAYERS, UNITS, READOUT, LR, LRHEAD, THETA,
    NEUTRAL, SEED, THREADS, STAGES, TLIMIT, VLIMIT, EVALALL, QUIET, HELP, MOMENTUM, WC, WCHEAD,
    PEER, UNIFORM, BLUR, DISTINCT, VALSPLIT, NORM, NOTEST, CKPT, RESTART, INJECT, INJECTSTOP
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
    case BLUR:
    case DISTINCT: return kind == EXP_PAPER_FF_UNSUP;
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
        {"distinct-classes", 0, 0, DISTINCT},
        {"val-split", 1, 0, VALSPLIT}, {"norm", 1, 0, NORM}, {"no-test", 0, 0, NOTEST},
        {"eval-all", 0, 0, EVALALL}, {"quiet", 0, 0, QUIET}, {"help", 0, 0, HELP},
        {"checkpoint-every", 1, 0, CKPT}, {"restart", 0, 0, RESTART},
        {"inject-nan", 1, 0, INJECT}, {"inject-stop", 1, 0, INJECTSTOP},
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
        case VALSPLIT: o->val_split = parse_long("--val-split", optarg, 0, 1L << 30); break;
        case BLUR: o->blur_passes = (int)parse_long("--blur", optarg, 0, 100); break;
        case DISTINCT: o->distinct_classes = 1; break;
        case NOTEST: o->no_test = 1; break;
        case QUIET: o->quiet = 1; break;
        case CKPT: o->checkpoint_every = (int)parse_long("--checkpoint-every", optarg, 0, 100000); break;
        case RESTART: o->restart = 1; break;
        case INJECT: parse_pair(o->inject_nan, flag, optarg); break;
        case INJECTSTOP: parse_pair(o->inject_stop, flag, optarg); break;
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
    if (EXP_PAPER(kind) && o->val_split == 0 && o->no_test)
        exp_die("--val-split 0 with --no-test evaluates nothing held out (drop one of them)");
    if (o->head_from > o->layers)
        exp_die("--readout-from %d exceeds --layers %d", o->head_from, o->layers);
    const size_t room = sizeof o->out - 1 - strlen(EXP_RUN_LONGEST_NAME);
    if (out && strlen(out) > room)
        exp_die("--out: the path has %zu characters, at most %zu fit (choose a shorter one)",
                strlen(out), room);
    if (out)
        snprintf(o->out, sizeof o->out, "%s", out);
    else
        snprintf(o->out, sizeof o->out, "results/%s-%s-seed%lu", o->name, o->model, o->seed);
}

int exp_kind_of(const char *name)
{
    for (int k = 0; k < (int)(sizeof kind_name / sizeof *kind_name); k++)
        if (!strcmp(name, kind_name[k]))
            return k;
    return -1;
}

/* One line of an identity: "--name value", only if the flag applies. */
static void id_line(char **p, char *end, exp_kind kind, int flag, const char *name,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void id_line(char **p, char *end, exp_kind kind, int flag, const char *name,
                    const char *fmt, ...)
{
    if (!flag_applies(flag, kind) || *p >= end)
        return;
    *p += snprintf(*p, (size_t)(end - *p), "--%s", name);
    if (fmt && *p < end) {
        va_list ap;
        va_start(ap, fmt);
        *p += snprintf(*p, (size_t)(end - *p), " ");
        if (*p < end)
            *p += vsnprintf(*p, (size_t)(end - *p), fmt, ap);
        va_end(ap);
    }
    if (*p < end)
        *p += snprintf(*p, (size_t)(end - *p), "\n");
}

size_t exp_identity(char *buf, size_t len, const exp_opts *o, const exp_data *d)
{
    char *p = buf, *end = buf + len;
    const exp_kind k = o->kind;
    p += snprintf(p, len, "experiment %s\n", o->name);
    /* doubles with 17 digits: they read back exactly */
    id_line(&p, end, k, MODEL, "model", "%s", o->model);
    id_line(&p, end, k, EPOCHS, "epochs", "%d", o->epochs);
    id_line(&p, end, k, EVERY, "eval-every", "%d", o->eval_every);
    id_line(&p, end, k, BATCH, "batch", "%d", o->batch);
    id_line(&p, end, k, LAYERS, "layers", "%d", o->layers);
    id_line(&p, end, k, UNITS, "units", "%d", o->units);
    id_line(&p, end, k, READOUT, "readout-from", "%d", o->head_from);
    id_line(&p, end, k, LR, "lr", "%.17g", o->lr);
    id_line(&p, end, k, LRHEAD, "lr-head", "%.17g", o->lr_head);
    id_line(&p, end, k, THETA, "theta", "%.17g", o->theta);
    id_line(&p, end, k, NORM, "norm", "%s", o->norm_rms ? "rms" : "l2");
    id_line(&p, end, k, NEUTRAL, "neutral", "%.17g", (double)o->neutral);
    id_line(&p, end, k, SEED, "seed", "%lu", o->seed);
    id_line(&p, end, k, THREADS, "threads", "%d", o->threads);
    id_line(&p, end, k, STAGES, "stages", "%d", o->stages);
    id_line(&p, end, k, TLIMIT, "train-limit", "%ld", o->train_limit);
    id_line(&p, end, k, VLIMIT, "val-limit", "%ld", o->val_limit);
    if (o->eval_all)
        id_line(&p, end, k, EVALALL, "eval-all", NULL);
    id_line(&p, end, k, VALSPLIT, "val-split", "%ld", o->val_split);
    if (o->no_test)
        id_line(&p, end, k, NOTEST, "no-test", NULL);
    id_line(&p, end, k, MOMENTUM, "momentum", "%.17g", o->momentum);
    id_line(&p, end, k, WC, "weight-cost", "%.17g", o->weight_cost);
    id_line(&p, end, k, WCHEAD, "weight-cost-head", "%.17g", o->weight_cost_head);
    id_line(&p, end, k, PEER, "peer", "%.17g", o->peer);
    if (!o->hard_negatives)
        id_line(&p, end, k, UNIFORM, "uniform-negatives", NULL);
    id_line(&p, end, k, BLUR, "blur", "%d", o->blur_passes);
    if (o->distinct_classes)
        id_line(&p, end, k, DISTINCT, "distinct-classes", NULL);
    for (int i = 0; i < 4 && d && p < end; i++)
        p += snprintf(p, (size_t)(end - p), "sha256 %s %s\n", exp_idx_files[i], d->sha256[i]);
    if (p >= end)
        exp_die("internal: the run's identity exceeds %zu bytes", len);
    return (size_t)(p - buf);
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

const char *const exp_idx_files[4] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

static ff_dataset *load_pair(const exp_opts *o, int first)
{
    char img[4096], lab[4096];
    snprintf(img, sizeof img, "%s/%s", o->data, exp_idx_files[first]);
    snprintf(lab, sizeof lab, "%s/%s", o->data, exp_idx_files[first + 1]);
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
 * images of each part.  --val-split 0 trains on all 60,000 and leaves
 * val_pos NULL. */
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
    d->val_pos = hold ? slice_or_die(train, train->n - hold, n_val) : NULL;
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
        snprintf(path, sizeof path, "%s/%s", o->data, exp_idx_files[i]);
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

static exp_eval_item eval_item(const char *set, const char *part, const ff_dataset *d,
                               const int *y, size_t n, ff_eval_config c, int ff_losses)
{
    return (exp_eval_item){set, part, d->x, y ? y : d->y, n, c, ff_losses};
}

size_t exp_evaluations(const exp_ctx *x, const int *neg_label, const int *val_neg_label,
                       int test, exp_eval_item *e)
{
    const exp_opts *o = &x->o;
    const exp_data *d = &x->d;
    if (EXP_PAPER(o->kind)) {
        const int ff = EXP_PAPER_FF(o->kind), sup = o->kind == EXP_PAPER_FF_SUP;
        const ff_eval_config c = ff ? ff_paper_eval_config(sup, o->neutral)
                                    : (ff_eval_config){.target = 1, .readout = 1,
                                                       .theta = o->theta};
        if (test)
            return e[0] = eval_item("test", "all", d->test, NULL, d->test->n, c, ff), 1;
        e[0] = eval_item("train", "all", d->train_pos, NULL, exp_train_subset(d->train_pos), c, ff);
        if (!d->val_pos)
            return 1;
        e[1] = eval_item("val", "all", d->val_pos, NULL, d->val_pos->n, c, ff);
        return 2;
    }
    const int ff = o->kind != EXP_BP, sup = o->kind == EXP_FF_SUP;
    const ff_eval_config pos = {.supervised = sup, .target = 1, .readout = 1, .goodness = ff,
                                .neutral = o->neutral, .theta = o->theta};
    const ff_eval_config neg = {.supervised = sup, .target = 0, .theta = o->theta};
    size_t n = 0;
    e[n++] = eval_item("train", "pos", d->train_pos, NULL, exp_eval_count(o, d->train_pos->n),
                       pos, ff);
    if (ff && (!sup || neg_label))
        e[n++] = eval_item("train", "neg", d->train_neg, sup ? neg_label : NULL,
                           exp_eval_count(o, d->train_neg->n), neg, ff);
    e[n++] = eval_item("val", "pos", d->val_pos, NULL, exp_eval_count(o, d->val_pos->n), pos, ff);
    if (ff)
        e[n++] = eval_item("val", "neg", d->val_neg, sup ? val_neg_label : NULL,
                           exp_eval_count(o, d->val_neg->n), neg, ff);
    return n;
}

size_t exp_eval_cap(const exp_opts *o)
{
    return EXP_PAPER(o->kind) ? 1000 : 1024;
}

size_t exp_train_subset(const ff_dataset *train)
{
    return train->n < EXP_TRAIN_SUBSET ? train->n : EXP_TRAIN_SUBSET;
}

int exp_eval_due(const exp_opts *o, int epoch)
{
    return epoch % o->eval_every == 0 || epoch == o->epochs - 1;
}

void exp_paper_step(int status, size_t B)
{
    if (status != FF_SUCCESS)
        exp_die("the paper step refused the net (it needs RMS-normalised input and at most "
                "64 classes) or a batch of %zu", B);
}
