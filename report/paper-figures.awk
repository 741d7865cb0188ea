# paper-figures.awk - the paper-scale part's figures, as Markdown.
#
#   awk -v part=curves -f columns.awk -f paper-figures.awk REFERENCE BUILD/paper-runs.txt \
#       BUILD/paper-curves/RUN.dat ...
#   awk -v part=fit -f columns.awk -f paper-figures.awk REFERENCE BUILD/paper-runs.txt \
#       BUILD/paper-curves/RUN.dat ...
#
# part=curves: one figure per run with at least one complete seed
# (fig/paper-RUN.svg, drawn by paper.gp), its caption naming the seeds it is
# made of and, where its data (RUN.dat, curves.awk's) have a goodness
# readout, as paper.gp draws it, that readout; then the runs with none,
# which have no curve (the runs on all the training images, <run>-train60k,
# have no validation set and are not named, nor are the long runs, "long"
# lines, until one is complete). REFERENCE (experiments/reference-paper.tsv,
# its columns found by their names: columns.awk) says which readouts the
# paper gives a test error for, drawn dotted in the figure.
#
# part=fit: one figure per run some of whose complete seeds recorded their
# training error (the manifest's "trained RUN-seedN IMAGES" lines, IMAGES
# '-' for none): fig/paper-fit-RUN.svg, drawn by paper-fit.gp, and then
# what its data (RUN.dat, curves.awk's) show: the training and
# validation errors after the last epoch, and the epoch of the lowest
# validation error; for a run trained for fewer epochs than the paper's
# figure (REFERENCE's paper_epochs), how its validation error by the
# paper's readout moved over its last quarter.  Then the complete runs
# without training lines, named.
FILENAME == ARGV[1] {
    if (col_data() && col("paper_value") != "-") {
        paper[col("run")] = paper[col("run")] (paper[col("run")] == "" ? "" : " and ") col("readout")
        if (col_has("paper_epochs")) paper_epochs[col("run")] = col("paper_epochs")
    }
    next
}
# a long run (make paper-long) counts once it has a complete seed
FILENAME == ARGV[2] && ($1 == "run" || $1 == "long" && $3 == "complete") {
    name = $2; sub(/-seed[0-9]+$/, "", name)
    if (name ~ /-train60k$/) next    # no validation set: no curve
    if (!(name in n)) { order[++nr] = name; n[name] = 0 }
    if ($3 == "complete") {
        s = $2; sub(/.*-seed/, "", s)
        seeds[name] = join(seeds[name], s); n[name]++
    }
    next
}
FILENAME == ARGV[2] && $1 == "trained" {
    name = $2; sub(/-seed[0-9]+$/, "", name)
    s = $2; sub(/.*-seed/, "", s)
    if ($3 == "-") { without[name] = join(without[name], s); nwithout[name]++; next }
    with[name] = join(with[name], s); nwith[name]++
    if (index(", " images[name] ", ", ", " $3 ", ") == 0) images[name] = join(images[name], $3)
    next
}
FILENAME == ARGV[2] { next }

