# curves.awk - learning curves over the seeds of one experiment of the
# seed study, or of one paper-scale run.
#
#   awk -v params=OUT.gp -f columns.awk -f stats.awk -f curves.awk \
#       RUN/curve.tsv ... >OUT.dat
#   awk -v scale=paper -v run=NAME -v params=OUT.gp -f columns.awk \
#       -f stats.awk -f curves.awk REFERENCE RUN/curve.tsv ... >OUT.dat
#
# Reads the curve.tsv of each complete run (seed), its lines picked by the
# columns `set` and `part` (columns.awk), and prints data for gnuplot: per
# evaluation, the epoch, the number of runs, then per metric the mean, min
# and max over the runs (stats.awk; '-' where no run has the value).
# Writes into `params` what the plots need, as gnuplot assignments.
#
# The seed study (one algorithm and model): one block, the validation set
# ("train" lines are skipped); its metrics the FF loss of layers 1..L on
# positive data (part "pos"), the same on negative data ("neg"), the
# softmax and the goodness accuracy (of the "pos" lines).  params: layers,
# runs, last epoch, the range of the losses on positive data (posmin,
# posmax), on negative data (negmin, negmax) and of the accuracies (accmin,
# accmax).
#
# scale=paper (the run NAME): REFERENCE is experiments/reference-paper.tsv,
# for the paper's values; then three blocks (gnuplot's index 0, 1 and 2) of
# the lines of part "all": the validation evaluations, the test evaluation
# after the last epoch, and the evaluations of the fixed training subset
# (set "train"; an empty block for runs that recorded none).  The epoch is
# the epochs trained (the curve's, counted from zero, plus one); the
# metrics the error, in % (100 - accuracy), of the softmax readout and of
# the goodness readout.  params: runs, last epoch, the range of the
# validation and test errors (errmin, errmax) and of the validation and
# training errors (fitmin, fitmax, the smallest above zero; fitzero:
# whether an error of zero occurs), the number of training evaluations
# (ntrain), whether there is a goodness readout (good), the mean test errors
# (strings) and the paper's values (NaN where none).
BEGIN { paper = scale == "paper" }

paper && FILENAME == ARGV[1] {
    if (col_data() && col("run") == run) paper_err[col("readout")] = col("paper_value")
    next
}

!col_data() {                    # a curve.tsv's header: one more run
    if (FNR > 1) next
    runs++
    for (L = 0; col_has("loss_" (L + 1)); L++) ;
    if (!paper && layers && L != layers) col_fail(FILENAME ": other layer count")
    layers = L
    next
}

!paper && col("set") == "val" {
    e = col("epoch"); point("val", e)
    if (col("part") == "pos") {
        nrun["val", e]++
        for (l = 1; l <= L; l++) add("val", e, l, col("loss_" l))
        add("val", e, 2 * L + 1, col("softmax_acc"))
        add("val", e, 2 * L + 2, col("goodness_acc"))
    } else if (col("part") == "neg")
        for (l = 1; l <= L; l++) add("val", e, L + l, col("loss_" l))
}

paper && col("part") == "all" && col("set") ~ /^(val|test|train)$/ {
    s = col("set"); e = col("epoch") + 1; point(s, e)
    nrun[s, e]++
    add(s, e, 1, error_pct(col("softmax_acc")))
    add(s, e, 2, error_pct(col("goodness_acc")))
    if (e > last) last = e
}

function error_pct(acc) { return acc == "-" ? acc : 100 - acc }

# epoch e of block b, in the order first seen
function point(b, e) { if (!((b, e) in seen)) { seen[b, e] = 1; order[b, ++ne[b]] = e } }

# one run's value v of metric m at epoch e of block b
function add(b, e, m, v) {
    if (v == "-") return
    v += 0
    stat_add(b SUBSEP e SUBSEP m, v)
    if (!paper) span(m <= L ? "pos" : m <= 2 * L ? "neg" : "acc", v)
    else {
        if (m == 2) good = 1
        if (b != "train") span("err", v)
        if (b != "test") span("fit", v)
    }
}

