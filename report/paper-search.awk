# paper-search.awk - the search on the validation set, as Markdown.
#
#   awk -v path=SHOWN -f paper-search.awk [results/paper-search.tsv]
#
# The table is `make paper-search-table`'s: one row per run, `reference`
# for the reference settings (the paper runs themselves), else the setting
# changed.  Prints a Markdown table, each row's validation errors beside the
# reference runs' mean (the difference, in points: negative is better), and
# which setting came lowest by each readout.  Nothing at all: says how to
# run the search.
BEGIN { FS = "\t" }
NR == 1 && $1 == "run" { for (i = 1; i <= NF; i++) col[$i] = i; next }
NF == 0 { next }
{
    n++
    setting[n] = $col["setting"]; seed[n] = $col["seed"]; run[n] = $col["run"]
    epochs[n] = $col["epochs"]; minutes[n] = $col["minutes"]
    soft[n] = $col["val_error_softmax"]; good[n] = $col["val_error_goodness"]
    if (setting[n] == "reference") {
        nref++; rs += soft[n]; rg += good[n]
        lo_s = nref == 1 || soft[n] < lo_s ? soft[n] : lo_s
        hi_s = nref == 1 || soft[n] > hi_s ? soft[n] : hi_s
        lo_g = nref == 1 || good[n] < lo_g ? good[n] : lo_g
        hi_g = nref == 1 || good[n] > hi_g ? good[n] : hi_g
    }
}
function diff(v, m) { return m == "" ? "-" : sprintf("%+.2f", v - m) }
END {
    if (!n) {
        print "*No search has been run (`make paper-search`, then `make paper-search-table`, " \
              "which writes `" path "`).*"
        exit
    }
    ms = nref ? rs / nref : ""; mg = nref ? rg / nref : ""
    print "| run | setting | seed | epochs | validation error, softmax (%) | vs reference | " \
          "validation error, goodness (%) | vs reference | minutes |"
    print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
    best_s = best_g = 0
    for (i = 1; i <= n; i++) {
        printf "| %s | %s | %s | %s | %.2f | %s | %.2f | %s | %s |\n", run[i], setting[i], seed[i],
               epochs[i], soft[i], diff(soft[i], ms), good[i], diff(good[i], mg), minutes[i]
        if (setting[i] == "reference") continue
        if (!best_s || soft[i] < soft[best_s]) best_s = i
        if (!best_g || good[i] < good[best_g]) best_g = i
    }
    print ""
    if (!nref) {
        print "The reference runs are missing, so no setting is compared with them."
        exit
    }
    printf("The reference settings, over %d seed%s: %.2f %% by the softmax head (%.2f to %.2f), " \
           "%.2f %% by goodness (%.2f to %.2f).", nref, nref > 1 ? "s" : "", ms, lo_s, hi_s,
           mg, lo_g, hi_g)
    if (best_s)
        printf(" Lowest of the settings tried: `%s` by the softmax head (%.2f %%, %s), " \
               "`%s` by goodness (%.2f %%, %s).", setting[best_s], soft[best_s],
               diff(soft[best_s], ms), setting[best_g], good[best_g], diff(good[best_g], mg))
    print ""
}