# a run's data (part=fit): its validation and training blocks, by their
# comment lines; columns epoch, runs, then mean min max of each readout
FNR == 1 { run = FILENAME; sub(/\.dat$/, "", run); sub(/.*\//, "", run); set = "" }
/^# validation/ { set = "val"; next }
/^# test/ { set = "test"; next }
/^# training/ { set = "train"; next }
/^#/ || NF == 0 || set == "test" || set == "" { next }
{
    last[run, set] = $1
    if (set == "val") val_epoch[run, ++nval[run]] = $1
    for (m = 1; m <= 2; m++) {
        v = $(3 * m)
        if (v == "-") continue
        err[run, set, $1, m] = v
        if (set == "val" && (!((run, m) in best) || v + 0 < best[run, m] + 0)) {
            best[run, m] = v; at[run, m] = $1
        }
    }
}

function join(list, s) { return list (list == "" ? "" : ", ") s }
function plural(k, word) { return k == 1 ? word : word "s" }

# run r's mean errors by readout m, named name, at its last training
# evaluation, and the validation error beside it; "" if it lacks one
function gap(r, m, name,    e, t, v) {
    e = last[r, "train"]
    if (!((r, "train", e, m) in err) || !((r, "val", e, m) in err)) return ""
    t = err[r, "train", e, m]; v = err[r, "val", e, m]
    return sprintf("%.2f %% by %s, against %.2f %% on the validation images (%+.2f points)", t,
                   name, v, v - t)
}
# where run r's mean validation error by readout m was lowest
function lowest(r, m) {
    if (!((r, m) in best)) return ""
    return at[r, m] == last[r, "val"] ? "after the last epoch" : \
           sprintf("after epoch %s (%.2f %%)", at[r, m], best[r, m])
}
# what run r's figure shows, in two sentences
function shows(r,    soft, good, ls, lg) {
    soft = gap(r, 1, "the softmax head"); good = gap(r, 2, "goodness")
    if (soft == "" && good == "") return
    printf("After epoch %s, `%s`'s mean training error is %s%s%s.", last[r, "train"], r, soft,
           soft != "" && good != "" ? ", and " : "", good)
    ls = lowest(r, 1); lg = lowest(r, 2)
    if (ls == "" || lg == "") printf(" Its mean validation error was lowest %s.", ls lg)
    else if (ls == lg) printf(" Its mean validation error was lowest %s by both readouts.", ls)
    else printf(" Its mean validation error was lowest %s by the softmax head, %s by goodness.",
                ls, lg)
    printf("%s\n\n", shorter(r))
}
# " It trained for E of the paper's M epochs." where run r's last epoch E
# falls short of the paper's figure's M, then how its mean validation
# error by the paper's readout went over its last quarter (from the first
# evaluation at or after 3/4 of E), where it has one before E; else ""
function shorter(r,    e, m, name, i, from, s) {
    e = last[r, "val"]
    if (!(r in paper_epochs) || paper_epochs[r] !~ /^[0-9]+$/ || e + 0 >= paper_epochs[r] + 0)
        return ""
    s = sprintf(" It trained for %d of the paper's %d epochs", e, paper_epochs[r])
    m = paper[r] ~ /goodness/ ? 2 : 1; name = m == 2 ? "goodness" : "the softmax head"
    for (i = 1; i <= nval[r] && val_epoch[r, i] + 0 < 0.75 * e; i++) ;
    from = val_epoch[r, i]
    if (from + 0 >= e + 0 || !((r, "val", from, m) in err) || !((r, "val", e, m) in err))
        return s "."
    return s sprintf(": over its last quarter, its mean validation error by %s went from %.2f %%" \
                     " (after epoch %d) to %.2f %%.", name, err[r, "val", from, m], from,
                     err[r, "val", e, m])
}

function curves(    i, r, none) {
    for (i = 1; i <= nr; i++) {
        r = order[i]
        if (!n[r]) {
            none = join(none, "`" r "`")
            continue
        }
        printf("![`%s` (seed%s %s): validation error against epochs trained, softmax readout" \
               " solid%s; the points at the end: the test error, evaluated once%s.]" \
               "(fig/paper-%s.svg){#fig-paper-%s}\n\n", r, n[r] == 1 ? "" : "s", seeds[r],
               (r, 2) in best ? ", goodness readout dashed" : "",
               (r in paper) ? "; dotted: the paper's test error (" paper[r] ")" : "", r, r)
    }
    if (none != "") print "*No curve* for " none ": no complete run."
}

function fit(    i, r, lacking, k, drawn) {
    for (i = 1; i <= nr; i++) {
        r = order[i]
        if (nwithout[r]) {
            lacking = join(lacking, sprintf("`%s` (%s %s)", r, plural(nwithout[r], "seed"),
                                            without[r]))
            k += nwithout[r]
        }
        if (!nwith[r]) continue
        drawn++
        printf("![`%s` (%s): error on the first %s training images (dashed) and on the" \
               " validation images (solid) against epochs trained; softmax readout in colour%s.]" \
               "(fig/paper-fit-%s.svg){#fig-paper-fit-%s}\n\n", r, nwith[r] == n[r] ? \
               plural(n[r], "seed") " " seeds[r] : "validation: " plural(n[r], "seed") " " \
               seeds[r] "; training: " plural(nwith[r], "seed") " " with[r], images[r],
               (r, 2) in best ? ", goodness in grey" : "", r, r)
        shows(r)
    }
    if (lacking != "")
        printf("*No training curve* for %s: %s no `train` lines (%s made before the programs" \
               " evaluated a training subset), so only %s validation error is drawn, in the" \
               " learning curves above.\n", lacking, k == 1 ? "its `curve.tsv` has" : \
               "their `curve.tsv` files have", k == 1 ? "it was" : "they were",
               k == 1 ? "its" : "their")
    else if (!drawn)
        print "*No training curve*: no complete run."
}

END {
    if (part == "curves") curves()
    else if (part == "fit") fit()
    else { print "paper-figures.awk: part must be curves or fit" > "/dev/stderr"; exit 1 }
}
