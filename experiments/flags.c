/* flags.c - the experiments' flags: the table, and the parser, the usage
 * text, the identity and config.txt's lines, all read from it; see flags.h. */
#define _POSIX_C_SOURCE 200809L
#include "flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/recurrent.h"

const exp_spec exp_specs[EXP_N] = {
    [EXP_BP] = {.name = "bp",
                .title = "Backpropagation baseline on MNIST, seed protocol: digits 0-4."},
    [EXP_FF_SUP] = {.name = "ff-sup", .ff = 1, .overlay = 1,
                    .title = "Supervised Forward-Forward (label overlaid on the image) on MNIST, "
                             "seed\nprotocol: positive digits 0-4, negative 5-9."},
    [EXP_FF_UNSUP] = {.name = "ff-unsup", .ff = 1,
                      .title = "Unsupervised Forward-Forward (real digits vs other digits) on "
                               "MNIST, seed\nprotocol: positive digits 0-4, negative 5-9."},
    [EXP_PAPER_BP] = {.name = "paper-bp", .paper = 1,
                      .title = "Backpropagation baseline, paper scale: all ten digits, 50,000 "
                               "training /\n10,000 validation / 10,000 test images."},
    [EXP_PAPER_FF_SUP] = {
        .name = "paper-ff-sup", .paper = 1, .ff = 1, .overlay = 1,
        .title = "Supervised Forward-Forward as the paper's reference code trains it: all ten\n"
                 "digits, 50,000 training / 10,000 validation / 10,000 test images, RMS\n"
                 "normalisation, threshold = layer width, peer normalisation, momentum SGD,\n"
                 "hard negative labels; test error by goodness and by the softmax head."},
    [EXP_PAPER_FF_UNSUP] = {
        .name = "paper-ff-unsup", .paper = 1, .ff = 1,
        .title = "Unsupervised Forward-Forward, paper section 3.2: real digits against hybrid\n"
                 "images of two digits, no labels in the FF layers; a linear softmax on the\n"
                 "normalised activities of the last three layers; 50,000 / 10,000 / 10,000."},
    [EXP_PAPER_FF_REC] = {
        .name = "paper-ff-recurrent", .paper = 1, .ff = 1, .recurrent = 1,
        .title = "Recurrent Forward-Forward with top-down connections, paper section 3.4: the "
                 "image\nas a static video, hidden layers updated synchronously from the "
                 "normalised layers\nbelow and above, damped; the label at the top; hard "
                 "negative labels from a\nsoftmax head on the bottom-up pass; test error by "
                 "goodness averaged over\niterations; 50,000 training / 10,000 validation / "
                 "10,000 test images."},
};

/* One flag. */
typedef struct {
    const char *name;        /* --name */
    const char *arg;         /* its argument in the usage ("N", "X", "DIR"); NULL: none */
    exp_flag_type type;
    size_t at;               /* where exp_opts holds it */
    double lo, hi;           /* the range (PAIR: of E; DIR: hi the longest path) */
    const char *noun;        /* CHOICE: what a value is ("a model"), for the error */
    const char *const *text; /* CHOICE: the values accepted; STRING: its defaults */
    const char *help;
    unsigned to;             /* the experiments it applies to: bit 1 << kind */
    unsigned in;             /* ID: in the run's identity (ID_SET: when not at its
                                default); CFG: in config.txt */
    double def[EXP_N];       /* the default in each experiment (CHOICE, STRING:
                                the index of text); set even where the flag does
                                not apply, as every field of exp_opts has one */
} flag_row;

/* offsetof(exp_opts, f), and a compile error unless f is of type T */
#define AT(T, f) _Generic(((exp_opts *)0)->f, T: offsetof(exp_opts, f))
#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
/* a row's type, field, range, noun and text */
#define INT(f, lo, hi) EXP_FLAG_INT, AT(int, f), lo, hi, NULL, NULL
#define LONG(f, lo, hi) EXP_FLAG_LONG, AT(long, f), lo, hi, NULL, NULL
#define ULONG(f, lo, hi) EXP_FLAG_ULONG, AT(unsigned long, f), lo, hi, NULL, NULL
#define DOUBLE(f, lo, hi) EXP_FLAG_DOUBLE, AT(double, f), lo, hi, NULL, NULL
#define FLOAT(f, lo, hi) EXP_FLAG_FLOAT, AT(float, f), lo, hi, NULL, NULL
/* a path of at most `longest` characters (the config.txt line holds it whole) */
#define STRING(f, longest, ...) \
    EXP_FLAG_STRING, AT(const char *, f), 0, longest, NULL, LIST(__VA_ARGS__)
#define CHOICE(f, noun, ...) EXP_FLAG_CHOICE, AT(const char *, f), 0, 0, noun, LIST(__VA_ARGS__)
#define BOOLEAN(f) EXP_FLAG_BOOL, AT(int, f), 0, 1, NULL, NULL
#define PAIR(f, lo, hi) EXP_FLAG_PAIR, AT(long *, f), lo, hi, NULL, NULL
/* the run directory leaves room for the longest name a run writes in it */
#define RUNDIR(f)                                                                           \
    EXP_FLAG_DIR, AT(char *, f), 0, sizeof ((exp_opts *)0)->f - sizeof EXP_RUN_LONGEST_NAME, \
        NULL, NULL
