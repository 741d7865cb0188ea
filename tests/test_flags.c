/* test_flags.c - the experiments' flag table (experiments/flags.h).
 *
 * A run's identity (exp_identity) is stored in every checkpoint and model,
 * and compared when a run resumes and when ff_evaluate or ff_head rebuilds
 * a run: a change of its text, even of a digit, refuses every existing
 * checkpoint and model.  The expected texts below are what the code before
 * the flag table printed (commit 9896866: exp_parse then exp_identity,
 * linked against that build's libff_experiment.a), for each experiment's
 * defaults and for other configurations, but for the lines of --theta and
 * --neutral, taken out where those flags ceased to apply (260be6e: BP's
 * and the unsupervised programs'; their saved runs still read, test
 * below); the config.txt lines are those its
 * programs wrote (--data data/mnist --epochs 2 --train-limit 2000
 * --val-limit 500 --units 64 --threads 1, plus the flags shown); the error
 * messages, its programs' stderr.  Also checked: every identity parses back
 * to itself (saved.c relies on it), the usage lists exactly the flags that
 * apply, and the refusals exit as the programs did; and GSL's errors
 * (exp_gsl_errors) exit as one line, where GSL's own handler aborts, and a
 * checkpoint's position is read back only when its fields are counts. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "common.h"
#include "ff/checkpoint.h"
#include "run.h"
#include "saved.h"

#define MAX_ARGS 48

typedef struct {
    exp_kind kind;
    const char *args[MAX_ARGS]; /* NULL-terminated */
    const char *identity;       /* without the data's lines */
} pin;

static const pin pins[] = {
    {EXP_BP, {NULL},
     "experiment bp\n"
     "--model dense\n"
     "--epochs 20\n"
     "--eval-every 1\n"
     "--batch 128\n"
     "--layers 4\n"
     "--units 100\n"
     "--readout-from 2\n"
     "--lr 0.0001\n"
     "--lr-head 0.0001\n"
     "--norm l2\n"
     "--seed 1\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"},
    {EXP_FF_SUP, {NULL},
     "experiment ff-sup\n"
     "--model dense\n"
     "--epochs 200\n"
     "--eval-every 5\n"
     "--batch 128\n"
     "--layers 4\n"
     "--units 100\n"
     "--readout-from 2\n"
     "--lr 0.0001\n"
     "--lr-head 0.0001\n"
     "--theta 0.10000000000000001\n"
     "--norm l2\n"
     "--neutral 0.20000000298023224\n"
     "--seed 1\n"
     "--threads 1\n"
     "--stages 2\n"
     "--train-limit 0\n"
     "--val-limit 0\n"},
    {EXP_FF_UNSUP, {NULL},
     "experiment ff-unsup\n"
     "--model dense\n"
     "--epochs 200\n"
     "--eval-every 5\n"
     "--batch 128\n"
     "--layers 4\n"
     "--units 100\n"
     "--readout-from 2\n"
     "--lr 0.0001\n"
     "--lr-head 0.0001\n"
     "--theta 0.10000000000000001\n"
     "--norm l2\n"
     "--seed 1\n"
     "--threads 1\n"
     "--stages 2\n"
     "--train-limit 0\n"
     "--val-limit 0\n"},
    {EXP_PAPER_BP, {NULL},
     "experiment paper-bp\n"
     "--model dense\n"
     "--epochs 20\n"
     "--eval-every 1\n"
     "--batch 100\n"
     "--layers 3\n"
     "--units 1000\n"
     "--readout-from 3\n"
     "--lr 0.001\n"
     "--lr-head 0.001\n"
     "--norm l2\n"
     "--seed 1\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"},
    {EXP_PAPER_FF_SUP, {NULL},
     "experiment paper-ff-sup\n"
     "--model dense\n"
     "--epochs 100\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--layers 3\n"
     "--units 1000\n"
     "--readout-from 2\n"
     "--lr 0.0099999997764825821\n"
     "--lr-head 0.10000000149011612\n"
     "--neutral 0.10000000149011612\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0.029999999329447746\n"},
    {EXP_PAPER_FF_UNSUP, {NULL},
     "experiment paper-ff-unsup\n"
     "--model dense\n"
     "--epochs 100\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--layers 4\n"
     "--units 2000\n"
     "--readout-from 2\n"
     "--lr 0.0099999997764825821\n"
     "--lr-head 0.10000000149011612\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0.029999999329447746\n"
     "--blur 6\n"},
    {EXP_PAPER_FF_UNSUP, {"--blur", "3", "--distinct-classes", "--val-split", "0", "--seed", "5",
                          NULL},
     "experiment paper-ff-unsup\n"
     "--model dense\n"
     "--epochs 100\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--layers 4\n"
     "--units 2000\n"
     "--readout-from 2\n"
     "--lr 0.0099999997764825821\n"
     "--lr-head 0.10000000149011612\n"
     "--seed 5\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 0\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0.029999999329447746\n"
     "--blur 3\n"
     "--distinct-classes\n"},
    {EXP_FF_SUP, {"--model", "conv2d", "--norm", "rms", "--eval-all", "--stages", "1", "--theta",
                  "0.2", "--neutral", "0.3", "--readout-from", "1", "--layers", "3", "--seed",
                  "4", "--batch", "64", "--lr", "0.0002", "--lr-head", "0.0003", "--eval-every",
                  "1", "--train-limit", "5000", "--val-limit", "1000", "--threads", "2",
                  "--checkpoint-every", "3", "--restart", "--quiet", "--data", "elsewhere",
                  "--out", "/tmp/x", "--inject-nan", "1,2", NULL},
     "experiment ff-sup\n"
     "--model conv2d\n"
     "--epochs 200\n"
     "--eval-every 1\n"
     "--batch 64\n"
     "--layers 3\n"
     "--units 100\n"
     "--readout-from 1\n"
     "--lr 0.00020000000000000001\n"
     "--lr-head 0.00029999999999999997\n"
     "--theta 0.20000000000000001\n"
     "--norm rms\n"
     "--neutral 0.30000001192092896\n"
     "--seed 4\n"
     "--threads 2\n"
     "--stages 1\n"
     "--train-limit 5000\n"
     "--val-limit 1000\n"
     "--eval-all\n"},
    {EXP_PAPER_FF_SUP, {"--uniform-negatives", "--val-split", "5000", "--momentum", "0.8",
                        "--weight-cost", "0.0005", "--weight-cost-head", "0.002", "--peer",
                        "0.01", "--no-test", "--lr", "0.02", "--neutral", "0.2", "--epochs", "3",
                        "--peer-decay", "0.5", NULL},
     "experiment paper-ff-sup\n"
     "--model dense\n"
     "--epochs 3\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--layers 3\n"
     "--units 1000\n"
     "--readout-from 2\n"
     "--lr 0.02\n"
     "--lr-head 0.10000000149011612\n"
     "--neutral 0.20000000298023224\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 5000\n"
     "--no-test\n"
     "--momentum 0.80000000000000004\n"
     "--weight-cost 0.00050000000000000001\n"
     "--weight-cost-head 0.002\n"
     "--peer 0.01\n"
     "--peer-decay 0.5\n"
     "--uniform-negatives\n"},
    {EXP_PAPER_BP, {"--norm", "rms", "--val-split", "0", "--layers", "2", "--readout-from", "1",
                    "--lr", "0.001", NULL},
     "experiment paper-bp\n"
     "--model dense\n"
     "--epochs 20\n"
     "--eval-every 1\n"
     "--batch 100\n"
     "--layers 2\n"
     "--units 1000\n"
     "--readout-from 1\n"
     "--lr 0.001\n"
     "--lr-head 0.001\n"
     "--norm rms\n"
     "--seed 1\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 0\n"},
    {EXP_BP, {"--model", "conv2d", "--seed", "3", "--epochs", "50", "--lr-head", "1e-3", NULL},
     "experiment bp\n"
     "--model conv2d\n"
     "--epochs 50\n"
     "--eval-every 1\n"
     "--batch 128\n"
     "--layers 4\n"
     "--units 100\n"
     "--readout-from 2\n"
     "--lr 0.0001\n"
     "--lr-head 0.001\n"
     "--norm l2\n"
     "--seed 3\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"},
    {EXP_FF_UNSUP, {"--lr", "1e-3", "--theta", "-0.5", "--units", "2000", "--epochs=7", NULL},
     "experiment ff-unsup\n"
     "--model dense\n"
     "--epochs 7\n"
     "--eval-every 5\n"
     "--batch 128\n"
     "--layers 4\n"
     "--units 2000\n"
     "--readout-from 2\n"
     "--lr 0.001\n"
     "--lr-head 0.0001\n"
     "--theta -0.5\n"
     "--norm l2\n"
     "--seed 1\n"
     "--threads 1\n"
     "--stages 2\n"
     "--train-limit 0\n"
     "--val-limit 0\n"},
    {EXP_PAPER_FF_UNSUP, {"--lr", "0.01", "--peer", "0", "--layers", "3", "--units", "1000",
                          "--eval-every", "1", "--model", "conv2d", NULL},
     "experiment paper-ff-unsup\n"
     "--model conv2d\n"
     "--epochs 100\n"
     "--eval-every 1\n"
     "--batch 100\n"
     "--layers 3\n"
     "--units 1000\n"
     "--readout-from 2\n"
     "--lr 0.01\n"
     "--lr-head 0.10000000149011612\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0\n"
     "--blur 6\n"},
    /* the recurrent net (added after the pins above were taken): its
     * defaults, no --neutral (it has no neutral pass) */
    {EXP_PAPER_FF_REC, {NULL},
     "experiment paper-ff-recurrent\n"
     "--model dense\n"
     "--epochs 60\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--layers 2\n"
     "--units 2000\n"
     "--readout-from 1\n"
     "--lr 0.0099999997764825821\n"
     "--lr-head 0.10000000149011612\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0.029999999329447746\n"
     "--iterations 8\n"
     "--damping 0.30000001192092896\n"
     "--readout-first 3\n"
     "--readout-last 5\n"},
    /* --local: the paper's net of local receptive fields; no --model,
     * --layers or --units (its net is fixed), all three layers read */
    {EXP_PAPER_FF_UNSUP, {"--local", NULL},
     "experiment paper-ff-unsup\n"
     "--epochs 100\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--readout-from 1\n"
     "--local\n"
     "--lr 0.0099999997764825821\n"
     "--lr-head 0.10000000149011612\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0.029999999329447746\n"
     "--blur 6\n"},
    /* --jitter, added after runs were made (ID_SET): there when set */
    {EXP_PAPER_FF_SUP, {"--jitter", "2", NULL},
     "experiment paper-ff-sup\n"
     "--model dense\n"
     "--epochs 100\n"
     "--eval-every 5\n"
     "--batch 100\n"
     "--layers 3\n"
     "--units 1000\n"
     "--readout-from 2\n"
     "--lr 0.0099999997764825821\n"
     "--lr-head 0.10000000149011612\n"
     "--neutral 0.10000000149011612\n"
     "--seed 17\n"
     "--threads 1\n"
     "--train-limit 0\n"
     "--val-limit 0\n"
     "--eval-all\n"
     "--val-split 10000\n"
     "--momentum 0.89999997615814209\n"
     "--weight-cost 0.0010000000474974513\n"
     "--weight-cost-head 0.0030000000260770321\n"
     "--peer 0.029999999329447746\n"
     "--jitter 2\n"},
};

