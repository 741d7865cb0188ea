/* ff_evaluate.c - evaluate a saved model (model.ffm, or a checkpoint).
 *
 *   ff_evaluate MODEL [--data DIR] [--threads N] [--no-test] [--quiet]
 *               [--readout-first N] [--readout-last N] [--goodness-from L]
 *               [--out DIR]
 *   ff_evaluate --position MODEL
 *
 * The model file holds the configuration of the run that trained it
 * (exp_identity): the experiment, every flag that shaped it.  The program
 * rebuilds that run's data split and net from those flags, on the data in
 * --data (default data/mnist), puts the saved parameters in (saved.h), and
 * makes the evaluations the run made after an epoch, with every readout its
 * kind has (and the paper programs' test set, unless the run left it out;
 * the recurrent net's readout with its top-down weights, which the model
 * holds too): it prints them as curve.tsv lines without the seconds column,
 * labelled with the epoch the parameters stand at (exp_saved_epoch): the
 * last for model.ffm, for a checkpoint the epoch it was written after (or
 * in).  They are the same figures, bit for bit, that the run recorded
 * after that epoch (if it evaluated then; the test set only after its
 * last) with the same --threads (the default: the run's); a checkpoint
 * written in the middle of an epoch has no such figures (a note on stderr
 * says so).  Supervised seed FF scored its training negatives on labels
 * drawn afresh each epoch, which the model does not hold: that one line is
 * left out.
 *
 * A recurrent model's goodness readout can be read otherwise than its run
 * read it: over other iterations (--readout-first, --readout-last) or
 * other layers (--goodness-from), as paper_ff_recurrent's flags of those
 * names say; the goodness columns are then that readout's, the rest are
 * the run's.  A study of the readout on validation, with no training.
 *
 * With --out DIR the lines go instead to DIR/curve.tsv, beside a
 * config.txt (experiment "evaluate": the model; the run's flags as its
 * program records them, exp_flags_config, with those given here; the
 * readout, the data, the provenance) and a summary.tsv in its run's
 * columns (record.h), the evaluated epoch's validation figures as both best
 * and final (without a validation set, '-'), so that the search on
 * validation (Makefile, paper-settings.tsv: program ff_evaluate) reads it
 * as a run of its own.
 * The three are written together at the end (exp_write_results).
 *
 * --position reads no data and evaluates nothing: it prints where the run
 * stands and the last validation figures its curve recorded, one line
 * (print_position), so that a long run's progress can be read from its
 * checkpoint (scripts/run-status.sh, make status). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ff/error.h"
#include "ff/system.h"
#include "record.h"
#include "run.h"
#include "saved.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: ff_evaluate MODEL [--data DIR] [--threads N] [--no-test] [--quiet]\n"
               "                   [--readout-first N] [--readout-last N] [--goodness-from L]\n"
               "                   [--out DIR]\n"
               "       ff_evaluate --position MODEL\n"
               "Evaluates a model written by an experiment program (OUT/model.ffm, or\n"
               "OUT/checkpoint.ffm) as that run evaluated it after its last epoch (a\n"
               "checkpoint: after the epoch it holds), and prints curve.tsv lines (without the\n"
               "seconds).\n"
               "  --data DIR    directory of the four IDX files (default data/mnist)\n"
               "  --threads N   threads of the products (default: the run's, for the same bits)\n"
               "  --no-test     leave the test set out (the paper's programs' models)\n"
               "  --quiet       no note on stderr about the data\n"
               "  --out DIR     write DIR/curve.tsv, config.txt and summary.tsv instead\n"
               "  --position    evaluate nothing: print the epochs the run has done and its last\n"
               "                validation figures, one line\n"
               "A recurrent model (paper_ff_recurrent) only, its goodness readout read otherwise\n"
               "than the run read it (the goodness columns are then this readout's):\n"
               "  --readout-first N, --readout-last N   iterations averaged (0: bottom-up pass)\n"
               "  --goodness-from L                     hidden layers summed, from L on\n");
}

/* The flags passed on to the run's program, each with its value: the last
 * given of each overrides the run's (exp_saved_start), and its program's
 * table checks it.  From passed[FIRST_READOUT] on, the recurrent readout's. */
