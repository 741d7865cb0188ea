/* make_fuzz_corpus.c - writes the fuzz targets' seed corpora:
 *
 *   make_fuzz_corpus IDX_DIR MODEL_DIR
 *
 * IDX_DIR (fuzz_idx): tiny valid rank-1..4 files, a rank-3 file followed
 * by a rank-1 file (a data set), one with a label out of range, a truncated
 * one and one with a trailing byte; gzipped by zlib (*.gz): the rank-3 file,
 * the rank-1 file in two members, and the rank-3 file's stream cut short.  MODEL_DIR (fuzz_model): small models
 * and checkpoints written by ff_ckpt_write from tiny nets (dense, conv2d,
 * with and without the Adam state and a generator's state; locally
 * connected, format version 2), and a truncated one.  The same program and
 * seed give the same bytes: the committed corpora under tests/fuzz/ are its
 * output. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ff/checkpoint.h"
#include "ff/error.h"

static int failed;

static void put(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        failed = 1;
    }
}

/* An IDX file of unsigned bytes into buf: header, then elements 0, k, 2k, ...
 * (mod 256), with k chosen to spread them; returns its size. */
static size_t idx_bytes(uint8_t *buf, int rank, const uint32_t *dims, unsigned k)
{
    size_t n = 4, count = 1;
    buf[0] = buf[1] = 0, buf[2] = 0x08, buf[3] = (uint8_t)rank;
    for (int i = 0; i < rank; i++, n += 4) {
        buf[n] = (uint8_t)(dims[i] >> 24), buf[n + 1] = (uint8_t)(dims[i] >> 16);
        buf[n + 2] = (uint8_t)(dims[i] >> 8), buf[n + 3] = (uint8_t)dims[i];
        count *= dims[i];
    }
    for (size_t i = 0; i < count; i++)
        buf[n + i] = (uint8_t)(i * k);
    return n + count;
}

/* Append to buf (at most cap bytes) one gzip member of the n bytes of p,
 * zlib's default level; returns its size, 0 if it does not fit. */
static size_t gzip_member(uint8_t *buf, size_t cap, const uint8_t *p, size_t n)
{
    z_stream z = {0};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    const size_t out = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
    deflateEnd(&z);
    if (!out) {
        fprintf(stderr, "make_fuzz_corpus: cannot gzip %zu bytes\n", n);
        failed = 1;
    }
    return out;
}

static void idx_corpus(const char *dir)
{
    uint8_t a[256], b[64];
    const uint32_t labels[1] = {5}, images[3] = {2, 3, 3}, plane[2] = {3, 4},
                   cube[4] = {1, 2, 2, 2}, pair[3] = {2, 2, 2}, two[1] = {2};
    put(dir, "rank1-labels", a, idx_bytes(a, 1, labels, 1));
    put(dir, "rank2", a, idx_bytes(a, 2, plane, 21));
    put(dir, "rank3-images", a, idx_bytes(a, 3, images, 15));
    put(dir, "rank4", a, idx_bytes(a, 4, cube, 37));

    /* images then labels: ff_dataset_load_idx's two files */
    size_t n = idx_bytes(a, 3, pair, 255);
    size_t m = idx_bytes(b, 1, two, 9); /* labels 0 and 9 */
    memcpy(a + n, b, m);
    put(dir, "dataset", a, n + m);
    a[n + m - 1] = 10;
    put(dir, "dataset-bad-label", a, n + m);

    n = idx_bytes(a, 3, images, 15);
    put(dir, "rank3-truncated", a, n - 5);
    n = idx_bytes(a, 1, labels, 1);
    a[n] = 0;
    put(dir, "rank1-trailing", a, n + 1);

    uint8_t gz[512];
    n = idx_bytes(a, 3, images, 15);
    m = gzip_member(gz, sizeof gz, a, n);
    put(dir, "rank3-images.gz", gz, m);
    put(dir, "rank3-truncated.gz", gz, m / 2);
    n = idx_bytes(a, 1, labels, 1);
    m = gzip_member(gz, sizeof gz, a, 6);
    m += gzip_member(gz + m, sizeof gz - m, a + 6, n - 6);
    put(dir, "rank1-labels-2members.gz", gz, m);
}

/* The optimiser state a file holds beside the parameters: none (a model
 * read to be evaluated), Adam's (ADAM, STEP) or momentum SGD's (MOMT). */
enum opt_state { NO_STATE, ADAM_STATE, SGD_STATE };