/* argv for exp_parse: the program's name, then args. */
static int make_argv(char **argv, const char *prog, const char *const *args)
{
    int argc = 0;
    argv[argc++] = (char *)prog;
    for (int i = 0; args[i] && argc < MAX_ARGS + 1; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    return argc;
}

static void identity_of(char *buf, size_t len, exp_kind kind, const char *const *args)
{
    char *argv[MAX_ARGS + 2];
    exp_opts o;
    exp_parse(&o, kind, make_argv(argv, "test_flags", args), argv);
    exp_identity(buf, len, &o, NULL);
}

/* The identity's flags as arguments (as saved.c splits them), in place. */
static void identity_args(char *text, const char **args)
{
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n + 2 < MAX_ARGS; line = strtok(NULL, "\n")) {
        if (strncmp(line, "--", 2))
            continue;
        char *space = strchr(line, ' ');
        if (space)
            *space = 0;
        args[n++] = line;
        if (space)
            args[n++] = space + 1;
    }
    args[n] = NULL;
}

/* Whether identity, split into arguments (identity_args, on a copy) and
 * parsed again as kind's, gives itself back; again receives what it gave. */
static int parses_back(exp_kind kind, const char *identity, char *again, size_t len)
{
    static char text[FF_CKPT_MAX_CONFIG + 1];
    const char *args[MAX_ARGS];
    snprintf(text, sizeof text, "%s", identity);
    identity_args(text, args);
    identity_of(again, len, kind, args);
    return !strcmp(again, identity);
}

static void test_identities(void)
{
    static char got[FF_CKPT_MAX_CONFIG + 1], again[FF_CKPT_MAX_CONFIG + 1];
    for (size_t i = 0; i < sizeof pins / sizeof *pins; i++) {
        identity_of(got, sizeof got, pins[i].kind, pins[i].args);
        CHECK(!strcmp(got, pins[i].identity), "pin %zu (%s %s ...): the identity changed:\n%s",
              i, exp_specs[pins[i].kind].name, pins[i].args[0] ? pins[i].args[0] : "", got);
        CHECK(parses_back(pins[i].kind, got, again, sizeof again),
              "pin %zu: its identity does not parse back:\n%s", i, again);
    }
}

