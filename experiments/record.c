/* record.c - the files a run leaves: curve.tsv's lines, config.txt,
 * summary.tsv, and their writing together; see record.h. */
#define _POSIX_C_SOURCE 200809L
#include "record.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ff/error.h"
#include "ff/gemm.h"
#include "ff/system.h"
#include "run.h"
#include "source_commit.h"

/* ---- the output directory ---- */

void exp_mkdirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        exp_die("%s: the path is too long (choose a shorter one)", path);
    if (!*buf)
        exp_die("--out: the path is empty (give a directory)");
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/')
            continue;
        const char c = *p;
        *p = 0;
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            exp_die("cannot create directory %s: %s (check --out)", buf, strerror(errno));
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            exp_die("--out: %s exists and is not a directory (choose another --out)", buf);
        if (!(*p = c))
            break;
    }
}

void exp_check_out(const char *out, const char *experiment)
{
    char path[4096 + 32], line[256], want[128];
    if (!*out) /* "" would name the root's files below, and then the default directory */
        exp_die("--out: the path is empty (give a directory)");
    if (strlen(out) > 4096)
        exp_die("--out: %.40s... is too long a path (choose a shorter --out)", out);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", out, i ? "checkpoint.ffm" : "model.ffm");
        if (access(path, F_OK) == 0)
            exp_die("--out: %s holds a run (%s); choose another --out", out, path);
    }
    snprintf(path, sizeof path, "%s/config.txt", out);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    snprintf(want, sizeof want, "experiment %s\n", experiment);
    int ours = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "experiment ", 11)) {
            ours = !strcmp(line, want);
            break;
        }
    fclose(f);
    if (!ours)
        exp_die("--out: %s holds the results of another experiment (%s); choose another --out",
                out, path);
}

/* ---- curve.tsv ---- */

void exp_curve_header(FILE *f, int n_layers)
{
    fprintf(f, "# epoch set part n");
    for (int l = 1; l <= n_layers; l++)
        fprintf(f, " loss_%d", l);
    fprintf(f, " head_loss softmax_acc goodness_acc");
}

void exp_put_figure(FILE *f, double v, int ok)
{
    if (ok && isfinite(v))
        fprintf(f, " %.6g", v);
    else
        fprintf(f, " -");
}

void exp_curve_line(FILE *f, int epoch, const exp_eval_item *e, const ff_eval_result *r,
                    int n_layers)
{
    fprintf(f, "%d %s %s %zu", epoch, e->set, e->part, r->n);
    for (int l = 0; l < n_layers; l++)
        exp_put_figure(f, r->loss[l], e->ff_losses);
    exp_put_figure(f, r->head_loss, 1);
    exp_put_figure(f, 100.0 * r->softmax_acc, 1);
    exp_put_figure(f, 100.0 * r->goodness_acc, e->c.goodness);
}

/* ---- config.txt ---- */

/* config.txt's normalisation between layers */
static const char *norm_text(const exp_opts *o)
{
    return strcmp(o->norm, "rms") ? "l2 eps=1e-7" : "rms tiny=exp(-100)";
}

/* config.txt's lines of a net of locally connected layers: a summary for
 * the report ("net"), then each layer's shape and parameters. */
static void write_local_net(FILE *f, const ff_net *net)
{
    fprintf(f, "net locally connected, no weight sharing:");
    for (size_t l = 0; l < net->n_layers; l++)
        fprintf(f, " %zux%zux%zu", net->layer[l].oh, net->layer[l].ow, net->layer[l].oc);
    fputc('\n', f);
    for (size_t l = 0; l < net->n_layers; l++) {
        const ff_layer *L = &net->layer[l];
        fprintf(f, "layer_%zu local grid=%zux%zu channels=%zu receptive_field=%zux%zux%zu "
                   "stride=%zu units=%zu parameters=%zu\n",
                l + 1, L->oh, L->ow, L->oc, L->kh, L->kw, L->ic, L->stride, L->n_out,
                L->n_params);
    }
}

/* config.txt's optimiser line for Adam: FF_ADAM_KERAS's constants (optim.h) */
static void adam_line(FILE *f, const char *decay)
{
    fprintf(f, "optimizer adam_keras beta1=0.9 beta2=0.999 eps=1e-7%s\n", decay);
}

