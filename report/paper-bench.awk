# paper-bench.awk - the paper-scale epoch benchmark (build/bench/paper_epoch).
#
#   awk -v path=SHOWN -f paper-bench.awk [paper_epoch.txt]   Markdown section
#
# paper_epoch prints '#' comments (CBLAS; threads, batches timed) and one
# line per run: "ff-sup-3x1000  9.6 s/epoch  19.2 ms/batch  1.39 TFLOP/epoch
# 145 GFLOP/s  4.1 s/eval [(hybrid images 1.5 s/epoch)]" (s/eval: one
# evaluation, absent from older output: '-').  With no input the Markdown
# says the benchmark is absent and how to make it.
/^# / { sub(/^# /, ""); info[++ninfo] = $0; next }
NF == 0 { next }
/ s\/epoch / {
    extra = $0; if (!sub(/^[^(]*\(/, "", extra)) extra = "-"; sub(/\)$/, "", extra)
    ev = $11 == "s/eval" ? $10 : "-"
    row[++n] = sprintf("| `%s` | %s | %s | %s | %s | %s | %s |", $1, $2, $4, $6, $8, ev, extra)
}
END {
    if (!NR) {
        printf "*No benchmark output at `%s`.* To add it, run `make paper-bench` and" \
               " rebuild the report.\n", path
        exit
    }
    printf "From `%s`: one training epoch of 50,000 images, evaluation excluded, scaled" \
           " from the median of the batches timed on MNIST-sized noise (`make paper-bench` runs it before" \
           " the paper runs; ", path
    for (i = 1; i <= ninfo; i++) printf("%s`%s`", i > 1 ? "; " : "", info[i])
    print "). The rate counts 2 flops per multiply-add of each pass's forward product" \
          " and weight gradient (the neutral pass has no gradient). *s/eval*: one evaluation" \
          " of as many images as the validation set, with the readouts the run's program" \
          " evaluates (supervised: softmax and goodness; unsupervised: softmax).\n"
    print "| net | s/epoch | ms/batch | TFLOP/epoch | GFLOP/s | s/eval | of which |"
    print "|---|--:|--:|--:|--:|--:|---|"
    for (i = 1; i <= n; i++) print row[i]
}