static const char *const passed[] = {"--data", "--threads", "--readout-first", "--readout-last",
                                     "--goodness-from"};
enum { N_PASSED = sizeof passed / sizeof *passed, FIRST_READOUT = 2 };

/* a's index in passed, or -1 */
static int passed_index(const char *a)
{
    for (int i = 0; i < N_PASSED; i++)
        if (!strcmp(a, passed[i]))
            return i;
    return -1;
}

/* What --out's files report: the evaluations' text and figures. */
typedef struct {
    const exp_saved *s;
    const exp_ctx *x;
    const ff_rec_config *rc; /* the readout read, for a recurrent model; else NULL */
    int epoch, evaluated_test;
    double soft, good, test_soft, test_good; /* %, of the set watched; NAN: none */
    double t0;
} evaluation;

static void write_config(FILE *f, const void *ev, double seconds)
{
    const evaluation *v = ev;
    const exp_opts *o = &v->x->o;
    const exp_data *d = &v->x->d;
    char readout[96];
    fprintf(f, "# key value: everything this evaluation depended on\n");
    fprintf(f, "experiment evaluate\nsource_model %s\nsource_model_sha256 %s\nsource_finished %d\n"
               "source_experiment %s\nepoch %d\n",
            v->s->path, v->s->sha256, v->s->ckpt->finished, v->s->experiment, v->epoch);
    exp_flags_config(f, o); /* the run's flags, with those given here (--data, --threads, ...) */
    if (v->rc)
        fprintf(f, "%s\n", exp_rec_readout_text(readout, o));
    fprintf(f, "train %zu\nval %zu\ntest %zu\ntest_evaluated %d\n", d->train_pos->n,
            d->val_pos ? d->val_pos->n : 0, d->test->n, v->evaluated_test);
    exp_write_provenance(f, d);
    fprintf(f, "seconds %.2f\n", seconds);
}

static void write_summary(FILE *f, const void *ev, double seconds)
{
    const evaluation *v = ev;
    const exp_opts *o = &v->x->o;
    const int paper = EXP_PAPER(o->kind);
    exp_summary_header(f, paper);
    fprintf(f, "evaluate %s %lu %d", o->model, o->seed, o->epochs);
    for (int k = 0; k < 2; k++) {
        const double acc = k ? v->good : v->soft;
        if (v->x->d.val_pos && isfinite(acc))
            fprintf(f, " %.2f %d %.2f", acc, v->epoch, acc);
        else
            fprintf(f, " - - -");
    }
    fprintf(f, " %.2f", seconds);
    if (paper)
        exp_summary_paper_columns(f, o, v->test_soft, v->test_good);
    /* as a run says it (run.c): by the better readout */
    const double acc = isfinite(v->good) && v->good > v->soft ? v->good : v->soft;
    fprintf(f, " %s\n", exp_at_chance(acc, v->x->net->n_classes) ? "chance" : "learned");
}

/* The index of column name among the n header names h; -1 if none. */
static int column(char *const *h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(h[i], name))
            return i;
    return -1;
}

/* "; last validation (after epoch E): softmax S %[, goodness G %]" from the curve
 * a checkpoint holds (its CURV section, curve.tsv's text so far): its last
 * line of the validation set (its positive part, in the seed's curves),
 * the columns found by the header's names, the epoch counted from one as
 * in the position; "" if it holds no such line. */
