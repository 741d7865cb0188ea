# trained.awk - which runs recorded their training error, and on how many
# images.
#
#   awk -f columns.awk -f trained.awk RUN/curve.tsv ...
#
# Prints one word per curve.tsv, RUN=N: N the image count (column `n`) of
# its first line whose `set` is "train", or '-' if it has none (a run made
# before the programs evaluated a training subset).  The report's Makefile
# reads it when it starts, to know which runs get a training-error figure.
function flush() { if (run != "") printf "%s=%s\n", run, n }
FNR == 1 {
    flush()
    run = FILENAME; sub(/\/curve\.tsv$/, "", run); sub(/.*\//, "", run)
    n = "-"
}
!col_data() || n != "-" || !col_has("set") { next }
col("set") == "train" { n = col("n") }
END { flush() }
