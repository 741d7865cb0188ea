/* fuzz_idx.c - libFuzzer target: the IDX reader (idx.h) and the data set
 * loader built on it (dataset.h).
 *
 * ff_idx_read takes a path, so each input is written to a file (in
 * /dev/shm when there is one), created once per process, unlinked at once
 * and reached through /proc/self/fd: nothing is left behind, not even by
 * a crash.  The whole input is read with the rank its fourth byte names.
 * Then it is split in two for ff_dataset_load_idx: its first bytes, as many
 * as a rank-3 header there promises (at most all of them), are the image
 * file, the rest the label file; so a rank-3 file followed by a rank-1 file
 * loads as a data set.
 *
 * Gzip: an input that starts with the gzip magic is read as a gzipped file
 * (the seeds of corpus-idx/ named *.gz start the fuzzer there).  And every
 * input is also gzipped by zlib and read again: the reader must find in
 * the stream exactly what it found in the input (FF_EIDX_GZ_LONG where the
 * raw read says FF_EIDX_TRAILING; FF_EIDX_MAGIC for an input gzipped
 * already: one layer only).
 *
 * Beyond "no crash, no leak, no undefined behaviour", what is accepted must
 * be what the headers promise: dims and count agree, pixels in [0, 1],
 * labels 0..9; anything else aborts, which the fuzzer reports. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/idx.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A file that holds one input at a time; path is where ff_idx_read finds it. */
typedef struct {
    int fd;
    char path[64];
} scratch;

static void scratch_open(scratch *s)
{
    char name[] = "/tmp/fuzz_idx.XXXXXX";
    char shm[] = "/dev/shm/fuzz_idx.XXXXXX";
    char *t = access("/dev/shm", W_OK) == 0 ? shm : name;
    s->fd = mkstemp(t);
    if (s->fd < 0 || unlink(t) != 0) {
        perror(t);
        abort();
    }
    snprintf(s->path, sizeof s->path, "/proc/self/fd/%d", s->fd);
}

static void scratch_put(const scratch *s, const uint8_t *p, size_t n)
{
    if (ftruncate(s->fd, 0) != 0)
        abort();
    for (size_t at = 0; at < n;) {
        ssize_t w = pwrite(s->fd, p + at, n - at, (off_t)at);
        if (w <= 0)
            abort();
        at += (size_t)w;
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bytes of the image file at the start of an input: what its rank-3 header
 * promises, at most the input's size. */
static size_t image_part(const uint8_t *p, size_t n)
{
    if (n < 16 || p[3] != 3)
        return n;
    uint64_t count = 1;
    for (int i = 0; i < 3; i++) {
        const uint64_t d = be32(p + 4 + 4 * i);
        if (d && count > UINT64_MAX / d)
            return n;
        count *= d;
    }
    return count < n - 16 ? 16 + (size_t)count : n;
}

static void check_idx(const ff_idx *x, int rank)
{
    size_t count = 1;
    FUZZ_CHECK(x->rank == rank && x->data);
    for (int i = 0; i < x->rank; i++) {
        FUZZ_CHECK(x->dims[i] > 0);
        count *= x->dims[i];
    }
    FUZZ_CHECK(count == x->count && count <= FF_IDX_MAX_BYTES);
    fuzz_touch(x->data, x->count);
}

/* The input gzipped (one member, zlib's default level) into `s`. */
static void put_gzipped(const scratch *s, const uint8_t *p, size_t n)
{
    z_stream z = {0};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    const size_t cap = deflateBound(&z, (uLong)n);
    uint8_t *out = malloc(cap);
    if (!out)
        abort();
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    scratch_put(s, out, z.total_out);
    deflateEnd(&z);
    free(out);
}

/* Read the gzipped input (in `s`) and require what the raw read gave:
 * status `raw_status` and, on success, `raw`. */
static void check_gzipped(const scratch *s, const uint8_t *data, size_t size, int rank,
                          int raw_status, const ff_idx *raw)
{
    const int gzipped_already = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    int want = raw_status == FF_EIDX_TRAILING ? FF_EIDX_GZ_LONG : raw_status;
    if (gzipped_already)
        want = size < 4 ? FF_EIDX_TRUNC : FF_EIDX_MAGIC;
    ff_idx y;
    const int status = ff_idx_read(&y, s->path, rank);
    FUZZ_CHECK(status == want);
    if (status == FF_SUCCESS && !gzipped_already) {
        FUZZ_CHECK(y.rank == raw->rank && y.count == raw->count);
        FUZZ_CHECK(memcmp(y.dims, raw->dims, sizeof y.dims) == 0);
        FUZZ_CHECK(memcmp(y.data, raw->data, y.count) == 0);
    }
    ff_idx_free(&y);
}

static void check_dataset(const ff_dataset *ds)
{
    FUZZ_CHECK(ds->n > 0 && ds->d == ds->h * ds->w);
    for (size_t i = 0; i < ds->n * ds->d; i++)
        FUZZ_CHECK(ds->x[i] >= 0.0f && ds->x[i] <= 1.0f);
    for (size_t i = 0; i < ds->n; i++)
        FUZZ_CHECK(ds->y[i] >= 0 && ds->y[i] <= 9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static scratch a = {-1, ""}, b = {-1, ""}, c = {-1, ""};
    if (a.fd < 0) {
        scratch_open(&a);
        scratch_open(&b);
        scratch_open(&c);
    }

    const int rank = size >= 4 ? data[3] : 1;
    scratch_put(&a, data, size);
    ff_idx x;
    int status = ff_idx_read(&x, a.path, rank);
    FUZZ_CHECK(status >= 0 && status < FF_NSTATUS);
    if (status == FF_SUCCESS)
        check_idx(&x, rank);
    put_gzipped(&c, data, size);
    check_gzipped(&c, data, size, rank, status, &x);
    ff_idx_free(&x);

    const size_t n_img = image_part(data, size);
    scratch_put(&a, data, n_img);
    scratch_put(&b, data + n_img, size - n_img);
    ff_dataset *ds;
    status = ff_dataset_load_idx(&ds, a.path, b.path, NULL);
    FUZZ_CHECK(status >= 0 && status < FF_NSTATUS);
    FUZZ_CHECK((status == FF_SUCCESS) == (ds != NULL));
    if (ds)
        check_dataset(ds);
    ff_dataset_free(ds);
    return 0;
}
