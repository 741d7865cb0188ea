#!/usr/bin/awk -f
# summarize.awk - the summary table from the per-run summary files.
#
#   awk -f summarize.awk -v md=OUT.md -v missing=MISSING.txt \
#       experiments/reference-seed.tsv RUN/summary.tsv ...
#
# Reads the seed's reference table first, then one summary.tsv per run
# (a '#' header, then: experiment model seed epochs softmax_best
# softmax_best_epoch softmax_final goodness_best goodness_best_epoch
# goodness_final seconds).  Prints the table (tab-separated, header line
# naming the columns) on stdout and a Markdown rendering into `md`: per
# model and algorithm, mean and sample standard deviation over seeds of the
# best-over-epochs and the final-epoch validation accuracy, by softmax and by
# goodness ('-' where a value does not apply, sd '-' for a single seed).
BEGIN { FS = "[ \t]+"; nref = 0 }

FNR == 1 { file++ }
/^#/ || NF == 0 { next }

file == 1 {
    if ($1 == "model") next
    key = $1 SUBSEP $2
    order[++nref] = key
    ref_epochs[key] = $3; ref_soft[key] = $4; ref_good[key] = $5
    next
}

{
    key = $2 SUBSEP $1
    n[key]++
    epochs[key] = $4
    add(key, "sb", $5); add(key, "sf", $7)
    add(key, "gb", $8); add(key, "gf", $10)
    secs[key] += $11
}

function add(key, what, v) {
    if (v == "-") return
    cnt[key, what]++; sum[key, what] += v; sq[key, what] += v * v
}

function mean(key, what) {
    return cnt[key, what] ? sprintf("%.2f", sum[key, what] / cnt[key, what]) : "-"
}

function sd(key, what,    c, m, var) {
    c = cnt[key, what]
    if (c < 2) return "-"
    m = sum[key, what] / c
    var = (sq[key, what] - c * m * m) / (c - 1)
    return sprintf("%.2f", var > 0 ? sqrt(var) : 0)
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

function pm(key, what,    s) {
    s = sd(key, what)
    return mean(key, what) (s == "-" ? "" : " ± " s)
}
