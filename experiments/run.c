/* run.c - a run's checkpoints, resumption and guards, and when its result
 * files are written (record.c writes them); see run.h. */
#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#if !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "ff/error.h"
#include "ff/gemm.h"
#include "ff/system.h"
#include "record.h"

/* The run whose temporary files an exit removes (exp_die): its curve,
 * open or closed, and what exp_run_finish staged, up to their rename. */
static exp_run *active;
#define MAX_STAGED 3 /* the model, config.txt, summary.tsv */
static char staged[MAX_STAGED][sizeof ((ff_outfile *)0)->tmp];
static size_t n_staged;

/* The signal that asked the run to stop (0: none).  The handler may run
 * on any thread: a lock-free atomic where C11 has one. */
#if !defined(__STDC_NO_ATOMICS__) && ATOMIC_INT_LOCK_FREE == 2
static atomic_int stop_signal;
#else
static volatile sig_atomic_t stop_signal;
#endif

/* The first signal asks for a stop at the next safe point.  A second
 * SIGINT while it is pending (Ctrl-C pressed again: a stop too slow for
 * the user) takes the default action; a second SIGTERM does not, since one
 * stop often sends it twice (Slurm signals every process of a job, and
 * make passes its own SIGTERM on to the program). */
static void on_signal(int sig)
{
    if (!stop_signal) {
        stop_signal = sig;
    } else if (sig == SIGINT) {
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
    }
}

static void remove_tmp(void)
{
    if (!active)
        return;
    ff_outfile_abort(&active->curve);
    for (size_t i = 0; i < n_staged; i++)
        remove(staged[i]);
}

static void stage(const char *tmp)
{
    if (n_staged == MAX_STAGED)
        exp_die("internal: more than %d files staged", MAX_STAGED);
    snprintf(staged[n_staged++], sizeof *staged, "%s", tmp);
}

static void result_path(char *buf, size_t len, const exp_opts *o, const char *name)
{
    if (snprintf(buf, len, "%s/%s", o->out, name) >= (int)len) /* exp_run_begin checked */
        exp_die("--out: %s/%s is too long a path", o->out, name);
}

static void open_result(ff_outfile *f, const exp_opts *o, const char *name)
{
    char path[sizeof f->path];
    result_path(path, sizeof path, o, name);
    const int status = ff_outfile_open(f, path);
    if (status != FF_SUCCESS)
        exp_die("cannot write %s: %s (check --out)", path,
                status == FF_EINVAL ? "the path is too long" : exp_io_reason(status));
}

/* Remove NAME.tmp.PID files whose process is gone: what a killed run left. */
static void remove_orphans(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        const char *t = strstr(e->d_name, ".tmp.");
        char *end;
        if (!t)
            continue;
        long pid = strtol(t + 5, &end, 10);
        if (pid <= 0 || (*end && strncmp(end, ".tmp.", 5)) || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) /* alive, or not ours to know */
            continue;
        char path[sizeof ((ff_outfile *)0)->path];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            remove(path);
    }
    closedir(d);
}

void exp_run_begin(exp_run *run, exp_ctx *x, ff_opt_kind opt)
{
    const exp_opts *o = &x->o;
    memset(run, 0, sizeof *run);
    run->order_epoch = -1;
    run->o = o, run->x = x, run->opt = opt;
    run->soft_best = run->good_best = -1.0;
    run->soft_final = run->good_final = NAN;
    run->test_soft = run->test_good = NAN;
    run->identity = malloc(FF_CKPT_MAX_CONFIG + 1);
    if (!run->identity)
        exp_die("out of memory");
    exp_identity(run->identity, FF_CKPT_MAX_CONFIG + 1, o, &x->d);
    /* before the directory is touched: a run that cannot stop cleanly
     * leaves it as it was */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        exp_die("cannot catch SIGINT and SIGTERM: %s", strerror(errno));
    exp_mkdirs(o->out);
    remove_orphans(o->out);
    if (o->restart) {
        char path[sizeof run->curve.path];
        result_path(path, sizeof path, o, "checkpoint.ffm");
        if (remove(path) != 0 && errno != ENOENT)
            exp_die("--restart: cannot remove %s: %s", path, strerror(errno));
    }
    open_result(&run->curve, o, "curve.tsv");
    active = run;
    atexit(remove_tmp);
    exp_curve_header(run->curve.f, o->layers);
    fprintf(run->curve.f, " seconds\n");
    run->t0 = ff_system_seconds();
}

