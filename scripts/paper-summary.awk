#!/usr/bin/awk -f
# paper-summary.awk - the paper-scale table from the per-run summary files.
#
#   awk -f columns.awk -f stats.awk -f paper-summary.awk \
#       experiments/reference-paper.tsv RUN/summary.tsv ...
#
# Each run directory is named <run>-seed<N>; its summary.tsv has the
# columns epochs, seconds, test_softmax and test_goodness (accuracies, %),
# its config.txt holds the number of training images ("train N").  A run named
# <base>-train60k is the base run trained on all 60,000 images (no
# validation set); the paper's value is the base run's.  Prints,
# tab-separated with a header line naming the columns, one row per run and
# readout: test error (100 - accuracy) as mean and sample standard deviation
# over seeds ('-' for a single seed; stats.awk), the paper's value, minutes
# per run, and the training images (n_train), each base run's row followed
# by its -train60k row.
BEGIN { OFS = "\t" }

FNR == 1 { file++ }
!col_data() { next }

file == 1 {
    key = col("run") SUBSEP col("readout")
    order[++n] = key
    paper[key] = col("paper_value")
    next
}

{
    run = FILENAME
    sub(/\/summary\.tsv$/, "", run)
    sub(/.*\//, "", run)
    sub(/-seed[0-9]+$/, "", run)
    images[run] = train_images(FILENAME)
    add(run, "softmax", col("test_softmax"), col("epochs"), col("seconds"))
    add(run, "goodness", col("test_goodness"), col("epochs"), col("seconds"))
}

# The "train N" line of the run's config.txt, beside its summary.tsv.
function train_images(summary,    file, n) {
    file = summary
    sub(/summary\.tsv$/, "config.txt", file)
    n = config(file, "train")
    if (n == "") col_fail("paper-summary.awk: " file ": no 'train N' line")
    return n
}

function add(run, readout, acc, epochs, seconds,    key) {
    if (acc == "-") return
    key = run SUBSEP readout
    stat_add(key, 100 - acc)
    ep[key] = epochs; secs[key] += seconds
}

END {
    print "run", "readout", "epochs", "seeds", "test_error_mean", "test_error_sd",
          "paper_value", "minutes_per_run", "n_train"
    for (i = 1; i <= n; i++) {
        split(order[i], k, SUBSEP)
        row(k[1], k[2], paper[order[i]])
        row(k[1] "-train60k", k[2], paper[order[i]])
    }
}

function row(run, readout, paper_value,    key, c) {
    key = run SUBSEP readout
    c = stat_n(key)
    if (!c) return
    print run, readout, ep[key], c, stat_fmean(key), stat_fsd(key), paper_value,
          sprintf("%.1f", secs[key] / c / 60), images[run]
}