/* config.txt's lines of the paper's FF protocol, from the configuration
 * its trainers were given (exp_paper_config); each program's own follow
 * (exp_run_describe) */
static void write_paper_ff_config(FILE *f, const exp_opts *o, const ff_net *net)
{
    const ff_paper_config p = exp_paper_config(o);
    fprintf(f, "rng mt19937\noptimizer sgd momentum=%g weight_cost=%g "
               "weight_cost_head=%g lr_decay=linear_after_half\n"
               "normalisation rms tiny=exp(-100) input_too\ninit randn/sqrt(fan_in) head=0\n"
               "threshold layer_width\npeer_normalisation lambda=%g decay=%g init=%g\n"
               "head_bias %s\ndigits 0-9\n",
            p.ff.momentum, p.ff.weight_cost, p.head.weight_cost, p.peer_lambda, p.peer_decay,
            p.peer_init, p.learn_head_bias ? "learned" : "fixed_at_zero");
    if (o->local) /* the architecture, as the net was built (layer.h) */
        write_local_net(f, net);
}

char *exp_products(char *buf, size_t len)
{
    char lib[1024];
    const ff_gemm_backend b = ff_gemm_current();
    snprintf(buf, len, "%s %s", ff_gemm_name(b), ff_gemm_describe(b, lib, sizeof lib));
    return buf;
}

void exp_write_provenance(FILE *f, const exp_data *d)
{
    char cblas[1024], gemm[EXP_PRODUCTS_MAX], cpu[256];
    for (int i = 0; i < 4; i++)
        fprintf(f, "sha256_%s %s\n", d->file[i], d->sha256[i]);
    ff_system_cblas(cblas, sizeof cblas);
    ff_system_cpu(cpu, sizeof cpu);
    fprintf(f, "compiler %s\ncblas %s\ngemm %s\ncpu %s\ncommit %s\n", ff_system_compiler(),
            cblas, exp_products(gemm, sizeof gemm), cpu, FF_SOURCE_COMMIT);
}

void exp_write_config(FILE *f, const exp_run *run, size_t ws_bytes, double seconds)
{
    const exp_opts *o = run->o;
    const exp_data *d = &run->x->d;
    const ff_net *net = run->x->net;
    fprintf(f, "# key value: everything this run depended on\n");
    fprintf(f, "experiment %s\n", o->name);
    exp_flags_config(f, o);
    if (EXP_PAPER_FF(o->kind)) {
        write_paper_ff_config(f, o, net);
    } else if (EXP_PAPER(o->kind)) {
        fprintf(f, "rng mt19937\n");
        adam_line(f, " lr_decay=linear_after_half");
        fprintf(f, "normalisation %s\ndigits 0-9\n", norm_text(o));
    }
    if (EXP_PAPER(o->kind)) {
        fprintf(f, "val_split %ld\ntrain %zu\nval %zu\ntest %zu\ntest_evaluated %d\n",
                o->val_split, d->train_pos->n, d->val_pos ? d->val_pos->n : 0, d->test->n,
                !o->no_test);
        if (o->reshuffle) /* exp_run_next */
            fprintf(f, "batch_order reshuffled_each_epoch rng=mt19937 seed=%lu\n",
                    EXP_ORDER_SEED(o->seed));
        else
            fprintf(f, "batch_order data_order_every_epoch\n");
    } else {
        fprintf(f, "rng mt19937\n");
        adam_line(f, "");
        fprintf(f, "normalisation %s\npositive_digits 0-4\nnegative_digits 5-9\n",
                norm_text(o));
        fprintf(f, "train_pos %zu\ntrain_neg %zu\nval_pos %zu\nval_neg %zu\n",
                d->train_pos->n, d->train_neg->n, d->val_pos->n, d->val_neg->n);
    }
    fputs(run->protocol, f); /* the program's own (exp_run_describe) */
    fprintf(f, "parameters %zu\nworkspace_bytes %zu\n", net->n_params, ws_bytes);
    exp_write_provenance(f, d);
    fprintf(f, "seconds %.2f\n", seconds);
}

/* ---- summary.tsv ---- */

/* An accuracy of summary.tsv, '-' when there is none. */
static void put_acc(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.2f", v);
    else
        fprintf(f, " -");
}

