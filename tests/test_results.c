/* test_results.c - SHA-256 of files and the atomically written result files.
 *
 * config.txt records the data's SHA-256 so that a run can be matched to the
 * files it read: a digest that is wrong only at some lengths (the padding
 * rules change at 55/56 and 63/64/65 bytes, and at the reader's 64 KiB
 * buffer) would make identical data look different.  The outfiles promise
 * that a reader never sees a half-written result. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ff/error.h"
#include "ff/results.h"

static void write_file(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

/* The file's whole content as a string ("" if absent, NULL on error). */
static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in `dir` whose name starts with `base` and goes on with
 * ".tmp.": the leftovers an interrupted or aborted write might leave. */
static int tmp_files(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t n = strlen(base);
    int count = 0;
    for (struct dirent *e; (e = readdir(d));)
        count += strncmp(e->d_name, base, n) == 0 && strncmp(e->d_name + n, ".tmp.", 5) == 0;
    closedir(d);
    return count;
}

static void check_sha(const char *name, const char *content, size_t n, const char *want)
{
    write_file("res_t_sha", content, n);
    char hex[65];
    memset(hex, 'X', sizeof hex);
    int st = ff_sha256_file(hex, "res_t_sha");
    CHECK(st == FF_SUCCESS, "%s: status %d (%s)", name, st, ff_strerror(st));
    CHECK(st == FF_SUCCESS && hex[64] == 0 && strcmp(hex, want) == 0, "%s: got %.64s, expected %s",
          name, hex, want);
}

static void test_sha256(void)
{
    static char a[1000000];
    memset(a, 'a', sizeof a);

    /* FIPS 180-2 known answers */
    check_sha("empty file", "", 0,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha("abc", "abc", 3,
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha("abcdbcde...nopq (56 bytes)",
              "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_sha("1,000,000 x 'a'", a, sizeof a,
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* Lengths either side of the padding boundaries, N x 'a'.  Expected
     * digests computed with coreutils while writing this test:
     *   head -c N /dev/zero | tr '\0' a | sha256sum */
    check_sha("55 x 'a'", a, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    check_sha("56 x 'a'", a, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    check_sha("63 x 'a'", a, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
    check_sha("64 x 'a'", a, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    check_sha("65 x 'a'", a, 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
    /* either side of the reader's 64 KiB buffer, computed the same way */
    check_sha("65536 x 'a'", a, 65536,
              "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a");
    check_sha("65537 x 'a'", a, 65537,
              "008ffc88d3c96a9f307524eb361e47c5222a887fc45fa0c1fb8d429c5c23b430");

    /* bytes 0x00..0xff, then 0x00..0x2b (300 bytes), so that NUL and bytes
     * with the top bit set are hashed too; computed with
     *   i=0; while [ $i -lt 300 ]; do printf "\\$(printf %03o $((i % 256)))";
     *   i=$((i+1)); done | sha256sum */
    char bytes[300];
    for (int i = 0; i < 300; i++)
        bytes[i] = (char)(unsigned char)(i % 256);
    check_sha("bytes i % 256, 300 of them", bytes, sizeof bytes,
              "7728ae2f2c36e2aaafbe79ca14c87ae2f89e7c88c4390ecbbf82dce88706958d");

    char hex[65];
    remove("res_t_nosuch");
    CHECK(ff_sha256_file(hex, "res_t_nosuch") == FF_EOPEN, "missing file must give FF_EOPEN");
    mkdir("res_t_dir", 0777);
    CHECK(ff_sha256_file(hex, "res_t_dir") != FF_SUCCESS,
          "hashing a directory must fail, not give the digest of nothing");
}

static void test_outfile(void)
{
    ff_outfile o;
    remove("res_t_out");
    int st = ff_outfile_open(&o, "res_t_out");
    CHECK(st == FF_SUCCESS && o.f, "open: status %d (%s)", st, ff_strerror(st));
    if (st != FF_SUCCESS)
        return;
    fputs("first line\nsecond\n", o.f);
    CHECK(!exists("res_t_out"), "the final path exists before commit");
    CHECK(tmp_files(".", "res_t_out") == 1, "no temporary file while writing");
    st = ff_outfile_commit(&o);
    CHECK(st == FF_SUCCESS, "commit: status %d (%s)", st, ff_strerror(st));
    char *got = slurp("res_t_out");
    CHECK(got && strcmp(got, "first line\nsecond\n") == 0, "committed content '%s'",
          got ? got : "(absent)");
    CHECK(tmp_files(".", "res_t_out") == 0, "temporary file left after commit");

    /* replacing: the old content stays visible until the commit */
    st = ff_outfile_open(&o, "res_t_out");
    CHECK(st == FF_SUCCESS, "reopen: status %d", st);
    if (st == FF_SUCCESS) {
        fputs("new\n", o.f);
        fflush(o.f);
        got = slurp("res_t_out");
        CHECK(got && strcmp(got, "first line\nsecond\n") == 0,
              "old content not intact before commit: '%s'", got ? got : "(absent)");
        CHECK(ff_outfile_commit(&o) == FF_SUCCESS, "second commit");
        got = slurp("res_t_out");
        CHECK(got && strcmp(got, "new\n") == 0, "replaced content '%s'", got ? got : "(absent)");
    }

    st = ff_outfile_open(&o, "res_t_out");
    CHECK(st == FF_SUCCESS, "open for abort: status %d", st);
    if (st == FF_SUCCESS) {
        fputs("never seen\n", o.f);
        ff_outfile_abort(&o);
        got = slurp("res_t_out");
        CHECK(got && strcmp(got, "new\n") == 0, "abort changed the final file: '%s'",
              got ? got : "(absent)");
        CHECK(tmp_files(".", "res_t_out") == 0, "temporary file left after abort");
    }

    remove("res_t_fresh");
    st = ff_outfile_open(&o, "res_t_fresh");
    CHECK(st == FF_SUCCESS, "open fresh: status %d", st);
    if (st == FF_SUCCESS) {
        fputs("x", o.f);
        ff_outfile_abort(&o);
        CHECK(!exists("res_t_fresh"), "abort created the final file");
        CHECK(tmp_files(".", "res_t_fresh") == 0, "temporary file left after abort");
    }

    remove("res_t_nodir/x");
    rmdir("res_t_nodir");
    st = ff_outfile_open(&o, "res_t_nodir/x");
    CHECK(st == FF_EOPEN, "open in a missing directory: status %d (%s), expected FF_EOPEN", st,
          ff_strerror(st));
    CHECK(!exists("res_t_nodir"), "open in a missing directory created it");
    if (st == FF_SUCCESS)
        ff_outfile_abort(&o);

    /* a commit that cannot rename (the final path is a non-empty directory)
     * must report it, remove the temporary and leave the directory alone */
    mkdir("res_t_busy", 0777);
    write_file("res_t_busy/keep", "k", 1);
    st = ff_outfile_open(&o, "res_t_busy");
    CHECK(st == FF_SUCCESS, "open beside a directory: status %d", st);
    if (st == FF_SUCCESS) {
        fputs("data\n", o.f);
        st = ff_outfile_commit(&o);
        CHECK(st == FF_EWRITE, "commit onto a directory: status %d (%s), expected FF_EWRITE", st,
              ff_strerror(st));
        CHECK(tmp_files(".", "res_t_busy") == 0, "temporary file left after a failed commit");
        got = slurp("res_t_busy/keep");
        CHECK(got && strcmp(got, "k") == 0, "failed commit disturbed the final path");
    }
}

int main(void)
{
    test_sha256();
    test_outfile();
    return check_done();
}