/* A flag added after runs were made (ID_SET: --jitter, --peer-decay) is in
 * the identity only when not at its default, so those runs keep theirs
 * (the pins hold them, and --jitter 2's, which parses back); at its
 * default, given or not, it is absent. */
static void test_identity_when_set(void)
{
    static char plain[FF_CKPT_MAX_CONFIG + 1], set[FF_CKPT_MAX_CONFIG + 1];
    const char *none[] = {NULL}, *zero[] = {"--jitter", "0", NULL};
    identity_of(plain, sizeof plain, EXP_PAPER_FF_SUP, none);
    CHECK(!strstr(plain, "--jitter"), "--jitter at its default is in the identity:\n%s", plain);
    identity_of(set, sizeof set, EXP_PAPER_FF_SUP, zero);
    CHECK(!strcmp(set, plain), "--jitter 0 changed the identity:\n%s", set);
    /* --precision, a choice: fp32 (its default) absent, bf16 there */
    const char *fp32[] = {"--precision", "fp32", NULL}, *bf16[] = {"--precision", "bf16", NULL};
    CHECK(!strstr(plain, "--precision"), "--precision at its default is in the identity");
    identity_of(set, sizeof set, EXP_PAPER_FF_SUP, fp32);
    CHECK(!strcmp(set, plain), "--precision fp32 changed the identity:\n%s", set);
    identity_of(set, sizeof set, EXP_PAPER_FF_SUP, bf16);
    CHECK(strstr(set, "--precision bf16\n") != NULL, "--precision bf16 not in the identity:\n%s",
          set);
    /* --label-scale, a float, at the low end of its range, 0.01, which no
     * float holds: the identity records the float's text, which parses
     * back (compared as a float, not as the text's double, below 0.01) */
    const char *low[] = {"--label-scale", "0.01", NULL};
    identity_of(plain, sizeof plain, EXP_PAPER_FF_REC, none);
    CHECK(!strstr(plain, "--label-scale"), "--label-scale at its default is in the identity");
    identity_of(set, sizeof set, EXP_PAPER_FF_REC, low);
    CHECK(strstr(set, "--label-scale 0.0099999997764825821\n") != NULL,
          "--label-scale 0.01 not in the identity as its float:\n%s", set);
    static char again[FF_CKPT_MAX_CONFIG + 1];
    CHECK(parses_back(EXP_PAPER_FF_REC, set, again, sizeof again),
          "--label-scale 0.01: its identity parses back as\n%s", again);
    /* --peer-decay, a float whose default, the paper's 0.9, no double
     * holds: 0.9 given is the default (as a double it would not be, and
     * would enter the identity); 0.98692, its float's text, parses back */
    const char *paper[] = {"--peer-decay", "0.9", NULL};
    const char *slow[] = {"--peer-decay", "0.98692", NULL};
    CHECK(!strstr(plain, "--peer-decay"), "--peer-decay at its default is in the identity");
    identity_of(set, sizeof set, EXP_PAPER_FF_REC, paper);
    CHECK(!strcmp(set, plain), "--peer-decay 0.9 changed the identity:\n%s", set);
    identity_of(set, sizeof set, EXP_PAPER_FF_REC, slow);
    CHECK(strstr(set, "--peer-decay 0.98691999912261963\n") != NULL,
          "--peer-decay 0.98692 not in the identity as its float:\n%s", set);
    CHECK(parses_back(EXP_PAPER_FF_REC, set, again, sizeof again),
          "--peer-decay 0.98692: its identity parses back as\n%s", again);
}

static void test_identity_data(void)
{
    char *argv[] = {"test_flags", NULL};
    exp_opts o;
    exp_parse(&o, EXP_BP, 1, argv);
    exp_data d;
    memset(&d, 0, sizeof d);
    static const char *const names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    for (int i = 0; i < 4; i++) {
        memset(d.sha256[i], "0a1b"[i], 64);
        d.file[i] = names[i];
    }
    char buf[FF_CKPT_MAX_CONFIG + 1];
    size_t n = exp_identity(buf, sizeof buf, &o, &d);
    const char *tail = "--val-limit 0\n"
                       "sha256 train-images-idx3-ubyte "
                       "0000000000000000000000000000000000000000000000000000000000000000\n"
                       "sha256 train-labels-idx1-ubyte "
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                       "sha256 t10k-images-idx3-ubyte "
                       "1111111111111111111111111111111111111111111111111111111111111111\n"
                       "sha256 t10k-labels-idx1-ubyte "
                       "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n";
    CHECK(n == strlen(buf) && n > strlen(tail) && !strcmp(buf + n - strlen(tail), tail),
          "the data's lines close the identity:\n%s", buf);
    CHECK(!strncmp(buf, pins[0].identity, strlen(pins[0].identity)),
          "with data, the same flags first:\n%s", buf);
}

static void test_config(void)
{
    /* each experiment's lines are those of the flags that apply to it: no
     * --stages, --theta nor --neutral in BP's, no --precision in the seed
     * programs', no --theta nor --stages in the paper's FF programs', no
     * --neutral in the unsupervised programs' nor the recurrent net's */
    static const struct {
        exp_kind kind;
        const char *args[8];
        const char *config;
    } c[] = {
        {EXP_BP, {"--model", "conv2d"},
         "model conv2d\ndata data/mnist\nepochs 2\neval_every 1\nbatch 128\nlayers 4\nunits 64\n"
         "readout_from 2\nlr 0.0001\nlr_head 0.0001\nseed 1\nthreads 1\n"
         "train_limit 2000\nval_limit 500\neval_all 0\n"},
        {EXP_FF_SUP, {"--eval-all", "--stages", "1", "--theta", "0.2", "--neutral", "0.3"},
         "model dense\ndata data/mnist\nepochs 2\neval_every 5\nbatch 128\nlayers 4\nunits 64\n"
         "readout_from 2\nlr 0.0001\nlr_head 0.0001\ntheta 0.2\nneutral 0.3\nseed 1\nthreads 1\n"
         "stages 1\ntrain_limit 2000\nval_limit 500\neval_all 1\n"},
        /* layer 1 only below the readout: one stage, recorded so */
        {EXP_FF_SUP, {"--layers", "2", "--readout-from", "1"},
         "model dense\ndata data/mnist\nepochs 2\neval_every 5\nbatch 128\nlayers 2\nunits 64\n"
         "readout_from 1\nlr 0.0001\nlr_head 0.0001\ntheta 0.1\nneutral 0.2\nseed 1\nthreads 1\n"
         "stages 1\ntrain_limit 2000\nval_limit 500\neval_all 0\n"},
        {EXP_PAPER_FF_UNSUP, {"--seed", "5"},
         "model dense\ndata data/mnist\nepochs 2\neval_every 5\nbatch 100\nlayers 4\nunits 64\n"
         "readout_from 2\nlr 0.01\nlr_head 0.1\nseed 5\nthreads 1\n"
         "precision fp32\ntrain_limit 2000\nval_limit 500\neval_all 1\n"},
        {EXP_PAPER_FF_REC, {"--precision", "bf16"},
         "model dense\ndata data/mnist\nepochs 2\neval_every 5\nbatch 100\nlayers 2\nunits 64\n"
         "readout_from 1\nlr 0.01\nlr_head 0.1\nseed 17\nthreads 1\n"
         "precision bf16\ntrain_limit 2000\nval_limit 500\neval_all 1\n"},
    };
    static const char *const slice[] = {"--data", "data/mnist", "--epochs", "2",
                                        "--train-limit", "2000", "--val-limit", "500",
                                        "--units", "64", "--threads", "1"};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        const char *args[MAX_ARGS] = {NULL};
        size_t n = 0;
        for (; n < sizeof slice / sizeof *slice; n++)
            args[n] = slice[n];
        for (size_t j = 0; c[i].args[j]; j++)
            args[n++] = c[i].args[j];
        char *argv[MAX_ARGS + 2], *text = NULL;
        size_t len = 0;
        exp_opts o;
        exp_parse(&o, c[i].kind, make_argv(argv, "test_flags", args), argv);
        FILE *f = open_memstream(&text, &len);
        if (!f)
            exit(2);
        exp_flags_config(f, &o);
        fclose(f);
        CHECK(!strcmp(text, c[i].config), "config %zu: config.txt's lines changed:\n%s", i, text);
        free(text);
    }
}

