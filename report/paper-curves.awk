# paper-curves.awk - one paper-scale run's error curves, over its seeds.
#
#   awk -v run=NAME -v params=OUT.gp -f paper-curves.awk REFERENCE RUN/curve.tsv ... >OUT.dat
#
# Reads experiments/reference-paper.tsv (for the paper's values of NAME),
# then the curve.tsv of each complete seed of the run NAME, and prints three
# data blocks (gnuplot's index 0, 1 and 2): the validation evaluations, the
# test evaluation after the last epoch, and the evaluations of the fixed
# training subset (the "train" lines; an empty block for runs that recorded
# none).  Lines are picked by the columns the header names `set` and
# `part`.  Each line: epochs trained (the curve's epoch, counted from zero,
# plus one), the number of runs, then mean, min and max over them of the
# softmax readout's error and of the goodness readout's, in %
# (100 - accuracy); '-' where no run has the value.  Writes into `params`
# what the plots need, as gnuplot assignments: runs, last epoch, the range
# of the validation and test errors (errmin, errmax) and of the validation
# and training errors (fitmin, fitmax, the smallest above zero; fitzero:
# whether an error of zero occurs), the number of training evaluations
# (ntrain), whether there is a goodness readout, the mean test errors
# (strings) and the paper's values (NaN where none).
FILENAME == ARGV[1] {
    if ($1 == run) paper[$2] = $3
    next
}

FNR == 1 {                       # the header names the columns
    if ($1 != "#" || $2 != "epoch") { print FILENAME ": not a curve.tsv" > "/dev/stderr"; exit 1 }
    for (i = 2; i <= NF; i++) c[$i] = i - 1
    if (!("softmax_acc" in c) || !("goodness_acc" in c) || !("set" in c) || !("part" in c)) {
        print FILENAME ": no set, part or readout columns" > "/dev/stderr"; exit 1
    }
    runs++
    next
}
/^#/ || NF == 0 { next }
$(c["part"]) != "all" { next }
$(c["set"]) != "val" && $(c["set"]) != "test" && $(c["set"]) != "train" { next }

{
    s = $(c["set"]); e = $(c["epoch"]) + 1
    if (!((s, e) in seen)) { seen[s, e] = 1; order[s, ++ne[s]] = e }
    nrun[s, e]++
    add(s, e, 1, $(c["softmax_acc"]))
    add(s, e, 2, $(c["goodness_acc"]))
    if (e > last) last = e
}

function add(s, e, m, acc,    v) {
    if (acc == "-") return
    v = 100 - acc
    if (!cnt[s, e, m] || v < lo[s, e, m]) lo[s, e, m] = v
    if (!cnt[s, e, m] || v > hi[s, e, m]) hi[s, e, m] = v
    cnt[s, e, m]++; sum[s, e, m] += v
    if (m == 2) good = 1
    if (s != "train") span("err", v)
    if (s != "test") span("fit", v)
}

# the range of the errors of one plot: what "min" and "max", the least
# above zero, and whether a zero occurs
function span(what, v) {
    if (v == 0) zero[what] = 1
    if (v > 0 && (!((what, "min") in r) || v < r[what, "min"])) r[what, "min"] = v
    if (!((what, "max") in r) || v > r[what, "max"]) r[what, "max"] = v
}
function bound(what, end, none) {
    return (what, end) in r && r[what, end] > 0 ? r[what, end] : none
}

function block(s,    i, e, m) {
    for (i = 1; i <= ne[s]; i++) {
        e = order[s, i]
        printf "%s %d", e, nrun[s, e]
        for (m = 1; m <= 2; m++)
            if (cnt[s, e, m]) printf " %.6g %.6g %.6g", sum[s, e, m] / cnt[s, e, m], lo[s, e, m], hi[s, e, m]
            else printf " - - -"
        printf "\n"
    }
}

# the mean test error of readout m (1 softmax, 2 goodness) as a gnuplot
# string, rounded as paper-summary.awk rounds it; "-" if none
function tv(m,    e) {
    if (!ne["test"]) return "\"-\""
    e = order["test", ne["test"]]
    return cnt["test", e, m] ? sprintf("\"%.2f\"", sum["test", e, m] / cnt["test", e, m]) : "\"-\""
}
function pv(readout) { return (readout in paper) && paper[readout] != "-" ? paper[readout] : "NaN" }

END {
    print "# epochs_trained runs, then mean min max of: softmax error %, goodness error %"
    print "# validation"
    block("val")
    print "\n\n# test, once after the last epoch"
    block("test")
    print "\n\n# training subset"
    block("train")
    printf("runs = %d\nlast = %d\ngood = %d\nntest = %d\nntrain = %d\n", runs, last ? last : 1,
           good, ne["test"], ne["train"]) > params
    printf("test_soft = %s\ntest_good = %s\n", tv(1), tv(2)) > params
    printf("paper_soft = %s\npaper_good = %s\n", pv("softmax"), pv("goodness")) > params
    printf("has_paper_soft = %d\nhas_paper_good = %d\n", pv("softmax") != "NaN",
           pv("goodness") != "NaN") > params
    if (pv("softmax") != "NaN") span("err", pv("softmax") + 0)
    if (pv("goodness") != "NaN") span("err", pv("goodness") + 0)
    printf("errmin = %g\nerrmax = %g\n", bound("err", "min", 1), bound("err", "max", 100)) > params
    printf("fitmin = %g\nfitmax = %g\nfitzero = %d\n", bound("fit", "min", 1),
           bound("fit", "max", 100), zero["fit"]) > params
}
