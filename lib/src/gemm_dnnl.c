/* gemm_dnnl.c - the oneDNN backends (ff/gemm.h): fp32, and bf16 inputs
 * with fp32 accumulation, through oneDNN's matmul primitive.
 *
 * Each thread that runs products keeps its own state: a stream and a cache
 * of primitives (one per shape, layout, alpha and beta: a run uses a few
 * dozen, created on first use and reused for every batch after); its bf16
 * inputs come from ff_bf16_operand (bf16.h: parameters converted once per
 * change).  oneDNN is asked for one thread per call (the
 * library's own threads split the product: parallel.h), so that a call
 * never starts threads of its own inside the library's. */
#include "bf16.h"
#include "ff/error.h"
#include "gemm_backend.h"

#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>

enum { CACHE = 64 };

/* One primitive: the key it was made for, and its memory objects. */
typedef struct {
    int used, bf16;
    dnnl_dim_t m, n, k, as[2], bs[2], ldc;
    float alpha, beta;
    dnnl_primitive_t prim;
    dnnl_memory_t a, b, c;
} entry;

typedef struct {
    dnnl_stream_t stream;
    entry e[CACHE];
    int next; /* the entry the next new primitive replaces once all are used */
} thread_state;

static dnnl_engine_t engine;
static int start_status = FF_EBACKEND;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local thread_state *mine;
static pthread_key_t mine_key; /* frees a thread's state when it exits */

static int bf16_matmul; /* oneDNN has a bf16 matmul for this CPU */
static void free_state(void *p);

static void start(void)
{
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
        return;
    start_status = FF_SUCCESS;
    pthread_key_create(&mine_key, free_state);
    /* a 2 x 2 bf16 product's primitive: oneDNN has none on a CPU without
     * AVX-512 (it emulates bf16 on AVX-512 without bf16 instructions) */
    dnnl_dims_t d = {2, 2};
    dnnl_memory_desc_t in, out;
    dnnl_matmul_desc_t desc;
    dnnl_primitive_desc_t pd;
    if (dnnl_memory_desc_init_by_tag(&in, 2, d, dnnl_bf16, dnnl_ab) == dnnl_success &&
        dnnl_memory_desc_init_by_tag(&out, 2, d, dnnl_f32, dnnl_ab) == dnnl_success &&
        dnnl_matmul_desc_init(&desc, &in, &in, NULL, &out) == dnnl_success &&
        dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL) == dnnl_success) {
        bf16_matmul = 1;
        dnnl_primitive_desc_destroy(pd);
    }
}

int ff_dnnl_has_bf16(void)
{
    return ff_dnnl_start() == FF_SUCCESS && bf16_matmul;
}

int ff_dnnl_start(void)
{
    pthread_once(&once, start);
    return start_status;
}

static const char *isa_name(dnnl_cpu_isa_t isa)
{
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core (bf16 emulated)";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni (bf16 emulated)";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    default: return "other";
    }
}

int ff_dnnl_bf16_native(void)
{
    /* each instruction set's value holds the bits of those it extends */
    const unsigned isa = (unsigned)dnnl_get_effective_cpu_isa(),
                   bf16 = (unsigned)dnnl_cpu_isa_avx512_core_bf16;
    return (isa & bf16) == bf16;
}

char *ff_dnnl_describe(char *buf, size_t len)
{
    const dnnl_version_t *v = dnnl_version();
    snprintf(buf, len, "oneDNN %d.%d.%d, isa %s", v->major, v->minor, v->patch,
             isa_name(dnnl_get_effective_cpu_isa()));
    return buf;
}

/* A 2-D memory descriptor of rows x cols with the given strides. */
static dnnl_status_t md2(dnnl_memory_desc_t *md, dnnl_dim_t rows, dnnl_dim_t cols,
                         dnnl_data_type_t dt, const dnnl_dim_t stride[2])
{
    dnnl_dims_t dims = {rows, cols}, strides = {stride[0], stride[1]};
    return dnnl_memory_desc_init_by_strides(md, 2, dims, dt, strides);
}

/* Frees what make gave e (whatever it got before a failure). */
static void release(entry *e)
{
    if (e->prim)
        dnnl_primitive_destroy(e->prim);
    if (e->a)
        dnnl_memory_destroy(e->a);
    if (e->b)
        dnnl_memory_destroy(e->b);
    if (e->c)
        dnnl_memory_destroy(e->c);
    e->prim = NULL, e->a = e->b = e->c = NULL;
    e->used = 0;
}

static void free_state(void *p)
{
    thread_state *t = p;
    for (int i = 0; i < CACHE; i++)
        release(&t->e[i]);
    dnnl_stream_destroy(t->stream);
    free(t);
}

