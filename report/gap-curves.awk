# gap-curves.awk - one screened net's validation curves, one per setting.
#
#   awk -v net=NET -v params=OUT.gp -f columns.awk -f stats.awk -f gap-curves.awk \
#       RUN/curve.tsv ... >OUT.dat
#
# Each RUN directory is NET-seed<N> or NET-reference-seed<N> (the reference
# settings) or NET-<setting>-seed<N>; the files come in the order the
# settings are to be drawn, a setting's seeds together.  Prints one data
# block per setting (gnuplot's index 0, 1, ...): per evaluation of the
# validation set (the lines whose columns `set` and `part`, found by their
# names: columns.awk, read "val" and "all"), epochs trained (the curve's
# epoch, from zero, plus one), the number of runs, and the mean over them
# (stats.awk) of the softmax and the goodness readout's error in %
# (100 - accuracy; '-' where a run has no such column or value).  Writes
# into `params`, as gnuplot assignments: the number of settings (nset),
# their names and whether each has a goodness readout (words of `names`,
# `goods`), the last epoch, and the range of the errors above zero
# (errmin, errmax).
!col_data() {                    # a curve.tsv's header: its setting
    if (FNR > 1) next
    s = FILENAME; sub(/\/curve\.tsv$/, "", s); sub(/.*\//, "", s); sub(/-seed[0-9]+$/, "", s)
    s = s == net || s == net "-reference" ? "reference" : substr(s, length(net) + 2)
    if (!(s in id)) { id[s] = ++nset; name[nset] = s }
    k = id[s]
    next
}
col("set") != "val" || col("part") != "all" { next }
{
    e = col("epoch") + 1
    if (!((k, e) in runs)) order[k, ++ne[k]] = e
    runs[k, e]++
    add(k, e, 1, col("softmax_acc"))
    if (col_has("goodness_acc")) add(k, e, 2, col("goodness_acc"))
    if (e > last) last = e
}
function add(k, e, m, acc) {
    if (acc == "-") return
    stat_add(k SUBSEP e SUBSEP m, 100 - acc)
    if (m == 2) good[k] = 1
}
function mean(k, e, m,    key, v) {
    key = k SUBSEP e SUBSEP m
    if (!stat_n(key)) return "-"
    v = stat_mean(key)
    if (v > 0 && (!lo || v < lo)) lo = v
    if (v > hi) hi = v
    return sprintf("%.6g", v)
}
END {
    print "# per setting: epochs_trained runs softmax_error_mean goodness_error_mean (%)"
    for (k = 1; k <= nset; k++) {
        printf "%s# %s\n", (k > 1 ? "\n\n" : ""), name[k]
        for (i = 1; i <= ne[k]; i++) {
            e = order[k, i]
            printf "%d %d %s %s\n", e, runs[k, e], mean(k, e, 1), mean(k, e, 2)
        }
        names = names (k > 1 ? " " : "") name[k]; goods = goods (k > 1 ? " " : "") (good[k] + 0)
    }
    printf("nset = %d\nnames = \"%s\"\ngoods = \"%s\"\nlast = %d\nerrmin = %g\nerrmax = %g\n",
           nset, names, goods, last ? last : 1, lo ? lo : 1, hi ? hi : 100) > params
}