#define HELP EXP_FLAG_HELP, 0, 0, 0, NULL, NULL

/* the experiments a flag applies to */
#define BIT(kind) (1u << (kind))
#define ALL_EXP (BIT(EXP_N) - 1)
#define SEED_FF (BIT(EXP_FF_SUP) | BIT(EXP_FF_UNSUP))
#define PAPER_FF (BIT(EXP_PAPER_FF_SUP) | BIT(EXP_PAPER_FF_UNSUP) | BIT(EXP_PAPER_FF_REC))
#define PAPER (BIT(EXP_PAPER_BP) | PAPER_FF)
#define NOT_PAPER_FF (ALL_EXP & ~PAPER_FF) /* the paper's FF normalises by RMS */
#define OVERLAY_FF (BIT(EXP_FF_SUP) | BIT(EXP_PAPER_FF_SUP)) /* a neutral pass reads them */
/* ID_SET: in the identity only when not at its default, as a boolean is
 * only when set: a flag added after runs were made leaves their
 * identities (their checkpoints and models) as they were. */
enum { ID = 1, CFG = 2, ID_SET = 4 };

/* The defaults, one per experiment in exp_kind's order.  The paper's
 * values are FF_PAPER_DEFAULTS' floats (ff/paper.h), written as floats:
 * the double fields hold them widened, as the identity records them. */
#define EACH(bp, ff_sup, ff_unsup, paper_bp, paper_ff_sup, paper_ff_unsup, paper_ff_rec) \
    {bp, ff_sup, ff_unsup, paper_bp, paper_ff_sup, paper_ff_unsup, paper_ff_rec}
#define ALL(v) EACH(v, v, v, v, v, v, v)
#define SEED_PAPER(seed, paper) EACH(seed, seed, seed, paper, paper, paper, paper)
#define PAPER_FF_ONLY(v) EACH(0, 0, 0, 0, v, v, v)
#define REC_ONLY(v) EACH(0, 0, 0, 0, 0, 0, v)

#define STR(x) #x
#define XSTR(x) STR(x)

/* Each row: name, argument, type (field, range), help; the experiments it
 * applies to, what records it, its defaults.  The order is the usage's, and
 * the identity's and config.txt's for the flags they hold. */