# the range of one plot's values: least and greatest, least above zero
# ("above"), and whether a zero occurs
function span(what, v) {
    if (!((what, "max") in r) || v < r[what, "min"]) r[what, "min"] = v
    if (!((what, "max") in r) || v > r[what, "max"]) r[what, "max"] = v
    if (v > 0 && (!((what, "above") in r) || v < r[what, "above"])) r[what, "above"] = v
    if (v == 0) zero[what] = 1
}

# block b: a line per epoch, mean min max of its nm metrics
function block(b, nm,    i, e, m, k) {
    for (i = 1; i <= ne[b]; i++) {
        e = order[b, i]
        printf "%s %d", e, nrun[b, e]
        for (m = 1; m <= nm; m++)
            if (stat_n(k = b SUBSEP e SUBSEP m))
                printf " %.6g %.6g %.6g", stat_mean(k), stat_min(k), stat_max(k)
            else printf " - - -"
        printf "\n"
    }
}

END {
    if (paper) { paper_end(); exit }
    printf "# epoch runs, then mean min max of: "
    printf "val pos loss 1-%d, val neg loss 1-%d, softmax acc %%, goodness acc %%\n", layers, layers
    block("val", 2 * layers + 2)
    printf("layers = %d\nruns = %d\nlast = %s\n", layers, runs,
           ne["val"] ? order["val", ne["val"]] : 1) > params
    bounds("pos", 0.1, 1); bounds("neg", 0.1, 1); bounds("acc", 0, 100)
}

# "WHATmin = ...", "WHATmax = ..." into params: the range seen, else lo and hi
function bounds(what, lo, hi) {
    if ((what, "min") in r) { lo = r[what, "min"]; hi = r[what, "max"] }
    printf("%smin = %g\n%smax = %g\n", what, lo, what, hi) > params
}

# the mean test error of readout m (1 softmax, 2 goodness) as a gnuplot
# string, rounded as paper-summary.awk rounds it; "-" if none
function tv(m,    k) {
    if (!ne["test"]) return "\"-\""
    k = "test" SUBSEP order["test", ne["test"]] SUBSEP m
    return stat_n(k) ? sprintf("\"%.2f\"", stat_mean(k)) : "\"-\""
}
function pv(readout) {
    return (readout in paper_err) && paper_err[readout] != "-" ? paper_err[readout] : "NaN"
}
# the least (above zero) or greatest value of a range, if above zero, else none
function bound(what, end, none) {
    return (what, end) in r && r[what, end] > 0 ? r[what, end] : none
}

function paper_end() {
    print "# epochs_trained runs, then mean min max of: softmax error %, goodness error %"
    print "# validation"
    block("val", 2)
    print "\n\n# test, once after the last epoch"
    block("test", 2)
    print "\n\n# training subset"
    block("train", 2)
    printf("runs = %d\nlast = %d\ngood = %d\nntest = %d\nntrain = %d\n", runs, last ? last : 1,
           good, ne["test"], ne["train"]) > params
    printf("test_soft = %s\ntest_good = %s\n", tv(1), tv(2)) > params
    printf("paper_soft = %s\npaper_good = %s\n", pv("softmax"), pv("goodness")) > params
    printf("has_paper_soft = %d\nhas_paper_good = %d\n", pv("softmax") != "NaN",
           pv("goodness") != "NaN") > params
    if (pv("softmax") != "NaN") span("err", pv("softmax") + 0)
    if (pv("goodness") != "NaN") span("err", pv("goodness") + 0)
    printf("errmin = %g\nerrmax = %g\n", bound("err", "above", 1), bound("err", "max", 100)) > params
    printf("fitmin = %g\nfitmax = %g\nfitzero = %d\n", bound("fit", "above", 1),
           bound("fit", "max", 100), zero["fit"]) > params
}
