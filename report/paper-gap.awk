# paper-gap.awk - one hypothesis of the paper-gap study, as Markdown.
#
#   awk -v hypothesis=H -v known="data peer head ..." -v ablation=ABLATION -v path=SHOWN \
#       -f columns.awk -f paper-gap.awk SETTINGS [REF/config.txt ...] [ABLATION]
#
# SETTINGS is experiments/paper-settings.tsv (run, setting, hypothesis,
# program, flags); ABLATION the results' paper-ablation.tsv (`make
# paper-ablation`; absent: -v ablation=''), both read by the names of
# their columns (columns.awk); the config.txt files are those of the nets'
# reference runs (their "train" and "val" image counts).  Prints, for hypothesis H, a table of
# its rows of ABLATION, each net's reference row first, then one sentence:
# the settings by verdict, with their differences from the reference, and
# the seed noise they were judged against; for H "data", what a setting of
# fewer training images (--train-limit) says of more; then the settings of
# H that have no row, with the `make paper-search` that runs them.
# H "other": the rows no hypothesis in `known` shows, under a heading of
# their own (nothing if there are none).  H "summary": one paragraph, every
# setting by its verdict.
BEGIN {
    nknown = split(known, k, " "); for (i = 1; i <= nknown; i++) isknown[k[i]] = 1
    # the columns of ABLATION shown
    ncell = split("hypothesis setting net seeds val_error_softmax_mean val_error_softmax_sd" \
                  " val_error_goodness_mean val_error_goodness_sd diff_softmax diff_goodness" \
                  " noise_sd verdict flags", cells, " ")
}

