#!/usr/bin/awk -f
# compare.awk - a reproduction's table beside its reference's, row by row.
#
#   awk -v bits=BITS -f columns.awk -f compare.awk TABLE REFERENCE_TABLE
#
# BITS has one line per run of the reproduction: "<name>-seed<N> STATUS",
# STATUS "same" when its curve.tsv is the reference run's but for the time
# column, else "differs" or "absent" (scripts/compare.sh writes it).
#
# The tables are both the seed study's (summary.tsv: a row per model and
# algorithm; measures softmax_best and goodness_best, the accuracies the
# seed study published, beside seed_softmax and seed_goodness) or both the
# paper's (paper-summary.tsv: a row per run and readout; measure test_error,
# beside paper_value).  Columns are found by their names in the header
# (columns.awk).
#
# Prints, tab-separated with a header, one line per row and measure that has
# a value on either side:
#   row              model/algorithm, or run/readout
#   measure          softmax_best, goodness_best or test_error (%)
#   seeds            the reproduction's seeds; reproduced_mean, reproduced_sd
#   reference_seeds  the reference's seeds; reference_mean, reference_sd
#   published        the seed study's or the paper's value ('-': none)
#   difference       reproduced_mean - reference_mean
#   distance_sd      |difference| in units of the spread (below)
#   verdict          same bits: every run's curve as the reference run's but
#                      for the time column, as many runs, the same mean and sd;
#                    within spread: |difference| <= the spread;
#                    outside: farther (distance_sd says how far);
#                    missing: one side has no value
# The spread is the reference's sd, or 0.01 (the tables' last digit) when
# that is smaller or the reference has a single seed ('-').
BEGIN {
    FS = "\t"; OFS = "\t"
    if (bits == "") die("usage: awk -v bits=BITS -f compare.awk TABLE REFERENCE_TABLE")
    while ((got = (getline line < bits)) > 0) {
        if (split(line, w, /[ \t]+/) != 2) die(bits ": '" line "' is not '<run>-seed<N> STATUS'")
        name = w[1]
        sub(/-seed[0-9]+$/, "", name)
        runs[name]++
        if (w[2] == "same") same[name]++
    }
    if (got < 0) die(bits ": cannot read it")
}

# a table's first line: its header read (col_data), its kind and columns checked
!col_data() {
    if (FNR > 1) next
    file++
    k = col_has("algorithm") ? "seed" : col_has("readout") ? "paper" : ""
    if (k == "") die(FILENAME ": neither a summary.tsv nor a paper-summary.tsv header: rebuild it with make table or make paper-table")
    if (kind == "") setup(k)
    else if (k != kind) die(FILENAME ": a " k " table, the other is a " kind " table: compare tables of one kind")
    for (i = 1; i <= ncols; i++)
        if (!col_has(need[i])) die(FILENAME ": no column " need[i] ": rebuild it with make table or make paper-table")
    next
}

{
    key = (kind == "seed") ? col("model") "/" col("algorithm") : col("run") "/" col("readout")
    if (!((key, file) in seen)) { seen[key, file] = 1; if (!(key in listed)) { listed[key] = 1; order[++nrow] = key } }
    if (kind == "seed") runname[key] = col("algorithm") "-" col("model")
    else runname[key] = col("run")
    val[key, file, "seeds"] = col("seeds")
    for (m = 1; m <= nmeas; m++) {
        val[key, file, meas[m] "_mean"] = col(meas[m] "_mean")
        val[key, file, meas[m] "_sd"] = col(meas[m] "_sd")
        if (file == 1 || !((key, m) in published)) published[key, m] = col(pub[m])
    }
}

function die(msg) { col_fail("compare: " msg) }

function setup(k,    i) {
    kind = k
    if (k == "seed") {
        nmeas = split("softmax_best goodness_best", meas, " ")
        split("seed_softmax seed_goodness", pub, " ")
        ncols = split("model algorithm seeds", need, " ")
    } else {
        nmeas = split("test_error", meas, " ")
        split("paper_value", pub, " ")
        ncols = split("run readout seeds", need, " ")
    }
    for (i = 1; i <= nmeas; i++) {
        need[++ncols] = meas[i] "_mean"; need[++ncols] = meas[i] "_sd"; need[++ncols] = pub[i]
    }
}

function value(key, f, what) { return ((key, f) in seen) ? val[key, f, what] : "-" }

function numeric(s) { return s ~ /^-?[0-9]+(\.[0-9]*)?$/ }

END {
    if (file != 2) die("usage: awk -v bits=BITS -f compare.awk TABLE REFERENCE_TABLE (two non-empty tables)")
    print "row", "measure", "seeds", "reproduced_mean", "reproduced_sd", "reference_seeds",
          "reference_mean", "reference_sd", "published", "difference", "distance_sd", "verdict"
    for (r = 1; r <= nrow; r++) {
        key = order[r]
        for (m = 1; m <= nmeas; m++) {
            rm = value(key, 1, meas[m] "_mean"); rs = value(key, 1, meas[m] "_sd")
            fm = value(key, 2, meas[m] "_mean"); fs = value(key, 2, meas[m] "_sd")
            if (!numeric(rm) && !numeric(fm)) continue
            n = value(key, 1, "seeds"); nref = value(key, 2, "seeds")
            diff = dist = "-"
            if (!numeric(rm) || !numeric(fm)) verdict = "missing"
            else {
                spread = (numeric(fs) && fs + 0 >= 0.01) ? fs + 0 : 0.01
                d = rm - fm
                diff = sprintf("%+.2f", d)
                dist = sprintf("%.2f", (d < 0 ? -d : d) / spread)
                name = runname[key]
                if (runs[name] > 0 && same[name] == runs[name] && runs[name] == n && n == nref &&
                    rm + 0 == fm + 0 && (numeric(rs) && numeric(fs) ? rs + 0 == fs + 0 : rs == fs))
                    verdict = "same bits"
                else if ((d < 0 ? -d : d) <= spread + 1e-9)
                    verdict = "within spread"
                else
                    verdict = "outside"
            }
            print key, meas[m], n, rm, rs, nref, fm, fs, published[key, m], diff, dist, verdict
        }
    }
}
