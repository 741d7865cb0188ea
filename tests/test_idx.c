/* test_idx.c - the strict IDX reader and ff_dataset_load_idx.
 *
 * Every status the reader can return for a bad file is provoked by a small
 * hand-written file in the current directory, each checked for its exact
 * code: a loader that only says "failed" would let a corrupt download pass
 * as a different fault, and the programs' messages depend on the code. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "ff/dataset.h"
#include "ff/error.h"
#include "ff/idx.h"

#define DIR_PATH "idx_t_dir"

static void write_bytes(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

/* The bytes of an IDX file: header (magic, type, rank, dims) then
 * `payload` bytes of a fixed pattern (or of `data` when given); *n is their
 * number.  Header fields are free so that each test can break exactly one
 * of them. */
static uint8_t *idx_bytes(size_t *n, uint8_t m0, uint8_t m1, uint8_t type, int rank,
                          const uint32_t *dims, const uint8_t *data, size_t payload)
{
    size_t hdr = 4 + 4 * (size_t)rank;
    uint8_t *buf = calloc(hdr + payload + 1, 1);
    if (!buf)
        exit(1);
    buf[0] = m0, buf[1] = m1, buf[2] = type, buf[3] = (uint8_t)rank;
    for (int i = 0; i < rank; i++)
        for (int b = 0; b < 4; b++)
            buf[4 + 4 * i + b] = (uint8_t)(dims[i] >> (24 - 8 * b));
    for (size_t i = 0; i < payload; i++)
        buf[hdr + i] = data ? data[i] : (uint8_t)(i * 37 + 11);
    *n = hdr + payload;
    return buf;
}

static void write_idx(const char *path, uint8_t m0, uint8_t m1, uint8_t type, int rank,
                      const uint32_t *dims, const uint8_t *data, size_t payload)
{
    size_t n;
    uint8_t *buf = idx_bytes(&n, m0, m1, type, rank, dims, data, payload);
    write_bytes(path, buf, n);
    free(buf);
}

/* Read with a poisoned `out`, so that a reader which leaves stale fields
 * behind on failure is caught. */
static int read_poisoned(ff_idx *out, const char *path, int rank)
{
    memset(out, 0xAB, sizeof *out);
    return ff_idx_read(out, path, rank);
}

static void check_fails(const char *path, int rank, int want, const char *what)
{
    ff_idx out;
    int st = read_poisoned(&out, path, rank);
    CHECK(st == want, "%s: status %d (%s), expected %d (%s)", what, st, ff_strerror(st),
          want, ff_strerror(want));
    CHECK(out.data == NULL, "%s: out.data must be NULL on failure", what);
    if (st == FF_SUCCESS)
        ff_idx_free(&out);
}

static void test_valid_read(void)
{
    const uint32_t dims[3] = {2, 2, 3};
    const uint8_t data[12] = {0, 1, 2, 127, 128, 254, 255, 9, 10, 200, 100, 50};
    write_idx("idx_t_ok3", 0, 0, 0x08, 3, dims, data, 12);
    ff_idx out;
    int st = read_poisoned(&out, "idx_t_ok3", 3);
    CHECK(st == FF_SUCCESS, "valid rank-3 file: status %d (%s)", st, ff_strerror(st));
    if (st != FF_SUCCESS)
        return;
    CHECK(out.rank == 3, "rank %d", out.rank);
    CHECK(out.dims[0] == 2 && out.dims[1] == 2 && out.dims[2] == 3, "dims %u %u %u",
          out.dims[0], out.dims[1], out.dims[2]);
    CHECK(out.count == 12, "count %zu", out.count);
    CHECK(out.data && memcmp(out.data, data, 12) == 0, "payload bytes differ");
    ff_idx_free(&out);
    CHECK(out.data == NULL, "ff_idx_free leaves data %p", (void *)out.data);

    /* big-endian dims above 255 catch a reader that takes the low byte only */
    const uint32_t big[1] = {258};
    write_idx("idx_t_ok1", 0, 0, 0x08, 1, big, NULL, 258);
    st = read_poisoned(&out, "idx_t_ok1", 1);
    CHECK(st == FF_SUCCESS && out.dims[0] == 258 && out.count == 258,
          "rank-1 file of 258 bytes: status %d dims[0] %u", st, out.dims[0]);
    if (st == FF_SUCCESS)
        ff_idx_free(&out);
}

