/* common.h - what the three experiment programs share: flags, data,
 * the net's shape, and the result files.  The training loops themselves
 * stay in each program's main, in plain sight.
 *
 * Result files (one directory per run, --out):
 *   curve.tsv    one line per evaluation, set and part
 *   summary.tsv  best and final validation accuracy (written last: its
 *                presence means the run is complete)
 *   config.txt   every flag, data checksums, compiler, CBLAS, commit
 * Each is written under a temporary name and renamed when complete. */
#ifndef FF_EXPERIMENTS_COMMON_H
#define FF_EXPERIMENTS_COMMON_H

#include <stddef.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "ff/dataset.h"
#include "ff/eval.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/pipeline.h"
#include "ff/results.h"
#include "ff/train.h"

typedef struct exp_ctx exp_ctx;

/* The seed's three experiments, then the paper's. */
typedef enum {
    EXP_BP, EXP_FF_SUP, EXP_FF_UNSUP,
    EXP_PAPER_BP, EXP_PAPER_FF_SUP, EXP_PAPER_FF_UNSUP
} exp_kind;
#define EXP_PAPER(kind) ((kind) >= EXP_PAPER_BP)
#define EXP_PAPER_FF(kind) ((kind) >= EXP_PAPER_FF_SUP)

typedef struct {
    exp_kind kind;
    const char *name;   /* "bp", "ff-sup", "ff-unsup" */
    const char *data;   /* directory of the four IDX files */
    char out[4096];     /* run directory */
    const char *model;  /* "dense" or "conv2d" */
    int epochs, eval_every, batch, layers, units, head_from, threads, stages;
    unsigned long seed;
    double lr, lr_head, theta;
    float neutral;
    long train_limit, val_limit; /* per part (positive, negative); 0: all */
    int eval_all;                /* evaluate every image, not whole batches only */
    int norm_rms;                /* normalise between layers by RMS, not L2 norm */
    int quiet;
    /* the paper's protocol only */
    double momentum, weight_cost, weight_cost_head, peer;
    int hard_negatives, blur_passes;
    int distinct_classes; /* hybrids of two different classes only */
    long val_split; /* the last val_split training images validate */
    int no_test;    /* leave the test set out: a search on validation */
    /* the run's survival (run.h); none of these changes a result */
    int checkpoint_every; /* epochs between checkpoints; 0: only on a signal */
    int restart;          /* discard a checkpoint in out and start afresh */
    /* testing: before batch [1] of epoch [0] (-1: never), a weight turns NaN,
     * or the program sends itself SIGTERM */
    long inject_nan[2], inject_stop[2];
} exp_opts;

/* Seed protocol ("Data"): positive digits 0..4, negative 5..9, validation
 * on the test images.  Paper protocol: all digits in train_pos (the first
 * 50,000 training images), val_pos (the last 10,000) and test (t10k). */
typedef struct {
    ff_dataset *train_pos, *train_neg, *val_pos, *val_neg, *test;
    char sha256[4][65];
} exp_data;

/* What every experiment starts from: its flags, generator, data and net. */
struct exp_ctx {
    exp_opts o;
    gsl_rng *rng;
    exp_data d;
    ff_net *net;
};

/* Parse the flags, set the machine up, seed the generator, load and split
 * the data, build and initialise the net; exits with a one-line error on
 * any failure.  exp_stop frees it all. */
void exp_start(exp_ctx *x, exp_kind kind, int argc, char **argv);
void exp_stop(exp_ctx *x);

/* The paper protocol's settings as the flags give them. */
ff_paper_config exp_paper_config(const exp_opts *o);

/* Parse flags into o (defaults set by kind); prints usage and exits on
 * --help (0) or a bad flag (2). */
void exp_parse(exp_opts *o, exp_kind kind, int argc, char **argv);
/* Denormals, threads, and the run's generator (exits on failure). */
gsl_rng *exp_setup(const exp_opts *o);
/* Load and split the data; exits with a one-line error on failure. */
void exp_load(const exp_opts *o, exp_data *d);
void exp_data_free(exp_data *d);
/* The net the flags describe (dense or conv2d), Glorot-initialised. */
ff_net *exp_build_net(const exp_opts *o, gsl_rng *r);
ff_train_config exp_train_config(const exp_opts *o);
/* The FF trainer: --stages 2 puts layer 1 and the layers above it on two
 * threads (pipeline.h; the same bits as one thread), 1 keeps one thread. */
ff_pipeline *exp_ff_trainer(const exp_opts *o, ff_net *net, const ff_train_config *c);

/* Number of examples an evaluation uses: whole batches only unless
 * --eval-all (the seed dropped the last incomplete batch). */
size_t exp_eval_count(const exp_opts *o, size_t n);
/* One evaluation: a set, a part of it, its images and labels, and how. */
typedef struct {
    const char *set, *part; /* curve.tsv's columns: train/val/test, pos/neg/all */
    const float *x;
    const int *y;
    size_t n;
    ff_eval_config c;
    int ff_losses;          /* the FF losses mean something (not for BP) */
} exp_eval_item;
#define EXP_MAX_EVALS 4

/* The evaluations a program makes after an epoch, in the order its curve
 * records them: the training set (the seed's parts; the paper's fixed
 * subset), then the validation set; with `test`, the test set alone (the
 * paper's programs, at the end).  Supervised seed FF evaluates its
 * negative parts on negative labels: neg_label, this epoch's for the
 * training images (NULL leaves that evaluation out), val_neg_label, drawn
 * once at the start.  Returns how many (at most EXP_MAX_EVALS). */
size_t exp_evaluations(const exp_ctx *x, const int *neg_label, const int *val_neg_label,
                       int test, exp_eval_item *e);

/* The paper's programs also evaluate a fixed subset of the training
 * images, the first EXP_TRAIN_SUBSET (or all, if fewer), so that the curve
 * shows training error beside validation error. */
#define EXP_TRAIN_SUBSET 10000
size_t exp_train_subset(const ff_dataset *train);
/* Images per pass of the evaluation workspace (the products' shapes, and
 * so their bits, depend on it). */
size_t exp_eval_cap(const exp_opts *o);
/* Whether to evaluate after epoch e (0-based): every eval_every, and last. */
int exp_eval_due(const exp_opts *o, int epoch);

/* The paper's programs: stop if a training step (ff_paper_batch,
 * ff_paper_unsup_batch, on batches of B) returned other than FF_SUCCESS. */
void exp_paper_step(int status, size_t B);

/* The run's configuration, as text: one "experiment NAME" line, then every
 * flag that shapes its results ("--flag value", or "--flag" alone), in a
 * fixed order, then the data's SHA-256 ("sha256 FILE HEX").  Two runs may
 * continue each other only if these are equal; exp_parse reads the flags
 * back.  Returns the text's length (FF_CKPT_MAX_CONFIG at most). */
size_t exp_identity(char *buf, size_t len, const exp_opts *o, const exp_data *d);
/* The kind whose name ("ff-sup", "paper-bp", ...) is given; -1 if none. */
int exp_kind_of(const char *name);
/* The data's four IDX files, by index (train images, train labels, test
 * images, test labels). */
extern const char *const exp_idx_files[4];

/* Print "<prog>: error: <msg>" and exit(1). */
void exp_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#include "run.h"

#endif
