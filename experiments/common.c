/* common.c - an experiment's start, its trainers' settings, its evaluations
 * and its identity; see common.h. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "ff/error.h"
#include "ff/gemm.h"
#include "ff/paper.h"
#include "ff/system.h"

size_t exp_identity(char *buf, size_t len, const exp_opts *o, const exp_data *d)
{
    size_t n = exp_flags_identity(buf, len, o);
    for (int i = 0; i < 4 && d && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "sha256 %s %s\n", d->file[i], d->sha256[i]);
    if (n >= len)
        exp_die("internal: the run's identity exceeds %zu bytes", len);
    return n;
}

gsl_rng *exp_setup(const exp_opts *o)
{
    exp_gsl_errors();
    ff_system_flush_denormals();
    ff_system_set_threads(o->threads);
    const ff_gemm_backend gemm = ff_gemm_for_precision(!strcmp(o->precision, "bf16"));
    if (ff_gemm_select(gemm) != FF_SUCCESS)
        exp_die("--precision %s: %s", o->precision, ff_strerror(FF_EBACKEND));
    const char *wider = ff_system_blas_wider_core();
    if (wider)
        fprintf(stderr, "%s: warning: OpenBLAS runs its %s kernels, slower than this CPU's %s "
                        "(OPENBLAS_CORETYPE asks for them, or OpenBLAS did not recognise the CPU); "
                        "set OPENBLAS_CORETYPE=%s\n", exp_program(), ff_system_blas_core(), wider, wider);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        exp_die("out of memory");
    gsl_rng_set(r, o->seed);
    return r;
}

ff_net *exp_build_net(const exp_opts *o, gsl_rng *r)
{
    const int paper = EXP_PAPER_FF(o->kind);
    ff_net_spec s = {.ih = 28, .iw = 28, .ic = 1, .n_layers = (size_t)o->layers,
                     .head_from = (size_t)o->head_from - 1,
                     .n_classes = EXP_PAPER(o->kind) ? 10 : 5,
                     .norm = paper || !strcmp(o->norm, "rms") ? FF_NORM_RMS : FF_NORM_L2,
                     .normalize_input = paper};
    int conv = !strcmp(o->model, "conv2d");
    for (int l = 0; l < o->layers; l++) {
        /* seed "Conv2D model": a 28x28 kernel over the whole image, then 1x1 */
        size_t k = conv && l == 0 ? 28 : 1;
        s.layer[l] = (ff_layer_spec){conv ? FF_LAYER_CONV2D : FF_LAYER_DENSE,
                                     (size_t)o->units, k, k, 1};
    }
    if (o->local) /* the paper's net of local receptive fields (ff/paper.h) instead */
        s = ff_paper_local_spec((size_t)o->head_from - 1);
    ff_net *net;
    int status = ff_net_alloc(&net, &s);
    if (status != FF_SUCCESS)
        exp_die("cannot build the net: %s", ff_strerror(status));
    if (paper)
        ff_net_init_randn(net, r);
    else
        ff_net_init_glorot(net, r);
    return net;
}

ff_pipeline *exp_ff_trainer(const exp_opts *o, ff_net *net, const ff_train_config *c)
{
    /* layer 1 alone on stage 0: it holds most of the work (784 inputs);
     * exp_parse allows 2 stages only where there are layers above it */
    size_t split = o->stages == 2 ? 1 : 0;
    ff_pipeline *p;
    int status = ff_pipeline_alloc(&p, net, (size_t)o->batch, split, c);
    if (status != FF_SUCCESS)
        exp_die("cannot start the trainer: %s", ff_strerror(status));
    return p;
}

void exp_start(exp_ctx *x, exp_kind kind, int argc, char **argv)
{
    exp_parse(&x->o, kind, argc, argv);
    x->rng = exp_setup(&x->o);
    exp_load(&x->o, &x->d);
    x->net = exp_build_net(&x->o, x->rng);
}

void exp_stop(exp_ctx *x)
{
    ff_net_free(x->net);
    exp_data_free(&x->d);
    gsl_rng_free(x->rng);
}

ff_paper_config exp_paper_config(const exp_opts *o)
{
    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff.lr = (float)o->lr, pc.head.lr = (float)o->lr_head;
    pc.ff.momentum = pc.head.momentum = (float)o->momentum;
    pc.ff.weight_cost = (float)o->weight_cost, pc.head.weight_cost = (float)o->weight_cost_head;
    pc.peer_lambda = (float)o->peer, pc.peer_decay = o->peer_decay;
    pc.neutral = o->neutral;
    return pc;
}

ff_rec_config exp_rec_config(const exp_opts *o)
{
    /* --goodness-from L (1: the first): the layers L-1 .. layers-1 of the
     * net; 0 leaves the library's default, those the head reads */
    const int from = o->goodness_from;
    return (ff_rec_config){.iterations = o->iterations, .damping = o->damping,
                           .readout_first = o->readout_first, .readout_last = o->readout_last,
                           .readout_layers = from ? (1u << o->layers) - (1u << (from - 1)) : 0,
                           .learn_first = o->learn_first, .learn_last = o->learn_last,
                           .damp_input = o->damp_input};
}

