# times.awk - training time and workspace per experiment of the seed study,
# or per paper-scale run.
#
#   awk [-v scale=paper] -f columns.awk -f times.awk RUN/summary.tsv ... \
#       RUN/config.txt ...
#
# From each complete run's summary.tsv (columns epochs and seconds, found
# by their names: columns.awk) and config.txt (threads, workspace_bytes;
# stages, or at scale=paper parameters), prints a Markdown table, one row
# per model and algorithm (per run <run>, from RUN = <run>-seed<N>, at
# scale=paper): runs, epochs, mean (min-max) seconds per run (minutes at
# scale=paper), seconds per epoch, threads, FF stages (parameters),
# training workspace in KiB (MiB); then the total.  A setting the runs of
# one row differ in shows each value.
BEGIN {
    paper = scale == "paper"
    unit = paper ? 60 : 1
}
FNR == 1 { dir = FILENAME; sub(/\/[^\/]*$/, "", dir) }

FILENAME ~ /summary\.tsv$/ {
    if (!col_data()) next
    if (paper) { k = dir; sub(/.*\//, "", k); sub(/-seed[0-9]+$/, "", k); k = "`" k "`" }
    else k = col("model") " | " col("experiment")
    row_of[dir] = k
    if (!(k in n)) order[++nk] = k
    s = col("seconds")
    n[k]++; secs[k] += s; total += s; nall++
    keep(k, "epochs", col("epochs"))
    if (!(k in lo) || s < lo[k]) lo[k] = s
    if (!(k in hi) || s > hi[k]) hi[k] = s
    next
}
$1 == "threads" || $1 == "stages" || $1 == "parameters" { keep(row_of[dir], $1, $2) }
$1 == "workspace_bytes" {
    keep(row_of[dir], "workspace", paper ? sprintf("%.1f", $2 / 1048576) \
                                         : sprintf("%.0f", $2 / 1024))
}

function keep(k, what, v) {  # distinct values, in order
    if (index(" " vals[k, what] " ", " " v " ") == 0)
        vals[k, what] = vals[k, what] (vals[k, what] == "" ? "" : " ") v
}
function show(k, what) { return vals[k, what] == "" ? "-" : vals[k, what] }

END {
    if (!nk) {
        print "*No complete " (paper ? "paper-scale " : "") "run: no times to show.*"
        exit
    }
    if (paper)
        print "| run | seeds | epochs | min/run, mean (min-max) | s/epoch | threads |" \
              " parameters | workspace MiB |\n|---|--:|--:|--:|--:|--:|--:|--:|"
    else
        print "| model | algorithm | runs | epochs | s/run, mean (min-max) | s/epoch |" \
              " threads | FF stages | workspace KiB |\n|---|---|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= nk; i++) {
        k = order[i]; m = secs[k] / n[k]
        printf "| %s | %d | %s | %.1f (%.1f-%.1f) | %.2f | %s | %s | %s |\n", k, n[k],
               show(k, "epochs"), m / unit, lo[k] / unit, hi[k] / unit, m / show(k, "epochs"),
               show(k, "threads"), paper ? show(k, "parameters") : k ~ /\| bp$/ ? "-" \
               : show(k, "stages"), show(k, "workspace")
    }
    if (paper)
        printf "\nThe %d complete paper-scale runs took %.1f h of wall time in all: the sum of" \
               " their own clocks.\n", nall, total / 3600
    else
        printf "\nThe %d complete runs took %.0f s (%.1f h) of wall time in all: the sum of" \
               " their own clocks, so runs that ran side by side overlap.\n", nall, total,
               total / 3600
}