/* fn(arg) in a child: its exit status (-1: it returned), its stdout and
 * stderr together in out. */
static int in_child(void (*fn)(const void *), const void *arg, char *out, size_t len)
{
    int fd[2];
    fflush(NULL);
    if (pipe(fd) != 0)
        exit(2);
    pid_t pid = fork();
    if (pid < 0)
        exit(2);
    if (pid == 0) {
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        close(fd[0]);
        fn(arg);
        _exit(255);
    }
    close(fd[1]);
    size_t n = 0;
    for (ssize_t r; n + 1 < len && (r = read(fd[0], out + n, len - 1 - n)) > 0;)
        n += (size_t)r;
    out[n] = 0;
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) != 255 ? WEXITSTATUS(status) : -1;
}

typedef struct {
    exp_kind kind;
    const char *prog;
    const char *const *args;
} parse_call;

static void parse_call_run(const void *arg)
{
    const parse_call *c = arg;
    char *argv[MAX_ARGS + 2];
    exp_opts o;
    exp_parse(&o, c->kind, make_argv(argv, c->prog, c->args), argv);
}

/* exp_parse in a child (in_child) */
static int parse_in_child(exp_kind kind, const char *prog, const char *const *args, char *out,
                          size_t len)
{
    const parse_call c = {kind, prog, args};
    return in_child(parse_call_run, &c, out, len);
}

