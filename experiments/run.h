/* run.h - one run of an experiment: its checkpoints, its resumption after
 * a kill, the guards that stop it when it goes wrong, and when its result
 * files are written (record.h writes them).
 *
 * Files (one directory per run, --out):
 *   curve.tsv       one line per evaluation, set and part
 *   config.txt      every flag that applies, data checksums, compiler, CBLAS,
 *                   commit
 *   model.ffm       the trained net and the state that made it (checkpoint.h)
 *   summary.tsv     best and final validation accuracy ('-' without a
 *                   validation set), and whether the run learned at all:
 *                   written last, its presence means the run is complete
 *   checkpoint.ffm  while the run is not complete: the net, the optimiser's
 *                   and the trainer's state, the generator's state, the
 *                   position (epoch, batch), the curve so far, what the
 *                   products ran on (config.txt's gemm line).  Written every
 *                   --checkpoint-every epochs and when SIGINT or SIGTERM
 *                   arrives (the program then exits 128 + the signal)
 *                   before exp_run_finish; after the last epoch its
 *                   position is (epochs, 0) before the test pass, (epochs,
 *                   1) after it.  A signal during exp_run_finish ends the
 *                   program by the signal's default action once the
 *                   results are in place; a second SIGINT while one is
 *                   pending does so at once (a second SIGTERM is ignored:
 *                   Slurm and make may both send one).
 * Every file is written under a temporary name and renamed when complete;
 * the four final files are renamed together, once all are written.
 *
 * Running the same command again resumes from the checkpoint: the result
 * files are bit for bit those of a run never interrupted (same --threads),
 * but for the seconds columns.  A checkpoint or model of another
 * configuration (exp_identity) in the directory is an error, and so is a
 * checkpoint written with products on another backend or other kernels
 * (they sum in another order); --restart discards it.
 *
 * The training loop of a main, around these calls:
 *
 *   exp_run_begin(&run, &x, opt);                  files, signals, identity
 *   exp_run_state(&run, "PEER", peer, bytes);      the trainer's own state
 *   exp_run_describe(&run, "negatives ...\n");     what config.txt says of it
 *   for (int epoch = exp_run_resume(&run); epoch < E; epoch++) {
 *       const float *xb;
 *       const int *yb;
 *       while (exp_run_next(&run, epoch, data, B, &xb, &yb)) {   the next B images
 *           <one step>;
 *           exp_run_loss(&run, epoch, loss, n_loss);    stops on a NaN
 *       }
 *       <evaluate, exp_run_record>;
 *       exp_run_epoch_end(&run, epoch, mean loss);      progress, checkpoint
 *   }
 *   exp_run_test(...); exp_run_finish(&run, bytes);  each stops first if signalled
 *
 * A program whose batches run in a pipeline (pipeline.h) cannot stop in the
 * middle of an epoch: it submits its batches itself (calling exp_run_inject
 * before each, for the tests), reports the epoch's losses with
 * exp_run_synced, and is checkpointed at epoch ends only. */
#ifndef FF_EXPERIMENTS_RUN_H
#define FF_EXPERIMENTS_RUN_H

#include <stddef.h>

#include "common.h"
#include "ff/checkpoint.h"
#include "ff/optim.h"

#define EXP_MAX_STATE 4

typedef struct exp_run {
    const exp_opts *o;
    exp_ctx *x;
    ff_opt_kind opt;            /* the net's optimiser, whose state is saved */
    struct {                    /* the trainer's own (exp_run_state): written */
        char tag[4];            /* from and restored into its memory */
        void *data;
        size_t len;
        size_t params;          /* its first `params` floats are parameters, */
        const char *what;       /* checked finite by the guard, named `what` */
    } state[EXP_MAX_STATE];
    size_t n_state;
    char *identity;             /* exp_identity */
    char protocol[1024];        /* exp_run_describe's lines, for config.txt */
    ff_outfile curve;
    double t0;                  /* the clock at the run's start (earlier if resumed) */
    /* what summary.tsv reports */
    double soft_best, soft_final, good_best, good_final;
    int soft_best_epoch, good_best_epoch;
    double test_soft, test_good; /* paper: accuracy on the test set, at the end */
    /* where the run stands: the next batch is `batch` of epoch `epoch` */
    int epoch;
    size_t batch;
    double epoch_loss;          /* the epoch's training loss so far */
    /* --reshuffle: the epoch's order of the training rows (order_epoch's;
     * -1: none drawn yet), its generator, and the batch gathered in it */
    size_t *order;
    int order_epoch;
    gsl_rng *order_rng;
    float *order_x;
    int *order_y;
    /* where it resumed from a checkpoint (resumed 1): an --inject-stop
     * there is past, not asked again */
    int resumed, from_epoch;
    size_t from_batch;
} exp_run;

/* Check that --out fits, create it, remove what killed runs left there
 * (temporary files of processes that no longer exist), discard the
 * checkpoint with --restart, install the SIGINT and SIGTERM handlers and
 * open the curve.  opt: the net's optimiser, FF_OPT_ADAM or FF_OPT_SGD;
 * its state is saved with the parameters (ff_ckpt_net_sections). */
void exp_run_begin(exp_run *run, exp_ctx *x, ff_opt_kind opt);
/* Make `bytes` at `data` part of every checkpoint and of the model, under
 * a 4-letter tag (before exp_run_resume). */