static void test_open(void)
{
    remove("idx_t_missing");
    check_fails("idx_t_missing", 1, FF_EOPEN, "missing file");
    mkdir(DIR_PATH, 0777);
    check_fails(DIR_PATH, 1, FF_EOPEN, "a directory");
    {   /* FF_EOPEN: errno says why */
        ff_idx d;
        errno = 0;
        const int st = ff_idx_read(&d, DIR_PATH, 1), e = errno;
        CHECK(st == FF_EOPEN && e == EISDIR, "a directory: status %d, errno %d (%s), want "
              "FF_EOPEN and EISDIR", st, e, strerror(e));
    }
    rmdir(DIR_PATH);
}

static void test_header(void)
{
    const uint32_t d3[3] = {2, 2, 2}, d2[2] = {2, 4}, d1[1] = {8};
    write_idx("idx_t_magic0", 1, 0, 0x08, 1, d1, NULL, 8);
    check_fails("idx_t_magic0", 1, FF_EIDX_MAGIC, "first magic byte 1");
    write_idx("idx_t_magic1", 0, 3, 0x08, 1, d1, NULL, 8);
    check_fails("idx_t_magic1", 1, FF_EIDX_MAGIC, "second magic byte 3");

    write_idx("idx_t_float", 0, 0, 0x0D, 3, d3, NULL, 8 * 4);
    check_fails("idx_t_float", 3, FF_EIDX_TYPE, "element type 0x0D (float)");
    write_idx("idx_t_sbyte", 0, 0, 0x09, 3, d3, NULL, 8);
    check_fails("idx_t_sbyte", 3, FF_EIDX_TYPE, "element type 0x09 (signed byte)");

    write_idx("idx_t_rank2", 0, 0, 0x08, 2, d2, NULL, 8);
    check_fails("idx_t_rank2", 3, FF_EIDX_RANK, "rank 2 when 3 expected");
    check_fails("idx_t_rank2", 1, FF_EIDX_RANK, "rank 2 when 1 expected");
    /* a rank the dims array cannot hold must be refused, not read past */
    const uint32_t d5[5] = {1, 1, 1, 1, 2};
    write_idx("idx_t_rank5", 0, 0, 0x08, 5, d5, NULL, 2);
    check_fails("idx_t_rank5", 5, FF_EIDX_RANK, "rank 5 (above FF_IDX_MAX_RANK)");

    const uint32_t zero_mid[3] = {3, 0, 4}, zero_first[1] = {0};
    write_idx("idx_t_empty3", 0, 0, 0x08, 3, zero_mid, NULL, 0);
    check_fails("idx_t_empty3", 3, FF_EIDX_EMPTY, "a zero middle dimension");
    write_idx("idx_t_empty1", 0, 0, 0x08, 1, zero_first, NULL, 0);
    check_fails("idx_t_empty1", 1, FF_EIDX_EMPTY, "a zero count");
}

/* Cap the address space at `mib` MiB above what the process uses now, so
 * that a reader which allocates what a header promises before checking it
 * fails with FF_ENOMEM instead of the expected status; *old is the limit to
 * restore.  Returns whether the cap is set. */
static int cap_address_space(struct rlimit *old, size_t mib)
{
    int capped = 0;
    if (getrlimit(RLIMIT_AS, old) == 0) {
        long pages = 0, page = sysconf(_SC_PAGESIZE);
        FILE *f = fopen("/proc/self/statm", "r");
        if (f) {
            if (fscanf(f, "%ld", &pages) != 1)
                pages = 0;
            fclose(f);
        }
        rlim_t cap = (rlim_t)pages * (rlim_t)page + ((rlim_t)mib << 20);
        if (pages > 0 && (old->rlim_max == RLIM_INFINITY || cap <= old->rlim_max)) {
            struct rlimit lim = {cap, old->rlim_max};
            capped = setrlimit(RLIMIT_AS, &lim) == 0;
        }
    }
    CHECK(capped, "could not cap the address space to test for big allocations");
    return capped;
}

/* Headers promising absurd sizes, over a file of a few bytes, read with
 * the address space capped. */
