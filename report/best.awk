# best.awk - the epochs at which one experiment's runs reached their best
# goodness readout, e.g. "epochs 0, 5 and 0" for ff-unsup-conv2d.
#
#   awk -v name=EXPERIMENT -f columns.awk -f best.awk RUN/summary.tsv ...
#
# Reads the column goodness_best_epoch (columns.awk) of the runs named
# EXPERIMENT-seed<N>, in the order given; the others are skipped.
FNR == 1 { run = FILENAME; sub(/\/summary\.tsv$/, "", run); sub(/.*\//, "", run) }
!col_data() || index(run, name "-seed") != 1 { next }
{ e[++n] = col("goodness_best_epoch") }
END {
    if (!n) { print "no complete run"; exit }
    s = "epoch" (n > 1 ? "s " : " ") e[1]
    for (i = 2; i <= n; i++) s = s (i == n ? " and " : ", ") e[i]
    print s
}