const char *exp_rec_readout_text(char buf[static 96], const exp_opts *o)
{
    snprintf(buf, 96, "recurrent_readout goodness_mean_over_iterations=%d-%d layers_from=%d labels=each",
             o->readout_first, o->readout_last, o->goodness_from ? o->goodness_from : o->head_from);
    return buf;
}

ff_rec *exp_rec_build(exp_ctx *x)
{
    ff_rec *rec;
    int status = ff_rec_alloc(&rec, x->net);
    if (status != FF_SUCCESS)
        exp_die("cannot build the recurrent net: %s", ff_strerror(status));
    rec->label_scale = x->o.label_scale;
    rec->down_init = x->o.top_down_init;
    ff_rec_init_randn(rec, x->rng);
    return rec;
}

void exp_neg_labels(const exp_ctx *x, int *neg, const float *logits, const int *y, size_t n)
{
    if (x->o.uniform_negatives)
        ff_neg_labels_wrong(neg, y, n, x->net->n_classes, x->rng);
    else
        ff_neg_labels_hard(neg, logits, y, n, x->net->n_classes, x->rng);
}

const char *exp_negatives_text(const exp_opts *o)
{
    return o->uniform_negatives ? "uniform" : "hard";
}

int *exp_val_neg_labels(exp_ctx *x)
{
    const size_t n = x->d.val_neg->n;
    int *label = malloc(n * sizeof *label);
    if (!label)
        exp_die("out of memory");
    ff_neg_labels_uniform(label, n, (int)x->net->n_classes, x->rng);
    return label;
}

ff_train_config exp_train_config(const exp_opts *o)
{
    return (ff_train_config){.theta = o->theta,
                             .adam = FF_ADAM_KERAS((float)o->lr),
                             .adam_head = FF_ADAM_KERAS((float)o->lr_head)};
}

size_t exp_eval_count(const exp_opts *o, size_t n)
{
    if (o->eval_all || n < (size_t)o->batch)
        return n;
    return n / (size_t)o->batch * (size_t)o->batch;
}

static exp_eval_item eval_item(const char *set, const char *part, const ff_dataset *d,
                               const int *y, size_t n, ff_eval_config c, int ff_losses)
{
    return (exp_eval_item){set, part, d->x, y ? y : d->y, n, c, ff_losses};
}

size_t exp_evaluations(const exp_ctx *x, const int *neg_label, const int *val_neg_label,
                       int test, exp_eval_item *e)
{
    const exp_opts *o = &x->o;
    const exp_data *d = &x->d;
    if (EXP_PAPER(o->kind)) {
        const int ff = EXP_PAPER_FF(o->kind), sup = EXP_OVERLAY(o->kind);
        ff_eval_config c = ff ? ff_paper_eval_config(sup, o->neutral)
                              : (ff_eval_config){.target = 1, .readout = 1, .theta = o->theta};
        c.goodness |= EXP_RECURRENT(o->kind); /* its own readout (ff/recurrent.h) */
        if (test)
            return e[0] = eval_item("test", "all", d->test, NULL, d->test->n, c, ff), 1;
        e[0] = eval_item("train", "all", d->train_pos, NULL, exp_train_subset(d->train_pos), c, ff);
        if (!d->val_pos)
            return 1;
        e[1] = eval_item("val", "all", d->val_pos, NULL, d->val_pos->n, c, ff);
        return 2;
    }
    const int ff = EXP_FF(o->kind), sup = EXP_OVERLAY(o->kind);
    const ff_eval_config pos = {.supervised = sup, .target = 1, .readout = 1, .goodness = ff,
                                .neutral = o->neutral, .theta = o->theta};
    const ff_eval_config neg = {.supervised = sup, .target = 0, .theta = o->theta};
    size_t n = 0;
    e[n++] = eval_item("train", "pos", d->train_pos, NULL, exp_eval_count(o, d->train_pos->n),
                       pos, ff);
    if (ff && (!sup || neg_label))
        e[n++] = eval_item("train", "neg", d->train_neg, sup ? neg_label : NULL,
                           exp_eval_count(o, d->train_neg->n), neg, ff);
    e[n++] = eval_item("val", "pos", d->val_pos, NULL, exp_eval_count(o, d->val_pos->n), pos, ff);
    if (ff)
        e[n++] = eval_item("val", "neg", d->val_neg, sup ? val_neg_label : NULL,
                           exp_eval_count(o, d->val_neg->n), neg, ff);
    return n;
}

size_t exp_eval_cap(const exp_opts *o)
{
    return EXP_PAPER(o->kind) ? 1000 : 1024;
}

size_t exp_train_subset(const ff_dataset *train)
{
    return train->n < EXP_TRAIN_SUBSET ? train->n : EXP_TRAIN_SUBSET;
}

int exp_eval_due(const exp_opts *o, int epoch)
{
    return epoch % o->eval_every == 0 || epoch == o->epochs - 1;
}
