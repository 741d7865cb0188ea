/* record.h - the files a run leaves in its directory (run.h lists them),
 * written here; run.c decides when.
 *
 *   curve.tsv    its header and lines (exp_curve_header, exp_curve_line;
 *                run.c's exp_run_record adds the seconds and the newline)
 *   config.txt   everything the run depended on (exp_write_config): the
 *                flags (flags.c), the protocol, the program's own lines
 *                (exp_run_describe), the data's checksums and the build
 *                (exp_write_provenance)
 *   summary.tsv  the header and the run's row (exp_write_summary)
 *
 * Each is written under a temporary name and renamed only when all are
 * written (exp_outfiles_close, exp_outfiles_rename), summary.tsv last.  The
 * programs that read a saved model and write results of their own
 * (ff_head, ff_evaluate --out) write the same three files in the same way
 * (exp_write_results). */
#ifndef FF_EXPERIMENTS_RECORD_H
#define FF_EXPERIMENTS_RECORD_H

#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "ff/results.h"

struct exp_run; /* run.h */

/* Create the directory path and its parents; exits with a one-line error
 * if path is empty, or one cannot be created or exists and is not a
 * directory. */
void exp_mkdirs(const char *path);

/* curve.tsv's header and a curve line, both but the seconds and without
 * the newline: what ff_evaluate prints, the same figures. */
void exp_curve_header(FILE *f, int n_layers);
void exp_curve_line(FILE *f, int epoch, const exp_eval_item *e, const ff_eval_result *r,
                    int n_layers);
/* A figure of a curve line, " %.6g", or " -" when there is none (not ok,
 * or not finite). */
void exp_put_figure(FILE *f, double v, int ok);

/* config.txt of a run that has ended, ws_bytes its workspace and seconds
 * its time. */
void exp_write_config(FILE *f, const struct exp_run *run, size_t ws_bytes, double seconds);
/* config.txt's provenance lines: "sha256_FILE", the checksum of each of
 * d's four IDX files as read, then "compiler", "cblas", "gemm" (the
 * product backend and what it runs on), "cpu", and "commit": the commit
 * the sources were at when the programs were built, "-dirty" when a
 * tracked file other than a result (results/, report/) differed from it,
 * "unknown" without git (experiments/source-commit.cmake). */
void exp_write_provenance(FILE *f, const exp_data *d);
/* What the products run on, config.txt's "gemm" line: the backend's name
 * and the library under it with its kernels (ff_gemm_describe), into buf
 * (EXP_PRODUCTS_MAX bytes are enough); returns buf.  Other kernels sum in
 * another order: a checkpoint records it too (run.h). */
#define EXP_PRODUCTS_MAX 1200
char *exp_products(char *buf, size_t len);

/* summary.tsv of a run that has ended: the header, then its row. */
void exp_write_summary(FILE *f, const struct exp_run *run, double seconds);
/* summary.tsv's header line (the paper's columns too if paper); the
 * programs that write one (the runs, ff_head) share its columns. */
void exp_summary_header(FILE *f, int paper);
/* The paper's columns of a summary.tsv row, after seconds: layers, units
 * (exp_units_text), test_softmax and test_goodness ('-' where NAN). */
void exp_summary_paper_columns(FILE *f, const exp_opts *o, double test_softmax,
                               double test_goodness);
/* Whether an accuracy (percent) over k classes is no better than guessing:
 * below 1.5 times chance (100 / k). */
int exp_at_chance(double acc, size_t k);
/* The better of the run's final validation accuracies (softmax head,
 * goodness), which decides whether it learned (exp_at_chance). */
double exp_final_acc(const struct exp_run *run);

/* Close every file of set (written under its temporary name); if one
 * fails, abort them all (none is left) and return 0. */
int exp_outfiles_close(ff_outfile *const *set, size_t n);
/* Rename every file of set into place, in order (summary.tsv last: its
 * presence marks the results complete); on a failure, removes the
 * temporary files not yet renamed and exits naming out. */
void exp_outfiles_rename(ff_outfile *const *set, size_t n, const char *out);
/* The programs that read a saved model and write results of their own
 * (ff_head, ff_evaluate --out).  exp_check_out: exit with a one-line error
 * if out is empty, or the directory out holds a run (model.ffm or
 * checkpoint.ffm) or a config.txt of another experiment than `experiment`,
 * which the results would replace.  exp_write_results: out's curve.tsv (curve_len bytes of
 * curve), config.txt and summary.tsv (written by config and summary, given
 * ctx and the seconds), each under a temporary name, then renamed together,
 * summary.tsv last: a failure leaves none of them. */
void exp_check_out(const char *out, const char *experiment);
void exp_write_results(const char *out, const char *curve, size_t curve_len,
                       void (*config)(FILE *, const void *, double),
                       void (*summary)(FILE *, const void *, double), const void *ctx,
                       double seconds);

#endif