/* A state section whose first `params` floats are parameters, which the
 * guard checks finite (require_finite), naming them `what`. */
static void add_state(exp_run *run, const char tag[4], void *data, size_t bytes, size_t params,
                      const char *what)
{
    if (run->n_state == EXP_MAX_STATE)
        exp_die("internal: more than %d state sections", EXP_MAX_STATE);
    memcpy(run->state[run->n_state].tag, tag, 4);
    run->state[run->n_state].data = data;
    run->state[run->n_state].len = bytes;
    run->state[run->n_state].params = params;
    run->state[run->n_state++].what = what;
}

void exp_run_state(exp_run *run, const char tag[4], void *data, size_t bytes)
{
    add_state(run, tag, data, bytes, 0, NULL);
}

void exp_run_paper_state(exp_run *run, ff_paper *p)
{
    size_t n;
    float *peer = ff_paper_peer_means(p, &n);
    exp_run_state(run, "PEER", peer, n * sizeof *peer);
}

void exp_run_rec_state(exp_run *run, ff_rec *rec, ff_rec_trainer *t)
{
    size_t n;
    float *peer = ff_rec_peer_means(t, &n);
    exp_run_state(run, "PEER", peer, n * sizeof *peer);
    const ff_ckpt_section s = ff_rec_section(rec); /* the weights, then their state */
    add_state(run, s.tag, rec->w, s.len, rec->n_down, "the top-down weights");
}

/* The run's position and record, as the "RUN " section holds them. */
enum { R_EPOCH, R_BATCH, R_LOSS, R_SECONDS, R_SOFT_BEST, R_SOFT_BEST_EPOCH, R_SOFT_FINAL,
       R_GOOD_BEST, R_GOOD_BEST_EPOCH, R_GOOD_FINAL, R_TEST_SOFT, R_TEST_GOOD, R_N };

static void run_to_doubles(const exp_run *run, double *v)
{
    v[R_EPOCH] = run->epoch, v[R_BATCH] = (double)run->batch, v[R_LOSS] = run->epoch_loss;
    v[R_SECONDS] = ff_system_seconds() - run->t0;
    v[R_SOFT_BEST] = run->soft_best, v[R_SOFT_BEST_EPOCH] = run->soft_best_epoch;
    v[R_SOFT_FINAL] = run->soft_final, v[R_GOOD_BEST] = run->good_best;
    v[R_GOOD_BEST_EPOCH] = run->good_best_epoch, v[R_GOOD_FINAL] = run->good_final;
    v[R_TEST_SOFT] = run->test_soft, v[R_TEST_GOOD] = run->test_good;
}

static void run_from_doubles(exp_run *run, const double *v)
{
    run->epoch = (int)v[R_EPOCH], run->batch = (size_t)v[R_BATCH], run->epoch_loss = v[R_LOSS];
    run->t0 = ff_system_seconds() - v[R_SECONDS];
    run->soft_best = v[R_SOFT_BEST], run->soft_best_epoch = (int)v[R_SOFT_BEST_EPOCH];
    run->soft_final = v[R_SOFT_FINAL], run->good_best = v[R_GOOD_BEST];
    run->good_best_epoch = (int)v[R_GOOD_BEST_EPOCH], run->good_final = v[R_GOOD_FINAL];
    run->test_soft = v[R_TEST_SOFT], run->test_good = v[R_TEST_GOOD];
}

/* The curve written so far (the temporary file, flushed), malloc'd. */
static char *curve_so_far(exp_run *run, size_t *len)
{
    fflush(run->curve.f);
    FILE *f = fopen(run->curve.tmp, "rb");
    char *buf = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        rewind(f);
        buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    if (f)
        fclose(f);
    if (!buf || ferror(run->curve.f))
        exp_die("cannot read back %s (disk full?)", run->curve.tmp);
    return buf;
}

/* The first layer (from 0; n_layers: the head) with a parameter that is
 * not finite, or -1. */
static int nonfinite_layer(const ff_net *net)
{
    for (size_t l = 0; l <= net->n_layers; l++) {
        const ff_layer *L = l < net->n_layers ? &net->layer[l] : &net->head;
        for (size_t i = 0; i < L->n_params; i++)
            if (!isfinite(L->w[i]))
                return (int)l;
    }
    return -1;
}

