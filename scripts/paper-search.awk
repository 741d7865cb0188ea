#!/usr/bin/awk -f
# paper-search.awk - the validation errors of a hyperparameter search.
#
#   awk -f columns.awk -f paper-search.awk experiments/paper-settings.tsv \
#       results/paper/<net>-seed<N>/summary.tsv \
#       results/paper-search/<net>-<setting>-seed<N>/summary.tsv ...
#
# The settings file comes first: its rows (columns run and setting, found
# by name, columns.awk) name the nets and each net's settings.  A run
# directory is named <net>-seed<N> for a net's reference settings, or
# <net>-<setting>-seed<N> for a setting that changed one thing (its row of
# the settings file); <net> is the longest net of the settings file that
# the name begins with (then '-').  A directory of no net, or of a setting
# the settings file lacks for that net, is an error: one line on stderr
# naming it, the exit status 1.
# Prints, tab-separated with a header line, one row per run directory: the
# validation error (100 - accuracy, %) after the last epoch by the softmax
# head and by goodness (columns softmax_final, goodness_final), and the
# minutes the run took.  The test set plays no part: a search run never
# evaluates it, and the reference runs' test columns are not read.
BEGIN {
    OFS = "\t"
    print "run", "setting", "seed", "epochs", "val_error_softmax", "val_error_goodness", "minutes"
}

FNR == 1 && !file++ { settings = FILENAME }
!col_data() { next }

file == 1 {
    if (!col_has("run") || !col_has("setting"))
        col_fail("paper-search.awk: " FILENAME ": no columns run and setting: name the settings" \
                 " file (experiments/paper-settings.tsv) first")
    nets[col("run")] = 1; rows[col("run"), col("setting")] = 1
    next
}

{
    dir = FILENAME
    sub(/\/summary\.tsv$/, "", dir)
    sub(/.*\//, "", dir)
    if (dir !~ /-seed[0-9]+$/) bad("not a <net>[-<setting>]-seed<N> directory")
    seed = dir
    sub(/.*-seed/, "", seed)
    sub(/-seed[0-9]+$/, "", dir)
    run = ""
    for (net in nets)
        if (length(run) < length(net) && length(net) <= length(dir) &&
            substr(dir, 1, length(net)) == net &&
            (length(net) == length(dir) || substr(dir, length(net) + 1, 1) == "-"))
            run = net
    if (run == "") bad("no net of " settings " begins its name")
    setting = length(run) < length(dir) ? substr(dir, length(run) + 2) : "reference"
    if (length(run) < length(dir) && !((run, setting) in rows))
        bad(run "/" setting " is not a row of " settings)
    print run, setting, seed, col("epochs"), err(col("softmax_final")), err(col("goodness_final")),
          sprintf("%.1f", col("seconds") / 60)
}

function bad(why) { col_fail("paper-search.awk: " FILENAME ": " why) }

function err(acc) { return acc == "-" ? "-" : sprintf("%.2f", 100 - acc) }