static const flag_row flags[] = {
    {"model", "NAME", CHOICE(model, "a model", "dense", "conv2d"),
     "dense or conv2d",
     ALL_EXP, ID | CFG, ALL(0)},
    {"data", "DIR", STRING(data, EXP_STRING_LONGEST, "data/mnist"),
     "directory of the four MNIST IDX files",
     ALL_EXP, CFG, ALL(0)},
    {"out", "DIR", RUNDIR(out),
     "run directory",
     ALL_EXP, 0, ALL(0)},
    {"epochs", "N", INT(epochs, 1, 100000),
     "training epochs",
     ALL_EXP, ID | CFG, EACH(20, 200, 200, 20, 100, 100, 60)},
    {"eval-every", "N", INT(eval_every, 1, 100000),
     "evaluate every N epochs and after the last",
     ALL_EXP, ID | CFG, EACH(1, 5, 5, 1, 5, 5, 5)},
    {"batch", "N", INT(batch, 1, 65536),
     "batch size",
     ALL_EXP, ID | CFG, SEED_PAPER(128, 100)},
    {"layers", "N", INT(layers, 1, FF_MAX_LAYERS),
     "hidden layers, at most " XSTR(FF_MAX_LAYERS),
     ALL_EXP, ID | CFG, EACH(4, 4, 4, 3, 3, 4, 2)},
    {"units", "N", INT(units, 1, 100000),
     "units (dense) or filters (conv2d) per layer",
     ALL_EXP, ID | CFG, EACH(100, 100, 100, 1000, 1000, 2000, 2000)},
    {"readout-from", "N", INT(head_from, 1, FF_MAX_LAYERS),
     "first hidden layer (from 1) the readouts read",
     ALL_EXP, ID | CFG, EACH(2, 2, 2, 3, 2, 2, 1)},
    {"local", NULL, BOOLEAN(local),
     "the paper's net of local receptive fields, no weight sharing (section 3.3): 4x4 locations "
     "of 128 channels, each reading 10x10 pixels at stride 6, then 3x3 of 220 and 2x2 of 512, "
     "each reading a 2x2 square of locations below; replaces --model, --layers and --units. "
     "The readout reads all three layers unless --readout-from says otherwise (the paper does "
     "not say; its dense net's reads its last three layers, about 6,000 units, as all three "
     "are here)",
     BIT(EXP_PAPER_FF_UNSUP), ID, ALL(0)},
    {"lr", "X", DOUBLE(lr, 0, 10),
     "learning rate of the layers (Adam; the paper's FF: momentum SGD)",
     ALL_EXP, ID | CFG, EACH(1e-4, 1e-4, 1e-4, 1e-3, FF_PAPER_LR, FF_PAPER_LR, FF_PAPER_LR)},
    {"lr-head", "X", DOUBLE(lr_head, 0, 10),
     "learning rate of the softmax head (Adam; the paper's FF: momentum SGD)",
     ALL_EXP, ID | CFG, EACH(1e-4, 1e-4, 1e-4, 1e-3, FF_PAPER_LR_HEAD, FF_PAPER_LR_HEAD,
          FF_PAPER_LR_HEAD)},
    {"theta", "X", DOUBLE(theta, -1e9, 1e9),
     "goodness threshold of the FF loss",
     SEED_FF, ID | CFG, ALL(0.1)},
    {"norm", "NAME", CHOICE(norm, "a normalisation", "l2", "rms"),
     "normalisation between layers: l2 or rms",
     NOT_PAPER_FF, ID, ALL(0)},
    {"neutral", "X", FLOAT(neutral, 0, 1),
     "label pixels of the neutral overlay",
     OVERLAY_FF, ID | CFG, EACH(0.2f, 0.2f, 0.2f, 0.2f, FF_PAPER_NEUTRAL, FF_PAPER_NEUTRAL,
          FF_PAPER_NEUTRAL)},
    {"seed", "N", ULONG(seed, 0, 2147483647),
     "seed of the run's gsl_rng",
     ALL_EXP, ID | CFG, EACH(1, 1, 1, 1, 17, 17, 17)},
    {"threads", "N", INT(threads, 1, 256),
     "threads of the matrix products and element-wise passes",
     ALL_EXP, ID | CFG, ALL(1)},
    {"precision", "NAME", CHOICE(precision, "a precision", "fp32", "bf16"),
     "inputs of the matrix products: fp32, or bf16 with fp32 sums (ff/gemm.h: oneDNN on a CPU "
     "with bf16 arithmetic, the CBLAS on bf16-rounded inputs elsewhere; config.txt names "
     "which); weights, optimiser, normalisation and losses stay fp32",
     PAPER, ID_SET | CFG, ALL(0)},
    {"stages", "N", INT(stages, 1, 2),
     "2 trains layer 1 and the layers above on two threads, 1 on one; the results are the same "
     "(1 where no layer above layer 1 feeds the readout)",
     SEED_FF, ID | CFG, ALL(2)},
    {"train-limit", "N", LONG(train_limit, 0, 1L << 30),
     "use at most N training images per part, 0: all",
     ALL_EXP, ID | CFG, ALL(0)},
    {"val-limit", "N", LONG(val_limit, 0, 1L << 30),
     "use at most N validation (and test) images per part, 0: all",
     ALL_EXP, ID | CFG, ALL(0)},
    {"eval-all", NULL, BOOLEAN(eval_all),
     "evaluate every image, not whole batches only as the seed did",
     ALL_EXP, ID | CFG, SEED_PAPER(0, 1)},
    {"val-split", "N", LONG(val_split, 0, 1L << 30),
     "the last N training images validate; 0: all train, no validation (a final run, fixed "
     "epochs)",
     PAPER, ID, SEED_PAPER(0, 10000)},
    {"no-test", NULL, BOOLEAN(no_test),
     "leave the test set out (a search on validation)",
     PAPER, ID, ALL(0)},
    {"reshuffle", NULL, BOOLEAN(reshuffle),
     "the training images in a fresh random order every epoch (the reference code's batches "
     "keep the data's own order, the same every epoch)",
     PAPER, ID_SET, ALL(0)},
    {"momentum", "X", DOUBLE(momentum, 0, 1),
     "gradient smoothing of the SGD",
     PAPER_FF, ID, PAPER_FF_ONLY(FF_PAPER_MOMENTUM)},
    {"weight-cost", "X", DOUBLE(weight_cost, 0, 1),
     "weight cost of the layers",
     PAPER_FF, ID, PAPER_FF_ONLY(FF_PAPER_WEIGHT_COST)},
    {"weight-cost-head", "X", DOUBLE(weight_cost_head, 0, 1),
     "weight cost of the softmax head",
     PAPER_FF, ID, PAPER_FF_ONLY(FF_PAPER_WEIGHT_COST_HEAD)},
    {"peer", "X", DOUBLE(peer, 0, 100),
     "peer normalisation strength",
     PAPER_FF, ID, PAPER_FF_ONLY(FF_PAPER_PEER)},
    {"peer-decay", "X", FLOAT(peer_decay, 0, 1),
     "decay of peer normalisation's running means at each update (the reference code's "
     "feed-forward net: one a batch; the recurrent net: one at each learning iteration, so "
     "0.9^(1/n) keeps the reference code's decay per batch for n learning iterations)",
     PAPER_FF, ID_SET, PAPER_FF_ONLY(FF_PAPER_PEER_DECAY)},
    {"uniform-negatives", NULL, BOOLEAN(uniform_negatives),
     "negative labels uniform over the wrong ones, not drawn from the head's softmax (hard)",
     BIT(EXP_PAPER_FF_SUP) | BIT(EXP_PAPER_FF_REC), ID, ALL(0)},
    {"goodness-negatives", NULL, BOOLEAN(goodness_negatives),
     "hard negative labels drawn from the net's own readout, each label's goodness as its "
     "logit (the readout's iterations and layers, temperature 1), not from the softmax head "
     "on the bottom-up pass: ten label passes a batch",
     BIT(EXP_PAPER_FF_REC), ID, ALL(0)},
    {"blur", "N", INT(blur_passes, 0, 100),
     "blur passes of the hybrid masks",
     BIT(EXP_PAPER_FF_UNSUP), ID, EACH(0, 0, 0, 0, 0, 6, 0)},
    {"jitter", "N", INT(jitter, 0, 8),
     "shift each training image by up to N pixels each way, a fresh shift per image and epoch "
     "drawn uniformly over the (2N+1)^2 shifts (the paper's jittered data: N 2); 0: none",
     BIT(EXP_PAPER_FF_SUP), ID_SET, ALL(0)},
    {"distinct-classes", NULL, BOOLEAN(distinct_classes),
     "the two digits of a hybrid image are of different classes, not any two different images",
     BIT(EXP_PAPER_FF_UNSUP), ID, ALL(0)},
    {"iterations", "N", INT(iterations, 1, 1000),
     "damped synchronous iterations of the recurrent net after its bottom-up pass (those "
     "of --learn-first .. --learn-last train every layer: one step per batch on their mean "
     "gradient)",
     BIT(EXP_PAPER_FF_REC), ID, REC_ONLY(FF_REC_ITERATIONS)},
    {"damping", "X", FLOAT(damping, 0, 1),
     "share of a layer's previous pre-normalised state in its new one (the rest: the state "
     "computed from the layers below and above)",
     BIT(EXP_PAPER_FF_REC), ID, REC_ONLY(FF_REC_DAMPING)},
    {"damp-input", NULL, BOOLEAN(damp_input),
     "damp each layer's pre-activation (the input to its ReLU) instead of its state, the "
     "ReLU then taken of the damped sum: the other reading of the paper's \"pre-normalized "
     "state\"",
     BIT(EXP_PAPER_FF_REC), ID_SET, ALL(0)},
    {"label-scale", "X", FLOAT(label_scale, 0.01, 100),
     "the label at the top: the RMS-normalised one-hot times X; the top layer's top-down "
     "weights start X times smaller, so they learn X^2 times as fast from the same start "
     "(their weight cost X^2 times weaker against that)",
     BIT(EXP_PAPER_FF_REC), ID_SET, ALL(1)},
    {"top-down-init", "X", FLOAT(top_down_init, 0, 10),
     "the top-down weights start X times the reference code's randn / sqrt(rows) (the same "
     "draws; 0: they start at zero, and the iterations of the untrained net repeat its "
     "bottom-up pass)",
     BIT(EXP_PAPER_FF_REC), ID_SET, ALL(1)},
    {"readout-first", "N", INT(readout_first, 0, 1000),
     "first iteration (0: the bottom-up pass) of the goodness the readout averages",
     BIT(EXP_PAPER_FF_REC), ID, REC_ONLY(FF_REC_READOUT_FIRST)},
    {"readout-last", "N", INT(readout_last, 0, 1000),
     "last iteration of the goodness the readout averages, at most --iterations",
     BIT(EXP_PAPER_FF_REC), ID, REC_ONLY(FF_REC_READOUT_LAST)},
    {"learn-first", "N", INT(learn_first, 1, 1000),
     "first iteration whose FF gradients train the layers",
     BIT(EXP_PAPER_FF_REC), ID_SET, ALL(1)},
    {"learn-last", "N", INT(learn_last, 0, 1000),
     "last iteration whose FF gradients train the layers, at most --iterations; 0: the last",
     BIT(EXP_PAPER_FF_REC), ID_SET, ALL(0)},
    {"goodness-from", "L", INT(goodness_from, 0, FF_MAX_LAYERS),
     "the goodness readout sums the hidden layers from L on; 0: those the softmax head reads "
     "(--readout-from)",
     BIT(EXP_PAPER_FF_REC), ID_SET, ALL(0)},
    {"checkpoint-every", "N", INT(checkpoint_every, 0, 100000),
     "write OUT/checkpoint.ffm every N epochs, 0: only when SIGINT or SIGTERM arrives; the same "
     "command resumes from it, with the same results",
     ALL_EXP, 0, SEED_PAPER(10, 1)},
    {"restart", NULL, BOOLEAN(restart),
     "discard a checkpoint in OUT and start afresh",
     ALL_EXP, 0, ALL(0)},
    {"inject-nan", "E,B", PAIR(inject_nan, 0, 100000),
     "testing: a weight of layer 1 turns NaN before batch B of epoch E (both from 0)",
     ALL_EXP, 0, ALL(-1)},
    {"inject-stop", "E,B", PAIR(inject_stop, 0, 100000),
     "testing: the program sends itself SIGTERM twice (as a Slurm requeue sends Slurm's "
     "and make's) before batch B of epoch E (E past the last epoch: B 0 before the test "
     "pass, 1 after it, where the program makes one); not again where the run resumed",
     ALL_EXP, 0, ALL(-1)},
    {"quiet", NULL, BOOLEAN(quiet),
     "no progress line",
     ALL_EXP, 0, ALL(0)},
    {"help", NULL, HELP,
     "this text",
     ALL_EXP, 0, ALL(0)},
};
#define N_FLAGS (sizeof flags / sizeof *flags)