static const char *layer_name(const exp_run *run, size_t l, char *buf, size_t len)
{
    if (l >= (size_t)run->o->layers)
        snprintf(buf, len, "the softmax head");
    else
        snprintf(buf, len, "layer %zu", l + 1);
    return buf;
}

/* Which parameters are not finite: the net's first such layer's name, or
 * a state section's (exp_run_rec_state); NULL if all are finite. */
static const char *nonfinite_params(const exp_run *run, char *buf, size_t len)
{
    int bad = nonfinite_layer(run->x->net);
    if (bad >= 0)
        return layer_name(run, (size_t)bad, buf, len);
    for (size_t i = 0; i < run->n_state; i++) {
        const float *p = run->state[i].data;
        for (size_t j = 0; j < run->state[i].params; j++)
            if (!isfinite(p[j]))
                return run->state[i].what;
    }
    return NULL;
}

/* Stop (exit 1, no file written) if a parameter is not finite; `when`
 * says where the run stands. */
static void require_finite(exp_run *run, const char *when)
{
    char buf[32];
    const char *what = nonfinite_params(run, buf, sizeof buf);
    if (what)
        exp_die("%s, %s: a parameter is not finite; stopped, no summary written (the last "
                "checkpoint is kept; try a smaller --lr)", when, what);
}

/* Everything the run has, as one file: a checkpoint, or the final model
 * (its parameters checked finite by the caller, require_finite). */
static void write_state(exp_run *run, const char *name, int finished)
{
    const ff_net *net = run->x->net;
    ff_ckpt_section s[FF_CKPT_MAX_SECTIONS];
    size_t n = ff_ckpt_net_sections(net, run->opt, s);
    s[n++] = ff_ckpt_rng_section(run->x->rng);
    for (size_t i = 0; i < run->n_state; i++) {
        memcpy(s[n].tag, run->state[i].tag, 4);
        s[n].data = run->state[i].data, s[n++].len = run->state[i].len;
    }
    /* a checkpoint also holds where the run stands, its curve so far and
     * what its products ran on; the model none of that (no clock time, no
     * machine: same bits on every machine) */
    double v[R_N];
    size_t curve_len = 0;
    char *curve = NULL, on[EXP_PRODUCTS_MAX];
    if (!finished) {
        run_to_doubles(run, v);
        s[n++] = (ff_ckpt_section){{'R', 'U', 'N', ' '}, v, sizeof v};
        curve = curve_so_far(run, &curve_len);
        s[n++] = (ff_ckpt_section){{'C', 'U', 'R', 'V'}, curve, curve_len};
        exp_products(on, sizeof on);
        s[n++] = (ff_ckpt_section){{'G', 'E', 'M', 'M'}, on, strlen(on)};
    }
    char path[sizeof run->curve.path];
    result_path(path, sizeof path, run->o, name);
    int status = ff_ckpt_write(path, &net->spec, run->identity, finished, s, n);
    free(curve);
    if (status != FF_SUCCESS)
        exp_die("cannot write %s: %s (disk full?)", path, exp_io_reason(status));
}

/* The first line in which two identities differ, for the error message. */
static void first_difference(const char *a, const char *b, char *out, size_t len)
{
    while (*a || *b) {
        size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
        if (na != nb || strncmp(a, b, na)) {
            snprintf(out, len, "here '%.*s', there '%.*s'", (int)na, a, (int)nb, b);
            return;
        }
        a += na + (a[na] != 0), b += nb + (b[nb] != 0);
    }
    snprintf(out, len, "identical");
}

/* Load a checkpoint or model of this run's directory: NULL if there is
 * none; an error if it is unreadable or of another configuration. */
static ff_ckpt *load_own(exp_run *run, const char *name)
{
    char path[sizeof run->curve.path];
    result_path(path, sizeof path, run->o, name);
    ff_ckpt *c;
    errno = 0; /* set by a failed read, not by a short one (exp_io_reason) */
    int status = ff_ckpt_load(&c, path);
    if (status == FF_EOPEN && errno == ENOENT)
        return NULL;
    if (status != FF_SUCCESS)
        exp_die("%s: %s (add --restart to discard it)", path, exp_io_reason(status));
    /* a run of before a flag ceased to apply to its experiment reads as it is */
    exp_flags_drop_inapplicable(c->config, run->o->kind);
    if (strcmp(c->config, run->identity)) {
        char diff[512];
        first_difference(run->identity, c->config, diff, sizeof diff);
        exp_die("%s belongs to another configuration (%s): run the command that made it, or "
                "add --restart to discard it, or choose another --out", path, diff);
    }
    return c;
}

