/* test_results.c - SHA-256 of files and the atomically written result files.
 *
 * config.txt records the data's SHA-256 so that a run can be matched to the
 * files it read: a digest that is wrong only at some lengths (the padding
 * rules change at 55/56 and 63/64/65 bytes, and at the reader's 64 KiB
 * buffer) would make identical data look different.  The outfiles promise
 * that a reader never sees a half-written result, also after a system
 * crash: the file is synced before its rename, its directory after. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
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

    /* from an open file's position to its end: "abc" after 3 bytes */
    char hex[65];
    write_file("res_t_sha", "xyzabc", 6);
    FILE *f = fopen("res_t_sha", "rb");
    CHECK(f && fseek(f, 3, SEEK_SET) == 0, "open at byte 3");
    if (f) {
        CHECK(ff_sha256_stream(hex, f) == FF_SUCCESS &&
                  !strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
              "the stream's rest, \"abc\": got %.64s", hex);
        CHECK(fgetc(f) == EOF, "left at its end");
        fclose(f);
    }

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

/* The library's syncs, seen through an fsync of the test's own: the
 * program's definition is the one the library's calls reach (the linker,
 * and the dynamic loader, take the program's symbol first).  It records
 * what each call would sync and in what order, fails when told to, and
 * does not reach the disk, which the test does not need. */
static struct {
    const char *path;  /* the final path being committed */
    int files, dirs;   /* calls on a regular file, on a directory */
    int out_of_order;  /* a file synced after its rename, a directory before it */
    ino_t file, dir;   /* the last file and directory synced */
    int fail_file, fail_dir; /* the errno to fail with, 0: succeed */
} sync_log;

int fsync(int fd)
{
    struct stat st, at;
    if (fstat(fd, &st) != 0)
        return -1;
    const int renamed = sync_log.path && stat(sync_log.path, &at) == 0;
    int fail;
    if (S_ISDIR(st.st_mode)) {
        sync_log.dirs++;
        sync_log.dir = st.st_ino;
        sync_log.out_of_order += !renamed || at.st_ino != sync_log.file;
        fail = sync_log.fail_dir;
    } else {
        sync_log.files++;
        sync_log.file = st.st_ino;
        sync_log.out_of_order += renamed && at.st_ino == st.st_ino;
        fail = sync_log.fail_file;
    }
    if (!fail)
        return 0;
    errno = fail;
    return -1;
}

static ino_t inode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Commit "data\n" to path, fsync failing as told (an errno, 0: not); the
 * status, and the syncs in sync_log. */
static int synced_commit(const char *path, int fail_file, int fail_dir)
{
    memset(&sync_log, 0, sizeof sync_log);
    ff_outfile o;
    int st = ff_outfile_open(&o, path);
    CHECK(st == FF_SUCCESS, "open %s: status %d (%s)", path, st, ff_strerror(st));
    if (st != FF_SUCCESS)
        return st;
    fputs("data\n", o.f);
    sync_log.path = path, sync_log.fail_file = fail_file, sync_log.fail_dir = fail_dir;
    st = ff_outfile_commit(&o);
    sync_log.fail_file = sync_log.fail_dir = 0;
    return st;
}

