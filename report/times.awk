# times.awk - training time and workspace per experiment.
#
#   awk -f times.awk RUN/summary.tsv ... RUN/config.txt ...
#
# From each complete run's summary.tsv (wall seconds, epochs) and config.txt
# (threads, stages, workspace_bytes), prints a Markdown table, one row per
# model and algorithm: runs, epochs, mean (min-max) seconds per run, seconds
# per epoch, threads, FF stages, training workspace; then the total.
BEGIN { FS = "[ \t]+" }
/^#/ || NF == 0 { next }

FILENAME ~ /summary\.tsv$/ {
    key = $2 " | " $1
    if (!(key in n)) order[++nk] = key
    n[key]++; epochs[key] = $4; secs[key] += $11; total += $11
    if (!(key in lo) || $11 < lo[key]) lo[key] = $11
    if (!(key in hi) || $11 > hi[key]) hi[key] = $11
    next
}

$1 == "experiment" { algo = $2 }
$1 == "model" { run_key = $2 " | " algo }
$1 == "threads" || $1 == "stages" || $1 == "workspace_bytes" {
    v = $1 == "workspace_bytes" ? sprintf("%.0f", $2 / 1024) : $2
    if (index(" " vals[run_key, $1] " ", " " v " ") == 0)  # distinct values, in order
        vals[run_key, $1] = vals[run_key, $1] (vals[run_key, $1] == "" ? "" : " ") v
}

function show(key, what) { return vals[key, what] == "" ? "-" : vals[key, what] }

END {
    if (!nk) { print "*No complete run: no times to show.*"; exit }
    print "| model | algorithm | runs | epochs | s/run, mean (min-max) | s/epoch |" \
          " threads | FF stages | workspace KiB |"
    print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= nk; i++) {
        key = order[i]; m = secs[key] / n[key]
        printf "| %s | %d | %d | %.1f (%.1f-%.1f) | %.2f | %s | %s | %s |\n", key, n[key],
               epochs[key], m, lo[key], hi[key], m / epochs[key], show(key, "threads"),
               key ~ /\| bp$/ ? "-" : show(key, "stages"), show(key, "workspace_bytes")
    }
    printf "\nThe %d complete runs took %.0f s (%.1f h) of wall time in all: the sum of" \
           " their own clocks, so runs that ran side by side overlap.\n", count(), total,
           total / 3600
}

function count(    i, c) { for (i = 1; i <= nk; i++) c += n[order[i]]; return c }