/* v is a count as the RUN section holds one: a whole number from 0 to max */
static int count_in(double v, double max)
{
    return v >= 0 && v <= max && v == floor(v); /* false for NaN */
}

/* The RUN section of c into v (R_N doubles) of a run of `epochs` epochs:
 * 1; 0 if c has none of that size; -1 if a field read back as an int or a
 * size_t is no count that fits, or the epoch is beyond `epochs` (a damaged
 * section, whose checksum only a hand-made file would match). */
static int run_section(const ff_ckpt *c, int epochs, double *v)
{
    size_t n;
    const void *rv = ff_ckpt_find(c, "RUN ", &n);
    if (!rv || n != R_N * sizeof *v)
        return 0;
    memcpy(v, rv, n); /* section bytes have no alignment: copied out */
    const double most_batches = fmin(0x1p53, (double)SIZE_MAX);
    return count_in(v[R_EPOCH], epochs) && count_in(v[R_SOFT_BEST_EPOCH], INT_MAX) &&
                   count_in(v[R_GOOD_BEST_EPOCH], INT_MAX) && count_in(v[R_BATCH], most_batches)
               ? 1
               : -1;
}

int exp_ckpt_position(const ff_ckpt *c, int epochs, int *epoch, size_t *batch)
{
    double v[R_N];
    if (run_section(c, epochs, v) != 1)
        return 0;
    *epoch = (int)v[R_EPOCH], *batch = (size_t)v[R_BATCH];
    return 1;
}

/* Where the run stands, for a message: "at epoch E, before batch B" (from
 * 1), or after the last epoch (and the test pass: exp_run_test_due). */
static const char *position(const exp_run *run, char *buf, size_t len)
{
    if (run->epoch < run->o->epochs)
        snprintf(buf, len, "at epoch %d, before batch %zu", run->epoch + 1, run->batch + 1);
    else
        snprintf(buf, len, "after the last epoch%s", run->batch ? " and the test pass" : "");
    return buf;
}

int exp_run_resume(exp_run *run)
{
    ff_ckpt *c = load_own(run, "checkpoint.ffm");
    if (!c) { /* a finished run of another configuration is not overwritten either */
        if (!run->o->restart)
            ff_ckpt_free(load_own(run, "model.ffm"));
        return 0;
    }
    char path[sizeof run->curve.path];
    result_path(path, sizeof path, run->o, "checkpoint.ffm");
    size_t n;
    /* written on other products (exp_products): refused, since they sum
     * in another order (a checkpoint of before they were recorded resumes
     * as it is) */
    char on[EXP_PRODUCTS_MAX];
    exp_products(on, sizeof on);
    const char *was = ff_ckpt_find(c, "GEMM", &n);
    if (was && (n != strlen(on) || memcmp(was, on, n)))
        exp_die("%s was written with products on %.*s, this process runs them on %s: they sum in "
                "another order, so a resume here would not give the bits of a run never "
                "interrupted; resume with the same (OpenBLAS's kernels: OPENBLAS_CORETYPE), or "
                "add --restart to discard it", path, (int)n, was, on);
    double v[R_N];
    const char *curve = NULL;
    size_t curve_len = 0;
    int status = ff_ckpt_restore_net(c, run->x->net, run->opt);
    if (status == FF_SUCCESS)
        status = ff_ckpt_restore_rng(c, run->x->rng);
    int at = 0;
    if (status == FF_SUCCESS && (at = run_section(c, run->o->epochs, v)) < 0)
        exp_die("%s: its position (epoch %g, batch %g) is none a run of %d epochs reaches: the "
                "file is damaged (add --restart to discard it)", path, v[R_EPOCH], v[R_BATCH],
                run->o->epochs);
    if (status == FF_SUCCESS && (!at || !(curve = ff_ckpt_find(c, "CURV", &curve_len))))
        status = FF_ECKPT_SECTION;
    for (size_t i = 0; status == FF_SUCCESS && i < run->n_state; i++) {
        const void *data = ff_ckpt_find(c, run->state[i].tag, &n);
        if (!data || n != run->state[i].len)
            status = FF_ECKPT_SECTION;
        else { /* parameters among them (the recurrent net's top-down weights):
                  their bf16 copies are stale (ff/gemm.h) */
            memcpy(run->state[i].data, data, n);
            ff_gemm_params_changed(run->state[i].data, n / sizeof(float));
        }
    }
    if (status != FF_SUCCESS)
        exp_die("%s: %s (add --restart to discard it)", path, ff_strerror(status));
    run_from_doubles(run, v);
    run->resumed = 1, run->from_epoch = run->epoch, run->from_batch = run->batch;
    /* the curve so far replaces the fresh header */
    rewind(run->curve.f);
    if (fwrite(curve, 1, curve_len, run->curve.f) != curve_len || fflush(run->curve.f) != 0 ||
        ftruncate(fileno(run->curve.f), (off_t)curve_len) != 0)
        exp_die("cannot write %s: %s", run->curve.tmp, strerror(errno));
    ff_ckpt_free(c);
    char where[64];
    if (!run->o->quiet && isatty(2))
        fprintf(stderr, "%s: resuming %s, from %s\n", run->o->name,
                position(run, where, sizeof where), path);
    return run->epoch;
}

