# paper-times.awk - training time and workspace per paper-scale run.
#
#   awk -f paper-times.awk RUN/summary.tsv ... RUN/config.txt ...
#
# From each complete run's summary.tsv (wall seconds, epochs) and config.txt
# (threads, workspace_bytes, parameters), with RUN = <run>-seed<N>, prints a
# Markdown table, one row per run: seeds, epochs, mean (min-max) minutes
# per run, seconds per epoch, threads, parameters, training
# workspace; then the total.
BEGIN { FS = "[ \t]+" }
FNR == 1 { run = FILENAME; sub(/\/[^\/]*$/, "", run); sub(/.*\//, "", run); sub(/-seed[0-9]+$/, "", run) }
/^#/ || NF == 0 { next }

FILENAME ~ /summary\.tsv$/ {
    if (!(run in n)) order[++nk] = run
    n[run]++; secs[run] += $11; total += $11; nall++
    keep(run, "epochs", $4)
    if (!(run in lo) || $11 < lo[run]) lo[run] = $11
    if (!(run in hi) || $11 > hi[run]) hi[run] = $11
    next
}
$1 == "threads" { keep(run, "threads", $2) }
$1 == "parameters" { keep(run, "parameters", $2) }
$1 == "workspace_bytes" { keep(run, "workspace", sprintf("%.1f", $2 / 1048576)) }

function keep(run, what, v) {  # distinct values, in order
    if (index(" " vals[run, what] " ", " " v " ") == 0)
        vals[run, what] = vals[run, what] (vals[run, what] == "" ? "" : " ") v
}
function show(run, what) { return vals[run, what] == "" ? "-" : vals[run, what] }

END {
    if (!nk) { print "*No complete paper-scale run: no times to show.*"; exit }
    print "| run | seeds | epochs | min/run, mean (min-max) | s/epoch | threads |" \
          " parameters | workspace MiB |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= nk; i++) {
        r = order[i]; m = secs[r] / n[r]
        printf "| `%s` | %d | %s | %.1f (%.1f-%.1f) | %.2f | %s | %s | %s |\n", r, n[r],
               show(r, "epochs"), m / 60, lo[r] / 60, hi[r] / 60, m / show(r, "epochs"),
               show(r, "threads"), show(r, "parameters"), show(r, "workspace")
    }
    printf "\nThe %d complete paper-scale runs took %.1f h of wall time in all: the sum of" \
           " their own clocks.\n", nall, total / 3600
}