static void test_refusals(void)
{
    static const struct {
        exp_kind kind;
        const char *prog, *args[6];
        int status;
        const char *err;
    } r[] = {
        {EXP_BP, "bp_baseline", {"--bogus"}, 2,
         "bp_baseline: error: unknown or incomplete flag '--bogus' (see --help)\n"},
        {EXP_BP, "bp_baseline", {"--epochs"}, 2,
         "bp_baseline: error: unknown or incomplete flag '--epochs' (see --help)\n"},
        {EXP_BP, "bp_baseline", {"--epochs", "0"}, 1,
         "bp_baseline: error: --epochs: '0' is not an integer in [1, 100000]\n"},
        {EXP_BP, "bp_baseline", {"--model", "foo"}, 1,
         "bp_baseline: error: --model: 'foo' is not a model (use dense or conv2d)\n"},
        {EXP_BP, "bp_baseline", {"--norm", "x"}, 1,
         "bp_baseline: error: --norm: 'x' is not a normalisation (use l2 or rms)\n"},
        {EXP_BP, "bp_baseline", {"--stages", "2"}, 1,
         "bp_baseline: error: --stages does not apply to bp_baseline (see --help)\n"},
        {EXP_FF_SUP, "ff_supervised", {"--no-test"}, 1,
         "ff_supervised: error: --no-test does not apply to ff_supervised (see --help)\n"},
        {EXP_PAPER_FF_SUP, "paper_ff_supervised", {"--theta", "1"}, 1,
         "paper_ff_supervised: error: --theta does not apply to paper_ff_supervised (see "
         "--help)\n"},
        {EXP_PAPER_FF_SUP, "paper_ff_supervised", {"--blur", "3"}, 1,
         "paper_ff_supervised: error: --blur does not apply to paper_ff_supervised (see "
         "--help)\n"},
        {EXP_PAPER_FF_UNSUP, "paper_ff_unsupervised", {"--uniform-negatives"}, 1,
         "paper_ff_unsupervised: error: --uniform-negatives does not apply to "
         "paper_ff_unsupervised (see --help)\n"},
        {EXP_PAPER_BP, "paper_bp", {"--momentum", "0.5"}, 1,
         "paper_bp: error: --momentum does not apply to paper_bp (see --help)\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--lr", "nan"}, 1,
         "ff_unsupervised: error: --lr: 'nan' is not a number in [0, 10]\n"},
        {EXP_FF_SUP, "ff_supervised", {"--neutral", "2"}, 1,
         "ff_supervised: error: --neutral: '2' is not a number in [0, 1]\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--neutral", "0.2"}, 1,
         "ff_unsupervised: error: --neutral does not apply to ff_unsupervised (see --help)\n"},
        {EXP_BP, "bp_baseline", {"--theta", "0.2"}, 1,
         "bp_baseline: error: --theta does not apply to bp_baseline (see --help)\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--seed", "2147483648"}, 1,
         "ff_unsupervised: error: --seed: '2147483648' is not an integer in [0, 2147483647]\n"},
        /* an empty --out would become the default directory, an empty --data the root */
        {EXP_FF_SUP, "ff_supervised", {"--out", ""}, 1,
         "ff_supervised: error: --out: the path is empty (give a path, or drop --out for its "
         "default)\n"},
        {EXP_PAPER_FF_SUP, "paper_ff_supervised", {"--data", ""}, 1,
         "paper_ff_supervised: error: --data: the path is empty (give a path, or drop --data for "
         "its default)\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--inject-nan", "1"}, 1,
         "ff_unsupervised: error: --inject-nan: '1' is not EPOCH,BATCH\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--inject-stop", "1,-1"}, 1,
         "ff_unsupervised: error: --inject-stop: '-1' is not an integer in [0, 1073741824]\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--readout-from", "5", "--layers", "4"}, 1,
         "ff_unsupervised: error: --readout-from 5 exceeds --layers 4\n"},
        {EXP_FF_SUP, "ff_supervised", {"--readout-from", "1", "--stages", "2"}, 1,
         "ff_supervised: error: --stages 2 needs --layers 2 or more and --readout-from 2 or more "
         "(layer 1 alone on the first stage): give --stages 1\n"},
        {EXP_PAPER_BP, "paper_bp", {"--val-split", "0", "--no-test"}, 1,
         "paper_bp: error: --val-split 0 with --no-test evaluates nothing held out (drop one of "
         "them)\n"},
        {EXP_PAPER_FF_REC, "paper_ff_recurrent", {"--iterations", "4"}, 1,
         "paper_ff_recurrent: error: --readout-first 3, --readout-last 5, --iterations 4: the "
         "readout's iterations must satisfy first <= last <= iterations\n"},
        {EXP_PAPER_FF_REC, "paper_ff_recurrent", {"--model", "conv2d"}, 1,
         "paper_ff_recurrent: error: --model conv2d: the recurrent net's layers are dense (drop "
         "--model)\n"},
        {EXP_PAPER_FF_REC, "paper_ff_recurrent", {"--neutral", "0.2"}, 1,
         "paper_ff_recurrent: error: --neutral does not apply to paper_ff_recurrent (see "
         "--help)\n"},
        {EXP_PAPER_FF_REC, "paper_ff_recurrent", {"--uniform-negatives", "--goodness-negatives"},
         1,
         "paper_ff_recurrent: error: --uniform-negatives with --goodness-negatives: uniform "
         "labels read no readout (drop one of them)\n"},
        {EXP_PAPER_FF_SUP, "paper_ff_supervised", {"--goodness-negatives"}, 1,
         "paper_ff_supervised: error: --goodness-negatives does not apply to "
         "paper_ff_supervised (see --help)\n"},
        {EXP_FF_SUP, "ff_supervised", {"extra"}, 2,
         "ff_supervised: error: unexpected argument 'extra' (see --help)\n"},
        {EXP_FF_SUP, "ff_supervised", {"--eval-all=1"}, 2,
         "ff_supervised: error: unknown or incomplete flag '--eval-all=1' (see --help)\n"},
        {EXP_FF_SUP, "ff_supervised", {"--in", "1,1"}, 2, /* ambiguous */
         "ff_supervised: error: unknown or incomplete flag '--in' (see --help)\n"},
    };
    char out[4096];
    for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
        int status = parse_in_child(r[i].kind, r[i].prog, r[i].args, out, sizeof out);
        CHECK(status == r[i].status && !strcmp(out, r[i].err),
              "%s %s: exit %d (want %d), said: %s", r[i].prog, r[i].args[0], status, r[i].status,
              out);
    }
    /* the longest --out that fits, and one character more */
    static char path[4096 + 8];
    memset(path, 'x', 4051);
    path[4051] = 0;
    const char *args[] = {"--out", path, NULL};
    int status = parse_in_child(EXP_FF_SUP, "ff_supervised", args, out, sizeof out);
    CHECK(status == 1 && !strcmp(out, "ff_supervised: error: --out: the path has 4051 "
                                      "characters, at most 4050 fit (choose a shorter one)\n"),
          "--out of 4051 characters: exit %d, said: %s", status, out);
    path[4050] = 0;
    status = parse_in_child(EXP_FF_SUP, "ff_supervised", args, out, sizeof out);
    CHECK(status == -1 && !*out, "--out of 4050 characters: exit %d, said: %s", status, out);
    /* --data: config.txt records the whole path, so it has a limit too */
    args[0] = "--data";
    path[EXP_STRING_LONGEST + 1] = 0;
    status = parse_in_child(EXP_PAPER_FF_SUP, "paper_ff_supervised", args, out, sizeof out);
    char want[160];
    snprintf(want, sizeof want,
             "paper_ff_supervised: error: --data: the path has %d characters, at most %d fit "
             "(choose a shorter one)\n", EXP_STRING_LONGEST + 1, EXP_STRING_LONGEST);
    CHECK(status == 1 && !strcmp(out, want), "--data of %d characters: exit %d, said: %s",
          EXP_STRING_LONGEST + 1, status, out);
    path[EXP_STRING_LONGEST] = 0;
    status = parse_in_child(EXP_PAPER_FF_SUP, "paper_ff_supervised", args, out, sizeof out);
    CHECK(status == -1 && !*out, "--data of %d characters: exit %d, said: %s",
          EXP_STRING_LONGEST, status, out);
}

/* Whether the usage of kind has a line for --name. */
static int usage_lists(const char *usage, const char *name)
{
    char line[64];
    snprintf(line, sizeof line, "\n  --%s", name);
    for (const char *p = usage; (p = strstr(p, line)); p++)
        if (p[strlen(line)] == ' ' || p[strlen(line)] == '\n')
            return 1;
    return 0;
}

static void test_usage(void)
{
    char out[8192];
    static const char *const help[] = {"--help", NULL};
    for (int k = 0; k < EXP_N; k++) {
        int status = parse_in_child((exp_kind)k, "prog", help, out, sizeof out);
        CHECK(status == 0 && !strncmp(out, "usage: prog [flags]\n", 20), "%s --help: exit %d",
              exp_specs[k].name, status);
        CHECK(strstr(out, exp_specs[k].title) != NULL, "%s --help: its title",
              exp_specs[k].name);
        /* every flag of the identity, and only the flags that apply */
        char id[FF_CKPT_MAX_CONFIG + 1];
        const char *none[] = {NULL}, *args[MAX_ARGS];
        identity_of(id, sizeof id, (exp_kind)k, none);
        identity_args(id, args);
        for (int i = 0; args[i]; i++)
            CHECK(strncmp(args[i], "--", 2) || usage_lists(out, args[i] + 2),
                  "%s --help: no line for %s", exp_specs[k].name, args[i]);
        CHECK(usage_lists(out, "stages") == (k == EXP_FF_SUP || k == EXP_FF_UNSUP),
              "%s --help: --stages", exp_specs[k].name);
        CHECK(usage_lists(out, "theta") == (k == EXP_FF_SUP || k == EXP_FF_UNSUP),
              "%s --help: --theta", exp_specs[k].name);
        CHECK(usage_lists(out, "neutral") == (k == EXP_FF_SUP || k == EXP_PAPER_FF_SUP),
              "%s --help: --neutral", exp_specs[k].name);
        CHECK(usage_lists(out, "no-test") == EXP_PAPER(k), "%s --help: --no-test",
              exp_specs[k].name);
        CHECK(usage_lists(out, "uniform-negatives") ==
                  (k == EXP_PAPER_FF_SUP || k == EXP_PAPER_FF_REC),
              "%s --help: --uniform-negatives", exp_specs[k].name);
        CHECK(usage_lists(out, "goodness-negatives") == (k == EXP_PAPER_FF_REC),
              "%s --help: --goodness-negatives", exp_specs[k].name);
        CHECK(usage_lists(out, "distinct-classes") == (k == EXP_PAPER_FF_UNSUP),
              "%s --help: --distinct-classes", exp_specs[k].name);
        CHECK(usage_lists(out, "help") && usage_lists(out, "out") && usage_lists(out, "quiet"),
              "%s --help: the flags of every program", exp_specs[k].name);
    }
    parse_in_child(EXP_PAPER_FF_SUP, "p", help, out, sizeof out);
    CHECK(strstr(out, "(default 0.01)") && strstr(out, "(default 17)") &&
              strstr(out, "(default results/paper-ff-sup-MODEL-seedSEED)"),
          "paper-ff-sup --help shows its defaults:\n%s", out);
}