void exp_run_state(exp_run *run, const char tag[4], void *data, size_t bytes);
/* The paper trainer's state beside the net's: peer normalisation's
 * running means (ff_paper_peer_means) as "PEER". */
void exp_run_paper_state(exp_run *run, ff_paper *p);
/* The recurrent net's: PEER (ff_rec_peer_means), and its top-down weights
 * with their optimiser state (ff_rec_section), the weights under the guard
 * of the net's parameters. */
void exp_run_rec_state(exp_run *run, ff_rec *rec, ff_rec_trainer *t);
/* config.txt's lines of what the program alone does, as it does it: how
 * it draws its negatives, shifts its images, iterates its net ("key value"
 * lines, printf's format).  Written after the lines its protocol shares
 * (exp_specs' traits), in the order given; exits if they exceed
 * run->protocol. */
void exp_run_describe(exp_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Resume from the checkpoint in --out, if any (every part restored, its
 * identity and products checked), and return the epoch to start at: 0 for
 * a fresh run, --epochs for one stopped after its last epoch. */
int exp_run_resume(exp_run *run);
/* The position a checkpoint of a run of `epochs` epochs holds (the next
 * batch is *batch of *epoch, both from 0; epoch `epochs`: after the last
 * one): 1, or 0 if c holds none (a finished model) or it is damaged (a
 * field that should be a count is not one that fits, or the epoch is
 * beyond `epochs`). */
int exp_ckpt_position(const ff_ckpt *c, int epochs, int *epoch, size_t *batch);

/* The batch iterator of one epoch over data: points *xb and *yb at the
 * images and labels of the next batch of B and returns 1, or returns 0
 * when the epoch is done (the last data->n mod B images unused).  The
 * batches take the data's rows in order, the same every epoch (the
 * reference code's); with --reshuffle, in the epoch's own order, the
 * rows copied into the run's buffers (valid until the next call).  That
 * order is a permutation of the rows drawn afresh each epoch, gsl_ran_shuffle
 * of the last one, by a generator of its own (mt19937 seeded with
 * EXP_ORDER_SEED(--seed); the run's generator is not drawn from), so that
 * a resumed run draws the same orders again.  Before each batch it stops
 * the run if a signal arrived (checkpoint, exit 128 + signal) and applies
 * --inject-nan. */
int exp_run_next(exp_run *run, int epoch, const ff_dataset *data, size_t B, const float **xb,
                 const int **yb);
#define EXP_ORDER_SEED(seed) ((seed) + 1000003UL)
/* After a batch: stop the run (error, exit 1, no checkpoint written) if a
 * loss is not finite, naming the epoch, the batch and the layer; then add
 * loss[0] to the epoch's loss.  loss: each FF layer's loss then the head's
 * (n_loss = layers + 1), or one loss for the whole net (n_loss = 1, BP:
 * the layer named is the first whose parameters are not finite). */
void exp_run_loss(exp_run *run, int epoch, const double *loss, size_t n_loss);
/* exp_check of a library call in the run, where `when` says where the run
 * stands ("epoch 5, its evaluation"): an output that is not finite
 * (FF_ENONFINITE) from parameters that are not finite stops the run
 * naming the first of them, as exp_run_epoch_end does. */
void exp_run_check(exp_run *run, int status, const char *what, const char *when);
/* exp_run_check of an evaluation after epoch (from 0): "the evaluation",
 * "epoch N, its evaluation". */
void exp_run_check_evaluation(exp_run *run, int status, int epoch);
/* Pipelined programs: --inject-nan and --inject-stop before batch `batch`
 * of the epoch (exp_run_test_due and exp_run_finish apply them too, at
 * epoch --epochs, batch 0 and 1), and
 * the guard of exp_run_loss over the epoch's batches, after the sync. */
void exp_run_inject(exp_run *run, int epoch, size_t batch);
void exp_run_synced(exp_run *run, int epoch, const ff_pipeline *p, const double *loss);
/* After an epoch and its evaluation: stop if a parameter (the net's, or
 * of a state section holding some) is not finite; the progress line (with
 * a warning when validation is at chance); a checkpoint every
 * --checkpoint-every epochs; stop if a signal arrived. */
void exp_run_epoch_end(exp_run *run, int epoch, double train_loss);

/* If an evaluation is due after this epoch (exp_eval_due): every
 * evaluation of exp_evaluations, each recorded. */
void exp_run_evaluate(exp_run *run, ff_eval_workspace *ews, int epoch, const int *neg_label,
                      const int *val_neg_label);
/* The paper's programs: evaluate the test set once, after the last epoch
 * (nothing with --no-test; summary.tsv then shows '-'). */
void exp_run_test(exp_run *run, ff_eval_workspace *ews);
/* Before the test pass (exp_run_test, or a program's own): stop if a
 * signal arrived (checkpoint, exit 128 + signal); 1 if the pass is to be
 * made now, 0 with --no-test or when the run resumed after it. */
int exp_run_test_due(exp_run *run);
/* Append one curve line; for the validation positives (without a
 * validation set, the training subset's) it also tracks the best and final
 * accuracies. */
void exp_run_record(exp_run *run, int epoch, const exp_eval_item *e, const ff_eval_result *r);
/* Stop if a signal arrived; write the model, config and summary, rename
 * all into place together, remove the checkpoint; then SIGINT and SIGTERM
 * take their default action again (at once, if one arrived meanwhile).
 * An exit before the rename (exp_die) removes every temporary file. */
void exp_run_finish(exp_run *run, size_t ws_bytes);

#endif