FILENAME ~ /config\.txt$/ {
    if (FNR == 1) { net = FILENAME; sub(/\/config\.txt$/, "", net); sub(/.*\//, "", net)
                    sub(/-seed[0-9]+$/, "", net); sub(/-reference$/, "", net) }
    split($0, w, " ")
    if (w[1] == "train" || w[1] == "val") images[net, w[1]] = w[2]
    next
}
!col_data() { next }

FILENAME == ARGV[1] {
    h = col("hypothesis")
    if (h == hypothesis) { want[++nwant] = col("run") "/" col("setting"); mine[col("run")] = 1 }
    if (h in isknown) covered[col("run")] = 1
    next
}

FILENAME == ablation && hypothesis == "summary" {
    h = col("hypothesis")
    if (h == "reference") next
    ntested++; hyps[h] = 1
    vv = col("verdict")
    if (vv == "one seed") { nsingle++; next }
    if (vv == "no reference") { nnoref++; next }
    by[vv] = join(by[vv], "`" col("net") "/" col("setting") "`", ", "); nby[vv]++
    next
}

FILENAME == ablation {
    h = col("hypothesis"); net = col("net")
    if (hypothesis == "other" ? !(h in isknown) && !(h == "reference" && (net in covered)) \
                              : h == hypothesis || (h == "reference" && (net in mine))) {
        n++
        for (i = 1; i <= ncell; i++) v[n, cells[i]] = col(cells[i])
        ran[net "/" col("setting")] = 1
        if (h != "reference" && !(net in seen)) { seen[net] = 1; nnets++ }
    }
}

function pm(i, r,    m, s) {
    m = v[i, "val_error_" r "_mean"]; s = v[i, "val_error_" r "_sd"]
    return m == "-" || s == "-" ? m : m " ± " s
}
# a setting's name in the sentences: with its net when the rows span nets
function name(i) { return "`" (nnets > 1 ? v[i, "net"] "/" : "") v[i, "setting"] "`" }
function diffs(i,    s, g) {
    s = v[i, "diff_softmax"]; g = v[i, "diff_goodness"]
    return s == "-" && g == "-" ? "" : " (" (s == "-" ? "" : "softmax " s) \
           (s != "-" && g != "-" ? ", " : "") (g == "-" ? "" : "goodness " g) ")"
}
function join(a, s, sep) { return a (a == "" ? "" : sep) s }

# H "data": from T training images to the reference's R, at the slope the
# setting's --train-limit T shows, what all R + val images would change
function slope(i,    f, t, r, a, d, s, rr) {
    if (!match(v[i, "flags"], /--train-limit [0-9]+/)) return
    t = substr(v[i, "flags"], RSTART + 14, RLENGTH - 14) + 0
    r = images[v[i, "net"], "train"] + 0; a = r + images[v[i, "net"], "val"]
    if (r <= t || a <= r) return
    for (f = 0; f < 2; f++) {
        rr = f ? "goodness" : "softmax"; d = v[i, "diff_" rr]
        if (d != "-") s = join(s, sprintf("%+.2f%s by %s", -d * (a - r) / (r - t),
                                          s == "" ? " points" : "", rr), " and ")
    }
    if (s != "")
        printf "\n\n%s trained on %d images instead of the %d of the reference settings." \
               " Continued at the slope between the two, a run on all %d training images" \
               " would change the mean validation error by about %s: a linear" \
               " extrapolation, where learning curves flatten as images are added.", name(i),
               t, r, a, s
}

END {
    if (hypothesis == "summary") { summary(); exit }
    if (ablation == "") {
        if (hypothesis != "other")
            printf "*No paper-gap table yet:* `make paper-ablation` writes `%s` from the" \
                   " search's runs.\n", path
        exit
    }
    if (hypothesis == "other" && !n) exit
    if (hypothesis == "other")
        print "#### Other settings {#paper-gap-other}\n\nRows of `" path "` under no hypothesis" \
              " above:\n"
    if (n) {
        print "| net | setting | flags | seeds | validation error %, softmax | goodness |" \
              " vs reference: softmax | goodness | verdict |"
        print "|---|---|---|--:|--:|--:|--:|--:|---|"
    }
    for (i = 1; i <= n; i++) {
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", v[i, "net"], v[i, "setting"],
               v[i, "flags"] == "-" ? "-" : "`" v[i, "flags"] "`", v[i, "seeds"], pm(i, "softmax"),
               pm(i, "goodness"), v[i, "diff_softmax"], v[i, "diff_goodness"], v[i, "verdict"]
        if (v[i, "hypothesis"] == "reference") continue
        if (!(v[i, "verdict"] in said)) seen_v[++nseen] = v[i, "verdict"]
        said[v[i, "verdict"]] = join(said[v[i, "verdict"]], name(i) diffs(i), ", ")
        if (!(v[i, "net"] in noise)) {
            noise[v[i, "net"]] = 1
            sd = join(sd, v[i, "noise_sd"] == "-" ? "`" v[i, "net"] "`: none yet, no setting" \
                          " has two seeds" : sprintf("`%s`: %s points", v[i, "net"],
                          v[i, "noise_sd"]), "; ")
        }
        nrows++
    }
    if (nrows) { # the verdicts in this order, then any other in the order seen
        nv = split("better|worse|mixed|no difference|one seed|no reference", names, "|")
        for (j = 1; j <= nv; j++) fixed[names[j]] = 1
        for (j = 1; j <= nseen; j++) if (!(seen_v[j] in fixed)) names[++nv] = seen_v[j]
        for (j = 1; j <= nv; j++)
            if (said[names[j]] != "")
                out = join(out, (names[j] == "one seed" ? "one seed, no verdict" : names[j]) \
                          ": " said[names[j]], "; ")
        printf "\n**Verdict** (mean validation error minus the reference's, points): %s. A" \
               " difference counts when it exceeds twice its standard error, from the" \
               " seed-to-seed standard deviation of one run (%s).", out, sd
        if (hypothesis == "data")
            for (i = 1; i <= n; i++) if (v[i, "hypothesis"] != "reference") slope(i)
        print ""
    }
    for (j = 1; j <= nwant; j++)
        if (!(want[j] in ran)) {
            miss = join(miss, want[j], " "); named = join(named, "`" want[j] "`", ", ")
        }
    if (miss != "")
        printf "\n*%s:* %s (`make paper-search SEARCH_SETTINGS=\"%s\"`, then `make" \
               " paper-ablation`).\n", nrows ? "Not run yet" : "No run of this hypothesis yet",
               named, miss
}

# H "summary": every setting of every hypothesis, by verdict, in one
# paragraph
function summary(    j, nh, h, out, names, nv) {
    if (ablation == "" || !ntested) {
        print "*No setting has been screened on validation yet.*"
        return
    }
    for (h in hyps) nh++
    nv = split("better|worse|mixed|no difference", names, "|")
    for (j = 1; j <= nv; j++) {
        if (names[j] in by)
            out = join(out, sprintf("%s, %d: %s", names[j], nby[names[j]], by[names[j]]), "; ")
        delete by[names[j]]
    }
    for (h in by) out = join(out, sprintf("%s, %d: %s", h, nby[h], by[h]), "; ")
    printf "**On validation,** %d settings of %d hypotheses have been screened against their" \
           " nets' reference runs. With two seeds or more, by verdict: %s%s%s. %s\n", ntested,
           nh, out == "" ? "none yet" : out,
           nsingle ? sprintf("; %d more %s one seed, no verdict yet", nsingle,
                             nsingle == 1 ? "has" : "have") : "",
           nnoref ? sprintf("; %d more %s no reference run to be judged against", nnoref,
                            nnoref == 1 ? "has" : "have") : "",
           nby["better"] ? "" : "None validates better than its reference."
}
