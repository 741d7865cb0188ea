/* common.h - what the experiment programs share: their start (the flags,
 * flags.h; the machine; the data, data.h; the net), the trainers' settings,
 * the evaluations after an epoch, and the run's identity; the one-line
 * errors are die.h's.  The training loops themselves stay in each
 * program's main, in plain sight; a run's checkpoints and guards are
 * run.h's, which a main includes (it includes this header), and its
 * result files record.h's. */
#ifndef FF_EXPERIMENTS_COMMON_H
#define FF_EXPERIMENTS_COMMON_H

#include <stddef.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "ff/dataset.h"
#include "ff/eval.h"
#include "ff/negatives.h"
#include "ff/net.h"
#include "ff/paper.h"
#include "ff/pipeline.h"
#include "ff/recurrent.h"
#include "ff/results.h"
#include "ff/train.h"
#include "data.h"
#include "die.h"
#include "flags.h"

typedef struct exp_ctx exp_ctx;

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
/* The recurrent net's (paper_ff_recurrent): its iterations, damping and
 * readout; and its top-down half of x->net, with --label-scale and
 * --top-down-init, drawn from
 * the run's generator after the net (ff_rec_init_randn; exits on
 * failure). */
ff_rec_config exp_rec_config(const exp_opts *o);
/* The readout those flags choose, as config.txt records it (one line, no
 * newline): the iterations averaged and the first layer read, 1-based. */
const char *exp_rec_readout_text(char buf[static 96], const exp_opts *o);
ff_rec *exp_rec_build(exp_ctx *x);

/* Each image's negative label for the batch of labels y: by default the
 * reference code's hard negatives, a wrong class drawn in proportion to its
 * probability under the logits given (ff_neg_labels_hard: the softmax
 * head's, or another readout's scores, as paper_ff_recurrent's
 * --goodness-negatives gives); with
 * --uniform-negatives any wrong class alike, the logits unread
 * (ff_neg_labels_wrong).  exp_negatives_text names the choice as
 * config.txt records it ("uniform" or "hard"). */
void exp_neg_labels(const exp_ctx *x, int *neg, const float *logits, const int *y, size_t n);
const char *exp_negatives_text(const exp_opts *o);

/* The seed's supervised FF's validation negatives: a label drawn uniformly
 * (ff_neg_labels_uniform) for each image of x->d.val_neg, the run's first
 * draws after exp_start.  ff_supervised draws them there, once for the
 * run, and ff_evaluate again on its model to evaluate them as the run
 * did: one function, so the two draw alike.  Owned by the caller; exits
 * when out of memory. */
int *exp_val_neg_labels(exp_ctx *x);

/* Denormals, threads, and the run's generator (exits on failure). */
gsl_rng *exp_setup(const exp_opts *o);
/* The net the flags describe (dense or conv2d; with --local the paper's
 * local net), initialised as the protocol does (seed: Glorot; paper: randn). */
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

/* The run's configuration, as text: one "experiment NAME" line, then every
 * flag that shapes its results ("--flag value", or "--flag" alone), in a
 * fixed order (exp_flags_identity), then the data's SHA-256 ("sha256 FILE
 * HEX"; none if d is NULL).  Two runs may continue each other only if these
 * are equal; exp_parse reads the flags back.  Returns the text's length
 * (less than len; exits if it does not fit). */
size_t exp_identity(char *buf, size_t len, const exp_opts *o, const exp_data *d);

#endif
