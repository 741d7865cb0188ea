# paper-ports.awk - other implementations of the reference code beside ours.
#
#   awk -f columns.awk -f paper-ports.awk PORTS RUN/summary.tsv ...
#
# PORTS is experiments/reference-ports.tsv (run, source, where, epochs, set,
# readout, error in %); then the summary.tsv of every complete paper run
# (RUN = <run>-seed<N>; softmax_final and goodness_final the validation
# accuracy after the last epoch by softmax and by goodness, test_softmax and
# test_goodness the test accuracy), columns found by their names (columns.awk).
# Prints a Markdown table, one row per row of PORTS, with our error on the
# same set by the same readout: the mean over our seeds, their range, and
# the difference from theirs.  Then, for the rows run on this machine, one
# sentence: where ours is lower or higher, by validation and by test.
!col_data() { next }

FILENAME == ARGV[1] {
    n++
    run[n] = col("run"); src[n] = col("source"); where[n] = col("where"); ep[n] = col("epochs")
    set[n] = col("set"); ro[n] = col("readout"); err[n] = col("error")
    next
}

{   # one run's summary
    r = FILENAME; sub(/\/summary\.tsv$/, "", r); sub(/.*\//, "", r); sub(/-seed[0-9]+$/, "", r)
    e = col("epochs")
    epochs[r] = epochs[r] == "" || epochs[r] == e ? e : "mixed"
    add(r, "val", "softmax", col("softmax_final")); add(r, "val", "goodness", col("goodness_final"))
    add(r, "test", "softmax", col("test_softmax")); add(r, "test", "goodness", col("test_goodness"))
}
function add(r, s, o, acc,    k, e) {
    if (acc == "-") return
    k = r SUBSEP s SUBSEP o; e = 100 - acc
    lo[k] = !cnt[k] || e < lo[k] ? e : lo[k]
    hi[k] = !cnt[k] || e > hi[k] ? e : hi[k]
    cnt[k]++; sum[k] += e
}
function ours(i,    k) {
    k = run[i] SUBSEP set[i] SUBSEP ro[i]
    if (!cnt[k]) return "| - | - |"
    return sprintf("| %.2f (%d %s, %.2f to %.2f) | %+.2f |", sum[k] / cnt[k], cnt[k],
                   cnt[k] == 1 ? "run" : "runs", lo[k], hi[k], sum[k] / cnt[k] - err[i])
}
function compare(d) {
    if (sprintf("%.2f", d) + 0 == 0) return "equal"
    return sprintf("%s by %.2f points", d < 0 ? "lower" : "higher", d < 0 ? -d : d)
}

END {
    if (!n) exit
    print "| ours | theirs | measured | epochs | set | readout | error % | ours: error % " \
          "(seeds, range) | ours − theirs |"
    print "|---|---|---|--:|---|---|--:|--:|--:|"
    for (i = 1; i <= n; i++) {
        printf "| `%s`, %s | %s | %s | %s | %s | %s | %.2f %s\n", run[i],
               epochs[run[i]] == "" ? "no complete run" : epochs[run[i]] " epochs", src[i],
               where[i] == "this-machine" ? "on this machine" : where[i], ep[i],
               set[i] == "val" ? "validation" : set[i], ro[i] == "-" ? "not stated" : ro[i],
               err[i], ours(i)
        k = run[i] SUBSEP set[i] SUBSEP ro[i]
        if (where[i] == "this-machine" && cnt[k]) {
            d = sum[k] / cnt[k] - err[i]
            said[++nsaid] = sprintf("on the %s set by %s, %s",
                                    set[i] == "val" ? "validation" : "test", ro[i], compare(d))
        }
    }
    if (!nsaid) exit
    printf "\nAgainst the implementation run on this machine, our mean error is: "
    for (i = 1; i <= nsaid; i++)
        printf "%s%s", i == 1 ? "" : i == nsaid ? "; and " : "; ", said[i]
    print "."
}
