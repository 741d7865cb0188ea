#!/usr/bin/awk -f
# paper-search.awk - the validation errors of a hyperparameter search.
#
#   awk -f columns.awk -f paper-search.awk results/paper/<run>-seed<N>/summary.tsv \
#       results/paper-search/<run>-<setting>-seed<N>/summary.tsv ...
#
# A run directory named <run>-seed<N> used the reference settings; one named
# <run>-<setting>-seed<N> changed one (its row of
# experiments/paper-settings.tsv).
# Prints, tab-separated with a header line, one row per run directory: the
# validation error (100 - accuracy, %) after the last epoch by the softmax
# head and by goodness (columns softmax_final, goodness_final), and the
# minutes the run took.  The test set plays no part: a search run never
# evaluates it, and the reference runs' test columns are not read.
BEGIN {
    OFS = "\t"
    print "run", "setting", "seed", "epochs", "val_error_softmax", "val_error_goodness", "minutes"
}

!col_data() { next }

{
    dir = FILENAME
    sub(/\/summary\.tsv$/, "", dir)
    sub(/.*\//, "", dir)
    seed = dir
    sub(/.*-seed/, "", seed)
    sub(/-seed[0-9]+$/, "", dir)
    if (!match(dir, /^(ff-(sup|unsup)-[0-9]+x[0-9]+|bp)/)) {
        printf "paper-search.awk: %s: not a <run>[-<setting>]-seed<N> directory\n", FILENAME >"/dev/stderr"
        exit 1
    }
    run = substr(dir, 1, RLENGTH)
    setting = RLENGTH < length(dir) ? substr(dir, RLENGTH + 2) : "reference"
    print run, setting, seed, col("epochs"), err(col("softmax_final")), err(col("goodness_final")),
          sprintf("%.1f", col("seconds") / 60)
}

function err(acc) { return acc == "-" ? "-" : sprintf("%.2f", 100 - acc) }