static void test_toobig(void)
{
    struct rlimit old;
    const int capped = cap_address_space(&old, 256);

    const uint32_t overflow[3] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    write_idx("idx_t_overflow", 0, 0, 0x08, 3, overflow, NULL, 16);
    check_fails("idx_t_overflow", 3, FF_EIDX_TOOBIG, "dims whose product overflows 64 bits");

    const uint32_t wrap[4] = {65536, 65536, 65536, 65536};
    write_idx("idx_t_wrap", 0, 0, 0x08, 4, wrap, NULL, 16);
    check_fails("idx_t_wrap", 4, FF_EIDX_TOOBIG, "dims whose product wraps to 0 mod 2^64");

    const uint32_t over1[1] = {(uint32_t)FF_IDX_MAX_BYTES + 1};
    write_idx("idx_t_over1", 0, 0, 0x08, 1, over1, NULL, 16);
    check_fails("idx_t_over1", 1, FF_EIDX_TOOBIG, "FF_IDX_MAX_BYTES + 1 bytes");

    /* exactly the limit is allowed by the size rule, so the short file is
     * what must be reported, still without allocating the promised 1 GiB */
    const uint32_t at_max[3] = {1024, 1024, 1024};
    write_idx("idx_t_atmax", 0, 0, 0x08, 3, at_max, NULL, 16);
    check_fails("idx_t_atmax", 3, FF_EIDX_TRUNC, "FF_IDX_MAX_BYTES promised, 16 present");

    if (capped)
        setrlimit(RLIMIT_AS, &old);
}

static void test_length(void)
{
    const uint32_t d3[3] = {3, 4, 5};
    write_idx("idx_t_short", 0, 0, 0x08, 3, d3, NULL, 59);
    check_fails("idx_t_short", 3, FF_EIDX_TRUNC, "payload one byte short");
    write_idx("idx_t_nopayload", 0, 0, 0x08, 3, d3, NULL, 0);
    check_fails("idx_t_nopayload", 3, FF_EIDX_TRUNC, "header only, no payload");

    /* rank 3 announced but only two dims present */
    const uint8_t cut[12] = {0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 4};
    write_bytes("idx_t_cuthdr", cut, sizeof cut);
    check_fails("idx_t_cuthdr", 3, FF_EIDX_TRUNC, "header cut inside the dims");
    write_bytes("idx_t_cut6", cut, 6);
    check_fails("idx_t_cut6", 3, FF_EIDX_TRUNC, "header cut inside the first dim");
    write_bytes("idx_t_2bytes", cut, 2);
    check_fails("idx_t_2bytes", 3, FF_EIDX_TRUNC, "a 2-byte file");
    write_bytes("idx_t_0bytes", cut, 0);
    check_fails("idx_t_0bytes", 3, FF_EIDX_TRUNC, "an empty file");

    write_idx("idx_t_trailing", 0, 0, 0x08, 3, d3, NULL, 61);
    check_fails("idx_t_trailing", 3, FF_EIDX_TRAILING, "one byte too many");
}

/* ---- gzip ----------------------------------------------------------------
 * Every gzip stream is written here by zlib (level 6, no name, no time: the
 * same bytes on every run), then damaged on purpose. */

/* A growing byte buffer. */
typedef struct {
    uint8_t *p;
    size_t n, cap;
} bytes;

static void bytes_put(bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = 2 * (b->n + n);
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            exit(1);
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* Deflate the n bytes of p into out; Z_FINISH ends the member. */
static void deflate_put(z_stream *z, bytes *out, const uint8_t *p, size_t n, int flush)
{
    uint8_t buf[1 << 16];
    int status;
    z->next_in = (Bytef *)p;
    z->avail_in = (uInt)n;
    do {
        z->next_out = buf;
        z->avail_out = sizeof buf;
        status = deflate(z, flush);
        if (status == Z_STREAM_ERROR)
            exit(1);
        bytes_put(out, buf, sizeof buf - z->avail_out);
    } while (z->avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
}

/* Append to out one gzip member of the n bytes of p followed by `zeros`
 * zero bytes (run-length matching when there are zeros: a long run then
 * costs little time). */
static void gzip_member(bytes *out, const uint8_t *p, size_t n, size_t zeros)
{
    static const uint8_t zero[1 << 20];
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     zeros ? Z_RLE : Z_DEFAULT_STRATEGY) != Z_OK)
        exit(1);
    deflate_put(&z, out, p, n, Z_NO_FLUSH);
    for (; zeros > sizeof zero; zeros -= sizeof zero)
        deflate_put(&z, out, zero, sizeof zero, Z_NO_FLUSH);
    deflate_put(&z, out, zero, zeros, Z_FINISH);
    deflateEnd(&z);
}

