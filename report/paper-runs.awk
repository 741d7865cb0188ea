# paper-runs.awk - the paper-scale runs, as their config.txt recorded them.
#
#   awk -f paper-runs.awk BUILD/paper-runs.txt RUN/config.txt ...
#
# Prints a Markdown table, one row per run (in the manifest's order; a
# long run, make paper-long, once it has a complete seed): the
# program, the net, epochs, how often it was validated, the layers its
# readouts read, the FF threshold, the negative data, the learning rates,
# the complete seeds and the commits they were built from.  A setting that
# differs between seeds shows each value; a net other than the one the
# run's name says ("4x2000") is flagged.
FILENAME == ARGV[1] {
    # a long run (make paper-long) is a row once it has a complete seed
    if ($1 != "run" && !($1 == "long" && $3 == "complete")) next
    name = $2; sub(/-seed[0-9]+$/, "", name)
    if (!(name in nseeds)) { order[++nr] = name; nseeds[name] = 0 }
    if ($3 == "complete") {
        s = $2; sub(/.*-seed/, "", s)
        seeds[name] = seeds[name] (seeds[name] == "" ? "" : ", ") s; nseeds[name]++
    }
    next
}
FNR == 1 {
    flush()
    run = FILENAME; sub(/\/config\.txt$/, "", run); sub(/.*\//, "", run)
    sub(/-seed[0-9]+$/, "", run)
}
{ cfg[$1] = substr($0, length($1) + 2) }
END { flush() }

# one setting of the run just read joins its run's (distinct values, in order)
function keep(what, v) {
    if (index(" / " val[run, what] " / ", " / " v " / ") == 0)
        val[run, what] = val[run, what] (val[run, what] == "" ? "" : " / ") v
}
function flush(    thr, neg, nm) {
    if (run == "") return
    keep("experiment", "`" cfg["experiment"] "`")
    # a net of no one width (units "-") by its config's own description
    keep("net", cfg["units"] == "-" && "net" in cfg ? cfg["net"] \
                                                    : cfg["layers"] " × " cfg["units"])
    keep("epochs", cfg["epochs"])
    keep("eval", cfg["eval_every"])
    keep("readout", cfg["readout_from"] == cfg["layers"] ? cfg["layers"] \
                                                         : cfg["readout_from"] "-" cfg["layers"])
    if (!("threshold" in cfg)) thr = "-"
    else if (cfg["threshold"] == "layer_width")
        thr = (cfg["units"] == "-" ? "each layer's" : cfg["units"]) " (width)"
    else thr = cfg["threshold"]
    keep("threshold", thr)
    neg = !("negatives" in cfg) ? "-" : cfg["negatives"] == "hybrid_images" ? \
          "hybrid images, blur passes " cfg["blur_passes"] : cfg["negatives"] " labels"
    keep("negatives", neg)
    keep("lr", cfg["lr"] " / " cfg["lr_head"])
    keep("commit", "`" substr(cfg["commit"], 1, 10) (cfg["commit"] ~ /-dirty$/ ? "-dirty" : "") "`")
    if (match(run, /[0-9]+x[0-9]+/)) {
        split(substr(run, RSTART, RLENGTH), nm, "x")
        if (nm[1] != cfg["layers"] || nm[2] != cfg["units"]) odd[run] = 1
    }
    delete cfg
}

function cell(r, what) { return val[r, what] == "" ? "-" : val[r, what] }

END {
    print "| run | program | hidden layers × units | epochs | validated every | readouts read" \
          " layers | FF threshold | negative data | learning rate: layers / head | seeds | commit |"
    print "|---|---|--:|--:|--:|--:|--:|---|--:|---|---|"
    for (i = 1; i <= nr; i++) {
        r = order[i]
        if (!nseeds[r]) {
            printf "| `%s` | | | | | | | | | *no complete run* | |\n", r
            continue
        }
        printf "| `%s` | %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r,
               cell(r, "experiment"), cell(r, "net"), odd[r] ? " **(not the name's)**" : "",
               cell(r, "epochs"), cell(r, "eval"), cell(r, "readout"), cell(r, "threshold"),
               cell(r, "negatives"), cell(r, "lr"), seeds[r], cell(r, "commit")
        if (odd[r]) nodd++
    }
    if (nodd)
        print "\n**Not the paper's nets:** the runs flagged trained another net than their" \
              " name says (a trial with smaller layers, say): their numbers below are not" \
              " those of the paper's experiment."
}
