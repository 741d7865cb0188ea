#!/usr/bin/awk -f
# paper-summary.awk - the paper-scale table from the per-run summary files.
#
#   awk -f paper-summary.awk experiments/reference-paper.tsv RUN/summary.tsv ...
#
# Each run directory is named <run>-seed<N>; its summary.tsv ends with the
# columns layers units test_softmax test_goodness (accuracies, %).  Prints,
# tab-separated with a header line naming the columns, one row per run and
# readout: test error (100 - accuracy) as mean and sample standard deviation
# over seeds ('-' for a single seed), the paper's value, minutes per run.
BEGIN { FS = "[ \t]+"; OFS = "\t" }

FNR == 1 { file++ }
/^#/ || NF == 0 { next }

file == 1 {
    if ($1 == "run") next
    key = $1 SUBSEP $2
    order[++n] = key
    paper[key] = $3
    next
}

{
    run = FILENAME
    sub(/\/summary\.tsv$/, "", run)
    sub(/.*\//, "", run)
    sub(/-seed[0-9]+$/, "", run)
    add(run, "softmax", $14, $4, $11)
    add(run, "goodness", $15, $4, $11)
}

function add(run, readout, acc, epochs, seconds,    key) {
    if (acc == "-") return
    key = run SUBSEP readout
    cnt[key]++; err = 100 - acc
    sum[key] += err; sq[key] += err * err
    ep[key] = epochs; secs[key] += seconds
}

END {
    print "run", "readout", "epochs", "seeds", "test_error_mean", "test_error_sd",
          "paper_value", "minutes_per_run"
    for (i = 1; i <= n; i++) {
        key = order[i]
        split(key, k, SUBSEP)
        c = cnt[key]
        if (!c) continue
        m = sum[key] / c
        v = c > 1 ? (sq[key] - c * m * m) / (c - 1) : 0
        sd = c > 1 ? sprintf("%.2f", v > 0 ? sqrt(v) : 0) : "-"
        print k[1], k[2], ep[key], c, sprintf("%.2f", m), sd, paper[key],
              sprintf("%.1f", secs[key] / c / 60)
    }
}