static void test_sync(void)
{
    /* a commit: the file synced, renamed, then its directory synced */
    remove("res_t_sync");
    int st = synced_commit("res_t_sync", 0, 0);
    CHECK(st == FF_SUCCESS, "commit: status %d (%s)", st, ff_strerror(st));
    CHECK(sync_log.files == 1 && sync_log.dirs == 1, "commit: %d file and %d directory syncs, "
          "want 1 and 1", sync_log.files, sync_log.dirs);
    CHECK(sync_log.out_of_order == 0, "commit: a sync on the wrong side of the rename");
    CHECK(sync_log.file == inode("res_t_sync") && sync_log.dir == inode("."),
          "commit: synced another file or directory");

    /* the two halves, in a subdirectory: its directory is the one synced */
    mkdir("res_t_sub", 0777);
    remove("res_t_sub/x");
    memset(&sync_log, 0, sizeof sync_log);
    ff_outfile o;
    st = ff_outfile_open(&o, "res_t_sub/x");
    CHECK(st == FF_SUCCESS, "open in a subdirectory: status %d", st);
    if (st == FF_SUCCESS) {
        fputs("halves\n", o.f);
        sync_log.path = "res_t_sub/x";
        st = ff_outfile_close(&o);
        CHECK(st == FF_SUCCESS && sync_log.files == 1 && sync_log.dirs == 0,
              "close: status %d, %d file and %d directory syncs, want 0, 1, 0", st,
              sync_log.files, sync_log.dirs);
        st = ff_outfile_rename(&o);
        CHECK(st == FF_SUCCESS && sync_log.dirs == 1, "rename: status %d, %d directory syncs", st,
              sync_log.dirs);
        CHECK(sync_log.out_of_order == 0 && sync_log.dir == inode("res_t_sub"),
              "rename: the subdirectory not synced, or not after the rename");
        char *got = slurp("res_t_sub/x");
        CHECK(got && strcmp(got, "halves\n") == 0, "renamed content '%s'", got ? got : "(absent)");
        CHECK(tmp_files("res_t_sub", "x") == 0, "temporary file left after the rename");
    }

    /* the file's sync fails: nothing renamed, the previous file intact */
    write_file("res_t_sync", "old\n", 4);
    st = synced_commit("res_t_sync", EIO, 0);
    CHECK(st == FF_EWRITE, "a failed file sync: status %d (%s), want FF_EWRITE", st,
          ff_strerror(st));
    char *got = slurp("res_t_sync");
    CHECK(got && strcmp(got, "old\n") == 0, "a failed file sync replaced the file: '%s'",
          got ? got : "(absent)");
    CHECK(tmp_files(".", "res_t_sync") == 0, "temporary file left after a failed file sync");

    /* the file's sync fails, errno its reason (not the removal's) */
    st = synced_commit("res_t_sync", EIO, 0);
    CHECK(st == FF_EWRITE && errno == EIO, "a failed file sync: errno %d (%s), want EIO", errno,
          strerror(errno));
    /* EINVAL: a file that cannot be synced, not an error */
    st = synced_commit("res_t_sync", EINVAL, 0);
    CHECK(st == FF_SUCCESS, "a file sync giving EINVAL: status %d (%s), want FF_SUCCESS", st,
          ff_strerror(st));

    /* the directory's sync fails: reported (the new file is in place),
     * errno the sync's reason */
    st = synced_commit("res_t_sync", 0, EIO);
    CHECK(st == FF_EWRITE, "a failed directory sync: status %d (%s), want FF_EWRITE", st,
          ff_strerror(st));
    CHECK(errno == EIO, "a failed directory sync: errno %d (%s), want EIO", errno,
          strerror(errno));
    CHECK(tmp_files(".", "res_t_sync") == 0, "temporary file left after a failed directory sync");

    /* EINVAL: a filesystem that does not sync directories, not an error */
    st = synced_commit("res_t_sync", 0, EINVAL);
    CHECK(st == FF_SUCCESS, "a directory sync giving EINVAL: status %d (%s), want FF_SUCCESS", st,
          ff_strerror(st));
    got = slurp("res_t_sync");
    CHECK(got && strcmp(got, "data\n") == 0, "committed content '%s'", got ? got : "(absent)");
    memset(&sync_log, 0, sizeof sync_log);

    /* a write that fails (a full device) is FF_EWRITE at the close */
    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        printf("no /dev/full: the failed write not checked\n");
        return;
    }
    memset(&o, 0, sizeof o);
    o.f = full;
    fputs("x", o.f);
    st = ff_outfile_close(&o);
    CHECK(st == FF_EWRITE && !o.f, "close after a failed write: status %d (%s), want FF_EWRITE",
          st, ff_strerror(st));
}

int main(void)
{
    test_sha256();
    test_outfile();
    test_sync();
    return check_done();
}
