/* test_idx.c - the strict IDX reader and ff_dataset_load_idx.
 *
 * Every status the reader can return for a bad file is provoked by a small
 * hand-written file in the current directory, each checked for its exact
 * code: a loader that only says "failed" would let a corrupt download pass
 * as a different fault, and the programs' messages depend on the code. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* An IDX file: header (magic, type, rank, dims) then `payload` bytes of
 * `fill` (or of `data` when given).  Header fields are free so that each
 * test can break exactly one of them. */
static void write_idx(const char *path, uint8_t m0, uint8_t m1, uint8_t type, int rank,
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
    write_bytes(path, buf, hdr + payload);
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

/* Headers promising absurd sizes, over a file of a few bytes.  The address
 * space is capped meanwhile, so a reader that allocates what the header says
 * before checking it fails with FF_ENOMEM instead of the expected status. */
static void test_toobig(void)
{
    struct rlimit old;
    int capped = 0;
    if (getrlimit(RLIMIT_AS, &old) == 0) {
        long pages = 0, page = sysconf(_SC_PAGESIZE);
        FILE *f = fopen("/proc/self/statm", "r");
        if (f) {
            if (fscanf(f, "%ld", &pages) != 1)
                pages = 0;
            fclose(f);
        }
        rlim_t cap = (rlim_t)pages * (rlim_t)page + ((rlim_t)256 << 20);
        if (pages > 0 && (old.rlim_max == RLIM_INFINITY || cap <= old.rlim_max)) {
            struct rlimit lim = {cap, old.rlim_max};
            capped = setrlimit(RLIMIT_AS, &lim) == 0;
        }
    }
    CHECK(capped, "could not cap the address space to test for big allocations");

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

static void check_load_fails(const char *img, const char *lab, int want, const char *what)
{
    static ff_dataset poison;
    ff_dataset *ds = &poison;
    int st = ff_dataset_load_idx(&ds, img, lab);
    CHECK(st == want, "%s: status %d (%s), expected %d (%s)", what, st, ff_strerror(st),
          want, ff_strerror(want));
    CHECK(ds == NULL, "%s: *out must be NULL on failure", what);
    if (st == FF_SUCCESS && ds != &poison)
        ff_dataset_free(ds);
}

static void test_dataset_load(void)
{
    const uint8_t labels[4] = {0, 9, 5, 3};
    write_pair("idx_t_img", "idx_t_lab", 4, labels, 4);
    ff_dataset *ds = NULL;
    int st = ff_dataset_load_idx(&ds, "idx_t_img", "idx_t_lab");
    CHECK(st == FF_SUCCESS && ds, "valid pair: status %d (%s)", st, ff_strerror(st));
    if (st == FF_SUCCESS && ds) {
        CHECK(ds->n == 4 && ds->h == 2 && ds->w == 3 && ds->d == 6, "shape n %zu h %zu w %zu d %zu",
              ds->n, ds->h, ds->w, ds->d);
        size_t bad = 24;
        for (size_t i = 24; i-- > 0;)
            if (ds->x[i] != (float)pixel_byte(i) / 255.0f)
                bad = i;
        CHECK(bad == 24, "pixel %zu is %.9g, expected byte %d / 255", bad,
              bad < 24 ? (double)ds->x[bad] : 0.0, bad < 24 ? pixel_byte(bad) : 0);
        CHECK(ds->x[0] == 0.0f && ds->x[1] == 1.0f, "byte 0 -> %g, byte 255 -> %g",
              (double)ds->x[0], (double)ds->x[1]);
        CHECK(ds->y[0] == 0 && ds->y[1] == 9 && ds->y[2] == 5 && ds->y[3] == 3,
              "labels %d %d %d %d", ds->y[0], ds->y[1], ds->y[2], ds->y[3]);
        ff_dataset_free(ds);
    }

    write_pair("idx_t_img", "idx_t_lab3", 4, labels, 3);
    check_load_fails("idx_t_img", "idx_t_lab3", FF_EIDX_COUNT, "3 labels for 4 images");
    write_pair("idx_t_img", "idx_t_lab5", 4, (const uint8_t[5]){1, 2, 3, 4, 5}, 5);
    check_load_fails("idx_t_img", "idx_t_lab5", FF_EIDX_COUNT, "5 labels for 4 images");

    write_pair("idx_t_img", "idx_t_lab10", 4, (const uint8_t[4]){0, 1, 10, 2}, 4);
    check_load_fails("idx_t_img", "idx_t_lab10", FF_EIDX_LABEL, "a label 10");
    write_pair("idx_t_img", "idx_t_lab255", 4, (const uint8_t[4]){0, 1, 2, 255}, 4);
    check_load_fails("idx_t_img", "idx_t_lab255", FF_EIDX_LABEL, "a label 255");

    const uint32_t flat[1] = {24}, lab2[2] = {4, 1};
    write_idx("idx_t_img1", 0, 0, 0x08, 1, flat, NULL, 24);
    check_load_fails("idx_t_img1", "idx_t_lab", FF_EIDX_RANK, "rank-1 image file");
    write_idx("idx_t_labr2", 0, 0, 0x08, 2, lab2, labels, 4);
    check_load_fails("idx_t_img", "idx_t_labr2", FF_EIDX_RANK, "rank-2 label file");

    /* the first fault found is the one reported, for either file */
    remove("idx_t_nolab");
    check_load_fails("idx_t_img", "idx_t_nolab", FF_EOPEN, "missing label file");
    check_load_fails("idx_t_nolab", "idx_t_lab", FF_EOPEN, "missing image file");
    check_load_fails("idx_t_trailing", "idx_t_lab", FF_EIDX_TRAILING, "image file too long");
    check_load_fails("idx_t_img", "idx_t_2bytes", FF_EIDX_TRUNC, "label file of 2 bytes");
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
    test_dataset_load();
    test_strerror();
    return check_done();
}
