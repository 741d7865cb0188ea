# fit-losses.awk - each FF layer's loss on the fixed training subset beside
# its loss on the validation set, at three points of each run.
#
#   awk -f columns.awk -f stats.awk -f fit-losses.awk RUN-seed<N>/curve.tsv ...
#
# Reads the lines of part "all" of sets "train" and "val" (columns by name,
# columns.awk), from the curves that have both (a run made before the
# programs evaluated a training subset has no "train" lines, and is left
# out, so that both sides average the same seeds).  For each run (the
# directory's name less -seed<N>), the three evaluations nearest half, three
# quarters and all of its epochs (the epochs trained: the curve's epoch plus
# one), and per layer the mean over its seeds (stats.awk) of loss_<layer>
# on each set:
# the layer's mean FF loss on those images as positive data (for
# supervised FF, each with its own label).
# Prints Markdown: per run, a table of a row per layer; a run whose layers
# record no FF loss (BP) is left out; nothing at all prints a sentence
# saying so.
function flush(    k, p) {
    if (file != "" && had_train) {
        if (run in seeds) seeds[run] = seeds[run] ", " seed
        else { seeds[run] = seed; order[++runs] = run }
        for (k in buf) {
            split(k, p, SUBSEP)
            stat_add(run SUBSEP k, buf[k])
            if (p[2] > last[run]) last[run] = p[2]
            if (p[3] > layers[run]) layers[run] = p[3]
        }
    }
    split("", buf)
    had_train = 0
}
FNR == 1 {
    flush()
    file = FILENAME
    run = FILENAME; sub(/\/curve\.tsv$/, "", run); sub(/.*\//, "", run)
    seed = run; sub(/.*-seed/, "", seed); sub(/-seed[0-9]+$/, "", run)
}
!col_data() || col("part") != "all" { next }
{
    set = col("set")
    if (set != "train" && set != "val") next
    if (set == "train") had_train = 1
    for (l = 1; col_has("loss_" l); l++)
        if (col("loss_" l) != "-") buf[set, col("epoch") + 0, l] = col("loss_" l)
}
# the evaluated epoch of run r whose epochs trained are nearest t (the
# earlier on a tie), among those with both sets
function nearest(r, t,    e, best) {
    best = -1
    for (e = 0; e <= last[r]; e++)
        if (stat_n(r SUBSEP "train" SUBSEP e SUBSEP 1) && stat_n(r SUBSEP "val" SUBSEP e SUBSEP 1) &&
            (best < 0 || abs(e + 1 - t) < abs(best + 1 - t)))
            best = e
    return best
}
function abs(x) { return x < 0 ? -x : x }
function mean(r, s, e, l) { return stat_fmean(r SUBSEP s SUBSEP e SUBSEP l) }
END {
    flush()
    for (i = 1; i <= runs; i++) {
        r = order[i]
        T = last[r] + 1
        n = 0
        for (k = 2; k <= 4; k++) {
            e = nearest(r, T * k / 4)
            if (e >= 0 && !(e in used)) { pt[++n] = e; used[e] = 1 }
        }
        split("", used)
        if (n == 0) continue
        s = seeds[r]
        printf "**`%s`** (seed%s %s; FF loss per layer, training subset / validation):\n\n", \
            r, index(s, ",") ? "s" : "", s
        head = "| layer"; rule = "|---"
        for (j = 1; j <= n; j++) { head = head " | after " pt[j] + 1 " epochs"; rule = rule "|---:" }
        print head " |"; print rule "|"
        for (l = 1; l <= layers[r]; l++) {
            row = "| " l
            for (j = 1; j <= n; j++)
                row = row " | " mean(r, "train", pt[j], l) " / " mean(r, "val", pt[j], l)
            print row " |"
        }
        print ""
        shown++
    }
    if (!shown)
        print "*No complete FF run recorded its FF losses on a training subset yet.*"
}
