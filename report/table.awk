# table.awk - the accuracy table: ours (summary.tsv) beside the seed's.
#
#   awk -v table=RESULTS/summary.tsv [-v seed=0] -f columns.awk -f table.awk REFERENCE \
#       [TABLE] RUN/summary.tsv ...
#
# REFERENCE is experiments/reference-seed.tsv (the seed's published numbers,
# and its rerun's); TABLE is the results' summary.tsv, made by `make table`
# (absent: -v table=''); then the summary.tsv of every complete run.  Each
# file's columns are found by their names (columns.awk).
# Prints a Markdown table, one row per model and algorithm in the seed's
# order.  A row of TABLE is shown only if it still describes the runs
# present: the same number of runs and the same mean best accuracies, as
# recomputed here from the runs.  Otherwise (a run added, redone or
# removed since `make table`) its numbers are stale and are not shown.
# seed=0 (another data set than the seed's MNIST): the seed's columns are
# left out, and REFERENCE gives only the rows' order.
BEGIN {  # the columns of TABLE shown
    if (seed == "") seed = 1
    ncell = split("epochs seeds softmax_best_mean softmax_best_sd softmax_final_mean" \
                  " softmax_final_sd goodness_best_mean goodness_best_sd goodness_final_mean" \
                  " goodness_final_sd seconds_per_run", cells, " ")
}
!col_data() { next }

FILENAME == ARGV[1] {
    key = col("model") SUBSEP col("algorithm")
    order[++nrow] = key
    seed_soft[key] = col("seed_softmax") rerun(col("rerun_softmax"))
    seed_good[key] = col("seed_goodness") rerun(col("rerun_goodness"))
    next
}

FILENAME == table {
    key = col("model") SUBSEP col("algorithm")
    for (i = 1; i <= ncell; i++) cell[key, cells[i]] = col(cells[i])
    in_table[key] = 1
    next
}

{   # one run's summary
    key = col("model") SUBSEP col("experiment")
    runs[key]++; sb[key] += col("softmax_best")
    if (col("goodness_best") != "-") { ng[key]++; gb[key] += col("goodness_best") }
}

# the seed's rerun beside its number, in parentheses
function rerun(v) { return v == "-" ? "" : " (" v ")" }

function pm(key, what,    m, s) {
    m = cell[key, what "_mean"]; s = cell[key, what "_sd"]
    return m == "-" ? "-" : m (s == "-" ? "" : " ± " s)
}

# a cell of the seed's column: nothing with seed=0
function sc(v) { return seed ? " " v " |" : "" }

# the best-over-epochs numbers, the ones set beside the seed's, in bold
function bold(s) { return s == "-" ? s : "**" s "**" }

# the table's row agrees with the runs present
function fresh(key) {
    if (cell[key, "seeds"] != runs[key]) return 0
    if (cell[key, "softmax_best_mean"] != sprintf("%.2f", sb[key] / runs[key])) return 0
    if (ng[key] && cell[key, "goodness_best_mean"] != sprintf("%.2f", gb[key] / ng[key])) return 0
    return 1
}

END {
    print "| model | algorithm | epochs | runs | softmax best |" sc("seed") " softmax final" \
          " | goodness best |" sc("seed") " goodness final | s/run |"
    print "|---|---|--:|--:|--:|" (seed ? "--:|" : "") "--:|--:|" (seed ? "--:|" : "") "--:|--:|"
    for (i = 1; i <= nrow; i++) {
        key = order[i]; split(key, k, SUBSEP)
        if (in_table[key] && runs[key] && fresh(key)) {
            printf "| %s | %s | %s | %s | %s |%s %s | %s |%s %s | %s |\n", k[1], k[2],
                   cell[key, "epochs"], cell[key, "seeds"], bold(pm(key, "softmax_best")),
                   sc(seed_soft[key]), pm(key, "softmax_final"), bold(pm(key, "goodness_best")),
                   sc(seed_good[key]), pm(key, "goodness_final"), cell[key, "seconds_per_run"]
            continue
        }
        if (!runs[key]) why = "no complete run"
        else if (table == "") why = "no summary.tsv"
        else if (!in_table[key]) why = "not in summary.tsv"
        else why = "stale: summary.tsv does not match the runs"
        printf "| %s | %s | | %d | *%s* |%s | |%s | |\n", k[1], k[2], runs[key], why,
               sc(seed_soft[key]), sc(seed_good[key])
        if (runs[key] && table != "") nstale++
    }
    if (nstale)
        print "\n**Stale:** the results' `summary.tsv` does not match the runs now present" \
              " in the rows marked so; `make table` rewrites it."
}
