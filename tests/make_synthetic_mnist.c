/* make_synthetic_mnist.c - a small MNIST-shaped data set for the end-to-end
 * tests: make_synthetic_mnist DIR.
 *
 * Writes the four files the experiments read (same names, same IDX format,
 * 28x28 unsigned bytes, labels 0-9), 800 training and 300 test images with
 * every label equally often.  Each class is a bright 4x6 block at its own
 * place on a 2x5 grid (digits 0-4 the upper row, 5-9 the lower), shifted by
 * up to a pixel, on a sparse noisy background: so the positive/negative
 * split and the label are both plainly learnable (BP reaches about 60% on
 * the 5 positive classes in 2 epochs, FF's softmax readout 100% within 60)
 * while a run takes well under a second.  Row 0 stays background: the label
 * overlay overwrites its first pixels.  Everything comes from one mt19937 with a
 * fixed seed, so the files are the same bytes on every machine. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define CLASSES 10
#define N_TRAIN 800
#define N_TEST 300
#define SEED 20221227UL

static const char *dir;

static void die(const char *what, const char *path)
{
    fprintf(stderr, "make_synthetic_mnist: error: cannot %s %s: %s\n", what, path,
            strerror(errno));
    exit(1);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

/* Write one IDX file under a temporary name, then rename it into place, so
 * that a failed run leaves no file that looks complete. */
static void write_idx(const char *name, int rank, const uint32_t *dims, const uint8_t *data,
                      size_t n)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    uint8_t head[4 + 4 * 3] = {0, 0, 0x08, (uint8_t)rank};
    for (int i = 0; i < rank; i++)
        put_be32(head + 4 + 4 * i, dims[i]);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        die("write", tmp);
    size_t hdr = 4 + 4 * (size_t)rank;
    int bad = fwrite(head, 1, hdr, f) != hdr;
    bad |= fwrite(data, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad) {
        int e = errno;
        remove(tmp);
        errno = e;
        die("write", tmp);
    }
    if (rename(tmp, path) != 0)
        die("rename into place", path);
}

static void draw_image(uint8_t *img, int label, gsl_rng *r)
{
    for (int i = 0; i < PIXELS; i++)
        img[i] = gsl_rng_uniform(r) < 0.12 ? (uint8_t)gsl_rng_uniform_int(r, 90) : 0;
    int top = 5 + 11 * (label / 5) + (int)gsl_rng_uniform_int(r, 3) - 1;
    int left = 2 + 5 * (label % 5) + (int)gsl_rng_uniform_int(r, 3) - 1;
    for (int y = top; y < top + 6; y++)
        for (int x = left; x < left + 4; x++)
            img[y * SIDE + x] = (uint8_t)(180 + gsl_rng_uniform_int(r, 76));
}

static void make_split(const char *images, const char *labels, size_t n, gsl_rng *r)
{
    uint8_t *x = malloc(n * PIXELS), *y = malloc(n);
    if (!x || !y) {
        fprintf(stderr, "make_synthetic_mnist: error: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        y[i] = (uint8_t)(i % CLASSES);
    gsl_ran_shuffle(r, y, n, 1);
    for (size_t i = 0; i < n; i++)
        draw_image(x + i * PIXELS, y[i], r);
    const uint32_t di[3] = {(uint32_t)n, SIDE, SIDE}, dl[1] = {(uint32_t)n};
    write_idx(images, 3, di, x, n * PIXELS);
    write_idx(labels, 1, dl, y, n);
    free(x);
    free(y);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_synthetic_mnist DIR\n");
        return 2;
    }
    dir = argv[1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        die("create directory", dir);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        fprintf(stderr, "make_synthetic_mnist: error: out of memory\n");
        return 1;
    }
    gsl_rng_set(r, SEED);
    make_split("train-images-idx3-ubyte", "train-labels-idx1-ubyte", N_TRAIN, r);
    make_split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", N_TEST, r);
    gsl_rng_free(r);
    return 0;
}