/* Stop at a signal: a checkpoint at the current position, exit 128 + sig. */
static void stop_if_signalled(exp_run *run)
{
    const int sig = stop_signal;
    if (!sig)
        return;
    char when[64];
    position(run, when, sizeof when);
    require_finite(run, when);
    write_state(run, "checkpoint.ffm", 0);
    ff_outfile_abort(&run->curve);
    fprintf(stderr, "%s: stopped by signal %d %s: checkpoint in %s; the same command resumes\n",
            run->o->name, sig, when, run->o->out);
    exit(128 + sig);
}

void exp_run_inject(exp_run *run, int epoch, size_t batch)
{
    const long *nan = run->o->inject_nan, *stop = run->o->inject_stop;
    if (epoch == nan[0] && (long)batch == nan[1]) {
        float *w = run->x->net->layer[0].w;
        w[0] = NAN;
        ff_gemm_params_changed(w, 1); /* written here, not by the library */
    }
    /* a stop asked where the run resumed is past: it stopped there.  Two
     * signals, as one requeue of a Slurm job sends (Slurm's, and make's
     * passed on): the second must not end the run before its checkpoint. */
    if (epoch == stop[0] && (long)batch == stop[1] &&
        !(run->resumed && epoch == run->from_epoch && batch == run->from_batch)) {
        raise(SIGTERM);
        raise(SIGTERM);
    }
}

/* --reshuffle: run->order made epoch's, from the identity through each
 * epoch's shuffle up to it (a resumed run's first call draws those of the
 * epochs before it again), and the batch buffers allocated. */
static void draw_order(exp_run *run, int epoch, const ff_dataset *data, size_t B)
{
    if (!run->order) {
        run->order = malloc(data->n * sizeof *run->order);
        run->order_x = malloc(B * data->d * sizeof *run->order_x);
        run->order_y = malloc(B * sizeof *run->order_y);
        run->order_rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!run->order || !run->order_x || !run->order_y || !run->order_rng)
            exp_die("out of memory (the batch order of --reshuffle)");
        gsl_rng_set(run->order_rng, EXP_ORDER_SEED(run->o->seed));
        for (size_t r = 0; r < data->n; r++)
            run->order[r] = r;
    }
    for (; run->order_epoch < epoch; run->order_epoch++)
        gsl_ran_shuffle(run->order_rng, run->order, data->n, sizeof *run->order);
}

int exp_run_next(exp_run *run, int epoch, const ff_dataset *data, size_t B, const float **xb,
                 const int **yb)
{
    /* run->epoch is epoch: exp_run_resume and exp_run_epoch_end set it */
    if ((run->batch + 1) * B > data->n)
        return 0;
    stop_if_signalled(run);
    exp_run_inject(run, epoch, run->batch);
    const size_t first = run->batch * B, D = data->d;
    run->batch++;
    if (!run->o->reshuffle) {
        *xb = data->x + first * D, *yb = data->y + first;
        return 1;
    }
    draw_order(run, epoch, data, B);
    for (size_t r = 0; r < B; r++) {
        const size_t row = run->order[first + r];
        memcpy(run->order_x + r * D, data->x + row * D, D * sizeof *data->x);
        run->order_y[r] = data->y[row];
    }
    *xb = run->order_x, *yb = run->order_y;
    return 1;
}

