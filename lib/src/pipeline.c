/* pipeline.c - two-stage FF training; see pipeline.h. */
#include "ff/pipeline.h"
#include "ff/error.h"
#include "ff/system.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    float *h;     /* (cap, n_out of layer split-1): stage 0's normalised output */
    const int *y; /* the batch's labels, for the head */
    size_t B;
    int target, train_head;
} slot;

struct ff_pipeline {
    ff_net *net;
    ff_train_config c;
    ff_ff_rule rule;        /* ff_train_rule(&c) */
    size_t split, width;
    ff_ff_workspace *ws[2]; /* one per stage */
    slot slots[2];
    int full[2];            /* slot holds a batch stage 1 has not finished */
    int next_fill, next_take, stop;
    size_t pending;         /* batches submitted and not finished */
    double loss[FF_MAX_LAYERS + 1];
    size_t fed, taken;      /* batches each stage began since the last sync */
    size_t bad_batch, bad_layer; /* the first non-finite loss since then */
    int bad, was_bad;       /* ... if any; was_bad: before the last sync */
    size_t was_batch, was_layer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int started;
};

/* Add a batch's losses of layers [l0, l1] to the sums, and note the first
 * (batch, layer) whose loss is not finite.  Called with the lock held, or
 * with one stage only. */
static void add_losses(ff_pipeline *p, const double *loss, size_t l0, size_t l1, size_t batch)
{
    for (size_t l = l0; l <= l1; l++) {
        p->loss[l] += loss[l];
        if (!isfinite(loss[l]) &&
            (!p->bad || batch < p->bad_batch || (batch == p->bad_batch && l < p->bad_layer)))
            p->bad = 1, p->bad_batch = batch, p->bad_layer = l;
    }
}

static void *stage1(void *arg)
{
    ff_pipeline *p = arg;
    ff_net *net = p->net;
    ff_system_flush_denormals();
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->full[p->next_take] && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!p->full[p->next_take])
            break;
        slot *s = &p->slots[p->next_take];
        pthread_mutex_unlock(&p->mu);

        double loss[FF_MAX_LAYERS + 1] = {0};
        const ff_ff_pass pass = ff_train_pass(s->h, s->B, s->target);
        ff_train_ff_layers(net, p->ws[1], &pass, p->split, net->n_layers, &p->rule, loss);
        if (s->train_head)
            loss[net->n_layers] = ff_train_ff_head(net, p->ws[1], s->y, s->B, &p->c);

        pthread_mutex_lock(&p->mu);
        add_losses(p, loss, p->split, net->n_layers, p->taken++);
        p->full[p->next_take] = 0;
        p->next_take ^= 1;
        p->pending--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int ff_pipeline_alloc(ff_pipeline **out, ff_net *net, size_t cap, size_t split,
                      const ff_train_config *c)
{
    *out = NULL;
    if (cap == 0 || (split && (split > net->head_from || split >= net->n_layers)))
        return FF_EINVAL;
    ff_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return FF_ENOMEM;
    p->net = net;
    p->c = *c;
    p->rule = ff_train_rule(c);
    p->split = split;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->ws[0] = ff_ff_workspace_alloc(net, cap);
    if (!p->ws[0]) {
        ff_pipeline_free(p);
        return FF_ENOMEM;
    }
    if (split == 0) {
        *out = p;
        return FF_SUCCESS;
    }
    p->width = net->layer[split - 1].n_out;
    p->ws[1] = ff_ff_workspace_alloc(net, cap);
    for (int i = 0; i < 2; i++)
        p->slots[i].h = malloc(cap * p->width * sizeof(float));
    if (!p->ws[1] || !p->slots[0].h || !p->slots[1].h) {
        ff_pipeline_free(p);
        return FF_ENOMEM;
    }
    if (pthread_create(&p->thread, NULL, stage1, p) != 0) {
        ff_pipeline_free(p);
        return FF_ENOMEM;
    }
    p->started = 1;
    *out = p;
    return FF_SUCCESS;
}

void ff_pipeline_free(ff_pipeline *p)
{
    if (!p)
        return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (int i = 0; i < 2; i++) {
        ff_ff_workspace_free(p->ws[i]);
        free(p->slots[i].h);
    }
    free(p);
}

int ff_pipeline_batch(ff_pipeline *p, const float *x, const int *y, size_t B, int target,
                      int train_head)
{
    if (B == 0 || B > p->ws[0]->cap)
        return FF_EINVAL;
    double loss[FF_MAX_LAYERS + 1] = {0};
    if (p->split == 0) {
        const int status =
            ff_train_ff_batch(p->net, p->ws[0], x, y, B, target, train_head, &p->c, loss);
        if (status != FF_SUCCESS)
            return status;
        add_losses(p, loss, 0, p->net->n_layers, p->fed++);
        return FF_SUCCESS;
    }
    const ff_ff_pass pass = ff_train_pass(x, B, target);
    const float *h = ff_train_ff_layers(p->net, p->ws[0], &pass, 0, p->split, &p->rule, loss);
    pthread_mutex_lock(&p->mu);
    add_losses(p, loss, 0, p->split - 1, p->fed++);
    while (p->full[p->next_fill])
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);

    /* stage 1 never reads a slot that is not full: fill it unlocked */
    slot *s = &p->slots[p->next_fill];
    memcpy(s->h, h, B * p->width * sizeof *h);
    s->y = y;
    s->B = B;
    s->target = target;
    s->train_head = train_head;

    pthread_mutex_lock(&p->mu);
    p->full[p->next_fill] = 1;
    p->next_fill ^= 1;
    p->pending++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return FF_SUCCESS;
}

void ff_pipeline_sync(ff_pipeline *p, double *loss)
{
    pthread_mutex_lock(&p->mu);
    while (p->pending)
        pthread_cond_wait(&p->cv, &p->mu);
    memcpy(loss, p->loss, (p->net->n_layers + 1) * sizeof *loss);
    memset(p->loss, 0, sizeof p->loss);
    p->was_bad = p->bad, p->was_batch = p->bad_batch, p->was_layer = p->bad_layer;
    p->bad = 0, p->fed = p->taken = 0;
    pthread_mutex_unlock(&p->mu);
}

int ff_pipeline_nonfinite(const ff_pipeline *p, size_t *batch, size_t *layer)
{
    *batch = p->was_batch, *layer = p->was_layer;
    return p->was_bad;
}

size_t ff_pipeline_bytes(const ff_pipeline *p)
{
    if (p->split == 0)
        return p->ws[0]->bytes;
    return p->ws[0]->bytes + p->ws[1]->bytes + 2 * p->ws[0]->cap * p->width * sizeof(float);
}
