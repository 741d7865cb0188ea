/* saved.c - the run a saved model came from, rebuilt; see saved.h. */
#define _POSIX_C_SOURCE 200809L
#include "saved.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ff/error.h"
#include "run.h"

/* Before exp_start has named the program to exp_die: "prog: error: ...". */
static void die_before_start(const char *prog, const char *path, const char *why,
                             const char *detail)
{
    fprintf(stderr, "%s: error: %s: %s%s%s\n", prog, path, why, detail ? ": " : "",
            detail ? detail : "");
    exit(1);
}

/* The kind an identity's "experiment NAME" line names; -1 if none. */
static int kind_of_identity(const char *identity)
{
    for (const char *line = identity;;) {
        const size_t n = strcspn(line, "\n");
        if (!strncmp(line, "experiment ", 11) && n - 11 < 64) {
            char name[64];
            memcpy(name, line + 11, n - 11);
            name[n - 11] = 0;
            return exp_kind_of(name);
        }
        if (!line[n])
            return -1;
        line += n + 1;
    }
}

void exp_saved_load(exp_saved *s, const char *prog, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    errno = 0; /* set by a failed read, not by a short one (exp_io_reason) */
    int status = ff_ckpt_load_sha256(&s->ckpt, path, s->sha256);
    if (status != FF_SUCCESS)
        die_before_start(prog, path, ff_strerror(status),
                         status == FF_EOPEN || status == FF_EREAD ? exp_io_reason(status) : NULL);
    const int kind = kind_of_identity(s->ckpt->config);
    if (kind < 0)
        die_before_start(prog, path, "names no experiment this build knows", NULL);
    s->kind = (exp_kind)kind;
    s->flags = strdup(s->ckpt->config);
    if (!s->flags)
        die_before_start(prog, path, "out of memory", NULL);
    exp_flags_drop_inapplicable(s->flags, s->kind);
    exp_flags_foreign(s->flags, s->kind, s->foreign, sizeof s->foreign);
    /* "--flag value" or "--flag" lines, as exp_parse reads them back */
    s->argv[s->argc++] = (char *)prog;
    for (char *line = strtok(s->flags, "\n"); line; line = strtok(NULL, "\n")) {
        if (s->argc + 2 >= EXP_SAVED_MAX_ARGS)
            die_before_start(prog, path, "holds more flags than this build reads", NULL);
        if (!strncmp(line, "experiment ", 11)) {
            s->experiment = line + 11;
        } else if (!strncmp(line, "--", 2)) {
            char *space = strchr(line, ' ');
            if (space)
                *space = 0;
            s->argv[s->argc++] = line;
            if (space)
                s->argv[s->argc++] = space + 1;
        }
    }
    s->run_argc = s->argc;
}

const char *exp_saved_flag(const exp_saved *s, const char *flag)
{
    for (int i = 1; i + 1 < s->run_argc; i++)
        if (!strcmp(s->argv[i], flag) && strncmp(s->argv[i + 1], "--", 2))
            return s->argv[i + 1];
    return NULL;
}

void exp_saved_start(exp_saved *s, exp_ctx *x, int n, char *const *flags, int quiet)
{
    if (n < 0 || s->argc + n + 1 > EXP_SAVED_MAX_ARGS)
        exp_die("%s: too many flags (%d given)", s->path, n);
    exp_set_program(s->argv[0]);
    if (s->foreign[0]) /* the parser would blame the reader's command line */
        exp_die("%s: its run has %s, a flag this build does not give %s (a model of another "
                "version of the programs: read it with that one)", s->path, s->foreign,
                s->experiment);
    for (int i = 0; i < n; i++)
        s->argv[s->argc++] = flags[i];
    s->argv[s->argc++] = "--quiet";
    exp_start(x, s->kind, s->argc, s->argv);
    int status = ff_ckpt_restore_params(s->ckpt, x->net);
    if (status != FF_SUCCESS)
        exp_die("%s: %s", s->path, ff_strerror(status));
    if (quiet)
        return;
    char identity[FF_CKPT_MAX_CONFIG + 1];
    exp_identity(identity, sizeof identity, &x->o, &x->d);
    if (!strstr(s->ckpt->config, strstr(identity, "sha256 ")))
        fprintf(stderr, "%s: note: the data in %s differ from the run's\n", s->argv[0],
                x->o.data);
}

int exp_saved_epochs(const exp_saved *s)
{
    const char *e = exp_saved_flag(s, "--epochs"); /* in every identity (flags.c) */
    return e ? atoi(e) : INT_MAX;
}

void exp_saved_position(const exp_saved *s, int *epoch, size_t *batch)
{
    if (!exp_ckpt_position(s->ckpt, exp_saved_epochs(s), epoch, batch))
        exp_die("%s holds no position this build can read: its run's program refuses it "
                "too (--restart discards it)", s->path);
}

int exp_saved_epoch(const exp_saved *s)
{
    const int epochs = exp_saved_epochs(s);
    int epoch;
    size_t batch;
    if (s->ckpt->finished)
        return epochs - 1;
    exp_saved_position(s, &epoch, &batch);
    if (epoch >= epochs)
        return epochs - 1;
    if (!batch)
        return epoch - 1;
    fprintf(stderr, "%s: note: %s was written in the middle of epoch %d (before its batch %zu): "
                    "its figures are in none of the run's curve lines\n",
            s->argv[0], s->path, epoch + 1, batch + 1);
    return epoch;
}

void exp_saved_free(exp_saved *s)
{
    free(s->flags);
    ff_ckpt_free(s->ckpt);
    memset(s, 0, sizeof *s);
}