/* layer: from 0, n_layers the head, -1 the whole net */
static void stop_nonfinite(exp_run *run, int epoch, size_t batch, int layer, double v)
{
    char what[32] = "the net";
    if (layer >= 0)
        layer_name(run, (size_t)layer, what, sizeof what);
    exp_die("epoch %d, batch %zu, %s: the loss is not finite (%g); stopped, no summary written "
            "(the last checkpoint is kept; try a smaller --lr)", epoch + 1, batch + 1, what, v);
}

void exp_run_loss(exp_run *run, int epoch, const double *loss, size_t n_loss)
{
    for (size_t l = 0; l < n_loss; l++)
        if (!isfinite(loss[l])) {
            int layer = n_loss == 1 ? nonfinite_layer(run->x->net) : (int)l;
            stop_nonfinite(run, epoch, run->batch - 1, layer, loss[l]);
        }
    run->epoch_loss += loss[0];
}

void exp_run_synced(exp_run *run, int epoch, const ff_pipeline *p, const double *loss)
{
    size_t batch, layer;
    if (ff_pipeline_nonfinite(p, &batch, &layer))
        stop_nonfinite(run, epoch, batch, (int)layer, loss[layer]);
    run->epoch_loss = loss[0];
}

static void progress(exp_run *run, int epoch, double train_loss)
{
    const exp_opts *o = run->o;
    if (o->quiet || !isatty(2))
        return;
    double t = ff_system_seconds() - run->t0, eta = t / (epoch + 1) * (o->epochs - epoch - 1);
    fprintf(stderr, "\r%s %s epoch %d/%d  loss %.4f  %s softmax %.2f%%", o->name, o->model,
            epoch + 1, o->epochs, train_loss, run->x->d.val_pos ? "val" : "train",
            run->soft_final);
    if (isfinite(run->good_final))
        fprintf(stderr, "  goodness %.2f%%", run->good_final);
    if (exp_at_chance(exp_final_acc(run), run->x->net->n_classes))
        fprintf(stderr, "  AT CHANCE");
    fprintf(stderr, "  %.0fs  ETA %.0fs   ", t, eta);
    if (epoch == o->epochs - 1)
        fputc('\n', stderr);
}

void exp_run_epoch_end(exp_run *run, int epoch, double train_loss)
{
    char when[64];
    snprintf(when, sizeof when, "epoch %d, after its last batch", epoch + 1);
    require_finite(run, when);
    progress(run, epoch, train_loss);
    run->epoch = epoch + 1, run->batch = 0, run->epoch_loss = 0.0;
    const int every = run->o->checkpoint_every;
    if (every && (epoch + 1) % every == 0 && epoch + 1 < run->o->epochs)
        write_state(run, "checkpoint.ffm", 0);
    stop_if_signalled(run);
}

void exp_run_record(exp_run *run, int epoch, const exp_eval_item *e, const ff_eval_result *r)
{
    FILE *f = run->curve.f;
    exp_curve_line(f, epoch, e, r, run->o->layers);
    fprintf(f, " %.2f\n", ff_system_seconds() - run->t0);
    fflush(f); /* progress visible in the temporary file; renamed only at the end */
    if (!strcmp(e->set, "test")) {
        run->test_soft = 100.0 * r->softmax_acc;
        run->test_good = 100.0 * r->goodness_acc;
        return;
    }
    /* the set the run watches: validation, or without one (--val-split 0)
     * the training subset, which then only decides the status */
    if (strcmp(e->set, run->x->d.val_pos ? "val" : "train") || !strcmp(e->part, "neg"))
        return;
    run->soft_final = 100.0 * r->softmax_acc;
    if (run->soft_final > run->soft_best)
        run->soft_best = run->soft_final, run->soft_best_epoch = epoch;
    if (!e->c.goodness)
        return;
    run->good_final = 100.0 * r->goodness_acc;
    if (run->good_final > run->good_best)
        run->good_best = run->good_final, run->good_best_epoch = epoch;
}

void exp_run_check(exp_run *run, int status, const char *what, const char *when)
{
    if (status == FF_ENONFINITE)
        require_finite(run, when);
    exp_check(status, what);
}