/* The bytes a gzip stream inflates to (its members in a row), counted by
 * zlib itself without keeping them; SIZE_MAX if it is not a valid stream. */
static size_t inflated_size(const bytes *b)
{
    uint8_t buf[1 << 16];
    size_t total = 0;
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        exit(1);
    z.next_in = b->p;
    z.avail_in = (uInt)b->n;
    int status = Z_OK;
    while (status == Z_OK ||
           (status == Z_STREAM_END && z.avail_in > 0 && inflateReset(&z) == Z_OK)) {
        z.next_out = buf;
        z.avail_out = sizeof buf;
        status = inflate(&z, Z_NO_FLUSH);
        total += sizeof buf - z.avail_out;
    }
    inflateEnd(&z);
    return status == Z_STREAM_END ? total : SIZE_MAX;
}

/* The gzip stream of an IDX file (idx_bytes's arguments), one member. */
static bytes gz_idx(uint8_t type, int rank, const uint32_t *dims, const uint8_t *data,
                    size_t payload)
{
    size_t n;
    uint8_t *raw = idx_bytes(&n, 0, 0, type, rank, dims, data, payload);
    bytes gz = {0};
    gzip_member(&gz, raw, n, 0);
    free(raw);
    return gz;
}

/* Write the first n bytes of b to path, then `tail` (m bytes) after them. */
static void write_gz(const char *path, const bytes *b, size_t n, const void *tail, size_t m)
{
    bytes out = {0};
    bytes_put(&out, b->p, n);
    bytes_put(&out, tail, m);
    write_bytes(path, out.p, out.n);
    free(out.p);
}

/* Gzip the file src into dst. */
static void gzip_file(const char *src, const char *dst)
{
    bytes raw = {0}, gz = {0};
    uint8_t buf[4096];
    FILE *f = fopen(src, "rb");
    if (!f)
        exit(1);
    for (size_t got; (got = fread(buf, 1, sizeof buf, f)) > 0;)
        bytes_put(&raw, buf, got);
    fclose(f);
    gzip_member(&gz, raw.p, raw.n, 0);
    write_gz(dst, &gz, gz.n, NULL, 0);
    free(raw.p);
    free(gz.p);
}

/* Reading `gz` must give exactly what reading `raw` gives. */
static void check_same(const char *gz, const char *raw, int rank, const char *what)
{
    ff_idx a, b;
    const int sa = read_poisoned(&a, raw, rank), sb = read_poisoned(&b, gz, rank);
    CHECK(sa == FF_SUCCESS && sb == FF_SUCCESS, "%s: status %d (%s) raw, %d (%s) gzipped", what,
          sa, ff_strerror(sa), sb, ff_strerror(sb));
    if (sa == FF_SUCCESS && sb == FF_SUCCESS)
        CHECK(a.rank == b.rank && a.count == b.count &&
                  memcmp(a.dims, b.dims, sizeof a.dims) == 0 && memcmp(a.data, b.data, a.count) == 0,
              "%s: the gzipped file reads otherwise than the raw one", what);
    if (sa == FF_SUCCESS)
        ff_idx_free(&a);
    if (sb == FF_SUCCESS)
        ff_idx_free(&b);
}

/* A rank-3 IDX file (gz_idx's arguments) gzipped must fail with `want`,
 * read with rank `rank`. */
static void check_gz_fails(uint8_t type, const uint32_t *dims, size_t payload, int rank,
                           int want, const char *what)
{
    bytes gz = gz_idx(type, 3, dims, NULL, payload);
    write_gz("idx_t_gzcase", &gz, gz.n, NULL, 0);
    check_fails("idx_t_gzcase", rank, want, what);
    free(gz.p);
}

/* A valid file gzipped reads as the raw file, whatever its name; each fault
 * of the stream is its own status, and the stream it was made from reads
 * (the control: the fault is what is caught). */