static int applies(const flag_row *f, exp_kind kind)
{
    return (f->to & BIT(kind)) != 0;
}

static void *field(exp_opts *o, const flag_row *f)
{
    return (char *)o + f->at;
}

static const void *field_of(const exp_opts *o, const flag_row *f)
{
    return (const char *)o + f->at;
}

static void set_default(exp_opts *o, const flag_row *f, double v)
{
    void *p = field(o, f);
    switch (f->type) {
    case EXP_FLAG_INT:
    case EXP_FLAG_BOOL: *(int *)p = (int)v; break;
    case EXP_FLAG_LONG: *(long *)p = (long)v; break;
    case EXP_FLAG_ULONG: *(unsigned long *)p = (unsigned long)v; break;
    case EXP_FLAG_DOUBLE: *(double *)p = v; break;
    case EXP_FLAG_FLOAT: *(float *)p = (float)v; break;
    case EXP_FLAG_STRING:
    case EXP_FLAG_CHOICE: *(const char **)p = f->text[(int)v]; break;
    case EXP_FLAG_PAIR: ((long *)p)[0] = ((long *)p)[1] = (long)v; break;
    case EXP_FLAG_DIR: /* results/NAME-MODEL-seedSEED once MODEL and SEED are known */
    case EXP_FLAG_HELP: break;
    }
}

