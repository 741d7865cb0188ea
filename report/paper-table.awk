# paper-table.awk - the paper-scale test errors: ours beside the paper's.
#
#   awk -v table=PAPER_TABLE -v ntest=N [-v long=NAMES] [-v part=data] -f columns.awk -f stats.awk \
#       -f paper-table.awk \
#       REFERENCE [PAPER_TABLE] RUN/summary.tsv ...
#
# ntest: the number of test images (for the sampling error; none if unset).
# long: the long runs' names (make paper-long), which have no -train60k run
# and are not said to lack one; shorter: "LONG:SHORT ..." pairs, each long
# run and the table's shorter run of the same net (part=schedule).
# REFERENCE is experiments/reference-paper.tsv (run, readout, the paper's
# test error and, where it has the column paper_epochs, that figure's
# epochs, and where it has the column net, the rows whose seeds share one
# spread: each run its own without it); PAPER_TABLE the results'
# paper-summary.tsv, made by `make paper-table` (absent: -v table='');
# then the summary.tsv of every complete paper run (RUN = <run>-seed<N>,
# or <run>-train60k-seed<N> for the same settings trained on all the
# training images; its columns layers, units, test_softmax and
# test_goodness; its training images the "train N" line of the config.txt
# beside it), each file's columns found by their names
# (columns.awk).  Prints a Markdown table, one row per run
# and readout in REFERENCE's order, each run's -train60k row after its own
# when it has runs or a row in PAPER_TABLE, then which rows fall short of
# the paper.  A row of PAPER_TABLE is shown only if it still describes the
# runs present: the same number of seeds, the same mean test error
# recomputed here from the runs, the paper's value of REFERENCE and (when
# the table has the column n_train) the same training images.  Otherwise
# its numbers are stale and are not shown.  "Short" is computed: our mean
# test error above the paper's; a shortfall is then beyond or within the
# noise: above or below twice the standard error of our mean over n seeds
# beside the paper's one run, sd sqrt(1 + 1/n) (two_se), sd the net's
# seed-to-seed spread by that readout, pooled over its rows (pooled_sd).
# A row short of the paper after fewer epochs than the paper's figure says
# so, in the table and in part=status.
#
# part=data: instead, each run's two protocols side by side (the rows shown
# above), the difference of their mean test errors and its verdict against
# twice its standard error from the net's pooled sd, then one sentence.
# part=status: instead, one paragraph: every row with both numbers by where
# it stands (met, short within or beyond the noise), and the paper's rows
# not run.
# part=schedule: instead, one paragraph per long run: its paper-readout
# rows beside the paper's figure and its shorter run's, once it has a
# complete run, else that it has none yet.
# part=precision: instead, each run <net>-bf16 (bf16 inputs to the
# products, ff/gemm.h) beside its fp32 run <net> on the same protocol: the
# difference of their means, its verdict as part=data's, and how many bf16
# seeds' errors lie within the range of the fp32 seeds' errors (and of
# those outside, how many below and above).
BEGIN {  # the columns of PAPER_TABLE shown (n_train where the table has it)
    SIXTY = "-train60k"
    ncell = split("epochs seeds test_error_mean test_error_sd paper_value minutes_per_run",
                  cells, " ")
}
!col_data() { next }

FILENAME == ARGV[1] {
    key = col("run") SUBSEP col("readout")
    order[++nrow] = key
    paper[key] = col("paper_value")
    if (col_has("paper_epochs")) paper_epochs[key] = col("paper_epochs")
    pool[col("run")] = col_has("net") && col("net") != "" ? col("net") : col("run")
    next
}

FILENAME == table {
    key = col("run") SUBSEP col("readout")
    for (i = 1; i <= ncell; i++) cell[key, cells[i]] = col(cells[i])
    has_n_train = col_has("n_train")
    if (has_n_train) cell[key, "n_train"] = col("n_train")
    in_table[key] = 1
    next
}