/* A net of this spec, Glorot weights and random optimiser state, written
 * with the sections asked for: that optimiser state, and with rng the
 * generator's. */
static void model(const char *dir, const char *name, const ff_net_spec *spec, int finished,
                  enum opt_state opt, int rng)
{
    ff_net *net;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r || ff_net_alloc(&net, spec) != FF_SUCCESS) {
        fprintf(stderr, "%s: cannot build the net\n", name);
        failed = 1;
        gsl_rng_free(r);
        return;
    }
    gsl_rng_set(r, 1);
    ff_net_init_glorot(net, r);
    for (size_t i = 0; i < 2 * net->n_params; i++)
        net->m[i] = (float)gsl_rng_uniform(r) * 1e-3f;
    for (size_t l = 0; l <= net->n_layers; l++)
        net->step[l] = 10 + (long)l;

    static const char epoch[4] = {3, 0, 0, 0};
    ff_ckpt_section s[5];
    size_t n = ff_ckpt_net_sections(net, opt == SGD_STATE ? FF_OPT_SGD : FF_OPT_ADAM, s);
    if (opt == NO_STATE)
        n = 1; /* PARM, always first */
    if (rng)
        s[n++] = ff_ckpt_rng_section(r);
    if (!finished)
        s[n++] = (ff_ckpt_section){{'E', 'P', 'O', 'C'}, epoch, sizeof epoch};
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int status = ff_ckpt_write(path, spec, finished ? "" : "program fuzz\nseed 1\n", finished,
                               s, n);
    if (status != FF_SUCCESS) {
        fprintf(stderr, "%s: %s\n", path, ff_strerror(status));
        failed = 1;
    }
    ff_net_free(net);
    gsl_rng_free(r);
}

static void model_corpus(const char *dir)
{
    ff_net_spec dense = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 1, .head_from = 0,
                         .n_classes = 2, .norm = FF_NORM_L2};
    dense.layer[0] = (ff_layer_spec){FF_LAYER_DENSE, 3, 0, 0, 0};
    model(dir, "dense1-model", &dense, 1, NO_STATE, 0);

    ff_net_spec two = {.ih = 3, .iw = 3, .ic = 1, .n_layers = 2, .head_from = 1,
                       .n_classes = 3, .norm = FF_NORM_RMS, .normalize_input = 1};
    two.layer[0] = (ff_layer_spec){FF_LAYER_DENSE, 4, 0, 0, 0};
    two.layer[1] = (ff_layer_spec){FF_LAYER_DENSE, 3, 0, 0, 0};
    model(dir, "dense2-checkpoint", &two, 0, ADAM_STATE, 0);
    model(dir, "dense2-checkpoint-rng", &two, 0, ADAM_STATE, 1);

    ff_net_spec conv = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 2, .head_from = 0,
                        .n_classes = 2, .norm = FF_NORM_L2};
    conv.layer[0] = (ff_layer_spec){FF_LAYER_CONV2D, 2, 3, 3, 1};
    conv.layer[1] = (ff_layer_spec){FF_LAYER_DENSE, 2, 0, 0, 0};
    model(dir, "conv2-checkpoint", &conv, 0, ADAM_STATE, 0);

    /* local layers (version 2), trained as the paper's local net is, by
     * momentum SGD: 5x5x1 -> a 2x2 grid (3x3 kernel, stride 2) of 2
     * channels -> a 1x1 grid (2x2 kernel) of 2 */
    ff_net_spec local = {.ih = 5, .iw = 5, .ic = 1, .n_layers = 2, .head_from = 0,
                         .n_classes = 2, .norm = FF_NORM_RMS, .normalize_input = 1};
    local.layer[0] = (ff_layer_spec){FF_LAYER_LOCAL, 2, 3, 3, 2};
    local.layer[1] = (ff_layer_spec){FF_LAYER_LOCAL, 2, 2, 2, 1};
    model(dir, "local2-checkpoint", &local, 0, SGD_STATE, 1);

    /* the first model cut short, inside its PARM section */
    char path[4096];
    snprintf(path, sizeof path, "%s/dense1-model", dir);
    FILE *f = fopen(path, "rb");
    uint8_t buf[512];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    if (n < 260) {
        fprintf(stderr, "%s: cannot read back\n", path);
        failed = 1;
        return;
    }
    put(dir, "dense1-truncated", buf, 260);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_fuzz_corpus IDX_DIR MODEL_DIR\n");
        return 2;
    }
    idx_corpus(argv[1]);
    model_corpus(argv[2]);
    return failed;
}
