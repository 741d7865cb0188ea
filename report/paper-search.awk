# paper-search.awk - the search on the validation set, as Markdown.
#
#   awk -v path=SHOWN -f columns.awk -f paper-search.awk [results/paper-search.tsv]
#
# The table is `make paper-search-table`'s: one row per run, `reference`
# for the reference settings (the paper runs themselves), else the setting
# changed; its columns are found by their names (columns.awk).  Prints a Markdown table, each row's validation errors beside the
# mean of the same net's reference runs (the difference, in points:
# negative is better), then per net which setting came lowest by each
# readout.  A readout a run lacks ('-') is shown as such and counted
# nowhere.  No table: says how to make one.
!col_data() { next }
{
    n++
    setting[n] = col("setting"); seed[n] = col("seed"); net[n] = col("run")
    epochs[n] = col("epochs"); minutes[n] = col("minutes")
    err[n, "s"] = col("val_error_softmax"); err[n, "g"] = col("val_error_goodness")
    if (!(net[n] in seen)) { seen[net[n]] = 1; nets[++nnet] = net[n] }
    for (k = 0; k < 2; k++) {
        r = k ? "g" : "s"; v = err[n, r]; key = net[n] SUBSEP r
        if (v == "-") continue
        if (setting[n] == "reference") {
            nref[key]++; sum[key] += v
            lo[key] = nref[key] == 1 || v < lo[key] ? v : lo[key]
            hi[key] = nref[key] == 1 || v > hi[key] ? v : hi[key]
        } else {
            tried[key]++
            if (!best[key] || v < err[best[key], r]) best[key] = n
        }
    }
}
function cell(i, r) { return err[i, r] == "-" ? "-" : sprintf("%.2f", err[i, r]) }
function diff(i, r,    key) {
    key = net[i] SUBSEP r
    return err[i, r] == "-" || !nref[key] ? "-" : sprintf("%+.2f", err[i, r] - sum[key] / nref[key])
}
function reference(key, name) {
    if (!nref[key]) return "no reference run by " name
    return sprintf("%.2f %% by %s (%s %.2f to %.2f)", sum[key] / nref[key], name,
                   nref[key] > 1 ? nref[key] " runs," : "1 run,", lo[key], hi[key])
}
function lowest(key, r, name) {
    if (!best[key]) return "none by " name
    return sprintf("by %s `%s` (%.2f %%, %s)", name, setting[best[key]], err[best[key], r],
                   diff(best[key], r))
}
END {
    if (!n) {
        print "*No search has been run (`make paper-search`, then `make paper-search-table`, " \
              "which writes `" path "`).*"
        exit
    }
    print "| run | setting | seed | epochs | validation error, softmax (%) | vs reference | " \
          "validation error, goodness (%) | vs reference | minutes |"
    print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++)
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", net[i], setting[i], seed[i],
               epochs[i], cell(i, "s"), diff(i, "s"), cell(i, "g"), diff(i, "g"), minutes[i]
    for (j = 1; j <= nnet; j++) {
        s = nets[j] SUBSEP "s"; g = nets[j] SUBSEP "g"
        print ""
        good = nref[g] || best[g] # a net with a goodness readout
        printf("`%s`, the reference settings: %s%s.", nets[j], reference(s, "the softmax head"),
               good ? "; " reference(g, "goodness") : "")
        if (best[s] || best[g]) {
            m = tried[s] > tried[g] ? tried[s] : tried[g]
            printf(" The other settings, %d run%s: lowest %s%s.", m, m > 1 ? "s" : "",
                   lowest(s, "s", "the softmax head"), good ? "; " lowest(g, "g", "goodness") : "")
        } else
            printf " No other setting has been run yet."
        print ""
    }
}