{   # one run's summary
    run = FILENAME; sub(/\/summary\.tsv$/, "", run); sub(/.*\//, "", run)
    sub(/-seed[0-9]+$/, "", run)
    runs[run]++
    # a net of no one width (units "-": the local net) by its model's name
    keep(net, run, col("layers") " × " (col("units") == "-" ? col("model") : col("units")))
    keep(images, run, train_images(FILENAME))
    add(run SUBSEP "softmax", col("test_softmax")); add(run SUBSEP "goodness", col("test_goodness"))
}
# each seed's test error (stats.awk) from its accuracy, '-' none; every
# key with a value, once, in keys[]
function add(key, acc) {
    if (acc == "-") return
    if (!stat_n(key)) keys[++nkeys] = key
    stat_add(key, 100 - acc)
}
# a[run] gathers the distinct values v, " / " between them
function keep(a, run, v) {
    if (index(" / " a[run] " / ", " / " v " / ") == 0) a[run] = a[run] (a[run] == "" ? "" : " / ") v
}
# the "train N" line of the config.txt beside a summary.tsv ('?' if none)
function train_images(summary,    file, n) {
    file = summary; sub(/summary\.tsv$/, "config.txt", file)
    n = config(file, "train")
    return n == "" ? "?" : n
}

# the row of run r and readout (key) still describes the runs; p: the paper's value
function fresh(key, r, p) {
    if (cell[key, "seeds"] != stat_n(key)) return 0
    if (cell[key, "test_error_mean"] != stat_fmean(key)) return 0
    if (cell[key, "paper_value"] != p) return 0
    if (has_n_train && cell[key, "n_train"] != images[r]) return 0
    return 1
}
function shown(key, r, p) { return in_table[key] && stat_n(key) && fresh(key, r, p) }
function pm(key,    s) {
    s = cell[key, "test_error_sd"]
    return cell[key, "test_error_mean"] (s == "-" ? "" : " ± " s)
}

# The net of run r (REFERENCE's column net; its own name for a run the
# reference lacks or whose net is empty), a -train60k run's that of its
# run on the split
function net_of(r) {
    sub(SIXTY "$", "", r)
    return (r in pool) ? pool[r] : r
}

# The seed-to-seed standard deviation of one run's test error on key's net
# by key's readout: the sample variances of every run of that net and
# readout with two seeds or more, whatever its protocol, pooled (each
# weighted by its seeds less one), from the errors as the runs recorded
# them (not the table's, rounded).  One row's two or three seeds estimate
# a spread only roughly, and two that happen to agree would make it 0; the
# net's rows together estimate it with their seeds' degrees of freedom
# summed, as scripts/paper-ablation.awk's noise_sd does (which pools both
# readouts of its validation errors; the test errors here are pooled by
# readout, whose spreads differ: the recurrent net's softmax head's).
# "" where no run of the net has two seeds.
function pooled_sd(key,    k, want, i, c, num, den) {
    split(key, k, SUBSEP); want = net_of(k[1]) SUBSEP k[2]
    for (i = 1; i <= nkeys; i++) {
        split(keys[i], k, SUBSEP)
        c = stat_n(keys[i])
        if (c < 2 || net_of(k[1]) SUBSEP k[2] != want) continue
        num += (c - 1) * stat_var(keys[i]); den += c - 1
    }
    return den ? sqrt(num / den) : ""
}

# Twice the standard error of the difference between our mean test error
# (key's seeds) and the paper's: the paper's figure is one run, subject to
# the same seed-to-seed spread sd as one of ours, so the difference of our
# mean over n seeds from it has standard error sd sqrt(1 + 1/n); sd the
# net's, pooled_sd.  "" with one seed.
function two_se(key,    n) {
    n = stat_n(key)
    return n < 2 ? "" : 2 * pooled_sd(key) * sqrt(1 + 1 / n)
}

# our mean test error against the paper's: the verdict shown in the row;
# a shortfall set against two_se (the lists beyond[], within[], and
# single[] for one seed)
function verdict(key, m, p,    d, t) {
    if (p == "-") return "no paper value"
    d = m - p
    if (d <= 0) return d < 0 ? sprintf("better by %.2f points", -d) : "equal"
    short[++nshort] = key_name
    t = two_se(key)
    if (t == "") {
        single[++nsingle] = key_name
        return sprintf("**short by %.2f points** (one seed)", d)
    }
    if (d > t) {
        beyond[++nbeyond] = key_name
        return sprintf("**short by %.2f points**, beyond the noise (2 SE %.2f)", d, t)
    }
    within[++nwithin] = key_name
    return sprintf("**short by %.2f points**, within the noise (2 SE %.2f)", d, t)
}

# ", after E of the paper's M epochs" where the row key, of REFERENCE's row
# ref, trained for fewer epochs E than the paper's figure (M), else ""
function fewer(key, ref,    e, pe) {
    e = cell[key, "epochs"]; pe = paper_epochs[ref]
    if (pe !~ /^[0-9]+$/ || e !~ /^[0-9]+$/ || e + 0 >= pe + 0) return ""
    return sprintf(", after %d of the paper's %d epochs", e, pe)
}

# one row of the table: run r (a REFERENCE run ref, or its -train60k) and
# readout
function row(r, readout, ref,    key, m, p, why, v) {
    p = paper[ref]
    key = r SUBSEP readout
    key_name = "`" r "` (" readout ")"
    if (shown(key, r, p)) {
        m = cell[key, "test_error_mean"]
        err_se[++nse] = m
        if (p != "-") ncomp++
        v = verdict(key, m, p)
        if (p != "-" && m > p) v = v fewer(key, ref)
        printf "| `%s` | %s | %s | %s | %s | %s | **%s** | %s | %s | %s |\n", r, net[r], readout,
               images[r], cell[key, "epochs"], cell[key, "seeds"], pm(key), p, v,
               cell[key, "minutes_per_run"]
        return
    }
    if (!runs[r]) why = "no complete run"
    else if (!stat_n(key)) why = "no " readout " readout in the runs"
    else if (table == "") why = "no paper-summary.tsv"
    else if (!in_table[key]) why = "not in paper-summary.tsv"
    else why = "stale: paper-summary.tsv does not match the runs"
    printf "| `%s` | %s | %s | %s | | %d | *%s* | %s | | |\n", r, runs[r] ? net[r] : "", readout,
           runs[r] ? images[r] : "", stat_n(key), why, p
    if (stat_n(key) && table != "" && in_table[key]) nstale++
}

function list(a, n,    i, s) {
    for (i = 1; i <= n; i++) s = s (i == 1 ? "" : i == n ? " and " : ", ") a[i]
    return s
}

END {
    if (part == "status") { status(); exit }
    if (part == "data") { protocols(); exit }
    if (part == "precision") { precisions(); exit }
    if (part == "schedule") { schedules(); exit }
    print "| run | net | readout | training images | epochs | seeds | test error %, ours" \
          " | paper | ours vs paper | min/run |"
    print "|---|---|---|--:|--:|--:|--:|--:|---|--:|"
    for (i = 1; i <= nrow; i++) {
        split(order[i], k, SUBSEP)
        row(k[1], k[2], order[i])
        if (runs[k[1] SIXTY] || in_table[k[1] SIXTY, k[2]]) row(k[1] SIXTY, k[2], order[i])
        else if (!(k[1] in no60) && !index(" " long " ", " " k[1] " ")) {
            no60[k[1]] = 1; none[++nnone] = "`" k[1] "`"
        }
    }
    if (nnone)
        printf "\n*Not yet trained on all the training images:* %s (no `<run>%s` run: `make" \
               " paper-runs SCALE=paper` trains each run so, then `make paper-table`).\n",
               list(none, nnone), SIXTY
    if (nstale)
        print "\n**Stale:** `paper-summary.tsv` does not match the runs now present in the" \
              " rows marked so; `make paper-table` rewrites it."
    if (!ncomp) {
        print "\nNo row has both a test error of ours and the paper's: nothing to compare yet."
        exit
    }
    if (!nshort) {
        printf "\nEvery one of the %d rows with both numbers meets the paper's value or beats it.\n",
               ncomp
        sampling()
        exit
    }
    printf "\n**Short of the paper:** %d of the %d rows with both numbers: %s.\n", nshort, ncomp,
           list(short, nshort)
    if (nbeyond + nwithin)
        printf "\nThe paper's figure is one run, which varies from seed to seed as one of ours" \
               " does; our mean over *n* seeds minus that one run has a standard error of" \
               " sd·√(1 + 1/*n*) (2 SE in the table), sd the seed-to-seed standard deviation" \
               " of one run of that net by that readout. Two or three seeds estimate it only" \
               " roughly, and two that happen to agree would make it nil, so it is pooled over" \
               " the net's rows, whatever their protocol (the runs on the split and on all the" \
               " images, jittered or bf16 or with a setting chosen on validation): each row's" \
               " variance over its seeds, weighted by its seeds less one." \
               " Short by more than twice that, beyond the noise: %s. Short by less, within" \
               " it (not a difference the seeds can tell from chance): %s.\n",
               nbeyond ? list(beyond, nbeyond) : "none", nwithin ? list(within, nwithin) : "none"
    sampling()
}

# The test set's own sampling error at our errors: a binomial standard error
# sqrt(p (1 - p) / n) on ntest images, which averaging seeds does not reduce
# (every run is tested on the same images).
function sampling(    i, lo, hi, se) {
    if (ntest + 0 <= 0 || !nse) return
    for (i = 1; i <= nse; i++) {
        se = 100 * sqrt(err_se[i] / 100 * (1 - err_se[i] / 100) / ntest)
        lo = i == 1 || se < lo ? se : lo
        hi = i == 1 || se > hi ? se : hi
    }
    printf("\nThe test set has %d images: as an estimate of the error on unseen digits, one " \
           "run's test error carries a binomial sampling error of %.2f to %.2f points at these " \
           "errors (one standard error, √(*p*(1 − *p*)/*n*)). Averaging seeds does not shrink " \
           "it, since every run is tested on the same images; the paper's numbers were " \
           "measured on the same images too, so a comparison with them shares part of it.\n",
           ntest, lo, hi)
}

# The difference of row b's mean test error from row a's (into diff) and its
# verdict: against twice its standard error, sd sqrt(1/n_a + 1/n_b), sd the
# net's pooled_sd (a and b are runs of one net)
function compare(a, b,    se) {
    diff = cell[b, "test_error_mean"] - cell[a, "test_error_mean"]
    if (stat_n(a) < 2 || stat_n(b) < 2) return "one seed"
    se = pooled_sd(a) * sqrt(1 / stat_n(a) + 1 / stat_n(b))
    return diff < -2 * se ? "better" : diff > 2 * se ? "worse" : "no difference"
}

# part=data: the two protocols of each run and readout whose rows are both
# shown, compared
function protocols(    i, k, a, b, d, v, p, np, n, said, names, still, closed, open, ns, nc, no, gap,
                      t) {
    for (i = 1; i <= nrow; i++) {
        split(order[i], k, SUBSEP)
        a = order[i]; b = k[1] SIXTY SUBSEP k[2]; p = paper[a]
        if (!shown(a, k[1], p) || !shown(b, k[1] SIXTY, p)) continue
        if (!np++)
            print "| run | readout | training images | test error % | training images |" \
                  " test error % | difference | verdict |\n|---|---|--:|--:|--:|--:|--:|---|"
        v = compare(a, b); d = diff
        printf "| `%s` | %s | %s | %s | %s | %s | %+.2f | %s |\n", k[1], k[2], images[k[1]],
               pm(a), images[k[1] SIXTY], pm(b), d, v
        said[v] = said[v] (said[v] == "" ? "" : ", ") sprintf("`%s` (%s, %+.2f)", k[1], k[2], d)
        if (p == "-" || cell[a, "test_error_mean"] <= p) continue
        # a single run on either side decides nothing
        if (v == "one seed") open[++no] = sprintf("`%s` (%s)", k[1], k[2])
        else if (cell[b, "test_error_mean"] > p) {
            # by how much, against the noise of a mean beside one run (two_se)
            gap = cell[b, "test_error_mean"] - p; t = two_se(b)
            still[++ns] = sprintf("`%s` (%s, by %.2f points: %s the noise, 2 SE %.2f)", k[1],
                                  k[2], gap, gap <= t ? "within" : "beyond", t)
        }
        else closed[++nc] = sprintf("`%s` (%s)", k[1], k[2])
    }
    if (!np) {
        printf "*No run and readout has both protocols in the paper table yet:* `make" \
               " paper-runs SCALE=paper` trains each run also on all the training images" \
               " (`<run>%s`), then `make paper-table`.\n", SIXTY
        return
    }
    printf "\nOn all the training images, against the split's, test error (points): "
    split("better|worse|no difference|one seed", names, "|")
    for (i = 1; i <= 4; i++)
        if (said[names[i]] != "")
            printf "%s%s: %s", n++ ? "; " : "", names[i] == "one seed" ? "one seed (no verdict)" \
                   : names[i], said[names[i]]
    if (ns + nc + no == 0)
        print ". No row compared here is short of the paper's value on the split."
    else if (ns + nc == 0)
        printf ". Of the rows short of the paper's value on the split, one seed so far," \
               " undecided: %s.\n", list(open, no)
    else printf ". Of the rows short of the paper's value on the split, %s; %s%s.\n",
                nc ? "no longer short with all the images: " list(closed, nc) : "none is closed",
                ns ? "still short: " list(still, ns) : "none is still short",
                no ? "; one seed so far, undecided: " list(open, no) : ""
}

# part=status: every row with a paper value and runs (each protocol; the
# -bf16 runs are the precision part's), by where it stands against the
# paper: met, short within the noise, short beyond it, short on one seed;
# then the paper's rows with no complete run
function status(    i, k, r, j, p, key, m, met, nmet, none, nnone) {
    for (i = 1; i <= nrow; i++) {
        split(order[i], k, SUBSEP); p = paper[order[i]]
        if (p == "-" || k[1] ~ /-bf16$/) continue
        if (!runs[k[1]] && !runs[k[1] SIXTY]) { none[++nnone] = "`" k[1] "` (" k[2] ")"; continue }
        for (j = 0; j <= 1; j++) {
            r = k[1] (j ? SIXTY : ""); key = r SUBSEP k[2]
            if (!shown(key, r, p)) continue
            m = cell[key, "test_error_mean"]
            key_name = sprintf("`%s` (%s, %s against %s%s)", r, k[2], pm(key), p,
                               m > p ? fewer(key, order[i]) : "")
            if (m <= p) met[++nmet] = key_name
            else verdict(key, m, p)
        }
    }
    printf "Against the paper's test errors, the runs now complete: "
    printf "**met or beaten:** %s. ", nmet ? list(met, nmet) : "none"
    printf "**Short within the noise** (less than twice the standard error of a mean beside" \
           " one run): %s. ", nwithin ? list(within, nwithin) : "none"
    printf "**Short beyond the noise:** %s.", nbeyond ? list(beyond, nbeyond) : "none"
    if (nsingle) printf " Short on one seed, undecided: %s.", list(single, nsingle)
    if (nnone) printf " No complete run yet: %s.", list(none, nnone)
    print ""
}

# part=precision: each -bf16 run and readout beside its fp32 run's, compared,
# and how many of its seeds' errors lie in the range of the fp32 seeds'
function precisions(    i, k, j, r16, r32, a, b, v, np, lo, hi, inside, below, s) {
    for (i = 1; i <= nrow; i++) {
        split(order[i], k, SUBSEP)
        if (k[1] !~ /-bf16$/) continue
        for (j = 0; j <= 1; j++) { # the split's protocol, then -train60k
            r16 = k[1] (j ? SIXTY : ""); r32 = r16; sub(/-bf16/, "", r32)
            a = r32 SUBSEP k[2]; b = r16 SUBSEP k[2]
            if (!shown(a, r32, paper[order[i]]) || !shown(b, r16, paper[order[i]])) continue
            if (!np++)
                print "| bf16 run | readout | test error %, bf16 | test error %, fp32 |" \
                      " difference | verdict | bf16 seeds within the fp32 seeds' range |\n" \
                      "|---|---|--:|--:|--:|---|---|"
            v = compare(a, b)
            lo = stat_min(a); hi = stat_max(a)
            inside = below = 0
            for (s = 1; s <= stat_n(b); s++) {
                inside += stat_value(b, s) >= lo && stat_value(b, s) <= hi
                below += stat_value(b, s) < lo
            }
            printf "| `%s` | %s | %s | %s | %+.2f | %s | %d of %d%s (fp32: %.2f to %.2f) |\n",
                   r16, k[2], pm(b), pm(a), diff, v, inside, stat_n(b),
                   inside == stat_n(b) ? "" : sprintf(": %d below, %d above", below,
                                                   stat_n(b) - inside - below), lo, hi
        }
    }
    if (!np)
        print "*No bf16 run has its fp32 run beside it yet:* `make paper-runs SCALE=paper`" \
              " trains both, then `make paper-table`."
}

# part=schedule: for each pair LONG:SHORT of `shorter` and each readout
# with a paper value, the long run's test error beside the paper's and the
# shorter run's: whether the paper's epochs meet the figure, and how much
# of the shorter run's shortfall they take back
function schedules(    np, pairs, i, lr, sr, j, k, p, a, b, m, s, said, e, pe) {
    np = split(shorter, pairs, " ")
    for (i = 1; i <= np; i++) {
        lr = pairs[i]; sr = lr; sub(/:.*/, "", lr); sub(/^[^:]*:/, "", sr)
        said = 0
        for (j = 1; j <= nrow; j++) {
            split(order[j], k, SUBSEP); p = paper[order[j]]
            if (k[1] != lr || p == "-") continue
            a = lr SUBSEP k[2]; b = sr SUBSEP k[2]
            if (!shown(a, lr, p)) continue
            said++
            m = cell[a, "test_error_mean"]
            e = cell[a, "epochs"]; pe = paper_epochs[order[j]]
            printf "%sTrained for %s (`%s`, %d seed%s), its test error by %s is %s %% against" \
                   " the paper's %s %%: %s.", (said > 1 ? " " : ""),
                   (e == pe ? "the paper's own " e " epochs" : e " epochs (the paper's figure: " \
                    pe ")"), lr, cell[a, "seeds"], (cell[a, "seeds"] > 1 ? "s" : ""), k[2], pm(a),
                   p, (m <= p ? "it meets the paper's figure" : verdict(a, m, p))
            if (!shown(b, sr, p) || cell[b, "test_error_mean"] <= p) continue
            s = cell[b, "test_error_mean"]
            printf " The shorter run (`%s`, %s epochs) had %s %%, %.2f points short: the" \
                   " paper's epochs take back %s.", sr, cell[b, "epochs"], pm(b), s - p,
                   (m <= p ? "all of it" : m >= s ? "none of it" : sprintf("%.2f of them", s - m))
        }
        if (!said)
            printf "How much of its shortfall the shorter schedule explains only the paper's" \
                   " own epochs can say: the row `%s` (`make paper-long`), which has no" \
                   " complete run yet.", lr
        print ""
    }
}