int exp_at_chance(double acc, size_t k)
{
    return isfinite(acc) && acc < 1.5 * 100.0 / (double)k;
}

double exp_final_acc(const exp_run *run)
{
    return isfinite(run->good_final) && run->good_final > run->soft_final ? run->good_final
                                                                          : run->soft_final;
}

void exp_summary_header(FILE *f, int paper)
{
    fprintf(f, "# experiment model seed epochs softmax_best softmax_best_epoch softmax_final "
               "goodness_best goodness_best_epoch goodness_final seconds%s status\n",
            paper ? " layers units test_softmax test_goodness" : "");
}

void exp_summary_paper_columns(FILE *f, const exp_opts *o, double test_softmax,
                               double test_goodness)
{
    char units[16];
    fprintf(f, " %d %s", o->layers, exp_units_text(units, o));
    put_acc(f, test_softmax);
    put_acc(f, test_goodness);
}

void exp_write_summary(FILE *f, const exp_run *run, double seconds)
{
    const exp_opts *o = run->o;
    const int paper = EXP_PAPER(o->kind);
    const int good = isfinite(run->good_final), val = run->x->d.val_pos != NULL;
    exp_summary_header(f, paper);
    fprintf(f, "%s %s %lu %d", o->name, o->model, o->seed, o->epochs);
    if (val)
        fprintf(f, " %.2f %d %.2f", run->soft_best, run->soft_best_epoch, run->soft_final);
    else
        fprintf(f, " - - -");
    if (good && val)
        fprintf(f, " %.2f %d %.2f", run->good_best, run->good_best_epoch, run->good_final);
    else
        fprintf(f, " - - -");
    fprintf(f, " %.2f", seconds);
    if (paper)
        exp_summary_paper_columns(f, o, run->test_soft, good ? run->test_good : NAN);
    /* a run that learned nothing says so (for example an --lr far too large) */
    const int chance = exp_at_chance(exp_final_acc(run), run->x->net->n_classes);
    fprintf(f, " %s\n", chance ? "chance" : "learned");
}

/* ---- the files written together ---- */

int exp_outfiles_close(ff_outfile *const *set, size_t n)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= ff_outfile_close(set[i]) == FF_SUCCESS;
    if (!ok)
        for (size_t i = 0; i < n; i++)
            ff_outfile_abort(set[i]);
    return ok;
}

void exp_outfiles_rename(ff_outfile *const *set, size_t n, const char *out)
{
    for (size_t i = 0; i < n; i++)
        if (ff_outfile_rename(set[i]) != FF_SUCCESS) {
            const int e = errno;
            for (size_t j = i; j < n; j++) /* no temporary file left behind */
                ff_outfile_abort(set[j]);
            exp_die("cannot put the results in place in %s (%s): check the disk; without "
                    "summary.tsv the results are not complete", out, strerror(e));
        }
}

void exp_write_results(const char *out, const char *curve, size_t curve_len,
                       void (*config)(FILE *, const void *, double),
                       void (*summary)(FILE *, const void *, double), const void *ctx,
                       double seconds)
{
    static const char *const names[3] = {"curve.tsv", "config.txt", "summary.tsv"};
    ff_outfile f[3];
    for (int i = 0; i < 3; i++) {
        char path[sizeof f[i].path];
        if (snprintf(path, sizeof path, "%s/%s", out, names[i]) >= (int)sizeof path)
            exp_die("--out: %s/%s is too long a path (choose a shorter --out)", out, names[i]);
        const int status = ff_outfile_open(&f[i], path);
        if (status != FF_SUCCESS) {
            const int e = errno;
            for (int j = 0; j < i; j++)
                ff_outfile_abort(&f[j]);
            errno = e;
            exp_die("cannot write %s: %s (check --out)", path, exp_io_reason(status));
        }
    }
    fwrite(curve, 1, curve_len, f[0].f);
    config(f[1].f, ctx, seconds);
    summary(f[2].f, ctx, seconds);
    ff_outfile *set[] = {&f[0], &f[1], &f[2]};
    if (!exp_outfiles_close(set, 3))
        exp_die("cannot write the results in %s (disk full?): nothing was written", out);
    exp_outfiles_rename(set, 3, out);
}
