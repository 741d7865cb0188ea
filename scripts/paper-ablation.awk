#!/usr/bin/awk -f
# paper-ablation.awk - the paper-gap study: each setting's validation errors
# over its seeds beside its net's reference settings.
#
#   awk -f columns.awk -f paper-ablation.awk experiments/paper-settings.tsv \
#       results/paper-search.tsv
#
# paper-settings.tsv names each setting's hypothesis and flags;
# paper-search.tsv (make paper-search-table) holds one row per run: run,
# setting ("reference" for the reference settings), seed, epochs,
# val_error_softmax, val_error_goodness (%, '-' for a readout the run lacks),
# minutes.  Columns are found by their names (columns.awk).  Prints,
# tab-separated with a header, per net its reference row (the paper runs', or a proxy's runs of
# the setting named reference), then each other setting of the settings
# file that has runs, in that file's order:
#   hypothesis       reference, or the setting's (paper-settings.tsv)
#   setting          its name
#   net              the run it changes (ff-sup-3x1000, ...)
#   seeds            its complete runs
#   val_error_softmax_mean, val_error_softmax_sd,
#   val_error_goodness_mean, val_error_goodness_sd
#                    over the seeds (%; sd '-' for one seed)
#   minutes          per run, mean
#   diff_softmax, diff_goodness
#                    mean minus the reference's mean (points; negative: better)
#   noise_sd         the seed-to-seed sd of one run's validation error on this
#                    net: the sds of all its settings with two seeds or more
#                    (reference included), pooled over both readouts
#   verdict          better / worse: a readout differs from the reference by
#                    more than twice its standard error, noise_sd *
#                    sqrt(1/seeds + 1/reference seeds), the other not the
#                    other way; mixed: one each way; no difference: neither;
#                    one seed: either side has a single run (no verdict)
#   flags            what the setting changes ('-': nothing)
BEGIN { OFS = "\t" }

FNR == 1 { file++ }
!col_data() { next }

file == 1 {
    key = col("run") SUBSEP col("setting")
    if (key in hyp) col_fail("paper-ablation.awk: " FILENAME ": " col("run") "/" col("setting") " twice")
    hyp[key] = col("hypothesis"); flags[key] = col("flags"); order[++ns] = key
    next
}

{
    net = col("run"); setting = col("setting"); key = net SUBSEP setting
    if (setting != "reference" && !(key in hyp))
        col_fail("paper-ablation.awk: " FILENAME ": " net "/" setting " is not in the settings file")
    if (!(net in netseen)) { netseen[net] = 1; nets[++nn] = net }
    n[key]++; mins[key] += col("minutes")
    add(key, "s", col("val_error_softmax"))
    add(key, "g", col("val_error_goodness"))
}

function add(key, r, v) {
    if (v == "-") return
    c[key, r]++; sum[key, r] += v; sq[key, r] += v * v
}

function mean(key, r) { return sum[key, r] / c[key, r] }
function var(key, r,    m) {
    m = mean(key, r)
    return (sq[key, r] - c[key, r] * m * m) / (c[key, r] - 1)
}

# The net's pooled seed-to-seed variance: sum of (c - 1) var over its
# settings and readouts with c >= 2, over the sum of (c - 1).
function noise(net,    i, key, k, r, rr, num, den, v) {
    for (i = 0; i <= ns; i++) {
        key = i ? order[i] : net SUBSEP "reference"
        split(key, k, SUBSEP)
        if (k[1] != net) continue
        for (r = 0; r < 2; r++) {
            rr = r ? "g" : "s"
            if (c[key, rr] < 2) continue
            v = var(key, rr)
            num += (c[key, rr] - 1) * (v > 0 ? v : 0); den += c[key, rr] - 1
        }
    }
    return den ? sqrt(num / den) : -1
}

END {
    print "hypothesis", "setting", "net", "seeds", "val_error_softmax_mean",
          "val_error_softmax_sd", "val_error_goodness_mean", "val_error_goodness_sd",
          "minutes", "diff_softmax", "diff_goodness", "noise_sd", "verdict", "flags"
    for (j = 1; j <= nn; j++) {
        net = nets[j]; ref = net SUBSEP "reference"; sd = noise(net)
        if (n[ref]) row("reference", "reference", net, ref, ref, sd, "-")
        for (i = 1; i <= ns; i++) {
            split(order[i], k, SUBSEP)
            if (k[1] == net && k[2] != "reference" && n[order[i]])
                row(hyp[order[i]], k[2], net, order[i], ref, sd, flags[order[i]])
        }
    }
}

function row(h, setting, net, key, ref, sd, flag,    d, better, worse, one, r, rr, se, v, verdict) {
    for (r = 0; r < 2; r++) {
        rr = r ? "g" : "s"
        d[rr] = "-"
        if (!c[key, rr] || !c[ref, rr] || key == ref) continue
        v = mean(key, rr) - mean(ref, rr)
        d[rr] = sprintf("%+.2f", v)
        if (sd < 0 || c[key, rr] < 2 || c[ref, rr] < 2) { one = 1; continue }
        se = sd * sqrt(1 / c[key, rr] + 1 / c[ref, rr])
        if (v < -2 * se) better = 1
        if (v > 2 * se) worse = 1
    }
    verdict = key == ref ? "-" : !n[ref] ? "no reference" : one ? "one seed" \
            : better && worse ? "mixed" : better ? "better" : worse ? "worse" : "no difference"
    print h, setting, net, n[key], m(key, "s"), s(key, "s"), m(key, "g"), s(key, "g"),
          sprintf("%.1f", mins[key] / n[key]), d["s"], d["g"],
          sd < 0 ? "-" : sprintf("%.2f", sd), verdict, flag == "" ? "-" : flag
}

function m(key, r) { return c[key, r] ? sprintf("%.2f", mean(key, r)) : "-" }
function s(key, r,    v) {
    if (c[key, r] < 2) return "-"
    v = var(key, r)
    return sprintf("%.2f", v > 0 ? sqrt(v) : 0)
}