void exp_run_check_evaluation(exp_run *run, int status, int epoch)
{
    char when[64];
    snprintf(when, sizeof when, "epoch %d, its evaluation", epoch + 1);
    exp_run_check(run, status, "the evaluation", when);
}

static void evaluate(exp_run *run, ff_eval_workspace *ews, int epoch, const exp_eval_item *e,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ff_eval_result r;
        const int status = ff_eval(run->x->net, ews, e[i].x, e[i].y, e[i].n, &e[i].c, &r);
        exp_run_check_evaluation(run, status, epoch);
        exp_run_record(run, epoch, &e[i], &r);
    }
}

void exp_run_evaluate(exp_run *run, ff_eval_workspace *ews, int epoch, const int *neg_label,
                      const int *val_neg_label)
{
    if (!exp_eval_due(run->o, epoch))
        return;
    exp_eval_item e[EXP_MAX_EVALS];
    evaluate(run, ews, epoch, e, exp_evaluations(run->x, neg_label, val_neg_label, 0, e));
}

int exp_run_test_due(exp_run *run)
{
    /* run->epoch is --epochs: exp_run_epoch_end or exp_run_resume set it */
    exp_run_inject(run, run->epoch, run->batch);
    stop_if_signalled(run);
    if (run->o->no_test || run->batch) /* batch 1: a resumed run made the pass */
        return 0;
    run->batch = 1; /* no checkpoint until the pass is done: exp_run_finish's */
    return 1;
}

void exp_run_test(exp_run *run, ff_eval_workspace *ews)
{
    if (!exp_run_test_due(run))
        return;
    exp_eval_item e[EXP_MAX_EVALS];
    evaluate(run, ews, run->o->epochs - 1, e, exp_evaluations(run->x, NULL, NULL, 1, e));
}

void exp_run_describe(exp_run *run, const char *fmt, ...)
{
    const size_t len = strlen(run->protocol), room = sizeof run->protocol - len;
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(run->protocol + len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room)
        exp_die("internal: config.txt's protocol lines exceed %zu bytes", sizeof run->protocol);
}

void exp_run_finish(exp_run *run, size_t ws_bytes)
{
    const exp_opts *o = run->o;
    exp_run_inject(run, run->epoch, run->batch);
    stop_if_signalled(run);
    double seconds = ff_system_seconds() - run->t0;
    /* the model first: the largest file, the likeliest to meet a full disk */
    char name[sizeof run->curve.path];
    snprintf(name, sizeof name, "model.ffm.tmp.%ld", (long)getpid());
    ff_outfile model = {.f = NULL};
    result_path(model.tmp, sizeof model.tmp, o, name);
    result_path(model.path, sizeof model.path, o, "model.ffm");
    require_finite(run, "after the last epoch");
    /* every temporary file from here on removed by an exit before the
     * rename (remove_tmp), as the curve's is */
    stage(model.tmp);
    write_state(run, name, 1);

    ff_outfile cfg, sum;
    open_result(&cfg, o, "config.txt");
    stage(cfg.tmp);
    exp_write_config(cfg.f, run, ws_bytes, seconds);
    open_result(&sum, o, "summary.tsv");
    stage(sum.tmp);
    exp_write_summary(sum.f, run, seconds);

    /* All written under temporary names first, then renamed together,
     * summary.tsv last (its presence marks the run complete): a failed
     * write leaves no final-named file of this run. */
    ff_outfile *set[] = {&run->curve, &cfg, &sum};
    if (!exp_outfiles_close(set, 3))
        exp_die("cannot write the results in %s (disk full?): nothing of this run was "
                "written, the last checkpoint is kept", o->out);
    exp_outfiles_rename((ff_outfile *[]){&model, &run->curve, &cfg, &sum}, 4, o->out);
    char ckpt[sizeof cfg.path];
    result_path(ckpt, sizeof ckpt, o, "checkpoint.ffm");
    if (remove(ckpt) != 0 && errno != ENOENT) /* the run is complete; a resume would redo it */
        fprintf(stderr, "%s: warning: cannot remove %s (%s): remove it by hand\n", o->name, ckpt,
                strerror(errno));
    free(run->identity);
    free(run->order);
    free(run->order_x);
    free(run->order_y);
    gsl_rng_free(run->order_rng);
    active = NULL, n_staged = 0;
    /* the results are in place: a signal (one pending too) ends the program */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (stop_signal)
        raise(stop_signal);
}

