/* flags.h - the experiments' flags, from one table.
 *
 * Every flag of every experiment program is one row of the table `flags`
 * in flags.c: its name; the type of its value (exp_flag_type) and the range
 * or the choices it accepts; the exp_opts field that holds it (offsetof,
 * type-checked at compile time); its help text; the experiments it applies
 * to (any other refuses it: "--X does not apply to PROGRAM"); its default
 * in each experiment, one column per exp_kind; and whether it belongs to
 * the run's identity (exp_flags_identity) and to config.txt's first block
 * (exp_flags_config).  The parser (getopt_long), --help, the refusals and
 * the range errors, the identity and those config.txt lines all read that
 * table; no other code of the experiment programs lists the flags.  (The
 * readers of a saved model, ff_evaluate and ff_head, parse their own few
 * flags and pass those of the run's program on to this table; ff_evaluate's
 * config.txt records the run's flags through it, ff_head's names the
 * head's own settings apart from the run's, whose names they share.)
 *
 * Each experiment's spec is its column: exp_specs (flags.c) gives its name
 * and the title --help prints, and each row its default there.  A flag
 * that does not apply to an experiment still sets its field to that
 * column's value (config.txt records only those that apply).
 *
 * Adding a flag:
 *   1. a field in exp_opts (below);
 *   2. one row in `flags` (flags.c), at the place its help line and its
 *      identity line should take (the identity's order is the table's, and
 *      a new identity line changes the identity of every run it applies to:
 *      its checkpoints and models then belong to another configuration);
 *   3. the code that uses the value.
 * Narrowing the experiments a flag applies to changes their identities:
 * their saved runs then read and resume only if the flag never changed
 * what those experiments did, and it joins the list `narrowed` (flags.c,
 * exp_flags_drop_inapplicable).
 * Adding an experiment:
 *   1. its kind in exp_kind, before EXP_N;
 *   2. its name, title and traits in exp_specs (flags.c);
 *   3. its column in every row: EACH() then takes one argument more, and
 *      the compiler names every row that lacks it; the masks (ALL_EXP,
 *      PAPER_FF, ...) say which flags apply to it;
 *   4. its main (one .c in this directory, listed in CMakeLists.txt):
 *      the training loop, and the config.txt lines of what it alone does
 *      (exp_run_describe).  The traits of step 2 choose the shared code's
 *      protocol: the data's split (data.c), the net's initialisation and
 *      the evaluations (common.c), config.txt's common lines (record.c). */
#ifndef FF_EXPERIMENTS_FLAGS_H
#define FF_EXPERIMENTS_FLAGS_H

#include <stddef.h>
#include <stdio.h>

/* The longest name a run writes in its directory (run.c), with its
 * temporary suffix: the --out path must leave room for it (exp_parse
 * checks). */
#define EXP_RUN_LONGEST_NAME "/checkpoint.ffm.tmp.4294967295.tmp.4294967295"

/* The longest value of a string flag (--data): with a file's name after
 * it, a path fits the 4096-byte buffers it is built in (data.c), and
 * config.txt records it whole (exp_parse checks). */
#define EXP_STRING_LONGEST 2048

/* The seed's three experiments, then the paper's. */
typedef enum {
    EXP_BP, EXP_FF_SUP, EXP_FF_UNSUP,
    EXP_PAPER_BP, EXP_PAPER_FF_SUP, EXP_PAPER_FF_UNSUP, EXP_PAPER_FF_REC,
    EXP_N
} exp_kind;

/* An experiment: the name its results and its identity carry ("bp",
 * "ff-sup", "paper-ff-unsup", ...), what its --help says it does, and
 * the traits the shared code reads: the protocol (paper: all ten
 * digits, the 50,000 / 10,000 / 10,000 split, the reference code's
 * initialisation and normalisation; else the seed's), whether it trains
 * by FF, and whether the label is overlaid on the image (supervised FF:
 * the goodness readout tries every label, the softmax head reads a pass
 * under the neutral label), and whether its net is recurrent (a top-down
 * half saved beside the dense layers, ff/recurrent.h: the goodness
 * readout over iterations predicts, with the label at the top).  What else
 * a protocol does, its main says, and records in config.txt
 * (exp_run_describe, run.h). */
typedef struct {
    const char *name;
    const char *title;
    int paper, ff, overlay, recurrent;
} exp_spec;
extern const exp_spec exp_specs[EXP_N];
#define EXP_PAPER(kind) (exp_specs[kind].paper)
#define EXP_FF(kind) (exp_specs[kind].ff)
#define EXP_PAPER_FF(kind) (exp_specs[kind].paper && exp_specs[kind].ff)
#define EXP_OVERLAY(kind) (exp_specs[kind].overlay)
#define EXP_RECURRENT(kind) (exp_specs[kind].recurrent)

