/* data.c - an experiment's data: loaded, split, checksummed; see data.h. */
#define _POSIX_C_SOURCE 200809L
#include "data.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "die.h"
#include "ff/error.h"
#include "ff/results.h"

/* The four files' names, with a suffix. */
#define NAMES(suffix)                                                                \
    {"train-images-idx3-ubyte" suffix, "train-labels-idx1-ubyte" suffix,            \
     "t10k-images-idx3-ubyte" suffix, "t10k-labels-idx1-ubyte" suffix}
static const char *const raw_names[4] = NAMES(""), *const gz_names[4] = NAMES(".gz");

/* The path of file i in dir: the raw file if there is one of that name,
 * else the gzipped one if there is, else the raw name (reported missing by
 * the load).  Returns the name chosen. */
static const char *find_file(char *path, size_t len, const char *dir, int i)
{
    struct stat st;
    snprintf(path, len, "%s/%s", dir, gz_names[i]);
    const int gz = stat(path, &st) == 0;
    snprintf(path, len, "%s/%s", dir, raw_names[i]);
    if (!gz || stat(path, &st) == 0)
        return raw_names[i];
    snprintf(path, len, "%s/%s", dir, gz_names[i]);
    return gz_names[i];
}

static ff_dataset *load_pair(const char *img, const char *lab)
{
    ff_dataset *ds;
    const char *bad;
    errno = 0; /* set by a failed read, not by a short one (exp_io_reason) */
    int status = ff_dataset_load_idx(&ds, img, lab, &bad);
    if (status == FF_EOPEN)
        exp_die("cannot open %s: %s (read raw or as NAME.gz; run 'make data', or pass --data "
                "DIR)", bad, strerror(errno));
    if (status == FF_ENOMEM)
        exp_die("out of memory");
    if (status != FF_SUCCESS && bad)
        exp_die("%s: %s (replace the file: 'make data' for MNIST)", bad, exp_io_reason(status));
    if (status != FF_SUCCESS)
        exp_die("%s and %s: %s (not one set's files: replace them, 'make data' for MNIST)", img,
                lab, ff_strerror(status));
    if (ds->h != 28 || ds->w != 28) {
        const size_t h = ds->h, w = ds->w;
        ff_dataset_free(ds);
        exp_die("%s: images are %zux%zu; the nets read 28x28 images (pass --data DIR of an IDX "
                "set of 28x28 images)", img, h, w);
    }
    return ds;
}

static ff_dataset *select_or_die(const ff_dataset *src, const char *labels, int lo, int hi,
                                 long limit)
{
    ff_dataset *ds = ff_dataset_select(src, lo, hi, (size_t)limit);
    if (!ds)
        exp_die("out of memory");
    if (ds->n == 0) {
        ff_dataset_free(ds);
        exp_die("%s: no image of labels %d-%d (the seed's protocol needs labels 0-9: "
                "check --data)", labels, lo, hi);
    }
    return ds;
}

static ff_dataset *slice_or_die(const ff_dataset *src, size_t first, size_t n)
{
    ff_dataset *ds = ff_dataset_slice(src, first, n);
    if (!ds)
        exp_die("out of memory, or the data has fewer than %zu images", first + n);
    return ds;
}

/* The paper's split: the last --val-split (10,000) training images validate,
 * the others train (50,000), test = the t10k file; limits take the first
 * images of each part.  --val-split 0 trains on all 60,000 and leaves
 * val_pos NULL. */
static void split_paper(const exp_opts *o, exp_data *d, const ff_dataset *train,
                        const ff_dataset *test)
{
    const size_t hold = (size_t)o->val_split;
    if (train->n <= hold)
        exp_die("the training file holds %zu images, not more than --val-split %zu", train->n,
                hold);
    size_t n_train = train->n - hold, n_val = hold, n_test = test->n;
    if (o->train_limit && (size_t)o->train_limit < n_train)
        n_train = (size_t)o->train_limit;
    if (o->val_limit) {
        n_val = (size_t)o->val_limit < n_val ? (size_t)o->val_limit : n_val;
        n_test = (size_t)o->val_limit < n_test ? (size_t)o->val_limit : n_test;
    }
    d->train_pos = slice_or_die(train, 0, n_train);
    d->val_pos = hold ? slice_or_die(train, train->n - hold, n_val) : NULL;
    d->test = slice_or_die(test, 0, n_test);
}

/* The seed's split: digits 0-4 positive, 5-9 negative, validation on the
 * test file; path[] the four files, as exp_load finds them. */
static void split_seed(const exp_opts *o, exp_data *d, const ff_dataset *train,
                       const ff_dataset *test, char path[4][4096])
{
    d->train_pos = select_or_die(train, path[1], 0, 4, o->train_limit);
    d->train_neg = select_or_die(train, path[1], 5, 9, o->train_limit);
    d->val_pos = select_or_die(test, path[3], 0, 4, o->val_limit);
    d->val_neg = select_or_die(test, path[3], 5, 9, o->val_limit);
}

void exp_load(const exp_opts *o, exp_data *d)
{
    memset(d, 0, sizeof *d);
    char path[4][4096];
    for (int i = 0; i < 4; i++)
        d->file[i] = find_file(path[i], sizeof path[i], o->data, i);
    ff_dataset *train = load_pair(path[0], path[1]), *test = load_pair(path[2], path[3]);
    if (EXP_PAPER(o->kind))
        split_paper(o, d, train, test);
    else
        split_seed(o, d, train, test, path);
    ff_dataset_free(train);
    ff_dataset_free(test);
    for (int i = 0; i < 4; i++) {
        errno = 0;
        const int status = ff_sha256_file(d->sha256[i], path[i]);
        if (status != FF_SUCCESS)
            exp_die("%s: cannot read to checksum it: %s", path[i], exp_io_reason(status));
    }
    size_t smallest = d->train_pos->n;
    if (d->train_neg && d->train_neg->n < smallest)
        smallest = d->train_neg->n;
    if ((size_t)o->batch > smallest)
        exp_die("--batch %d exceeds the training images per part (%zu)", o->batch, smallest);
}

void exp_data_free(exp_data *d)
{
    ff_dataset_free(d->train_pos);
    ff_dataset_free(d->train_neg);
    ff_dataset_free(d->val_pos);
    ff_dataset_free(d->val_neg);
    ff_dataset_free(d->test);
}
