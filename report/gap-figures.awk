# gap-figures.awk - the paper-gap study's figures, as Markdown.
#
#   awk -f columns.awk -f gap-figures.awk SETTINGS BUILD/gap-runs.txt
#
# SETTINGS is experiments/paper-settings.tsv (columns run, setting and
# program, found by their names: columns.awk); the manifest has a line
# "run NET SETTING SEED" per complete run of the study that has a curve
# (SETTING "reference" for the reference settings; a setting that trains
# nothing, program ff_evaluate, is not listed).  Prints one figure per net
# with a listed run of a setting other than the reference (fig/gap-NET.svg,
# drawn by gap.gp), its caption naming each setting's seeds, and saying
# which settings train a new head on a frozen net (program ff_head), whose
# epochs are the head's.
FILENAME == ARGV[1] {
    if (col_data() && col("program") == "ff_head") head[col("run"), col("setting")] = 1
    next
}
$1 == "run" {
    if (!($2 in seen)) { seen[$2] = 1; nets[++nn] = $2 }
    if (!(($2, $3) in seeds)) order[$2, ++ns[$2]] = $3
    seeds[$2, $3] = seeds[$2, $3] (seeds[$2, $3] == "" ? "" : ", ") $4
    if ($3 != "reference") drawn[$2] = 1
    if (head[$2, $3]) heads[$2] = heads[$2] (heads[$2] == "" ? "" : ", ") "`" $3 "`"
}
END {
    for (i = 1; i <= nn; i++) {
        n = nets[i]
        if (!drawn[n]) continue
        s = ""
        for (j = 1; j <= ns[n]; j++) {
            k = order[n, j]
            s = s (j > 1 ? "; " : "") "`" k "` (seed" (index(seeds[n, k], ",") ? "s " : " ") \
                seeds[n, k] ")"
        }
        printf("![`%s`: validation error against epochs trained, by setting, each line the mean" \
               " over its seeds: %s. Goodness solid where the net has it, softmax dashed; the reference in black.%s]" \
               "(fig/gap-%s.svg){#fig-gap-%s}\n\n", n, s, heads[n] == "" ? "" : " For " \
               heads[n] ", a new head on the frozen net: its epochs are the head's.", n, n)
        nd++
    }
    if (!nd) print "*No curve yet:* no setting other than the reference has a complete run."
}