static void test_gzip(void)
{
    /* 3 MiB of pseudo-random bytes: a long stream (many reads of the
     * compressed input), a payload buffer grown past FF_IDX_GZ_FIRST_BYTES */
    const size_t big_n = (size_t)3 << 20;
    const uint32_t big[3] = {3, 1024, 1024};
    uint8_t *px = malloc(big_n);
    if (!px)
        exit(1);
    for (size_t i = 0, x = 12345; i < big_n; i++, x = x * 1103515245u + 12345u)
        px[i] = (uint8_t)(x >> 16);
    write_idx("idx_t_gzbig", 0, 0, 0x08, 3, big, px, big_n);
    bytes gz = gz_idx(0x08, 3, big, px, big_n);
    write_gz("idx_t_gzbig.gz", &gz, gz.n, NULL, 0);
    CHECK(gz.n > ((size_t)2 << 20), "the 3 MiB payload compresses to %zu bytes", gz.n);
    check_same("idx_t_gzbig.gz", "idx_t_gzbig", 3, "gzipped 3 MiB payload");
    free(gz.p);
    free(px);

    /* the magic decides, not the name */
    const uint32_t d3[3] = {3, 4, 5};
    write_idx("idx_t_gzraw", 0, 0, 0x08, 3, d3, NULL, 60);
    write_idx("idx_t_raw.gz", 0, 0, 0x08, 3, d3, NULL, 60);
    gz = gz_idx(0x08, 3, d3, NULL, 60);
    write_gz("idx_t_gz", &gz, gz.n, NULL, 0);
    check_same("idx_t_gz", "idx_t_gzraw", 3, "gzipped file without .gz");
    check_same("idx_t_raw.gz", "idx_t_gzraw", 3, "raw file named .gz");

    /* members in a row are one stream: the header and part of the
     * payload, then the rest */
    size_t n;
    uint8_t *raw = idx_bytes(&n, 0, 0, 0x08, 3, d3, NULL, 60);
    bytes two = {0};
    gzip_member(&two, raw, 30, 0);
    gzip_member(&two, raw + 30, n - 30, 0);
    write_gz("idx_t_gz2", &two, two.n, NULL, 0);
    check_same("idx_t_gz2", "idx_t_gzraw", 3, "two gzip members");
    free(two.p);

    /* the stream cut short */
    const size_t cut[5] = {gz.n - 1, gz.n - 8, gz.n / 2, 10, 2};
    const char *const cut_what[5] = {"the last byte cut", "the 8-byte trailer cut",
                                     "cut in the compressed data", "the gzip header alone",
                                     "the magic alone"};
    for (int i = 0; i < 5; i++) {
        write_gz("idx_t_gzcut", &gz, cut[i], NULL, 0);
        check_fails("idx_t_gzcut", 3, FF_EIDX_GZ_TRUNC, cut_what[i]);
    }

    /* one byte damaged: the CRC-32, the length, the compression method,
     * the first block's type (3, reserved) */
    const size_t at[4] = {gz.n - 8, gz.n - 4, 2, 10};
    const uint8_t set[4] = {(uint8_t)~gz.p[gz.n - 8], (uint8_t)~gz.p[gz.n - 4], 7, 0x07};
    const char *const bad_what[4] = {"a wrong CRC-32", "a wrong length", "compression method 7",
                                     "block type 3"};
    for (int i = 0; i < 4; i++) {
        const uint8_t keep = gz.p[at[i]];
        gz.p[at[i]] = set[i];
        write_gz("idx_t_gzbad", &gz, gz.n, NULL, 0);
        check_fails("idx_t_gzbad", 3, FF_EIDX_GZ_CORRUPT, bad_what[i]);
        gz.p[at[i]] = keep;
    }

    /* bytes after the stream: garbage, or the start of a member cut short;
     * an empty member after it is not garbage (the control) */
    write_gz("idx_t_gztail", &gz, gz.n, "x", 1);
    check_fails("idx_t_gztail", 3, FF_EIDX_GZ_TRAILING, "a byte after the stream");
    write_gz("idx_t_gztail", &gz, gz.n, "\x1f", 1);
    check_fails("idx_t_gztail", 3, FF_EIDX_GZ_TRAILING, "half a gzip magic after the stream");
    write_gz("idx_t_gztail", &gz, gz.n, "\0\0\0\0", 4);
    check_fails("idx_t_gztail", 3, FF_EIDX_GZ_TRAILING, "zero padding after the stream");
    write_gz("idx_t_gztail", &gz, gz.n, "\x1f\x8b", 2);
    check_fails("idx_t_gztail", 3, FF_EIDX_GZ_TRUNC, "a second member cut after its magic");
    bytes empty = {0};
    gzip_member(&empty, NULL, 0, 0);
    write_gz("idx_t_gztail", &gz, gz.n, empty.p, empty.n);
    check_same("idx_t_gztail", "idx_t_gzraw", 3, "an empty member after the stream");

    /* a valid stream whose size disagrees with its header */
    bytes one = {0};
    gzip_member(&one, (const uint8_t *)"x", 1, 0);
    write_gz("idx_t_gzlong", &gz, gz.n, one.p, one.n);
    check_fails("idx_t_gzlong", 3, FF_EIDX_GZ_LONG, "a member of one byte after the payload");
    free(one.p);
    check_gz_fails(0x08, d3, 61, 3, FF_EIDX_GZ_LONG, "inflates to one byte more than the header");
    check_gz_fails(0x08, d3, 59, 3, FF_EIDX_TRUNC, "inflates to one byte less than the header");
    check_gz_fails(0x08, d3, 0, 3, FF_EIDX_TRUNC, "inflates to the header alone");
    write_gz("idx_t_gzshort", &empty, empty.n, NULL, 0);
    check_fails("idx_t_gzshort", 3, FF_EIDX_TRUNC, "inflates to nothing");
    free(empty.p);

    /* the header's own checks, through the stream */
    const uint32_t zero_mid[3] = {3, 0, 5};
    check_gz_fails(0x0D, d3, 240, 3, FF_EIDX_TYPE, "gzipped element type 0x0D");
    check_gz_fails(0x0D, d3, 240, 1, FF_EIDX_TYPE, "gzipped, type checked before rank");
    check_gz_fails(0x08, zero_mid, 0, 3, FF_EIDX_EMPTY, "gzipped, a zero dimension");
    check_gz_fails(0x08, zero_mid, 0, 1, FF_EIDX_RANK, "gzipped, rank 3 when 1 expected");
    bytes twice = {0};
    gzip_member(&twice, gz.p, gz.n, 0);
    write_gz("idx_t_gzhdr", &twice, twice.n, NULL, 0);
    check_fails("idx_t_gzhdr", 3, FF_EIDX_MAGIC, "gzipped twice");
    free(twice.p);
    free(gz.p);
    free(raw);
}

