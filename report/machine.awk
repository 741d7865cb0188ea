# machine.awk - where and how the results were made.
#
#   awk -f machine.awk RUN/config.txt ...
#
# Prints a Markdown list of the CPU, compiler, CBLAS and commit the complete
# runs recorded; when runs disagree, each value with the runs that had it.
BEGIN {
    nkeys = split("cpu compiler cblas commit", keys, " ")
    label["cpu"] = "CPU"; label["compiler"] = "Compiler"
    label["cblas"] = "CBLAS"; label["commit"] = "Commit"
}

FNR == 1 { run = FILENAME; sub(/\/config\.txt$/, "", run); sub(/.*\//, "", run); nrun++ }
$1 in label {
    k = $1; v = substr($0, length($1) + 2)
    if (!((k, v) in runs_of)) { nval[k]++; val[k, nval[k]] = v; runs_of[k, v] = run }
    else runs_of[k, v] = runs_of[k, v] ", " run
    count[k, v]++; recorded[k]++
}

END {
    if (!nrun) { print "*No complete run: nothing recorded.*"; exit }
    for (i = 1; i <= nkeys; i++) {
        k = keys[i]
        if (nval[k] == 1 && recorded[k] == nrun) {
            printf "- **%s:** `%s` (all %d runs)\n", label[k], val[k, 1], nrun
            continue
        }
        printf "- **%s: differs between runs.**\n", label[k]
        for (j = 1; j <= nval[k]; j++)
            printf "    - `%s`: %s\n", val[k, j], runs_of[k, val[k, j]]
        if (recorded[k] < nrun)
            printf "    - not recorded: %d runs\n", nrun - recorded[k]
    }
}