static void set_defaults(exp_opts *o, exp_kind kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->name = exp_specs[kind].name;
    for (size_t i = 0; i < N_FLAGS; i++)
        set_default(o, &flags[i], flags[i].def[kind]);
}

/* The value of f in o as text: numbers with %.17g when exact, else %g;
 * booleans 0 or 1; "" for the flags that hold no single value. */
static void value_text(char *buf, size_t len, const exp_opts *o, const flag_row *f, int exact)
{
    const void *p = field_of(o, f);
    double real = f->type == EXP_FLAG_DOUBLE  ? *(const double *)p
                  : f->type == EXP_FLAG_FLOAT ? (double)*(const float *)p
                                              : 0.0;
    switch (f->type) {
    case EXP_FLAG_INT:
    case EXP_FLAG_BOOL: snprintf(buf, len, "%d", *(const int *)p); break;
    case EXP_FLAG_LONG: snprintf(buf, len, "%ld", *(const long *)p); break;
    case EXP_FLAG_ULONG: snprintf(buf, len, "%lu", *(const unsigned long *)p); break;
    case EXP_FLAG_DOUBLE:
    case EXP_FLAG_FLOAT:
        if (exact)
            snprintf(buf, len, "%.17g", real);
        else
            snprintf(buf, len, "%g", real);
        break;
    case EXP_FLAG_STRING:
    case EXP_FLAG_CHOICE: snprintf(buf, len, "%s", *(const char *const *)p); break;
    case EXP_FLAG_PAIR:
    case EXP_FLAG_DIR:
    case EXP_FLAG_HELP: snprintf(buf, len, "%s", ""); break;
    }
}

static void default_out(char *buf, size_t len, const char *name, const char *model,
                        const char *seed)
{
    snprintf(buf, len, "results/%s-%s-seed%s", name, model, seed);
}

/* The usage's columns: flags from column 2, their help from HELP_COL, in
 * lines of at most HELP_WIDTH characters (but for a longer word). */
enum { HELP_COL = 21, HELP_WIDTH = 79 };

/* One word of the help at column *col, on a new line if it would pass
 * HELP_WIDTH; *fresh: the line has no word yet. */
static void usage_word(FILE *f, int *col, int *fresh, const char *w, int n)
{
    if (!*fresh && *col + 1 + n > HELP_WIDTH) {
        *col = fprintf(f, "\n%*s", HELP_COL, "") - 1;
        *fresh = 1;
    }
    *col += fprintf(f, "%s%.*s", *fresh ? "" : " ", n, w);
    *fresh = 0;
}

/* "  --flag ARG   help (default X)", wrapped under HELP_COL; the default,
 * if any, stays on one line. */
static void usage_line(FILE *f, const char *head, const char *help, const char *def)
{
    int col = fprintf(f, "  %s ", head), fresh = 1;
    for (; col < HELP_COL || col < (int)strlen(head) + 4; col++)
        fputc(' ', f);
    for (const char *w = help; *w; w += strspn(w, " ")) {
        const int n = (int)strcspn(w, " ");
        usage_word(f, &col, &fresh, w, n);
        w += n;
    }
    if (*def) {
        char unit[160];
        const int n = snprintf(unit, sizeof unit, "(default %s)", def);
        usage_word(f, &col, &fresh, unit, n);
    }
    fputc('\n', f);
}