/* The values of the flags (exp_parse); each field is one row of the table. */
typedef struct {
    exp_kind kind;
    const char *name;   /* exp_specs[kind].name */
    const char *data;   /* directory of the four IDX files */
    char out[4096];     /* run directory */
    const char *model;  /* "dense" or "conv2d"; "local" with local */
    int local;          /* paper_ff_unsupervised: the paper's local net (ff/paper.h) */
    int epochs, eval_every, batch, layers, units, head_from, threads, stages;
    const char *precision; /* of the products' inputs: "fp32" or "bf16" (ff/gemm.h) */
    unsigned long seed;
    double lr, lr_head, theta;
    const char *norm;   /* between layers: "l2" or "rms" */
    float neutral;
    long train_limit, val_limit; /* per part (positive, negative); 0: all */
    int eval_all;                /* evaluate every image, not whole batches only */
    int quiet;
    /* the paper's protocol only */
    long val_split; /* the last val_split training images validate */
    int no_test;    /* leave the test set out: a search on validation */
    int reshuffle;  /* the batches in a fresh order every epoch, not the data's own */
    double momentum, weight_cost, weight_cost_head, peer;
    float peer_decay;      /* of peer normalisation's running means, at each update */
    int uniform_negatives; /* negative labels uniform, not from the head's softmax */
    int goodness_negatives; /* recurrent: hard negatives from the goodness readout, not the head */
    int blur_passes;
    int distinct_classes;  /* hybrids of two different classes only */
    int jitter;            /* training images shifted by up to this many pixels */
    /* the recurrent net (ff/recurrent.h) */
    int iterations;        /* damped synchronous iterations after the bottom-up pass */
    float damping;         /* the previous state's share of the new one */
    int damp_input;        /* damp the pre-activation, not the state */
    float label_scale;     /* the label layer: the RMS-normalised one-hot times this */
    float top_down_init;   /* the top-down weights start this many times the reference scale */
    int readout_first, readout_last; /* the goodness readout's iterations */
    int goodness_from;     /* and its layers, from this one (1 the first) on; 0: head_from's */
    int learn_first, learn_last; /* the iterations that train (last 0: iterations) */
    /* the run's survival (run.h); none of these changes a result */
    int checkpoint_every; /* epochs between checkpoints; 0: only on a signal */
    int restart;          /* discard a checkpoint in out and start afresh */
    /* testing: before batch [1] of epoch [0] (-1: never), a weight turns NaN,
     * or the program sends itself SIGTERM */
    long inject_nan[2], inject_stop[2];
} exp_opts;

/* What a row's value is: the field's C type, and what the flag accepts. */
typedef enum {
    EXP_FLAG_INT,    /* int: an integer in [lo, hi] */
    EXP_FLAG_LONG,   /* long: an integer in [lo, hi] */
    EXP_FLAG_ULONG,  /* unsigned long: an integer in [lo, hi] */
    EXP_FLAG_DOUBLE, /* double: a number in [lo, hi] */
    EXP_FLAG_FLOAT,  /* float: a number in [lo, hi], rounded to float */
    EXP_FLAG_STRING, /* const char *: the argument itself */
    EXP_FLAG_CHOICE, /* const char *: one of the row's choices */
    EXP_FLAG_BOOL,   /* int: no argument, the flag sets 1 */
    EXP_FLAG_PAIR,   /* long[2]: "E,B", E in [lo, hi], B in [0, 2^30] */
    EXP_FLAG_DIR,    /* char[]: the run directory, at most hi characters; default
                        results/NAME-MODEL-seedSEED */
    EXP_FLAG_HELP    /* no argument, no field: print the usage and exit 0 */
} exp_flag_type;

/* Set o to kind's defaults, then parse the flags into it, checking each
 * value (its range or its choices) and that the flag applies to kind;
 * prints the usage and exits on --help (0), exits with a one-line error on
 * a bad flag (2: unknown, or its argument missing; 1: a bad value).  Also
 * names the program for exp_die (argv[0]'s last component). */
void exp_parse(exp_opts *o, exp_kind kind, int argc, char **argv);

/* The flags of the run's identity, as text: one "experiment NAME" line,
 * then, in the table's order, every identity flag that applies ("--flag
 * value"; a boolean "--flag" alone, when set), doubles with 17 digits so
 * that exp_parse reads them back exactly.  Returns the text's length
 * (>= len if it did not fit). */
size_t exp_flags_identity(char *buf, size_t len, const exp_opts *o);
/* config.txt's first block: "key value" lines (the flag's name with '_'
 * for '-'), in the table's order, for every config flag that applies to
 * the run's experiment (a run depends on no other: only the seed's FF has
 * a --theta, only the supervised FF programs a neutral pass); doubles
 * with %g, booleans 0 or 1. */
void exp_flags_config(FILE *f, const exp_opts *o);
/* The run's width as config.txt and summary.tsv write it: '-' for a net of
 * locally connected layers, which has no one width.  Returns buf or a
 * literal. */
const char *exp_units_text(char buf[static 16], const exp_opts *o);

/* Remove from an identity (exp_flags_identity's text, in place) the line
 * of each narrowed flag (flags.c's list: --theta, --neutral) that does not
 * apply to kind: what a saved run's identity (a model's, a checkpoint's)
 * holds of a flag the table has since ceased to apply to its experiment,
 * because it never changed what that experiment did (--theta once applied
 * to every experiment but the paper's FF, --neutral to every one but the
 * recurrent net), so that the run reads and resumes as it is.  Every
 * other line stays: of a flag that applies, or that does not apply and
 * was never narrowed, or that the table does not name, for
 * exp_flags_foreign to find. */
void exp_flags_drop_inapplicable(char *identity, exp_kind kind);

/* The first "--NAME" line of an identity whose flag the table does not
 * name or does not give kind, as "--NAME" in buf (len bytes); NULL, and
 * buf "", if there is none.  A saved run holds such a line only if another
 * version of the programs wrote it: the parser would refuse the line as
 * if the user had typed it. */
const char *exp_flags_foreign(const char *identity, exp_kind kind, char *buf, size_t len);

/* The kind whose name ("ff-sup", "paper-bp", ...) is given; -1 if none. */
int exp_kind_of(const char *name);

#endif
