# paper-table.awk - the paper-scale test errors: ours beside the paper's.
#
#   awk -v table=PAPER_TABLE -v ntest=N -f paper-table.awk REFERENCE [PAPER_TABLE] \
#       RUN/summary.tsv ...
#
# ntest: the number of test images (for the sampling error; none if unset).
# REFERENCE is experiments/reference-paper.tsv (run, readout, the paper's
# test error); PAPER_TABLE the results' paper-summary.tsv, made by `make
# paper-table` (absent: -v table=''); then the summary.tsv of every complete
# paper run (RUN = <run>-seed<N>; its last columns layers units
# test_softmax test_goodness).  Prints a Markdown table, one row per run and
# readout in REFERENCE's order, then which rows fall short of the paper.  A
# row of PAPER_TABLE is shown only if it still describes the runs present:
# the same number of seeds, the same mean test error recomputed here from
# the runs, and the paper's value of REFERENCE.  Otherwise its numbers are
# stale and are not shown.  "Short" is computed: our mean test error above
# the paper's.
BEGIN { FS = "[ \t]+" }
/^#/ || NF == 0 { next }

FILENAME == ARGV[1] {
    if ($1 == "run") next
    key = $1 SUBSEP $2
    order[++nrow] = key
    paper[key] = $3
    next
}

FILENAME == table {
    if ($1 == "run") { for (i = 1; i <= NF; i++) col[$i] = i; next }
    key = $1 SUBSEP $2
    for (c in col) cell[key, c] = $(col[c])
    in_table[key] = 1
    next
}

{   # one run's summary
    run = FILENAME; sub(/\/summary\.tsv$/, "", run); sub(/.*\//, "", run)
    sub(/-seed[0-9]+$/, "", run)
    runs[run]++
    n = $12 " × " $13
    if (index(" / " net[run] " / ", " / " n " / ") == 0)
        net[run] = net[run] (net[run] == "" ? "" : " / ") n
    add(run SUBSEP "softmax", $14); add(run SUBSEP "goodness", $15)
}
function add(key, acc) {
    if (acc == "-") return
    cnt[key]++; sum[key] += 100 - acc
}

function fresh(key) {
    if (cell[key, "seeds"] != cnt[key]) return 0
    if (cell[key, "test_error_mean"] != sprintf("%.2f", sum[key] / cnt[key])) return 0
    if (cell[key, "paper_value"] != paper[key]) return 0
    return 1
}

# our mean test error against the paper's: the verdict shown in the row
function verdict(m, p,    d) {
    if (p == "-") return "no paper value"
    d = m - p
    if (d > 0) { short[++nshort] = key_name; return sprintf("**short by %.2f points**", d) }
    return d < 0 ? sprintf("better by %.2f points", -d) : "equal"
}

END {
    print "| run | net | readout | epochs | seeds | test error %, ours | paper | ours vs paper" \
          " | min/run |"
    print "|---|---|---|--:|--:|--:|--:|---|--:|"
    for (i = 1; i <= nrow; i++) {
        key = order[i]; split(key, k, SUBSEP); r = k[1]
        key_name = "`" r "` (" k[2] ")"
        if (in_table[key] && cnt[key] && fresh(key)) {
            m = cell[key, "test_error_mean"]; s = cell[key, "test_error_sd"]
            err_se[++nse] = m
            if (paper[key] != "-") ncomp++
            printf "| `%s` | %s | %s | %s | %s | **%s** | %s | %s | %s |\n", r, net[r], k[2],
                   cell[key, "epochs"], cell[key, "seeds"], m (s == "-" ? "" : " ± " s),
                   paper[key], verdict(m, paper[key]), cell[key, "minutes_per_run"]
            continue
        }
        if (!runs[r]) why = "no complete run"
        else if (!cnt[key]) why = "no " k[2] " readout in the runs"
        else if (table == "") why = "no paper-summary.tsv"
        else if (!in_table[key]) why = "not in paper-summary.tsv"
        else why = "stale: paper-summary.tsv does not match the runs"
        printf "| `%s` | %s | %s | | %d | *%s* | %s | | |\n", r, runs[r] ? net[r] : "", k[2],
               cnt[key], why, paper[key]
        if (cnt[key] && table != "" && in_table[key]) nstale++
    }
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
    printf "\n**Short of the paper:** %d of the %d rows with both numbers: ", nshort, ncomp
    for (i = 1; i <= nshort; i++)
        printf("%s%s", i == 1 ? "" : i == nshort ? " and " : ", ", short[i])
    print "."
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