/* The usage text: the title, then every flag that applies to kind, with
 * its default. */
static void usage(FILE *f, exp_kind kind)
{
    exp_opts d;
    set_defaults(&d, kind);
    fprintf(f, "usage: %s [flags]\n%s\n", exp_program(), exp_specs[kind].title);
    for (size_t i = 0; i < N_FLAGS; i++) {
        const flag_row *g = &flags[i];
        if (!applies(g, kind))
            continue;
        char head[64], def[128];
        snprintf(head, sizeof head, "--%s%s%s", g->name, g->arg ? " " : "", g->arg ? g->arg : "");
        if (g->type == EXP_FLAG_BOOL) /* shown when on: a flag turns it on */
            snprintf(def, sizeof def, "%s", *(const int *)field_of(&d, g) ? "on" : "");
        else if (g->type == EXP_FLAG_DIR)
            default_out(def, sizeof def, d.name, "MODEL", "SEED");
        else
            value_text(def, sizeof def, &d, g, 0);
        usage_line(f, head, g->help, def);
    }
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

/* v as the flag keeps it: as a float, or as it is */
static double kept(double v, int as_float)
{
    return as_float ? (double)(float)v : v;
}

/* A number in [lo, hi]; as_float: compared as the float it is kept as, so
 * that the text the identity records of a float (0.0099999997764825821
 * for 0.01) reads back as the same float. */
static double parse_double(const char *flag, const char *s, double lo, double hi, int as_float)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    const double x = kept(v, as_float);
    if (errno || end == s || *end || !(x >= kept(lo, as_float) && x <= kept(hi, as_float)))
        exp_die("%s: '%s' is not a number in [%g, %g]", flag, s, lo, hi);
    return v;
}

/* "E,B": an epoch in [lo, hi] and a batch, both from 0 */
static void parse_pair(long *v, const char *flag, const char *s, long lo, long hi)
{
    char buf[64];
    const char *comma = strchr(s, ',');
    if (!comma || (size_t)(comma - s) >= sizeof buf)
        exp_die("%s: '%s' is not EPOCH,BATCH", flag, s);
    snprintf(buf, sizeof buf, "%.*s", (int)(comma - s), s);
    v[0] = parse_long(flag, buf, lo, hi);
    v[1] = parse_long(flag, comma + 1, 0, 1L << 30);
}

static const char *parse_choice(const char *flag, const flag_row *f, const char *s)
{
    size_t n = 0;
    for (; f->text[n]; n++)
        if (!strcmp(s, f->text[n]))
            return f->text[n];
    char list[256] = "";
    for (size_t i = 0; i < n; i++) /* "a, b or c" */
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i == 0 ? "" : i + 1 < n ? ", " : " or ", f->text[i]);
    exp_die("%s: '%s' is not %s (use %s)", flag, s, f->noun, list);
}

/* s, a path of at most longest characters */
static const char *parse_path(const char *flag, const char *s, size_t longest)
{
    if (!*s)
        exp_die("%s: the path is empty (give a path, or drop %s for its default)", flag, flag);
    if (strlen(s) > longest)
        exp_die("%s: the path has %zu characters, at most %zu fit (choose a shorter one)", flag,
                strlen(s), longest);
    return s;
}

static void parse_dir(char *dir, const char *flag, const char *s, size_t longest)
{
    snprintf(dir, longest + 1, "%s", parse_path(flag, s, longest));
}

/* Store the value arg of flag f; --help prints the usage and exits. */
static void set_flag(exp_opts *o, const flag_row *f, const char *arg)
{
    char name[64];
    snprintf(name, sizeof name, "--%s", f->name);
    void *p = field(o, f);
    switch (f->type) {
    case EXP_FLAG_INT: *(int *)p = (int)parse_long(name, arg, (long)f->lo, (long)f->hi); break;
    case EXP_FLAG_LONG: *(long *)p = parse_long(name, arg, (long)f->lo, (long)f->hi); break;
    case EXP_FLAG_ULONG:
        *(unsigned long *)p = (unsigned long)parse_long(name, arg, (long)f->lo, (long)f->hi);
        break;
    case EXP_FLAG_DOUBLE: *(double *)p = parse_double(name, arg, f->lo, f->hi, 0); break;
    case EXP_FLAG_FLOAT: *(float *)p = (float)parse_double(name, arg, f->lo, f->hi, 1); break;
    case EXP_FLAG_STRING: *(const char **)p = parse_path(name, arg, (size_t)f->hi); break;
    case EXP_FLAG_CHOICE: *(const char **)p = parse_choice(name, f, arg); break;
    case EXP_FLAG_BOOL: *(int *)p = 1; break;
    case EXP_FLAG_PAIR: parse_pair(p, name, arg, (long)f->lo, (long)f->hi); break;
    case EXP_FLAG_DIR: parse_dir(p, name, arg, (size_t)f->hi); break;
    case EXP_FLAG_HELP: usage(stdout, o->kind); exit(0);
    }
}

/* Appends to buf as snprintf would at buf + n: returns the new length,
 * which may exceed len (then nothing more is written). */