/* Sizes a gzip stream could make the reader allocate, with the address
 * space capped at 64 MiB more (cap_address_space): a header promising far
 * more than the stream holds, and gzip bombs (a header of a few bytes, a
 * stream inflating to 96 MiB, more than the cap).  Each bomb is checked to
 * be a valid stream of that size, and a smaller one whose header declares
 * all of it must read. */
static void test_gzip_sizes(void)
{
    struct rlimit old;
    const int capped = cap_address_space(&old, 64);
    const size_t bomb = (size_t)96 << 20;

    const uint32_t at_max[3] = {1024, 1024, 1024}, d3[3] = {3, 4, 5};
    check_gz_fails(0x08, at_max, 16, 3, FF_EIDX_TRUNC, "gzipped, FF_IDX_MAX_BYTES promised, 16 present");

    size_t n;
    uint8_t *raw = idx_bytes(&n, 0, 0, 0x08, 3, d3, NULL, 60);
    bytes gz = {0};
    gzip_member(&gz, raw, n, bomb);
    write_gz("idx_t_gzbomb", &gz, gz.n, NULL, 0);
    CHECK(gz.n < bomb / 500, "the bomb's file has %zu bytes", gz.n);
    size_t inflated = inflated_size(&gz);
    CHECK(inflated == n + bomb, "the bomb inflates to %zu bytes, not %zu", inflated, n + bomb);
    check_fails("idx_t_gzbomb", 3, FF_EIDX_GZ_LONG, "a gzip bomb in one member");
    free(gz.p);

    gz = (bytes){0};
    gzip_member(&gz, raw, n, 0);
    bytes zeros = {0};
    gzip_member(&zeros, NULL, 0, (size_t)1 << 20);
    for (size_t i = 0; i < bomb >> 20; i++)
        bytes_put(&gz, zeros.p, zeros.n);
    write_gz("idx_t_gzbomb", &gz, gz.n, NULL, 0);
    inflated = inflated_size(&gz);
    CHECK(inflated == n + bomb, "the bomb of members inflates to %zu bytes, not %zu", inflated,
          n + bomb);
    check_fails("idx_t_gzbomb", 3, FF_EIDX_GZ_LONG, "a gzip bomb of many members");
    free(zeros.p);
    free(gz.p);
    free(raw);

    const uint32_t whole[3] = {8, 1024, 1024};
    raw = idx_bytes(&n, 0, 0, 0x08, 3, whole, NULL, 0);
    gz = (bytes){0};
    gzip_member(&gz, raw, n, (size_t)8 << 20);
    write_gz("idx_t_gzwhole", &gz, gz.n, NULL, 0);
    ff_idx out;
    int st = read_poisoned(&out, "idx_t_gzwhole", 3);
    CHECK(st == FF_SUCCESS && out.count == ((size_t)8 << 20), "8 MiB of zeros declared: status %d (%s)",
          st, ff_strerror(st));
    size_t nonzero = 0;
    for (size_t i = 0; st == FF_SUCCESS && i < out.count; i++)
        nonzero += out.data[i] != 0;
    CHECK(nonzero == 0, "8 MiB of zeros read with %zu nonzero bytes", nonzero);
    if (st == FF_SUCCESS)
        ff_idx_free(&out);
    free(gz.p);
    free(raw);

    if (capped)
        setrlimit(RLIMIT_AS, &old);
}

