/* data.h - an experiment's data: the four MNIST IDX files, loaded, split
 * by its protocol, limited by its flags, and checksummed.
 *
 * Each file is found in --data by its raw name (train-images-idx3-ubyte)
 * or, when there is none of that name, by its gzipped one
 * (train-images-idx3-ubyte.gz); ff_idx_read reads either.  When both are
 * there the raw file wins: the pinned checksums (scripts/fetch-mnist.sh)
 * are of the raw files.  Each file is checksummed as it is on disk.
 *
 * Seed protocol ("Data"): positive digits 0..4, negative 5..9, validation
 * on the test images (train_pos, train_neg, val_pos, val_neg).  Paper
 * protocol: all digits in train_pos (the first 50,000 training images),
 * val_pos (the last --val-split, 10,000; NULL with --val-split 0) and test
 * (t10k).  --train-limit and --val-limit take the first images of each
 * part. */
#ifndef FF_EXPERIMENTS_DATA_H
#define FF_EXPERIMENTS_DATA_H

#include "ff/dataset.h"
#include "flags.h"

typedef struct {
    ff_dataset *train_pos, *train_neg, *val_pos, *val_neg, *test; /* NULL: none */
    /* The four IDX files read, by index (train images, train labels, test
     * images, test labels): each one's name in --data (".gz" for a gzipped
     * one), which the run's identity and config.txt's sha256 lines give,
     * and its checksum. */
    const char *file[4];
    char sha256[4][65];
} exp_data;

/* Load the files in --data, split them by o->kind's protocol, checksum
 * them, and check that --batch fits the training parts; exits with a
 * one-line error on failure. */
void exp_load(const exp_opts *o, exp_data *d);
void exp_data_free(exp_data *d);

#endif