/* Fills e (its key set) with its primitive and memory objects. */
static dnnl_status_t make(entry *e)
{
    const dnnl_data_type_t in = e->bf16 ? dnnl_bf16 : dnnl_f32;
    const dnnl_dim_t cs[2] = {e->ldc, 1};
    dnnl_memory_desc_t amd, bmd, cmd;
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s;
    if ((s = md2(&amd, e->m, e->k, in, e->as)) != dnnl_success ||
        (s = md2(&bmd, e->k, e->n, in, e->bs)) != dnnl_success ||
        (s = md2(&cmd, e->m, e->n, dnnl_f32, cs)) != dnnl_success ||
        (s = dnnl_matmul_desc_init(&desc, &amd, &bmd, NULL, &cmd)) != dnnl_success ||
        (s = dnnl_primitive_attr_create(&attr)) != dnnl_success)
        return s;
    if (e->alpha != 1.0f)
        s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &e->alpha);
    if (s == dnnl_success && e->beta != 0.0f) {
        if ((s = dnnl_post_ops_create(&ops)) == dnnl_success &&
            (s = dnnl_post_ops_append_sum(ops, e->beta)) == dnnl_success)
            s = dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    if (s == dnnl_success && (s = dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL)) ==
                                 dnnl_success)
        s = dnnl_primitive_create(&e->prim, pd);
    if (ops)
        dnnl_post_ops_destroy(ops);
    dnnl_primitive_attr_destroy(attr);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success)
        return s;
    if ((s = dnnl_memory_create(&e->a, &amd, engine, DNNL_MEMORY_NONE)) != dnnl_success ||
        (s = dnnl_memory_create(&e->b, &bmd, engine, DNNL_MEMORY_NONE)) != dnnl_success ||
        (s = dnnl_memory_create(&e->c, &cmd, engine, DNNL_MEMORY_NONE)) != dnnl_success)
        return s;
    e->used = 1;
    return dnnl_success;
}

static int same_key(const entry *x, const entry *y)
{
    return x->bf16 == y->bf16 && x->m == y->m && x->n == y->n && x->k == y->k &&
           x->as[0] == y->as[0] && x->as[1] == y->as[1] && x->bs[0] == y->bs[0] &&
           x->bs[1] == y->bs[1] && x->ldc == y->ldc && x->alpha == y->alpha &&
           x->beta == y->beta;
}

/* This thread's entry for key, made on first use; NULL if oneDNN fails. */
static entry *lookup(thread_state *t, const entry *key)
{
    for (int i = 0; i < CACHE; i++)
        if (t->e[i].used && same_key(&t->e[i], key))
            return &t->e[i];
    entry *e = &t->e[t->next];
    t->next = (t->next + 1) % CACHE;
    release(e);
    *e = *key; /* the key's objects are all NULL */
    if (make(e) != dnnl_success) {
        release(e);
        return NULL;
    }
    return e;
}

static thread_state *state(void)
{
    if (ff_dnnl_start() != FF_SUCCESS)
        return NULL;
    if (!mine) {
        thread_state *t = calloc(1, sizeof *t);
        if (!t)
            return NULL;
        if (dnnl_stream_create(&t->stream, engine, dnnl_stream_default_flags) != dnnl_success) {
            free(t);
            return NULL;
        }
        mine = t;
        pthread_setspecific(mine_key, t);
    }
    return mine;
}

/* The strides of op(X) (X: rows x cols, row stride ld) as oneDNN reads
 * it. */
static void op_strides(dnnl_dim_t s[2], CBLAS_TRANSPOSE_t t, size_t ld)
{
    s[0] = t == CblasNoTrans ? (dnnl_dim_t)ld : 1;
    s[1] = t == CblasNoTrans ? 1 : (dnnl_dim_t)ld;
}

/* The product, or FF_EBACKEND if oneDNN failed (C untouched). */
static int product(int bf16, CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                   const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                   gsl_matrix_float *C)
{
    thread_state *t = state();
    if (!t)
        return FF_EBACKEND;
    const size_t M = C->size1, N = C->size2, K = ta == CblasNoTrans ? A->size2 : A->size1;
    const void *a = A->data, *b = B->data;
    size_t lda = A->tda, ldb = B->tda;
    if (bf16) { /* packed: each row of the buffer holds a row of A (B) */
        a = ff_bf16_operand(A, 0, 0), b = ff_bf16_operand(B, 0, 1);
        if (!a || !b)
            return FF_EBACKEND;
        lda = A->size2, ldb = B->size2;
    }
    entry key = {.bf16 = bf16, .m = (dnnl_dim_t)M, .n = (dnnl_dim_t)N, .k = (dnnl_dim_t)K,
                 .ldc = (dnnl_dim_t)C->tda, .alpha = alpha, .beta = beta};
    op_strides(key.as, ta, lda);
    op_strides(key.bs, tb, ldb);
    entry *e = lookup(t, &key);
    if (!e)
        return FF_EBACKEND;
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b},
                               {DNNL_ARG_DST, e->c}};
    if (dnnl_memory_set_data_handle(e->a, (void *)a) != dnnl_success ||
        dnnl_memory_set_data_handle(e->b, (void *)b) != dnnl_success ||
        dnnl_memory_set_data_handle(e->c, C->data) != dnnl_success ||
        dnnl_primitive_execute(e->prim, t->stream, 3, args) != dnnl_success ||
        dnnl_stream_wait(t->stream) != dnnl_success)
        return FF_EBACKEND;
    return FF_SUCCESS;
}

void ff_dnnl_gemm(int bf16, CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, float alpha,
                  const gsl_matrix_float *A, const gsl_matrix_float *B, float beta,
                  gsl_matrix_float *C)
{
    /* one thread for oneDNN's own parallel loops, in this call only */
    const int outer = omp_get_max_threads();
    omp_set_num_threads(1);
    const int status = product(bf16, ta, tb, alpha, A, B, beta, C);
    omp_set_num_threads(outer);
    if (status != FF_SUCCESS) /* loud: the run's finiteness checks stop it */
        gsl_matrix_float_set_all(C, NAN);
}