static const char *last_validation(const exp_saved *s, char *buf, size_t len)
{
    enum { MAXCOL = 64 };
    size_t n;
    const char *curve = ff_ckpt_find(s->ckpt, "CURV", &n);
    char *text = curve ? malloc(n + 1) : NULL, *h[MAXCOL], *f[MAXCOL], *save, *lsave;
    buf[0] = 0;
    if (!text)
        return buf;
    memcpy(text, curve, n);
    text[n] = 0;
    int nh = 0, e = -1, set = -1, part = -1, soft = -1, good = -1;
    for (char *line = strtok_r(text, "\n", &lsave); line; line = strtok_r(NULL, "\n", &lsave)) {
        int nf = 0;
        for (char *w = strtok_r(line, " ", &save); w && nf < MAXCOL; w = strtok_r(NULL, " ", &save))
            f[nf++] = w;
        if (nf && !strcmp(f[0], "#") && !nh) { /* the header: "# epoch set part ..." */
            nh = nf - 1;
            memcpy(h, f + 1, (size_t)nh * sizeof *h);
            e = column(h, nh, "epoch"), set = column(h, nh, "set"), part = column(h, nh, "part");
            soft = column(h, nh, "softmax_acc"), good = column(h, nh, "goodness_acc");
            continue;
        }
        if (e < 0 || set < 0 || part < 0 || soft < 0 || good < 0 || nf != nh ||
            strcmp(f[set], "val") || !strcmp(f[part], "neg"))
            continue;
        snprintf(buf, len, "; last validation (after epoch %d): softmax %s %%%s%s%s", atoi(f[e]) + 1,
                 f[soft], strcmp(f[good], "-") ? ", goodness " : "",
                 strcmp(f[good], "-") ? f[good] : "", strcmp(f[good], "-") ? " %" : "");
    }
    free(text);
    return buf;
}

/* Where the saved run stands, one line: "checkpoint: E of N epochs"
 * (", and B batches of the next" when written in the middle of one;
 * ", the test set evaluated" after the paper programs' test pass), then
 * its last validation figures (last_validation), or "finished: N of N
 * epochs" for a model.  Exits 1 with a one-line error on a checkpoint
 * whose position this build cannot read, or when the line cannot be
 * written. */
static void print_position(const exp_saved *s)
{
    const int epochs = exp_saved_epochs(s);
    int epoch;
    size_t batch;
    char val[160];
    if (s->ckpt->finished) {
        printf("finished: %d of %d epochs\n", epochs, epochs);
    } else {
        exp_saved_position(s, &epoch, &batch);
        if (epoch < epochs && batch)
            printf("checkpoint: %d of %d epochs, and %zu batch%s of the next%s\n", epoch, epochs,
                   batch, batch == 1 ? "" : "es", last_validation(s, val, sizeof val));
        else
            printf("checkpoint: %d of %d epochs%s%s\n", epoch, epochs,
                   epoch >= epochs && batch ? ", the test set evaluated" : "",
                   last_validation(s, val, sizeof val));
    }
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        exp_die("cannot write the position to standard output%s%s", errno ? ": " : "",
                errno ? strerror(errno) : "");
}

