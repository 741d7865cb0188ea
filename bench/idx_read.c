/* idx_read.c - milliseconds to read the four MNIST files, raw and gzipped.
 *
 * Times ff_idx_read on each file of DIR as it is (raw), then on the same
 * file gzipped: the files of GZDIR when given, else gzipped here by zlib at
 * gzip's default level (6) into a temporary directory, removed at the end.
 * Each read is repeated and the median taken, of the wall-clock time and
 * of the process's CPU time (which a busy machine inflates less); the last
 * line is the sum over the four files.  Parsing into floats (ff_dataset_load_idx) is
 * the same on both sides and is left out.
 *
 * usage: idx_read [DIR [GZDIR [repeats]]]   (defaults data/mnist, -, 5) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bench_check.h"
#include "ff/error.h"
#include "ff/idx.h"
#include "ff/system.h"

enum { MAX_REPEATS = 101 };

static const char *const files[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
static const int ranks[4] = {3, 1, 3, 1};

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Median milliseconds of `repeats` reads of path, wall-clock (ms[0]) and
 * CPU (ms[1]); exits if a read fails. */
static void median_ms(double ms[2], const char *path, int rank, int repeats)
{
    double wall[MAX_REPEATS], cpu[MAX_REPEATS];
    for (int r = 0; r < repeats; r++) {
        ff_idx x;
        const double t0 = ff_system_seconds(), c0 = cpu_seconds();
        const int status = ff_idx_read(&x, path, rank);
        cpu[r] = 1e3 * (cpu_seconds() - c0);
        wall[r] = 1e3 * (ff_system_seconds() - t0);
        if (status != FF_SUCCESS) {
            fprintf(stderr, "idx_read: %s: %s\n", path, ff_strerror(status));
            exit(1);
        }
        ff_idx_free(&x);
    }
    qsort(wall, (size_t)repeats, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)repeats, sizeof *cpu, cmp_double);
    ms[0] = wall[repeats / 2], ms[1] = cpu[repeats / 2];
}

/* Gzip src into dst with zlib at level 6; exits on failure. */
static void gzip_file(const char *src, const char *dst)
{
    static char buf[1 << 16];
    FILE *in = fopen(src, "rb");
    gzFile out = gzopen(dst, "wb6");
    size_t n = 0;
    int bad = !in || !out;
    while (!bad && (n = fread(buf, 1, sizeof buf, in)) > 0)
        bad = gzwrite(out, buf, (unsigned)n) != (int)n;
    bad |= !in || ferror(in);
    if (in)
        fclose(in);
    if (out && gzclose(out) != Z_OK)
        bad = 1;
    if (bad) {
        fprintf(stderr, "idx_read: cannot gzip %s into %s\n", src, dst);
        exit(1);
    }
}

static long long file_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data/mnist";
    const char *gzdir = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    static const char usage[] = "idx_read [DIR [GZDIR [repeats]]]";
    if (argc > 4)
        bench_usage("idx_read", "too many arguments", usage);
    const int repeats =
        argc > 3 ? bench_int("idx_read", "repeats", argv[3], 1, MAX_REPEATS, usage) : 5;
    char tmp[] = "/tmp/idx_read.XXXXXX";
    if (!gzdir && !(gzdir = mkdtemp(tmp))) {
        perror("idx_read: mkdtemp");
        return 1;
    }
    char raw[4][4096], gz[4][4096];
    for (int i = 0; i < 4; i++) {
        snprintf(raw[i], sizeof raw[i], "%s/%s", dir, files[i]);
        snprintf(gz[i], sizeof gz[i], "%s/%s.gz", gzdir, files[i]);
        if (gzdir == tmp)
            gzip_file(raw[i], gz[i]);
    }

    printf("# ff_idx_read of the MNIST files, raw (%s) and gzipped (%s%s), zlib %s; median of "
           "%d reads\n",
           dir, gzdir == tmp ? "zlib level 6, in " : "", gzdir, zlibVersion(), repeats);
    printf("# file raw_bytes gz_bytes raw_ms gz_ms raw_cpu_ms gz_cpu_ms\n");
    double sum[4] = {0};
    long long raw_bytes = 0, gz_bytes = 0;
    for (int i = 0; i < 4; i++) {
        double r[2], g[2];
        median_ms(r, raw[i], ranks[i], repeats);
        median_ms(g, gz[i], ranks[i], repeats);
        const long long rb = file_bytes(raw[i]), gb = file_bytes(gz[i]);
        printf("%s %lld %lld %.1f %.1f %.1f %.1f\n", files[i], rb, gb, r[0], g[0], r[1], g[1]);
        sum[0] += r[0], sum[1] += g[0], sum[2] += r[1], sum[3] += g[1];
        raw_bytes += rb, gz_bytes += gb;
    }
    printf("all %lld %lld %.1f %.1f %.1f %.1f\n", raw_bytes, gz_bytes, sum[0], sum[1], sum[2],
           sum[3]);

    if (gzdir == tmp) {
        for (int i = 0; i < 4; i++)
            remove(gz[i]);
        rmdir(tmp);
    }
    return 0;
}
