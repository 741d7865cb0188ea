#!/usr/bin/awk -f
# paper-ablation.awk - the paper-gap study: each setting's validation errors
# over its seeds beside its net's reference settings.
#
#   awk -f columns.awk -f stats.awk -f paper-ablation.awk \
#       experiments/paper-settings.tsv results/paper-search.tsv
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
#                    over the seeds (%; sd '-' for one seed; stats.awk)
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

# a readout's values over seeds (stats.awk): r "s" softmax, "g" goodness
function add(key, r, v) { stat_add(key SUBSEP r, v) }
function cnt(key, r) { return stat_n(key SUBSEP r) }
function mean(key, r) { return stat_mean(key SUBSEP r) }

# The net's pooled seed-to-seed variance: sum of (c - 1) var over its
# settings and readouts with c >= 2, over the sum of (c - 1).  Its
# reference runs count once: first (i = 0), and not again where the
# settings file names them too (a proxy's row "reference").
function noise(net,    i, key, k, r, rr, num, den) {
    for (i = 0; i <= ns; i++) {
        key = i ? order[i] : net SUBSEP "reference"
        split(key, k, SUBSEP)
        if (k[1] != net || (i && k[2] == "reference")) continue
        for (r = 0; r < 2; r++) {
            rr = r ? "g" : "s"
            if (cnt(key, rr) < 2) continue
            num += (cnt(key, rr) - 1) * stat_var(key SUBSEP rr); den += cnt(key, rr) - 1
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
        if (!cnt(key, rr) || !cnt(ref, rr) || key == ref) continue
        v = mean(key, rr) - mean(ref, rr)
        d[rr] = sprintf("%+.2f", v)
        if (sd < 0 || cnt(key, rr) < 2 || cnt(ref, rr) < 2) { one = 1; continue }
        se = sd * sqrt(1 / cnt(key, rr) + 1 / cnt(ref, rr))
        if (v < -2 * se) better = 1
        if (v > 2 * se) worse = 1
    }
    verdict = key == ref ? "-" : !n[ref] ? "no reference" : one ? "one seed" \
            : better && worse ? "mixed" : better ? "better" : worse ? "worse" : "no difference"
    print h, setting, net, n[key], stat_fmean(key SUBSEP "s"), stat_fsd(key SUBSEP "s"),
          stat_fmean(key SUBSEP "g"), stat_fsd(key SUBSEP "g"),
          sprintf("%.1f", mins[key] / n[key]), d["s"], d["g"],
          sd < 0 ? "-" : sprintf("%.2f", sd), verdict, flag == "" ? "-" : flag
}