/* --local (paper_ff_unsupervised): the paper's local net replaces --model,
 * --layers and --units, which leave its identity and are refused with it;
 * its readout reads all three layers unless --readout-from; config.txt
 * says model local, 3 layers, no one width; the identity parses back. */
static void test_local(void)
{
    const char *local[] = {"--local", NULL};
    char *argv[MAX_ARGS + 2], *text = NULL;
    size_t len = 0;
    exp_opts o;
    exp_parse(&o, EXP_PAPER_FF_UNSUP, make_argv(argv, "test_flags", local), argv);
    CHECK(o.local && o.layers == 3 && o.head_from == 1 && !strcmp(o.model, "local") &&
              !strcmp(o.out, "results/paper-ff-unsup-local-seed17"),
          "--local: 3 layers, all read, model local, out %s", o.out);
    FILE *f = open_memstream(&text, &len);
    if (!f)
        exit(2);
    exp_flags_config(f, &o);
    fclose(f);
    CHECK(strstr(text, "model local\n") && strstr(text, "\nlayers 3\nunits -\nreadout_from 1\n"),
          "--local: config.txt's lines:\n%s", text);
    free(text);
    const char *from2[] = {"--readout-from", "2", "--local", NULL};
    exp_parse(&o, EXP_PAPER_FF_UNSUP, make_argv(argv, "test_flags", from2), argv);
    CHECK(o.head_from == 2, "--local after --readout-from 2 keeps it (%d)", o.head_from);

    static const struct {
        exp_kind kind;
        const char *prog, *args[4];
        const char *err;
    } r[] = {
        {EXP_PAPER_FF_UNSUP, "paper_ff_unsupervised", {"--layers", "3", "--local"},
         "paper_ff_unsupervised: error: --layers does not apply with --local, whose net is the "
         "paper's (see --help): drop --layers\n"},
        {EXP_PAPER_FF_UNSUP, "paper_ff_unsupervised", {"--local", "--units", "2000"},
         "paper_ff_unsupervised: error: --units does not apply with --local, whose net is the "
         "paper's (see --help): drop --units\n"},
        {EXP_PAPER_FF_UNSUP, "paper_ff_unsupervised", {"--local", "--model", "dense"},
         "paper_ff_unsupervised: error: --model does not apply with --local, whose net is the "
         "paper's (see --help): drop --model\n"},
        {EXP_PAPER_FF_UNSUP, "paper_ff_unsupervised", {"--local", "--readout-from", "4"},
         "paper_ff_unsupervised: error: --readout-from 4 exceeds the local net's 3 layers\n"},
        {EXP_PAPER_FF_SUP, "paper_ff_supervised", {"--local"},
         "paper_ff_supervised: error: --local does not apply to paper_ff_supervised (see "
         "--help)\n"},
        {EXP_FF_UNSUP, "ff_unsupervised", {"--local"},
         "ff_unsupervised: error: --local does not apply to ff_unsupervised (see --help)\n"},
    };
    char out[4096];
    for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
        int status = parse_in_child(r[i].kind, r[i].prog, r[i].args, out, sizeof out);
        CHECK(status == 1 && !strcmp(out, r[i].err), "%s %s %s: exit %d, said: %s", r[i].prog,
              r[i].args[0], r[i].args[1] ? r[i].args[1] : "", status, out);
    }
}

/* The recurrent readout's layers (exp_rec_config): --goodness-from L
 * reads hidden layers L.. (bits L-1 ..), counted from 1 as --readout-from;
 * without it, the library's default (0: those the head reads). */
static void test_goodness_from(void)
{
    static const struct {
        const char *args[5];
        unsigned mask;
    } c[] = {
        {{"--layers", "3", NULL}, 0},
        {{"--layers", "3", "--readout-from", "2"}, 0},
        {{"--layers", "3", "--goodness-from", "1"}, 7},
        {{"--layers", "3", "--goodness-from", "2"}, 6},
        {{"--layers", "3", "--goodness-from", "3"}, 4},
        {{"--layers", "2", "--goodness-from", "2"}, 2},
    };
    char *argv[MAX_ARGS + 2];
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        exp_opts o;
        exp_parse(&o, EXP_PAPER_FF_REC, make_argv(argv, "test_flags", c[i].args), argv);
        const ff_rec_config rc = exp_rec_config(&o);
        CHECK(rc.readout_layers == c[i].mask, "%s %s %s %s: readout layers %#x, want %#x",
              c[i].args[0], c[i].args[1], c[i].args[2] ? c[i].args[2] : "",
              c[i].args[3] ? c[i].args[3] : "", rc.readout_layers, c[i].mask);
    }
    char out[4096];
    const char *const over[] = {"--layers", "2", "--goodness-from", "3", NULL};
    const int status = parse_in_child(EXP_PAPER_FF_REC, "paper_ff_recurrent", over, out,
                                      sizeof out);
    CHECK(status == 1 && !strcmp(out, "paper_ff_recurrent: error: --goodness-from 3 exceeds "
                                      "--layers 2\n"),
          "--goodness-from 3 of 2 layers: exit %d, said: %s", status, out);
}

/* The iterations that learn (exp_rec_config, ff_rec_learning): by default
 * 1 .. --iterations, and then absent from the identity, so that runs made
 * before the flags keep theirs; --learn-last 0 is the last iteration. */