static size_t append(char *buf, size_t len, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t len, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(n < len ? buf + n : NULL, n < len ? len - n : 0, fmt, ap);
    va_end(ap);
    return n + (m > 0 ? (size_t)m : 0);
}

/* The index in `flags` of the row named name (a name of the table). */
static size_t flag_index(const char *name)
{
    for (size_t i = 0; i < N_FLAGS; i++)
        if (!strcmp(flags[i].name, name))
            return i;
    exp_die("internal: no flag --%s in the table", name);
}

/* The flags that shape a dense or conv2d net; --local replaces them (local_net). */
static int net_flag(const flag_row *f)
{
    return !strcmp(f->name, "model") || !strcmp(f->name, "layers") || !strcmp(f->name, "units");
}

size_t exp_flags_identity(char *buf, size_t len, const exp_opts *o)
{
    size_t n = append(buf, len, 0, "experiment %s\n", o->name);
    for (size_t i = 0; i < N_FLAGS; i++) {
        const flag_row *f = &flags[i];
        if (!(f->in & (ID | ID_SET)) || !applies(f, o->kind) || (o->local && net_flag(f)))
            continue;
        if (f->type == EXP_FLAG_BOOL) {
            if (*(const int *)field_of(o, f))
                n = append(buf, len, n, "--%s\n", f->name);
            continue;
        }
        char value[128];
        value_text(value, sizeof value, o, f, 1);
        if (f->in & ID_SET) {
            exp_opts d = *o;
            char def[128];
            set_default(&d, f, f->def[o->kind]);
            value_text(def, sizeof def, &d, f, 1);
            if (strcmp(value, def) == 0)
                continue;
        }
        n = append(buf, len, n, "--%s %s\n", f->name, value);
    }
    return n;
}

void exp_flags_config(FILE *f, const exp_opts *o)
{
    for (size_t i = 0; i < N_FLAGS; i++) {
        const flag_row *g = &flags[i];
        if (!(g->in & CFG) || !applies(g, o->kind))
            continue;
        char key[64], value[EXP_STRING_LONGEST + 1];
        snprintf(key, sizeof key, "%s", g->name);
        for (char *c = key; (c = strchr(c, '-'));)
            *c = '_';
        value_text(value, sizeof value, o, g, 0);
        if (!strcmp(g->name, "units"))
            snprintf(value, sizeof value, "%s", exp_units_text((char[16]){0}, o));
        fprintf(f, "%s %s\n", key, value);
    }
}

const char *exp_units_text(char buf[static 16], const exp_opts *o)
{
    if (o->local) /* every layer has its own: the local net's lines */
        return "-";
    snprintf(buf, 16, "%d", o->units);
    return buf;
}

/* --local: the paper's local net (ff/paper.h) replaces the flags that shape
 * a dense or conv2d net, which are refused with it and left out of the
 * identity; the model is "local" (summary.tsv's column, the default run
 * directory), its 3 layers have no one width (units 0, written "-"), and
 * the readout reads all three unless --readout-from was given. */
static void local_net(exp_opts *o, const unsigned char *given)
{
    for (size_t i = 0; i < N_FLAGS; i++)
        if (given[i] && net_flag(&flags[i]))
            exp_die("--%s does not apply with --local, whose net is the paper's (see --help): "
                    "drop --%s", flags[i].name, flags[i].name);
    if (!given[flag_index("readout-from")])
        o->head_from = 1;
    if (o->head_from > 3)
        exp_die("--readout-from %d exceeds the local net's 3 layers", o->head_from);
    o->model = "local";
    o->layers = 3;
    o->units = 0;
}

/* Flags given at once and in conflict; the default run directory.
 * given[i]: flags[i] was on the command line. */
static void finish(exp_opts *o, const unsigned char *given)
{
    if (EXP_PAPER(o->kind) && o->val_split == 0 && o->no_test)
        exp_die("--val-split 0 with --no-test evaluates nothing held out (drop one of them)");
    if (o->uniform_negatives && o->goodness_negatives)
        exp_die("--uniform-negatives with --goodness-negatives: uniform labels read no "
                "readout (drop one of them)");
    if (EXP_RECURRENT(o->kind) && strcmp(o->model, "dense"))
        exp_die("--model %s: the recurrent net's layers are dense (drop --model)", o->model);
    if (EXP_RECURRENT(o->kind) &&
        (o->readout_first > o->readout_last || o->readout_last > o->iterations))
        exp_die("--readout-first %d, --readout-last %d, --iterations %d: the readout's "
                "iterations must satisfy first <= last <= iterations",
                o->readout_first, o->readout_last, o->iterations);
    if (EXP_RECURRENT(o->kind)) { /* the window as the library reads it */
        const ff_rec_config rc = {.iterations = o->iterations, .learn_first = o->learn_first,
                                  .learn_last = o->learn_last};
        int first, last;
        ff_rec_learning(&rc, &first, &last);
        if (first > last || last > o->iterations)
            exp_die("--learn-first %d, --learn-last %d, --iterations %d: the learning "
                    "iterations must satisfy first <= last <= iterations",
                    first, last, o->iterations);
    }
    if (o->local)
        local_net(o, given);
    if (o->head_from > o->layers)
        exp_die("--readout-from %d exceeds --layers %d", o->head_from, o->layers);
    if (o->goodness_from > o->layers)
        exp_die("--goodness-from %d exceeds --layers %d", o->goodness_from, o->layers);
    /* two stages put layer 1 on one thread and the layers above it, up to
     * the readout's, on the other (common.c): without such layers there is
     * one stage, and the run records it */
    const size_t st = flag_index("stages");
    if (applies(&flags[st], o->kind) && o->stages == 2 && (o->layers < 2 || o->head_from < 2)) {
        if (given[st])
            exp_die("--stages 2 needs --layers 2 or more and --readout-from 2 or more "
                    "(layer 1 alone on the first stage): give --stages 1");
        o->stages = 1;
    }
    if (!o->out[0]) {
        char seed[32];
        snprintf(seed, sizeof seed, "%lu", o->seed);
        default_out(o->out, sizeof o->out, o->name, o->model, seed);
    }
}

