/* fuzz_model.c - libFuzzer target: the model and checkpoint reader
 * (checkpoint.h), on the input as a file in memory (fmemopen).
 *
 * Each input is read twice: as it is, then with its checksum field set to
 * the checksum of its config and payload, so that a mutation behind the
 * header reaches the section index and the net instead of stopping at the
 * checksum.  A file the reader accepts must keep the header's promises: a
 * spec ff_net_alloc builds, a PARM section of the net's size, no section
 * outside the payload; then the net is restored from it, its parameters
 * alone and with each optimiser's state (which must succeed exactly when
 * ADAM and STEP, or MOMT, are there), and so is a generator.  A broken
 * promise aborts. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ff/checkpoint.h"
#include "ff/error.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* checkpoint.h's layout: magic, 2 + 8 + F FF_MAX_LAYERS + 2 u32 fields
 * (F = 4 in version 1, 5 in version 2), then payload_len and checksum
 * (u64); the checksum covers what follows. */
#define HEADER_BYTES_OF(per) (8 + 4 * (2 + 8 + (per) * FF_MAX_LAYERS + 2) + 16)
#define HEADER_BYTES HEADER_BYTES_OF(4) /* the smaller */

/* The header's size for the version the input names (version 1's for any
 * other: the reader refuses those before the checksum). */
static size_t header_bytes(const uint8_t *data, size_t size)
{
    uint32_t version = 1;
    if (size >= 12)
        memcpy(&version, data + 8, 4);
    return version == 2 ? HEADER_BYTES_OF(5) : HEADER_BYTES;
}

static void check_sections(const ff_ckpt *c)
{
    FUZZ_CHECK(c->n_sections <= FF_CKPT_MAX_SECTIONS);
    for (size_t i = 0; i < c->n_sections; i++)
        fuzz_touch(c->section[i].data, c->section[i].len);
    fuzz_touch(c->config, strlen(c->config) + 1);
    size_t n_params = 0;
    FUZZ_CHECK(ff_net_spec_check(&c->spec, &n_params) == FF_SUCCESS);
    FUZZ_CHECK(n_params == c->n_params);
}

/* Restore a net and a generator from an accepted checkpoint. */
static void restore(const ff_ckpt *c)
{
    size_t n_parm, n_adam, n_step, n_rng;
    const void *parm = ff_ckpt_find(c, "PARM", &n_parm);
    const void *adam = ff_ckpt_find(c, "ADAM", &n_adam);
    const void *step = ff_ckpt_find(c, "STEP", &n_step);
    size_t n_momt;
    const void *momt = ff_ckpt_find(c, "MOMT", &n_momt);
    const void *rng = ff_ckpt_find(c, "RNG ", &n_rng);
    FUZZ_CHECK(parm && n_parm == c->n_params * sizeof(float));
    FUZZ_CHECK(!adam || n_adam == 2 * n_parm);
    FUZZ_CHECK(!step || n_step == (c->spec.n_layers + 1) * sizeof(long));
    FUZZ_CHECK(!momt || n_momt == n_parm);

    ff_net *net;
    FUZZ_CHECK(ff_net_alloc(&net, &c->spec) == FF_SUCCESS);
    FUZZ_CHECK(net->n_params == c->n_params);
    FUZZ_CHECK(ff_ckpt_restore_params(c, net) == FF_SUCCESS);
    FUZZ_CHECK(memcmp(net->params, parm, n_parm) == 0);
    int status = ff_ckpt_restore_net(c, net, FF_OPT_ADAM);
    FUZZ_CHECK(status == (adam && step ? FF_SUCCESS : FF_ECKPT_SECTION));
    if (status == FF_SUCCESS)
        FUZZ_CHECK(memcmp(net->m, adam, n_adam) == 0 && memcmp(net->step, step, n_step) == 0);
    status = ff_ckpt_restore_net(c, net, FF_OPT_SGD);
    FUZZ_CHECK(status == (momt ? FF_SUCCESS : FF_ECKPT_SECTION));
    if (status == FF_SUCCESS)
        FUZZ_CHECK(memcmp(net->m, momt, n_momt) == 0);
    ff_net_free(net);

    static gsl_rng *r;
    if (!r && !(r = gsl_rng_alloc(gsl_rng_mt19937)))
        abort();
    const int rs = ff_ckpt_restore_rng(c, r);
    FUZZ_CHECK(rs == (!rng ? FF_ECKPT_SECTION
                           : n_rng == gsl_rng_size(r) ? FF_SUCCESS : FF_ECKPT_MISMATCH));
}

static void read_model(const uint8_t *data, size_t size)
{
    static uint8_t empty[1];
    FILE *f = fmemopen(size ? (void *)data : empty, size, "rb");
    if (!f)
        abort();
    ff_ckpt *c;
    const int status = ff_ckpt_read(&c, f, (long long)size);
    fclose(f);
    FUZZ_CHECK(status >= 0 && status < FF_NSTATUS);
    FUZZ_CHECK((status == FF_SUCCESS) == (c != NULL));
    if (!c)
        return;
    FUZZ_CHECK(size >= header_bytes(data, size));
    check_sections(c);
    restore(c);
    ff_ckpt_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_model(data, size);
    const size_t header = header_bytes(data, size);
    if (size < header)
        return 0;
    uint8_t *copy = malloc(size);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    const uint64_t sum = ff_fnv1a64(FF_FNV64_OFFSET, copy + header, size - header);
    memcpy(copy + header - 8, &sum, 8);
    read_model(copy, size);
    free(copy);
    return 0;
}
