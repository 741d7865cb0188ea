# paper-bench.awk - the paper-scale epoch benchmark (build/bench/paper_epoch).
#
#   awk -v path=SHOWN [-v bf16=1] -f paper-bench.awk [paper_epoch.txt]
#
# Prints a Markdown section; with bf16=1, that of the benchmark made on a
# CPU with bf16 arithmetic (make paper-bench-bf16), shown after the first.
#
# paper_epoch prints '#' comments (threads, batches timed; the CPU; each
# product backend and what it ran on) and one line per net and backend:
# "ff-sup-3x1000 cblas-fp32  9.6 s/epoch  19.2 ms/batch  1.39 TFLOP/epoch
# 145 GFLOP/s  4.1 s/eval [(hybrid images 1.5 s/epoch)]".  Output of
# earlier builds, without the backend's column, reads as cblas-fp32.  Each
# row's "× fp32" divides its epoch by the cblas-fp32 epoch of the same net,
# timed beside it.  With no input the Markdown says the benchmark is absent
# and how to make it.
/^# / { sub(/^# /, ""); info[++ninfo] = $0; next }
NF == 0 { next }
/ s\/epoch / {
    if ($3 == "s/epoch") { $1 = $1 " cblas-fp32" ; $0 = $0 } # earlier output
    extra = $0; if (!sub(/^[^(]*\(/, "", extra)) extra = "-"; sub(/\)$/, "", extra)
    ev = $12 == "s/eval" ? $11 : "-"
    n++; net[n] = $1; backend[n] = $2; epoch[n] = $3
    rest[n] = sprintf("%s | %s | %s | %s | %s |", $5, $7, $9, ev, extra)
    if ($2 == "cblas-fp32") fp32[$1] = $3
}
END {
    if (!NR && bf16) {
        printf "*No benchmark on a CPU with bf16 arithmetic at `%s`.* On one (AVX512_BF16" \
               " or AMX), `make paper-bench-bf16` adds it; rebuild the report.\n", path
        exit
    }
    if (!NR) {
        printf "*No benchmark output at `%s`.* To add it, run `make paper-bench` and" \
               " rebuild the report.\n", path
        exit
    }
    if (bf16) {
        printf "The same benchmark on a CPU with bf16 arithmetic, from `%s` (`make" \
               " paper-bench-bf16`; ", path
        header()
        print "). *× fp32* as above, the `cblas-fp32` epoch timed beside it on that CPU:\n"
        table()
        exit
    }
    printf "From `%s`: one training epoch, evaluation excluded, scaled" \
           " from the median of the batches timed on MNIST-sized noise to the images the header names" \
           " (`make paper-bench` runs it before" \
           " the paper runs; ", path
    header()
    print "). Each net runs in every product backend built in (`lib/include/ff/gemm.h`)," \
          " the backends taking turns batch by batch; *× fp32* divides a row's epoch by" \
          " the `cblas-fp32` epoch of the same net. The rate counts 2 flops per multiply-add" \
          " of each pass's forward product and weight gradient (the neutral pass has no" \
          " gradient). *s/eval*: one evaluation of as many images as the validation set," \
          " with the readouts the run's program evaluates (supervised: softmax and goodness;" \
          " unsupervised: softmax).\n"
    table()
}
# the benchmark's header lines, each as code, "; " between them
function header(    i) { for (i = 1; i <= ninfo; i++) printf("%s`%s`", i > 1 ? "; " : "", info[i]) }
# a row per net and backend, with its epoch as a multiple of the fp32 one
function table(    i, ratio) {
    print "| net | backend | s/epoch | × fp32 | ms/batch | TFLOP/epoch | GFLOP/s | s/eval | of which |"
    print "|---|---|--:|--:|--:|--:|--:|--:|---|"
    for (i = 1; i <= n; i++) {
        ratio = fp32[net[i]] + 0 > 0 ? sprintf("%.2f", epoch[i] / fp32[net[i]]) : "-"
        printf "| `%s` | `%s` | %s | %s | %s\n", net[i], backend[i], epoch[i], ratio, rest[i]
    }
}