/* Pixel i of the test images: both extremes, then a spread of values. */
static uint8_t pixel_byte(size_t i)
{
    return i == 1 ? 255 : (uint8_t)(i * 53 % 256);
}

/* Images (n, 2, 3) of known bytes and a label file. */
static void write_pair(const char *img, const char *lab, uint32_t n_img, const uint8_t *labels,
                       uint32_t n_lab)
{
    uint8_t px[64];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = pixel_byte(i);
    const uint32_t di[3] = {n_img, 2, 3}, dl[1] = {n_lab};
    write_idx(img, 0, 0, 0x08, 3, di, px, 6 * (size_t)n_img);
    write_idx(lab, 0, 0, 0x08, 1, dl, labels, n_lab);
}

/* The load of img and lab fails with status want, blaming want_bad (img,
 * lab, or NULL: both). */
static void check_load_fails(const char *img, const char *lab, int want, const char *want_bad,
                             const char *what)
{
    static ff_dataset poison;
    ff_dataset *ds = &poison;
    const char *bad = "poison";
    int st = ff_dataset_load_idx(&ds, img, lab, &bad);
    CHECK(st == want, "%s: status %d (%s), expected %d (%s)", what, st, ff_strerror(st),
          want, ff_strerror(want));
    CHECK(ds == NULL, "%s: *out must be NULL on failure", what);
    CHECK(want_bad ? bad && !strcmp(bad, want_bad) : !bad, "%s: blames %s, expected %s", what,
          bad ? bad : "both", want_bad ? want_bad : "both");
    if (st == FF_SUCCESS && ds != &poison)
        ff_dataset_free(ds);
}