static void test_learning_iterations(void)
{
    static const struct {
        const char *args[5];
        int first, last;
    } c[] = {
        {{NULL}, 1, 8},
        {{"--iterations", "6", NULL}, 1, 6},
        {{"--learn-first", "3", "--learn-last", "5"}, 3, 5},
        {{"--learn-first", "2", "--learn-last", "0"}, 2, 8},
        {{"--iterations", "5", "--learn-first", "5"}, 5, 5},
    };
    char *argv[MAX_ARGS + 2];
    static char plain[FF_CKPT_MAX_CONFIG + 1], set[FF_CKPT_MAX_CONFIG + 1];
    const char *none[] = {NULL}, *given[] = {"--learn-first", "1", "--learn-last", "0", NULL},
               *other[] = {"--learn-first", "3", NULL};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        exp_opts o;
        exp_parse(&o, EXP_PAPER_FF_REC, make_argv(argv, "test_flags", c[i].args), argv);
        const ff_rec_config rc = exp_rec_config(&o);
        int first, last;
        ff_rec_learning(&rc, &first, &last);
        CHECK(first == c[i].first && last == c[i].last, "case %zu: learning iterations %d .. %d, "
              "want %d .. %d", i, first, last, c[i].first, c[i].last);
    }
    identity_of(plain, sizeof plain, EXP_PAPER_FF_REC, none);
    identity_of(set, sizeof set, EXP_PAPER_FF_REC, given);
    CHECK(!strstr(plain, "--learn") && !strcmp(set, plain),
          "the default learning iterations, given or not, are in the identity:\n%s", set);
    identity_of(set, sizeof set, EXP_PAPER_FF_REC, other);
    CHECK(strstr(set, "--learn-first 3\n") != NULL, "--learn-first 3 not in the identity:\n%s",
          set);
    static const struct {
        const char *args[7];
        const char *err;
    } bad[] = {
        {{"--learn-first", "4", "--learn-last", "3", NULL},
         "paper_ff_recurrent: error: --learn-first 4, --learn-last 3, --iterations 8: the "
         "learning iterations must satisfy first <= last <= iterations\n"},
        {{"--iterations", "5", "--learn-last", "6", NULL},
         "paper_ff_recurrent: error: --learn-first 1, --learn-last 6, --iterations 5: the "
         "learning iterations must satisfy first <= last <= iterations\n"},
        {{"--iterations", "5", "--learn-first", "6", NULL},
         "paper_ff_recurrent: error: --learn-first 6, --learn-last 5, --iterations 5: the "
         "learning iterations must satisfy first <= last <= iterations\n"},
    };
    char out[4096];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const int status = parse_in_child(EXP_PAPER_FF_REC, "paper_ff_recurrent", bad[i].args,
                                          out, sizeof out);
        CHECK(status == 1 && !strcmp(out, bad[i].err), "learning case %zu: exit %d, said: %s", i,
              status, out);
    }
}

/* A saved run's identity read back (saved.c, run.c): the lines of the
 * narrowed flags that no longer apply to its experiment leave; the rest
 * stay in order: of a flag that does not apply but was never narrowed
 * (--no-test, for BP) and of an unknown one, which exp_flags_foreign
 * finds. */
static void test_drop_inapplicable(void)
{
    char bp[] = "experiment bp\n--model dense\n--theta 0.1\n--neutral 0.2\n--no-test\n"
                "--seed 1\n--thetas 2\n--eval-all";
    exp_flags_drop_inapplicable(bp, EXP_BP);
    CHECK(!strcmp(bp, "experiment bp\n--model dense\n--no-test\n--seed 1\n--thetas 2\n--eval-all"),
          "bp: --theta and --neutral left out, the rest kept: '%s'", bp);
    const char sup0[] = "experiment ff-sup\n--theta 0.1\n--neutral 0.2\n--stages 1\n";
    char sup[sizeof sup0];
    memcpy(sup, sup0, sizeof sup0);
    exp_flags_drop_inapplicable(sup, EXP_FF_SUP);
    CHECK(!strcmp(sup, sup0), "ff-sup: every flag applies, none left out: '%s'", sup);
    /* what stays of another version's flags, found */
    char name[64];
    const char *f = exp_flags_foreign(bp, EXP_BP, name, sizeof name);
    CHECK(f && !strcmp(f, "--no-test"), "bp: --no-test found first, not '%s'", f ? f : "none");
    f = exp_flags_foreign(sup, EXP_FF_SUP, name, sizeof name);
    CHECK(!f, "ff-sup: every flag its own, yet '%s' found", f);
    f = exp_flags_foreign("experiment ff-sup\n--theta 0.1\n--thetas 2\n--eval-all\n",
                          EXP_FF_SUP, name, sizeof name);
    CHECK(f && !strcmp(f, "--thetas"), "ff-sup: --thetas found, not '%s'", f ? f : "none");
}

/* A checkpoint at path (a mkstemp template) of a small net: its sections
 * the net's, then the n_extra of extra; finished, a model */
static int write_ckpt(char *path, const char *config, int finished,
                      const ff_ckpt_section *extra, size_t n_extra)
{
    ff_net_spec spec = {.ih = 28, .iw = 28, .ic = 1, .n_layers = 2, .head_from = 1,
                        .n_classes = 5, .norm = FF_NORM_L2};
    spec.layer[0] = spec.layer[1] = (ff_layer_spec){FF_LAYER_DENSE, 4, 1, 1, 1};
    ff_net *net;
    CHECK_OK(ff_net_alloc(&net, &spec));
    const int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    int ok = net && fd >= 0 && n_extra <= 1;
    if (fd >= 0)
        close(fd);
    if (ok) {
        ff_ckpt_section s[3 + 1];
        size_t n = ff_ckpt_net_sections(net, FF_OPT_ADAM, s);
        for (size_t i = 0; i < n_extra; i++)
            s[n++] = extra[i];
        const int status = ff_ckpt_write(path, &spec, config, finished, s, n);
        CHECK_OK(status);
        ok = status == FF_SUCCESS;
    }
    ff_net_free(net);
    return ok;
}

/* A model file of a small net whose run's identity is config, at path
 * (a mkstemp template); 0 if it could not be written. */
static int write_model(char *path, const char *config)
{
    return write_ckpt(path, config, 1, NULL, 0);
}

/* A model of a BP run saved when its identity still named --theta and
 * --neutral: exp_saved_load reads it without them, its other flags as they
 * were; one of ff-sup keeps them (they apply). */
static void test_saved_narrowed(void)
{
    static const char *const config[] = {
        "experiment bp\n--model dense\n--epochs 3\n--theta 0.7\n--neutral 0.9\n--seed 2\n",
        "experiment ff-sup\n--model dense\n--theta 0.7\n--neutral 0.9\n--seed 2\n"};
    for (int k = 0; k < 2; k++) {
        char path[] = "/tmp/test_flags.XXXXXX";
        if (!write_model(path, config[k]))
            break;
        exp_saved sv;
        exp_saved_load(&sv, "test_flags", path);
        const char *theta = exp_saved_flag(&sv, "--theta"), *seed = exp_saved_flag(&sv, "--seed");
        if (k == 0)
            CHECK(sv.kind == EXP_BP && !theta && !exp_saved_flag(&sv, "--neutral") && seed &&
                      !strcmp(seed, "2") && !strcmp(exp_saved_flag(&sv, "--epochs"), "3"),
                  "an old BP model: read without --theta and --neutral, the rest as it was");
        else
            CHECK(sv.kind == EXP_FF_SUP && theta && !strcmp(theta, "0.7") &&
                      !strcmp(exp_saved_flag(&sv, "--neutral"), "0.9"),
                  "an ff-sup model: its --theta and --neutral kept");
        CHECK(!sv.foreign[0], "model %d: no foreign flag, yet '%s'", k, sv.foreign);
        exp_saved_free(&sv);
        remove(path);
    }
}

