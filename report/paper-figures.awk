# paper-figures.awk - the paper-scale part's figures, as Markdown.
#
#   awk -f paper-figures.awk REFERENCE BUILD/paper-runs.txt
#
# One figure per run with at least one complete seed (fig/paper-RUN.svg,
# drawn by paper.gp), its caption naming the seeds it is made of; then the
# runs with none, which have no curve.  REFERENCE
# (experiments/reference-paper.tsv) says which readouts the paper gives a
# test error for, drawn dotted in the figure.
FILENAME == ARGV[1] {
    if ($1 != "run" && $3 != "-") paper[$1] = paper[$1] (paper[$1] == "" ? "" : " and ") $2
    next
}
$1 != "run" { next }
{
    name = $2; sub(/-seed[0-9]+$/, "", name)
    if (!(name in n)) { order[++nr] = name; n[name] = 0 }
    if ($3 == "complete") {
        s = $2; sub(/.*-seed/, "", s)
        seeds[name] = seeds[name] (seeds[name] == "" ? "" : ", ") s; n[name]++
    }
}
END {
    for (i = 1; i <= nr; i++) {
        r = order[i]
        if (!n[r]) {
            none = none (none == "" ? "" : ", ") "`" r "`"
            continue
        }
        printf("![`%s` (seed%s %s): validation error against epochs trained, softmax readout" \
               " solid%s; the points at the end: the test error, evaluated once%s.]" \
               "(fig/paper-%s.svg){#fig-paper-%s}\n\n", r, n[r] == 1 ? "" : "s", seeds[r],
               r ~ /^ff-sup/ ? ", goodness readout dashed" : "",
               (r in paper) ? "; dotted: the paper's test error (" paper[r] ")" : "", r, r)
    }
    if (none != "") print "*No curve* for " none ": no complete run."
}