/* getopt_long's value for flags[i] (above every character) */
enum { FIRST_VAL = 256 };

void exp_parse(exp_opts *o, exp_kind kind, int argc, char **argv)
{
    exp_set_program(argv[0]);
    set_defaults(o, kind);
    struct option opts[N_FLAGS + 1];
    for (size_t i = 0; i < N_FLAGS; i++) {
        const int arg = flags[i].type != EXP_FLAG_BOOL && flags[i].type != EXP_FLAG_HELP;
        opts[i] = (struct option){flags[i].name, arg, NULL, FIRST_VAL + (int)i};
    }
    opts[N_FLAGS] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    optind = 0; /* a fresh scan (GNU) */
    unsigned char given[N_FLAGS] = {0};
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (c < FIRST_VAL) {
            fprintf(stderr, "%s: error: unknown or incomplete flag '%s' (see --help)\n",
                    exp_program(), optind > 0 && optind <= argc ? argv[optind - 1] : "?");
            exit(2);
        }
        const flag_row *f = &flags[c - FIRST_VAL];
        if (!applies(f, kind))
            exp_die("--%s does not apply to %s (see --help)", f->name, exp_program());
        set_flag(o, f, optarg);
        given[c - FIRST_VAL] = 1;
    }
    if (optind < argc) {
        fprintf(stderr, "%s: error: unexpected argument '%s' (see --help)\n", exp_program(),
                argv[optind]);
        exit(2);
    }
    finish(o, given);
}

/* The flags whose experiments have narrowed since runs were saved: each
 * once applied to experiments it never changed (--theta to BP's and the
 * paper's; --neutral to BP's and the unsupervised programs'), and a saved
 * identity's line of it there is read past.  Only such a flag belongs
 * here: one that changed what a run did must keep refusing its old
 * checkpoints and models. */
static const char *const narrowed[] = {"theta", "neutral"};

/* The length of NAME if the line (n bytes) is "--NAME[ value]", else 0;
 * *row, the table's row of NAME or NULL. */
static size_t flag_line(const char *line, size_t n, const flag_row **row)
{
    *row = NULL;
    if (n < 3 || line[0] != '-' || line[1] != '-')
        return 0;
    const size_t len = strcspn(line + 2, " \n");
    for (size_t i = 0; i < N_FLAGS && !*row; i++)
        if (strlen(flags[i].name) == len && !strncmp(flags[i].name, line + 2, len))
            *row = &flags[i];
    return len;
}

/* the line (n bytes) names a narrowed flag that does not apply to kind */
static int inapplicable_line(const char *line, size_t n, exp_kind kind)
{
    const flag_row *f;
    if (!flag_line(line, n, &f) || !f)
        return 0;
    for (size_t i = 0; i < sizeof narrowed / sizeof *narrowed; i++)
        if (!strcmp(f->name, narrowed[i]))
            return !applies(f, kind);
    return 0;
}

void exp_flags_drop_inapplicable(char *identity, exp_kind kind)
{
    char *w = identity;
    for (const char *line = identity; *line;) {
        const size_t n = strcspn(line, "\n"), end = n + (line[n] == '\n');
        if (!inapplicable_line(line, n, kind)) {
            memmove(w, line, end);
            w += end;
        }
        line += end;
    }
    *w = 0;
}

const char *exp_flags_foreign(const char *identity, exp_kind kind, char *buf, size_t len)
{
    for (const char *line = identity; *line;) {
        const size_t n = strcspn(line, "\n"), end = n + (line[n] == '\n');
        const flag_row *f;
        const size_t k = flag_line(line, n, &f);
        if (k && (!f || !applies(f, kind))) {
            snprintf(buf, len, "%.*s", (int)k + 2, line);
            return buf;
        }
        line += end;
    }
    if (len)
        *buf = 0;
    return NULL;
}

int exp_kind_of(const char *name)
{
    for (int k = 0; k < EXP_N; k++)
        if (!strcmp(name, exp_specs[k].name))
            return k;
    return -1;
}