int main(int argc, char **argv)
{
    const char *model = NULL, *out = NULL;
    char *flags[2 * 16];
    int quiet = 0, n = 0, position = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (!strcmp(argv[i], "--position")) {
            position = 1;
        } else if (n + 2 > (int)(sizeof flags / sizeof *flags)) {
            fprintf(stderr, "ff_evaluate: error: too many flags, from '%s' (see --help)\n",
                    argv[i]);
            return 2;
        } else if (!strcmp(argv[i], "--no-test")) {
            flags[n++] = argv[i];
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (passed_index(argv[i]) >= 0 && i + 1 < argc) {
            flags[n++] = argv[i];
            flags[n++] = argv[++i];
        } else if (argv[i][0] != '-' && !model) {
            model = argv[i];
        } else {
            fprintf(stderr, "ff_evaluate: error: unexpected argument '%s' (see --help)\n",
                    argv[i]);
            return 2;
        }
    }
    if (!model) {
        usage(stderr);
        return 2;
    }
    if (position && (n || out)) {
        fprintf(stderr, "ff_evaluate: error: --position evaluates nothing: drop %s\n",
                out ? "--out" : flags[0]);
        return 2;
    }
    if (out) { /* before the data are read */
        exp_set_program("ff_evaluate");
        exp_check_out(out, "evaluate");
    }
    exp_saved s;
    exp_saved_load(&s, "ff_evaluate", model);
    if (position) {
        exp_set_program("ff_evaluate");
        print_position(&s);
        exp_saved_free(&s);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const int readout = passed_index(flags[i]) >= FIRST_READOUT;
        if ((readout && !EXP_RECURRENT(s.kind)) ||
            (!strcmp(flags[i], "--no-test") && !EXP_PAPER(s.kind))) {
            fprintf(stderr, "ff_evaluate: error: %s applies to %s model only (%s is a %s "
                            "model): drop it\n", flags[i],
                    readout ? "a recurrent" : "a paper program's", model, s.experiment);
            exp_saved_free(&s);
            return 2;
        }
    }
    evaluation v = {.s = &s, .t0 = ff_system_seconds()};
    exp_ctx x;
    exp_saved_start(&s, &x, n, flags, quiet);
    v.x = &x;
    if (out)
        exp_mkdirs(out);
    /* the seed's supervised FF's validation negatives, drawn as its run drew them */
    int *val_neg_label = s.kind == EXP_FF_SUP ? exp_val_neg_labels(&x) : NULL;

    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    if (!ews)
        exp_die("out of memory");
    ff_rec *rec = NULL; /* paper_ff_recurrent: the top-down half, saved beside the net */
    ff_rec_eval_workspace *rws = NULL;
    const ff_rec_config rc = exp_rec_config(&x.o);
    if (EXP_RECURRENT(s.kind)) {
        rec = exp_rec_build(&x);
        const int status = ff_rec_restore(s.ckpt, rec);
        if (status != FF_SUCCESS)
            exp_die("%s: %s", s.path, ff_strerror(status));
        rws = ff_rec_eval_workspace_alloc(rec, exp_eval_cap(&x.o));
        if (!rws)
            exp_die("out of memory");
    }
    exp_eval_item e[2 * EXP_MAX_EVALS];
    size_t m = exp_evaluations(&x, NULL, val_neg_label, 0, e);
    if (EXP_PAPER(x.o.kind) && !x.o.no_test)
        m += exp_evaluations(&x, NULL, NULL, 1, e + m);
    v.epoch = exp_saved_epoch(&s);
    v.rc = rec ? &rc : NULL;
    v.soft = v.good = v.test_soft = v.test_good = NAN;
    char *text = NULL;
    size_t len = 0;
    FILE *lines = out ? open_memstream(&text, &len) : stdout;
    if (!lines)
        exp_die("out of memory");
    exp_curve_header(lines, x.o.layers);
    fputc('\n', lines);
    for (size_t i = 0; i < m; i++) {
        ff_eval_result r;
        exp_check(rec ? ff_rec_eval(rec, rws, e[i].x, e[i].y, e[i].n, &rc, &r)
                      : ff_eval(x.net, ews, e[i].x, e[i].y, e[i].n, &e[i].c, &r),
                  "the evaluation");
        exp_curve_line(lines, v.epoch, &e[i], &r, x.o.layers);
        fputc('\n', lines);
        /* the set watched as a run watches it (exp_run_record) */
        const int test = !strcmp(e[i].set, "test");
        const int watched = !strcmp(e[i].set, x.d.val_pos ? "val" : "train") &&
                            strcmp(e[i].part, "neg");
        if (test || watched) {
            *(test ? &v.test_soft : &v.soft) = 100.0 * r.softmax_acc;
            *(test ? &v.test_good : &v.good) = e[i].c.goodness ? 100.0 * r.goodness_acc : NAN;
            v.evaluated_test |= test;
        }
    }
    if (out) {
        if (fclose(lines) != 0)
            exp_die("out of memory");
        exp_write_results(out, text, len, write_config, write_summary, &v,
                          ff_system_seconds() - v.t0);
        free(text);
    }
    ff_rec_eval_workspace_free(rws);
    ff_rec_free(rec);
    ff_eval_workspace_free(ews);
    free(val_neg_label);
    exp_stop(&x);
    exp_saved_free(&s);
    errno = 0;
    if (!out && (fflush(stdout) != 0 || ferror(stdout)))
        exp_die("cannot write the evaluation to standard output%s%s", errno ? ": " : "",
                errno ? strerror(errno) : "");
    return 0;
}
