# missing.awk - the list of missing runs, shared by status.awk and
# paper-status.awk (awk -f missing.awk -f status.awk ...).
#
# print_missing(n, miss): miss[1..n] are "<run> <state>", state "started"
# (a directory without summary.tsv) or "absent"; prints nothing if n is 0.
function print_missing(n, miss,    i, m) {
    if (!n)
        return
    print "\nMissing (a complete run has `summary.tsv`, written last):\n"
    for (i = 1; i <= n; i++) {
        split(miss[i], m, " ")
        printf "- `%s`: %s\n", m[1], m[2] == "started" ? \
            "started, not finished (no `summary.tsv`)" : "not started (no directory)"
    }
}
