#!/usr/bin/awk -f
# summarize.awk - the summary table from the per-run summary files.
#
#   awk -f columns.awk -f stats.awk -f summarize.awk -v md=OUT.md \
#       [-v dataset=NAME] experiments/reference-seed.tsv RUN/summary.tsv ...
#
# Reads the seed's reference table first (model, algorithm, seed_softmax,
# seed_goodness), then one summary.tsv per run (experiment, model, epochs,
# softmax_best, softmax_final, goodness_best, goodness_final, seconds),
# each column found by its name (columns.awk).  Prints the table
# (tab-separated, header line naming the columns) on stdout and a Markdown
# rendering into `md`: per model and algorithm, mean and sample standard
# deviation over seeds of the best-over-epochs and the final-epoch
# validation accuracy, by softmax and by goodness ('-' where a value does
# not apply, sd '-' for a single seed; stats.awk).  The seed study's
# numbers are MNIST's: with a dataset other than mnist (fashion-mnist) the
# reference gives only the rows' order, and seed_softmax and seed_goodness
# are '-'.
FNR == 1 { file++ }
!col_data() { next }

file == 1 {
    key = col("model") SUBSEP col("algorithm")
    order[++nref] = key
    ref_soft[key] = col("seed_softmax"); ref_good[key] = col("seed_goodness")
    if (dataset != "" && dataset != "mnist") ref_soft[key] = ref_good[key] = "-"
    next
}

{
    key = col("model") SUBSEP col("experiment")
    n[key]++
    epochs[key] = col("epochs")
    add(key, "sb", col("softmax_best")); add(key, "sf", col("softmax_final"))
    add(key, "gb", col("goodness_best")); add(key, "gf", col("goodness_final"))
    secs[key] += col("seconds")
}

END {
    OFS = "\t"
    print "model", "algorithm", "epochs", "seeds", "softmax_best_mean", "softmax_best_sd",
          "softmax_final_mean", "softmax_final_sd", "goodness_best_mean", "goodness_best_sd",
          "goodness_final_mean", "goodness_final_sd", "seed_softmax", "seed_goodness",
          "seconds_per_run"
    if (md != "") {
        print "| model | algorithm | epochs | seeds | softmax best | softmax final |" \
              " goodness best | goodness final | seed softmax | seed goodness | s/run |" > md
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" > md
    }
    for (i = 1; i <= nref; i++) {
        key = order[i]
        split(key, k, SUBSEP)
        if (!n[key]) continue
        sec = sprintf("%.1f", secs[key] / n[key])
        print k[1], k[2], epochs[key], n[key], mean(key, "sb"), sd(key, "sb"),
              mean(key, "sf"), sd(key, "sf"), mean(key, "gb"), sd(key, "gb"),
              mean(key, "gf"), sd(key, "gf"), ref_soft[key], ref_good[key], sec
        if (md != "")
            printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", k[1], k[2],
                   epochs[key], n[key], pm(key, "sb"), pm(key, "sf"), pm(key, "gb"),
                   pm(key, "gf"), ref_soft[key], ref_good[key], sec > md
    }
}

# a measure's values over seeds (stats.awk): "sb" softmax_best, "sf"
# softmax_final, "gb" goodness_best, "gf" goodness_final
function add(key, what, v) { stat_add(key SUBSEP what, v) }
function mean(key, what) { return stat_fmean(key SUBSEP what) }
function sd(key, what) { return stat_fsd(key SUBSEP what) }

function pm(key, what,    s) {
    s = sd(key, what)
    return mean(key, what) (s == "-" ? "" : " ± " s)
}