static void test_dataset_load(void)
{
    const uint8_t labels[4] = {0, 9, 5, 3};
    write_pair("idx_t_img", "idx_t_lab", 4, labels, 4);
    ff_dataset *ds = NULL;
    const char *bad = "poison";
    int st = ff_dataset_load_idx(&ds, "idx_t_img", "idx_t_lab", &bad);
    CHECK(st == FF_SUCCESS && ds, "valid pair: status %d (%s)", st, ff_strerror(st));
    CHECK(!bad, "valid pair: blames %s", bad ? bad : "(null)");
    if (st == FF_SUCCESS && ds) {
        CHECK(ds->n == 4 && ds->h == 2 && ds->w == 3 && ds->d == 6, "shape n %zu h %zu w %zu d %zu",
              ds->n, ds->h, ds->w, ds->d);
        size_t wrong = 24;
        for (size_t i = 24; i-- > 0;)
            if (ds->x[i] != (float)pixel_byte(i) / 255.0f)
                wrong = i;
        CHECK(wrong == 24, "pixel %zu is %.9g, expected byte %d / 255", wrong,
              wrong < 24 ? (double)ds->x[wrong] : 0.0, wrong < 24 ? pixel_byte(wrong) : 0);
        CHECK(ds->x[0] == 0.0f && ds->x[1] == 1.0f, "byte 0 -> %g, byte 255 -> %g",
              (double)ds->x[0], (double)ds->x[1]);
        CHECK(ds->y[0] == 0 && ds->y[1] == 9 && ds->y[2] == 5 && ds->y[3] == 3,
              "labels %d %d %d %d", ds->y[0], ds->y[1], ds->y[2], ds->y[3]);
        ff_dataset_free(ds);
    }

    /* the same pair gzipped loads the same */
    gzip_file("idx_t_img", "idx_t_img.gz");
    gzip_file("idx_t_lab", "idx_t_lab.gz");
    ff_dataset *gz = NULL;
    st = ff_dataset_load_idx(&ds, "idx_t_img", "idx_t_lab", NULL);
    const int sg = ff_dataset_load_idx(&gz, "idx_t_img.gz", "idx_t_lab.gz", NULL);
    CHECK(st == FF_SUCCESS && sg == FF_SUCCESS, "gzipped pair: status %d (%s)", sg, ff_strerror(sg));
    if (st == FF_SUCCESS && sg == FF_SUCCESS)
        CHECK(gz->n == ds->n && gz->h == ds->h && gz->w == ds->w &&
                  memcmp(gz->x, ds->x, ds->n * ds->d * sizeof *ds->x) == 0 &&
                  memcmp(gz->y, ds->y, ds->n * sizeof *ds->y) == 0,
              "the gzipped pair loads otherwise than the raw one");
    ff_dataset_free(ds);
    ff_dataset_free(gz);

    write_pair("idx_t_img", "idx_t_lab3", 4, labels, 3);
    check_load_fails("idx_t_img", "idx_t_lab3", FF_EIDX_COUNT, NULL, "3 labels for 4 images");
    write_pair("idx_t_img", "idx_t_lab5", 4, (const uint8_t[5]){1, 2, 3, 4, 5}, 5);
    check_load_fails("idx_t_img", "idx_t_lab5", FF_EIDX_COUNT, NULL, "5 labels for 4 images");

    write_pair("idx_t_img", "idx_t_lab10", 4, (const uint8_t[4]){0, 1, 10, 2}, 4);
    check_load_fails("idx_t_img", "idx_t_lab10", FF_EIDX_LABEL, "idx_t_lab10", "a label 10");
    write_pair("idx_t_img", "idx_t_lab255", 4, (const uint8_t[4]){0, 1, 2, 255}, 4);
    check_load_fails("idx_t_img", "idx_t_lab255", FF_EIDX_LABEL, "idx_t_lab255", "a label 255");

    const uint32_t flat[1] = {24}, lab2[2] = {4, 1};
    write_idx("idx_t_img1", 0, 0, 0x08, 1, flat, NULL, 24);
    check_load_fails("idx_t_img1", "idx_t_lab", FF_EIDX_RANK, "idx_t_img1", "rank-1 image file");
    write_idx("idx_t_labr2", 0, 0, 0x08, 2, lab2, labels, 4);
    check_load_fails("idx_t_img", "idx_t_labr2", FF_EIDX_RANK, "idx_t_labr2", "rank-2 label file");

    /* the first fault found is the one reported, for either file */
    remove("idx_t_nolab");
    check_load_fails("idx_t_img", "idx_t_nolab", FF_EOPEN, "idx_t_nolab", "missing label file");
    check_load_fails("idx_t_nolab", "idx_t_lab", FF_EOPEN, "idx_t_nolab", "missing image file");
    check_load_fails("idx_t_trailing", "idx_t_lab", FF_EIDX_TRAILING, "idx_t_trailing",
                     "image file too long");
    check_load_fails("idx_t_img", "idx_t_2bytes", FF_EIDX_TRUNC, "idx_t_2bytes",
                     "label file of 2 bytes");
}

static void test_strerror(void)
{
    for (int s = 0; s < FF_NSTATUS; s++) {
        const char *m = ff_strerror(s);
        CHECK(m && *m, "ff_strerror(%d) is %s", s, m ? "empty" : "NULL");
        for (int t = 0; m && t < s; t++) {
            const char *o = ff_strerror(t);
            CHECK(!o || strcmp(m, o) != 0, "ff_strerror(%d) == ff_strerror(%d): '%s'", s, t, m);
        }
    }
    const int bad[4] = {-1, FF_NSTATUS, INT_MAX, INT_MIN};
    for (int i = 0; i < 4; i++) {
        const char *m = ff_strerror(bad[i]);
        CHECK(m && *m, "ff_strerror(%d) of an unknown code is %s", bad[i], m ? "empty" : "NULL");
    }
}

int main(void)
{
    test_valid_read();
    test_open();
    test_header();
    test_toobig();
    test_length();
    test_gzip();
    test_gzip_sizes();
    test_dataset_load();
    test_strerror();
    return check_done();
}
