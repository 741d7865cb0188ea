/* saved.h - the run a saved model came from, rebuilt: what ff_evaluate and
 * ff_head start from.
 *
 * A model file (OUT/model.ffm, or a run's OUT/checkpoint.ffm) holds the
 * configuration of the run that wrote it (exp_identity): one "experiment
 * NAME" line and every flag that shaped the run.  exp_saved_load reads the
 * file and those flags; exp_saved_start rebuilds the run from them as its
 * program did (exp_start: the generator, the data split and the net, on the
 * data in --data) and puts the saved parameters into the net.
 *
 *   exp_saved s;
 *   exp_saved_load(&s, "ff_head", path);          exits on a bad file
 *   <check s.kind>
 *   exp_saved_start(&s, &x, n, flags, quiet);     flags: "--data", DIR, ...
 *   ...
 *   exp_stop(&x); exp_saved_free(&s);
 */
#ifndef FF_EXPERIMENTS_SAVED_H
#define FF_EXPERIMENTS_SAVED_H

#include <stddef.h>

#include "common.h"
#include "ff/checkpoint.h"

#define EXP_SAVED_MAX_ARGS 128

typedef struct {
    const char *path;       /* the model file */
    ff_ckpt *ckpt;          /* its contents, verified */
    char sha256[65];        /* the SHA-256 of the bytes read */
    exp_kind kind;          /* the run's experiment, */
    const char *experiment; /* by name ("paper-ff-sup") */
    int argc, run_argc;     /* argv[0] the program that reads the model, then the */
    char *argv[EXP_SAVED_MAX_ARGS]; /* run's flags (up to run_argc), then the reader's */
    char *flags;            /* the configuration text the argv strings point into */
    char foreign[64];       /* "--NAME": a flag of the run this build does not give its
                               experiment (exp_flags_foreign), or "" */
} exp_saved;

/* Read the model at path, its SHA-256 and the flags of the run that wrote
 * it (but those that have since ceased to apply to its experiment, which
 * never changed it: exp_flags_drop_inapplicable).  prog names the program
 * in error messages and becomes argv[0].
 * Exits 1 with a one-line error ("prog: error: path: reason") if the file
 * cannot be read, is no model, or names no experiment this build knows. */
void exp_saved_load(exp_saved *s, const char *prog, const char *path);

/* The value the run gave a flag that takes one ("--epochs": "100"); NULL
 * if its configuration has no such flag. */
const char *exp_saved_flag(const exp_saved *s, const char *flag);

/* exp_start with the run's flags followed by the n flags given (a flag
 * given twice takes its last value, so these override the run's: "--data",
 * DIR, "--threads", N, ...), then --quiet; then the saved parameters into
 * x->net (exits on a mismatch).  x->rng is left as the run's was after
 * building its net.  Unless quiet, a note on stderr when the data's
 * checksums differ from the run's.  Exits 1 with a one-line error, before
 * reading the data, if the run has a flag this build does not give its
 * experiment (s->foreign). */
void exp_saved_start(exp_saved *s, exp_ctx *x, int n, char *const *flags, int quiet);
/* The run's --epochs (INT_MAX if its configuration had none: every
 * identity has it). */
int exp_saved_epochs(const exp_saved *s);
/* A checkpoint's position (s->ckpt not finished; exp_ckpt_position): exits
 * 1 with a one-line error if it holds none this build can read. */
void exp_saved_position(const exp_saved *s, int *epoch, size_t *batch);
/* The epoch (from 0) the parameters stand at, as curve.tsv labels the
 * evaluations after it: the run's last (its --epochs - 1) for a model; for
 * a checkpoint (exp_saved_position) the last epoch whose batches it has all
 * seen (-1: none), or the one it was written in the middle of: then a note
 * on stderr says so (its figures are in none of the run's curve lines). */
int exp_saved_epoch(const exp_saved *s);
void exp_saved_free(exp_saved *s);

#endif
