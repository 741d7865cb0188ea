/* params_bf16.c - parameters converted to bf16 once per change (bf16.h). */
#define _POSIX_C_SOURCE 200809L /* pthread_rwlock_t */
#include "bf16.h"
#include "ff/gemm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { BLOCKS = 256, COPIES = 128 };

/* The registry: blocks of parameters, each with the generation of its last
 * change (unique across blocks and registrations, so that a copy made
 * before a change, or of a block since freed, never matches). */
static struct {
    const float *p;
    size_t n;
    unsigned long gen;
} blocks[BLOCKS];
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned long next_gen = 1; /* under the write lock */
static atomic_int verify;
static atomic_ulong stale;

void ff_bf16_register(const float *p, size_t n)
{
    pthread_rwlock_wrlock(&lock);
    for (int i = 0; i < BLOCKS; i++)
        if (!blocks[i].p) {
            blocks[i].p = p, blocks[i].n = n, blocks[i].gen = next_gen++;
            break;
        }
    pthread_rwlock_unlock(&lock);
}

void ff_bf16_unregister(const float *p)
{
    pthread_rwlock_wrlock(&lock);
    for (int i = 0; i < BLOCKS; i++)
        if (blocks[i].p == p)
            blocks[i].p = NULL, blocks[i].n = 0;
    pthread_rwlock_unlock(&lock);
}

void ff_bf16_changed(const float *p, size_t n)
{
    pthread_rwlock_wrlock(&lock);
    for (int i = 0; i < BLOCKS; i++)
        if (blocks[i].p && p < blocks[i].p + blocks[i].n && blocks[i].p < p + n)
            blocks[i].gen = next_gen++;
    pthread_rwlock_unlock(&lock);
}

void ff_gemm_params_changed(const float *p, size_t n)
{
    ff_bf16_changed(p, n);
}

/* The generation of the block holding all of X; 0 if none does. */
static unsigned long generation(const gsl_matrix_float *X)
{
    if (!X->size1 || !X->size2)
        return 0;
    const float *first = X->data, *end = X->data + (X->size1 - 1) * X->tda + X->size2;
    unsigned long gen = 0;
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < BLOCKS && !gen; i++)
        if (blocks[i].p && blocks[i].p <= first && end <= blocks[i].p + blocks[i].n)
            gen = blocks[i].gen;
    pthread_rwlock_unlock(&lock);
    return gen;
}

/* A thread's converted copy of one view of parameters. */
typedef struct {
    const float *data;
    size_t size1, size2, tda;
    int as_float;
    unsigned long gen, used;
    void *buf;
    size_t cap; /* bytes */
} copy;

typedef struct {
    copy c[COPIES];
    unsigned long clock;
    void *scratch[2];
    size_t scratch_cap[2];
} thread_copies;

static _Thread_local thread_copies *mine;
static pthread_key_t mine_key; /* frees a thread's copies when it exits */
static pthread_once_t mine_once = PTHREAD_ONCE_INIT;

static void free_copies(void *p)
{
    thread_copies *t = p;
    for (int i = 0; i < COPIES; i++)
        free(t->c[i].buf);
    free(t->scratch[0]);
    free(t->scratch[1]);
    free(t);
}

static void make_key(void)
{
    pthread_key_create(&mine_key, free_copies);
}

/* *buf holding at least bytes; 0 if it cannot. */
static int reserve(void **buf, size_t *cap, size_t bytes)
{
    if (bytes <= *cap && *buf)
        return 1;
    bytes = bytes ? bytes : 1;
    free(*buf);
    *buf = aligned_alloc(64, (bytes + 63) / 64 * 64);
    *cap = *buf ? bytes : 0;
    return *buf != NULL;
}

static void convert(void *dst, const gsl_matrix_float *X, int as_float)
{
    if (as_float)
        ff_bf16_round(dst, X->data, X->size1, X->size2, X->tda);
    else
        ff_bf16_pack(dst, X->data, X->size1, X->size2, X->tda);
}

/* 1 if buf holds X converted as it is now. */
static int fresh(const void *buf, const gsl_matrix_float *X, int as_float)
{
    for (size_t i = 0; i < X->size1; i++)
        for (size_t j = 0; j < X->size2; j++) {
            const uint16_t h = ff_bf16_from_float(X->data[i * X->tda + j]);
            const size_t k = i * X->size2 + j;
            if (as_float ? ((const float *)buf)[k] != ff_bf16_to_float(h)
                         : ((const uint16_t *)buf)[k] != h)
                return 0;
        }
    return 1;
}

const void *ff_bf16_operand(const gsl_matrix_float *X, int as_float, int slot)
{
    if (!mine) {
        if (!(mine = calloc(1, sizeof *mine)))
            return NULL;
        pthread_once(&mine_once, make_key);
        pthread_setspecific(mine_key, mine);
    }
    thread_copies *t = mine;
    const size_t bytes = X->size1 * X->size2 * (as_float ? sizeof(float) : sizeof(uint16_t));
    const unsigned long gen = generation(X);
    if (!gen) { /* not parameters: convert now */
        if (!reserve(&t->scratch[slot], &t->scratch_cap[slot], bytes))
            return NULL;
        convert(t->scratch[slot], X, as_float);
        return t->scratch[slot];
    }
    copy *hit = NULL, *victim = &t->c[0];
    for (int i = 0; i < COPIES && !hit; i++) {
        copy *c = &t->c[i];
        if (c->data == X->data && c->size1 == X->size1 && c->size2 == X->size2 &&
            c->tda == X->tda && c->as_float == as_float)
            hit = c;
        else if (c->used < victim->used)
            victim = c;
    }
    copy *c = hit ? hit : victim;
    c->used = ++t->clock;
    if (hit && c->gen == gen) {
        if (atomic_load(&verify) && !fresh(c->buf, X, as_float))
            atomic_fetch_add(&stale, 1);
        return c->buf;
    }
    if (!reserve(&c->buf, &c->cap, bytes)) {
        c->data = NULL;
        return NULL;
    }
    c->data = X->data, c->size1 = X->size1, c->size2 = X->size2, c->tda = X->tda;
    c->as_float = as_float, c->gen = gen;
    convert(c->buf, X, as_float);
    return c->buf;
}

void ff_bf16_verify(int on)
{
    atomic_store(&verify, on);
    atomic_store(&stale, 0);
}

unsigned long ff_bf16_stale(void)
{
    return atomic_load(&stale);
}
