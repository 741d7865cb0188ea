# curves.awk - one experiment's validation curves, over its runs (seeds).
#
#   awk -v params=OUT.gp -f curves.awk RUN/curve.tsv ... >OUT.dat
#
# Reads the curve.tsv of each run of one algorithm and model (its lines
# picked by the columns the header names: `set` "val", `part` "pos" or
# "neg"; "train" lines are skipped) and prints, for each evaluated epoch,
# `epoch runs` and then a (mean min max) triple per metric of the
# validation set, in this order: FF loss of layers 1..L on
# positive data, the same on negative data, softmax accuracy, goodness
# accuracy.  '-' where no run has the value.  Writes into `params` what the
# plot needs as gnuplot assignments: layers, runs, last epoch, and the range
# of the losses on positive data, on negative data, and of the accuracies.
FNR == 1 {                       # the header names the columns
    if ($1 != "#" || $2 != "epoch") { print FILENAME ": not a curve.tsv" > "/dev/stderr"; exit 1 }
    L = 0
    for (i = 2; i <= NF; i++) {
        c[$i] = i - 1            # data lines have no leading '#'
        if ($i ~ /^loss_/) L++
    }
    if (layers && L != layers) { print FILENAME ": other layer count" > "/dev/stderr"; exit 1 }
    if (!("set" in c) || !("part" in c)) { print FILENAME ": no set or part column" > "/dev/stderr"; exit 1 }
    layers = L; runs++
    next
}
/^#/ || NF == 0 || $(c["set"]) != "val" { next }

{
    e = $(c["epoch"])
    if (!(e in seen)) { seen[e] = 1; order[++ne] = e }
    if ($(c["part"]) == "pos") {
        nrun[e]++
        for (l = 1; l <= L; l++) add(e, l, $(c["loss_" l]))
        add(e, 2 * L + 1, $(c["softmax_acc"]))
        add(e, 2 * L + 2, $(c["goodness_acc"]))
    } else if ($(c["part"]) == "neg")
        for (l = 1; l <= L; l++) add(e, L + l, $(c["loss_" l]))
}

function add(e, m, v) {
    if (v == "-") return
    v += 0
    if (!cnt[e, m] || v < lo[e, m]) lo[e, m] = v
    if (!cnt[e, m] || v > hi[e, m]) hi[e, m] = v
    cnt[e, m]++; sum[e, m] += v
    range(m <= L ? "pos" : m <= 2 * L ? "neg" : "acc", v)
}

function range(what, v) {
    if (!((what, "min") in r) || v < r[what, "min"]) r[what, "min"] = v
    if (!((what, "max") in r) || v > r[what, "max"]) r[what, "max"] = v
}

END {
    printf "# epoch runs, then mean min max of: "
    printf "val pos loss 1-%d, val neg loss 1-%d, softmax acc %%, goodness acc %%\n", layers, layers
    for (i = 1; i <= ne; i++) {
        e = order[i]
        printf "%s %d", e, nrun[e]
        for (m = 1; m <= 2 * layers + 2; m++)
            if (cnt[e, m]) printf " %.6g %.6g %.6g", sum[e, m] / cnt[e, m], lo[e, m], hi[e, m]
            else printf " - - -"
        printf "\n"
    }
    printf("layers = %d\nruns = %d\nlast = %s\n", layers, runs, ne ? order[ne] : 1) > params
    bounds("pos", 0.1, 1); bounds("neg", 0.1, 1); bounds("acc", 0, 100)
}

# "WHATmin = ...", "WHATmax = ..." into params: the range seen, else lo and hi
function bounds(what, lo, hi) {
    if ((what, "min") in r) { lo = r[what, "min"]; hi = r[what, "max"] }
    printf("%smin = %g\n%smax = %g\n", what, lo, what, hi) > params
}