static void saved_start_run(const void *path)
{
    exp_saved sv;
    exp_ctx x;
    exp_saved_load(&sv, "test_flags", path);
    exp_saved_start(&sv, &x, 0, NULL, 1);
}

/* A model whose run has a flag this build does not give its experiment (a
 * model of another version): read (ff_evaluate --position needs no more),
 * then refused when its run is rebuilt, before the data are read, naming
 * the model and the flag, not as if the user had typed it. */
static void test_saved_foreign(void)
{
    char path[] = "/tmp/test_flags.XXXXXX";
    if (!write_model(path, "experiment ff-sup\n--model dense\n--thetas 2\n--seed 2\n"))
        return;
    exp_saved sv;
    exp_saved_load(&sv, "test_flags", path);
    CHECK(!strcmp(sv.foreign, "--thetas"), "the foreign flag read: '%s'", sv.foreign);
    exp_saved_free(&sv);
    char out[512], want[512];
    const int status = in_child(saved_start_run, path, out, sizeof out);
    snprintf(want, sizeof want,
             "test_flags: error: %s: its run has --thetas, a flag this build does not give ff-sup "
             "(a model of another version of the programs: read it with that one)\n", path);
    CHECK(status == 1 && !strcmp(out, want), "a model of another version: exit %d, said: %s",
          status, out);
    remove(path);
}

/* GSL's out-of-memory report, as gsl_rng_alloc makes it, after exp_setup
 * of ff_supervised's defaults (arg non-NULL), or with GSL's own handler */
static void gsl_enomem_run(const void *arg)
{
    exp_set_program("test_flags");
    if (arg) {
        char *argv[] = {"test_flags", NULL};
        exp_opts o;
        exp_parse(&o, EXP_FF_SUP, 1, argv);
        gsl_rng_free(exp_setup(&o));
    } else /* its abort() leaves no core file */
        setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
    gsl_error("failed to allocate space for rng struct", "rng.c", 46, GSL_ENOMEM);
}

static void test_gsl_errors(void)
{
    static const char want[] =
        "test_flags: error: out of memory (GSL: failed to allocate space for rng struct)\n";
    char out[1024];
    int status = in_child(gsl_enomem_run, "", out, sizeof out);
    /* its last line (a warning of exp_setup's on OpenBLAS's kernels may come first) */
    const size_t n = strlen(out), m = sizeof want - 1;
    CHECK(status == 1 && n >= m && !strcmp(out + n - m, want) && (n == m || out[n - m - 1] == '\n'),
          "GSL out of memory: exit %d, said: %s", status, out);
    /* the negative control: GSL's default handler aborts (no exit status) */
    status = in_child(gsl_enomem_run, NULL, out, sizeof out);
    CHECK(status == -1, "GSL's own handler: exit %d, not an abort", status);
}

/* exp_saved_epoch of the saved run at path */
static void saved_epoch_run(const void *path)
{
    exp_saved sv;
    exp_saved_load(&sv, "test_flags", path);
    exp_saved_epoch(&sv);
}

/* exp_ckpt_position reads a checkpoint's RUN section back (12 doubles,
 * run.c's layout: the epoch, the batch, ..., the best figures' epochs at 5
 * and 8) of a run of 4 epochs, and refuses one whose field read as an int
 * or a size_t is no count that fits (NaN, infinite, negative, fractional
 * or too large), or whose epoch is beyond the run's; exp_saved_epoch
 * (ff_head's and ff_evaluate's) refuses such a checkpoint. */
static void test_ckpt_position(void)
{
    static const struct {
        int field; /* -1: none changed; -2: epoch 4, after the last (read) */
        double value;
    } rows[] = {{-1, 0},   {0, NAN},    {0, 1e300}, {0, -1},       {0, 2.5},
                {1, -1},   {1, 1e20},   {1, 0.5},   {5, INFINITY}, {8, -3},
                {0, 5},    {-2, 0}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        double run[12] = {3, 7, 0.5, 100, 99, 2, 98, 97, 1, 96, 0, 0};
        if (rows[i].field >= 0)
            run[rows[i].field] = rows[i].value;
        else if (rows[i].field == -2)
            run[0] = 4;
        const ff_ckpt_section sec = {{'R', 'U', 'N', ' '}, run, sizeof run};
        char path[] = "/tmp/test_flags.XXXXXX";
        ff_ckpt *c = NULL;
        if (!write_ckpt(path, "experiment ff-sup\n--epochs 4\n--seed 1\n", 0, &sec, 1) ||
            ff_ckpt_load(&c, path) != FF_SUCCESS) {
            CHECK(0, "row %zu: the checkpoint written and read", i);
            remove(path);
            continue;
        }
        int epoch = -1;
        size_t batch = 0;
        const int got = exp_ckpt_position(c, 4, &epoch, &batch);
        if (rows[i].field < 0)
            CHECK(got == 1 && epoch == (int)run[0] && batch == 7,
                  "the position read: %d, epoch %d, batch %zu", got, epoch, batch);
        else
            CHECK(got == 0, "field %d = %g refused: got %d", rows[i].field, rows[i].value, got);
        ff_ckpt_free(c);
        if (rows[i].field == 0 && isnan(rows[i].value)) { /* ff_head, ff_evaluate: refused */
            char out[512], want[512];
            const int status = in_child(saved_epoch_run, path, out, sizeof out);
            snprintf(want, sizeof want, "test_flags: error: %s holds no position this build can "
                     "read: its run's program refuses it too (--restart discards it)\n", path);
            CHECK(status == 1 && !strcmp(out, want), "exp_saved_epoch: exit %d, said: %s", status,
                  out);
        }
        remove(path);
    }
}

int main(void)
{
    test_identities();
    test_identity_when_set();
    test_identity_data();
    test_config();
    test_refusals();
    test_usage();
    test_local();
    test_goodness_from();
    test_learning_iterations();
    test_drop_inapplicable();
    test_saved_narrowed();
    test_saved_foreign();
    test_gsl_errors();
    test_ckpt_position();
    CHECK(exp_kind_of("paper-ff-unsup") == EXP_PAPER_FF_UNSUP &&
              exp_kind_of("ff-sup") == EXP_FF_SUP && exp_kind_of("nothing") == -1,
          "exp_kind_of");
    return check_done();
}
