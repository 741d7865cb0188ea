#!/bin/sh
# test_report.sh RESULTS_DIR OUT_DIR [PAPER_DIR] - the report, built from a
# result set.
#
# Builds report/report.html from RESULTS_DIR (a quick result set: SEEDS,
# default "1 2", are the seeds it should hold) into OUT_DIR, writing nothing
# into the source tree, and checks the HTML: the results' summary table is
# in it row by row, every expected figure is embedded as an SVG, no
# placeholder is left, and xmllint's HTML parser finds no error.  Then the
# ways the build must not mislead: a second make changes nothing; with runs
# missing and no summary.tsv the report names the missing runs and shows no
# numbers of ours; a summary.tsv that no longer matches the runs is not
# shown; a quoted function whose markers are gone fails the build.
#
# The paper-scale part: without PAPER_DIR the report is built with no paper
# results, and must say so (and draw no paper figure).  PAPER_DIR is a
# directory as `make reproduce SCALE=paper` leaves it: paper-summary.tsv
# and paper/<run>-seed<N>/, PAPER_SEEDS (default "1") the seeds it should
# hold.  With it, the paper part is checked as the seed part is: its table
# row by row against paper-summary.tsv, with "short" where our mean test
# error is above the paper's and only there; a figure per run that has a
# complete seed; a training-error figure per run whose complete seeds
# recorded training lines (`train` in curve.tsv), with its FF layers'
# losses on both sets if it has FF layers, the others named as
# lacking them; the quoted settings; a stale paper-summary.tsv and an
# unfinished run reported, not shown; a run whose curve.tsv has no
# training lines (as those made before the programs recorded them) still
# builds, with its validation figure and without a training-error figure.
# Both protocols: each run on the split and its <run>-train60k (all the
# training images) are rows of the paper table, with their training
# images, and side by side in the paper gap's first table.  The paper gap:
# every row of paper-ablation.tsv is a row of its tables with its verdict,
# the settings without a row are named with the make command that runs
# them, a figure per net with a complete run of a setting, and without
# paper-ablation.tsv the report says how to make it; a fixture table
# (paper-gap-fixture.tsv: every hypothesis and verdict, a row under no
# hypothesis) is shown row by row, each verdict named in its sentence.
# The exit status is the verdict (1 also when RESULTS_DIR does not exist:
# the suite never skips); the last line counts the checks.
set -eu

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
    echo "usage: sh test_report.sh RESULTS_DIR OUT_DIR [PAPER_DIR]" >&2
    exit 2
fi
if [ ! -d "$1" ]; then # no result set at all (no MNIST for the quick runs)
    echo "no results in $1: run 'make data' (make test does it)" >&2
    exit 1
fi
HERE=$(cd "$(dirname "$0")" && pwd)
REPORT=$HERE/../report
RESULTS=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
SEEDS=${SEEDS:-1 2}
PAPER_SEEDS=${PAPER_SEEDS:-1}
# the paper's runs and the settings tried, as the Makefiles list them
. "$HERE/runs_mk.sh"
PAPER_RUNS=$(runs_mk PAPER_BASE_NAMES)
PAPER_ALL=$(for r in $PAPER_RUNS; do printf '%s %s-train60k ' "$r" "$r"; done)
# the long runs (make paper-long): reported once complete, never missing
PAPER_LONG=$(runs_mk PAPER_LONG_NAMES)
SETTINGS=$HERE/../experiments/paper-settings.tsv
# settings: each setting tried, RUN/SETTING, a line each
settings() { # settings [-v program=P]: RUN/SETTING of each row (of program P)
    awk -f "$HERE/../scripts/columns.awk" -f "$HERE/../scripts/settings.awk" "$@" "$SETTINGS"
}
GAP_FIXTURE=$HERE/paper-gap-fixture.tsv
if [ $# -eq 3 ]; then
    if [ ! -d "$3" ]; then
        echo "no paper results in $3" >&2
        exit 2
    fi
    PAPER=$(cd "$3" && pwd)
else
    PAPER=$OUT/no-paper # never made: the report has no paper results
fi

passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: one verdict
check() {
    check_desc=$1
    shift
    if "$@"; then ok; else fail "$check_desc"; fi
}

# build NAME RESULTS [make variables...]: the report of RESULTS into
# $OUT/NAME/, status in $rc, make's output in $OUT/NAME.log; the paper
# part from $PAPER (a later PAPER_RESULTS=... PAPER_TABLE=... overrides it)
build() {
    name=$1 from=$2
    shift 2
    rc=0
    make -C "$REPORT" RESULTS="$from" SEEDS="$SEEDS" REPORT_BUILD="$OUT/$name" \
        REPORT_HTML="$OUT/$name/report.html" PAPER_RESULTS="$PAPER/paper" \
        PAPER_TABLE="$PAPER/paper-summary.tsv" PAPER_SEEDS="$PAPER_SEEDS" "$@" \
        >"$OUT/$name.log" 2>&1 || rc=$?
}

# no_error HTML: xmllint's HTML parser passes it, silently
no_error() {
    xmllint --html --noout "$1" >"$1.xmllint" 2>&1 && [ ! -s "$1.xmllint" ]
}

# has TEXT HTML: the HTML holds TEXT, wherever pandoc broke its lines
has() {
    tr '\n' ' ' <"$2" | grep -qF -- "$1"
}

# svg_of HTML ID: the SVG embedded as the data: URI of the img with that id
svg_of() {
    sed -n "s/.*src=\"data:image\/svg+xml;base64,\([^\"]*\)\" id=\"$2\".*/\1/p" "$1" | base64 -d
}

# html_rows HTML [FROM TO]: each table row of the HTML as |cell|cell|...|,
# tags stripped, one per line; a cell that pandoc broke over lines is one
# cell, its lines joined by a space; with FROM and TO, only the rows between
# the element with id FROM and the one with id TO
html_rows() {
    awk -v from="${2:-}" -v to="${3:-}" '
        BEGIN { on = from == "" }
        from != "" && index($0, "id=\"" from "\"") { on = 1 }
        to != "" && index($0, "id=\"" to "\"") { on = 0 }
        /<tr/ { tr = ""; inrow = 1 }
        inrow { tr = tr " " $0 }
        inrow && /<\/tr>/ {
            inrow = 0
            if (!on) next
            n = split(tr, part, /<td/)
            row = "|"
            for (i = 2; i <= n; i++) {
                cell = part[i]
                sub(/^[^>]*>/, "", cell)
                sub(/<\/td>.*/, "", cell)
                gsub(/<[^>]*>/, "", cell)
                gsub(/^ +| +$/, "", cell)
                row = row cell "|"
            }
            print row
        }' "$1"
}

# copy_results FROM TO: a copy of the result set FROM as TO, without the
# saved models (*.ffm), which no check reads
copy_results() {
    mkdir -p "$2"
    (cd "$1" && tar -cf - --exclude='*.ffm' .) | (cd "$2" && tar -xf -)
}

# table_rows TSV HTML: prints each row of the results' summary table that
# the HTML lacks (a table row whose cells, tags stripped, read model,
# algorithm, epochs, runs, softmax best, seed's number, softmax final,
# goodness best, goodness final, s/run as the TSV has them; its columns
# found by the header's names)
table_rows() {
    html_rows "$2" >"$2.rows"
    awk -F '\t' '
        function pm(m) { return $c[m "_mean"] == "-" ? "-" : $c[m "_mean"] \
                                ($c[m "_sd"] == "-" ? "" : " ± " $c[m "_sd"]) }
        FILENAME == ARGV[1] {
            if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
            want[++n] = "|" $c["model"] "|" $c["algorithm"] "|" $c["epochs"] "|" $c["seeds"] "|" \
                        pm("softmax_best") "|" $c["seed_softmax"]
            rest[n, 1] = "|" pm("softmax_final") "|" pm("goodness_best") "|"
            rest[n, 2] = "|" pm("goodness_final") "|" $c["seconds_per_run"] "|"
            next
        }
        { rows[++nr] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                found = 0
                for (j = 1; j <= nr && !found; j++)
                    found = index(rows[j], want[i]) == 1 && index(rows[j], rest[i, 1]) &&
                            index(rows[j], rest[i, 2])
                if (!found) print want[i]
            }
        }' "$1" "$2.rows"
}

# paper_rows TSV HTML: prints each row of paper-summary.tsv that the HTML
# lacks (cells, tags stripped: run, net, readout, training images, epochs,
# seeds, mean ± sd, paper, ours vs paper, minutes; the columns found by the
# header's names, n_train only in tables that have it), and each row whose
# verdict is wrong: "short by" exactly where the mean is above the paper's
# value, set against the noise where it has seeds to tell
paper_rows() {
    html_rows "$2" >"$2.rows"
    awk -F '\t' '
        FILENAME == ARGV[1] {
            if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
            want[++n] = "|" $c["run"] "|"
            rest[n] = "|" $c["readout"] "|" (("n_train" in c) ? $c["n_train"] "|" : "")
            tail[n] = "|" $c["epochs"] "|" $c["seeds"] "|" $c["test_error_mean"] \
                      ($c["test_error_sd"] == "-" ? "" : " ± " $c["test_error_sd"]) "|" \
                      $c["paper_value"] "|"
            last[n] = "|" $c["minutes_per_run"] "|"
            short[n] = $c["paper_value"] != "-" && $c["test_error_mean"] + 0 > $c["paper_value"] + 0
            # a shortfall over seeds is set against the noise (the figure
            # itself, from the runs, test_paper_protocols.sh checks)
            noise[n] = short[n] && $c["test_error_sd"] != "-" ? " the noise (2 SE " : ""
            next
        }
        { rows[++nr] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                found = 0
                for (j = 1; j <= nr && !found; j++)
                    if (index(rows[j], want[i]) == 1 && index(rows[j], rest[i]) &&
                        index(rows[j], tail[i]) &&
                        substr(rows[j], length(rows[j]) - length(last[i]) + 1) == last[i]) found = j
                if (!found) print "missing:" want[i] rest[i] tail[i]
                else if ((index(rows[found], "short by") > 0) != short[i] ||
                         (noise[i] != "" && !index(rows[found], noise[i])))
                    print "verdict:" want[i] rest[i]
            }
        }' "$1" "$2.rows"
}

# protocol_rows TSV HTML: prints each -train60k row of paper-summary.tsv
# whose run is not beside its own in the paper gap's first table (run,
# readout, then training images and mean ± sd of each protocol), where
# paper-summary.tsv has its own; and each row of that table whose run has
# a -train60k row but no row of its own (not yet made on the split: it
# is left out of the table)
protocol_rows() {
    html_rows "$2" paper-gap-data paper-gap-peer >"$2.rows"
    awk -F '\t' '
        function pm(r) { return r[5] (r[6] == "-" ? "" : " ± " r[6]) }
        FILENAME == ARGV[1] {
            if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
            split("run readout epochs seeds test_error_mean test_error_sd paper_value" \
                  " minutes_per_run n_train", name, " ")
            key = $c["run"] "|" $c["readout"]
            for (i = 1; i <= 9; i++) cell[key, i] = $c[name[i]]
            if ($c["run"] ~ /-train60k$/) sixty[++n] = key
            next
        }
        { rows[$0] = 1 }
        END {
            for (i = 1; i <= n; i++) {
                split(sixty[i], k, "|"); base = k[1]; sub(/-train60k$/, "", base)
                if (!((base "|" k[2], 1) in cell)) { lone[base "|" k[2] "|"] = 1; continue }
                for (j = 1; j <= 9; j++) { b[j] = cell[base "|" k[2], j]; s[j] = cell[sixty[i], j] }
                want = "|" base "|" k[2] "|" b[9] "|" pm(b) "|" s[9] "|" pm(s) "|"
                found = 0
                for (r in rows) if (index(r, want) == 1) found = 1
                if (!found) print want
            }
            for (r in rows) for (l in lone) if (index(r, "|" l) == 1) print "alone:" r
        }' "$1" "$2.rows"
}

# gap_rows TSV HTML: prints each row of paper-ablation.tsv (columns found
# by the header's names) that is not, cell for cell, a row of the paper
# gap's tables: net, setting, flags, seeds, softmax and goodness error as
# mean ± sd, their differences from the reference, verdict
gap_rows() {
    html_rows "$2" paper-gap paper-curves >"$2.rows"
    awk -F '\t' '
        function pm(r,    m, s) {
            m = $c["val_error_" r "_mean"]; s = $c["val_error_" r "_sd"]
            return m == "-" || s == "-" ? m : m " ± " s
        }
        FILENAME == ARGV[1] {
            if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
            want[++n] = "|" $c["net"] "|" $c["setting"] "|" $c["flags"] "|" $c["seeds"] "|" \
                        pm("softmax") "|" pm("goodness") "|" $c["diff_softmax"] "|" \
                        $c["diff_goodness"] "|" $c["verdict"] "|"
            next
        }
        { rows[$0] = 1 }
        END { for (i = 1; i <= n; i++) if (!(want[i] in rows)) print want[i] }' "$1" "$2.rows"
}

# unrun_named ABLATION HTML: prints each setting of paper-settings.tsv
# (<run>/<setting>) that has no row in ABLATION and is not in one of the
# report's `make paper-search SEARCH_SETTINGS="..."` commands
unrun_named() {
    tr '\n' ' ' <"$2" | grep -o 'SEARCH_SETTINGS=&quot;[^&]*&quot;' |
        sed 's/SEARCH_SETTINGS=&quot;//; s/&quot;$//' | tr ' ' '\n' >"$2.named"
    settings >"$2.settings"
    awk -F '\t' '
        FILENAME == ARGV[1] { pair[++n] = $0; next }
        FILENAME == ARGV[2] {
            if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i; next }
            ran[$c["net"] "/" $c["setting"]] = 1; next
        }
        { named[$0] = 1 }
        END { for (i = 1; i <= n; i++) if (!(pair[i] in ran) && !(pair[i] in named)) print pair[i] }' \
        "$2.settings" "$1" "$2.named"
}

# trained DIR: the run in DIR recorded its training error (a "train" line)
trained() {
    grep -q '^[0-9]* train ' "$1/curve.tsv"
}

# shorter RUN: what RUN's training-error paragraph says of its epochs
# against the paper's figure's (experiments/reference-paper.tsv's
# paper_epochs), recomputed from its complete seeds' curve.tsv: "It
# trained for E of the paper's M epochs: over its last quarter, its mean
# validation error by R went from A % (after epoch F) to B %.", where E
# < M and a validation line falls in [3E/4, E); "It trained for E of the
# paper's M epochs." where E < M and none does; else nothing
shorter() {
    curves=
    for s in $PAPER_SEEDS; do
        d=$PAPER/paper/$1-seed$s
        [ ! -f "$d/summary.tsv" ] || curves="$curves $d/curve.tsv"
    done
    # shellcheck disable=SC2086 # the curves: paths without blanks
    awk -v r="$1" '
        NR == FNR && /^#/ { next }
        NR == FNR && !h++ { for (i = 1; i <= NF; i++) c[$i] = i; next }
        NR == FNR { if ($c["run"] == r && $c["paper_value"] != "-") {
                        m = $c["paper_epochs"]; k = $c["readout"] }
                    next }
        FNR == 1 { sub(/^# */, ""); for (i = 1; i <= NF; i++) v[$i] = i; next }
        $2 == "val" && $3 == "all" {
            e = $1 + 1; sum[e] += 100 - $v[k "_acc"]; n[e]++; if (e > last) last = e }
        END {
            if (m == "" || last >= m + 0) exit
            for (e = 1; e < last; e++) if ((e in n) && e >= 0.75 * last) break
            printf "It trained for %d of the paper\342\200\231s %d epochs", last, m
            if (e >= last) { printf "."; exit }
            printf ": over its last quarter, its mean validation error by %s went from %.2f %%" \
                   " (after epoch %d) to %.2f %%.", k == "goodness" ? "goodness" : "the softmax head",
                   err(e), e, err(last)
        }
        # the mean error as the figure data hold it (six digits), then shown
        function err(e) { return sprintf("%.6g", sum[e] / n[e]) + 0 }' \
        "$HERE/../experiments/reference-paper.tsv" $curves
}
# fit_paragraph RUN HTML: the paragraph after RUN's training-error figure
fit_paragraph() {
    tr '\n' ' ' <"$2" | sed 's/  */ /g' |
        grep -o "<p>After epoch [0-9]*, <code>$1</code>[^<]*\(<code>[^<]*</code>[^<]*\)*</p>"
}

# untrained_named RUN HTML: the sentence on the runs without a training
# curve names RUN
untrained_named() {
    tr '\n' ' ' <"$2" | sed -n 's/.*No training curve<\/em> for \(.*\) no <code>train<\/code> lines.*/\1/p' |
        grep -qF "<code>$1</code> (seed"
}

# the paper runs with a complete seed, i.e. with a figure; those of them
# with a complete seed that recorded its training error, i.e. with a
# training-error figure; and the others
PAPER_DRAWN= PAPER_FIT= PAPER_UNFIT=
for r in $PAPER_RUNS $PAPER_LONG; do
    drawn= fit=
    for s in $PAPER_SEEDS; do
        if [ -f "$PAPER/paper/$r-seed$s/summary.tsv" ]; then
            drawn=1
            ! trained "$PAPER/paper/$r-seed$s" || fit=1
        fi
    done
    [ -z "$drawn" ] || PAPER_DRAWN="$PAPER_DRAWN $r"
    [ -z "$drawn" ] || [ -n "$fit" ] || PAPER_UNFIT="$PAPER_UNFIT $r"
    [ -z "$fit" ] || PAPER_FIT="$PAPER_FIT $r"
done
# the paper gap's nets with a complete run of a setting other than the
# reference that trained (not of program ff_evaluate, which has no curve),
# i.e. with a figure; those with complete runs of ff_evaluate settings only
# have none
gap_nets() { # gap_nets SETTINGS...: the nets of those with a complete run
    echo "$@" | tr ' ' '\n' | grep -v '/reference$' | tr / ' ' | while read -r net setting; do
        for f in "$PAPER/paper-search/$net-$setting"-seed*/summary.tsv; do
            [ ! -f "$f" ] || echo "$net"
        done
    done | awk 'NF && !seen[$0]++'
}
GAP_EVALUATED=$(settings -v program=ff_evaluate)
GAP_DRAWN=$(gap_nets $(settings | grep -vxF "$(printf '%s\n' $GAP_EVALUATED)"))
GAP_UNDRAWN=$(gap_nets $GAP_EVALUATED | grep -vxF "$(printf '%s\n' $GAP_DRAWN)" || true)

FIGURES="fig-acc-dense fig-acc-conv2d fig-loss-ff-sup-dense fig-loss-ff-unsup-dense"
FIGURES="$FIGURES fig-loss-ff-sup-conv2d fig-loss-ff-unsup-conv2d"
if [ -f "$RESULTS/bench/ff_epoch.txt" ]; then
    FIGURES="$FIGURES fig-memory"
fi
if [ -f "$RESULTS/fashion-mnist/summary.tsv" ]; then # the Fashion-MNIST section
    FIGURES="$FIGURES fig-fashion-acc-dense fig-fashion-acc-conv2d"
fi

# ---- the report of the complete result set ---------------------------------
rm -rf "$OUT/full" "$OUT/partial" "$OUT/stale" "$OUT/unmarked" "$OUT/paper-stale" \
    "$OUT/paper-partial" "$OUT/gap-fixture"
if [ ! -f "$RESULTS/summary.tsv" ]; then # every check below compares with it
    fail "$RESULTS holds no summary.tsv: run make table first"
    echo "$passed passed, $failed failed"
    exit 1
fi
build full "$RESULTS"
H=$OUT/full/report.html
check "make exits 0 (got $rc; see $OUT/full.log)" [ "$rc" -eq 0 ]
check "report.html written" [ -s "$H" ]
check "no placeholder left" sh -c "! grep -q '@@' '$H'"
check "xmllint --html finds no error (see $H.xmllint)" no_error "$H"
missing=$(table_rows "$RESULTS/summary.tsv" "$H")
check "every row of summary.tsv is in the table (missing: $missing)" [ -z "$missing" ]
check "the report says every run is there" grep -q 'id="results-used"' "$H"
check "no missing-results section" sh -c "! grep -q 'id=\"missing-results\"' '$H'"
# figure ID NAME PATTERN: the SVG embedded as ID matches the case pattern
# PATTERN and is not the empty plot; counts the figures in n
n=0
figure() {
    n=$((n + 1))
    svg=$(svg_of "$H" "$1")
    case $svg in
    $3) ok ;;
    *) fail "$2 is not embedded as an SVG${4:+ $4}" ;;
    esac
    case $svg in
    *"no complete run"*) fail "$2 has no data" ;;
    *) ok ;;
    esac
}
for fig in $FIGURES; do
    figure "$fig" "figure $fig" '*<svg*<path*'
done
for r in $PAPER_DRAWN; do
    figure "fig-paper-$r" "paper figure $r" '*<svg*<path*test, softmax*' \
        "with its test point"
done
for r in $PAPER_FIT; do
    figure "fig-paper-fit-$r" "training-error figure $r" \
        '*<svg*<path*validation, softmax*training, softmax*' "with both curves"
    case $r in
    bp | bp-*) ;; # no FF loss
    *) check "the FF losses of $r, training beside validation" \
        has "<strong><code>$r</code></strong> (seed" "$H" ;;
    esac
    said=$(shorter "$r")
    fit_paragraph "$r" "$H" >"$OUT/fit-paragraph.txt" || :
    if [ -n "$said" ]; then
        check "$r's training-error paragraph: fewer epochs than the paper's ($said)" \
            grep -qF "$said" "$OUT/fit-paragraph.txt"
    else
        check "$r's training-error paragraph (found): nothing of the paper's epochs" \
            sh -c "[ -s '$OUT/fit-paragraph.txt' ] && ! grep -q 'of the paper' '$OUT/fit-paragraph.txt'"
    fi
done
for r in $PAPER_UNFIT; do
    check "no training-error figure for $r, which has no training lines" \
        sh -c "! grep -q 'id=\"fig-paper-fit-$r\"' '$H'"
    check "and the report names $r as lacking them" untrained_named "$r" "$H"
done
for r in $GAP_UNDRAWN; do
    check "no paper-gap figure for $r, whose settings run trained nothing" \
        sh -c "! grep -q 'id=\"fig-gap-$r\"' '$H'"
done
for r in $GAP_DRAWN; do
    figure "fig-gap-$r" "paper-gap figure $r" '*<svg*<path*reference*' "with the reference's line"
done
check "the training-error paragraph" grep -q 'id="paper-fit"' "$H"
check "a paper-gap section" grep -q 'id="paper-gap"' "$H"
if [ -f "$PAPER/paper-ablation.tsv" ]; then
    missing=$(gap_rows "$PAPER/paper-ablation.tsv" "$H")
    check "every row of paper-ablation.tsv is in the paper-gap tables with its verdict ($missing)" \
        [ -z "$missing" ]
    missing=$(unrun_named "$PAPER/paper-ablation.tsv" "$H")
    check "every setting without a row is named in a make paper-search command ($missing)" \
        [ -z "$missing" ]
else
    check "no paper-ablation.tsv: the report says how to make it" \
        has 'No paper-gap table yet:</em> <code>make paper-ablation</code>' "$H"
fi
if [ -n "$PAPER_UNFIT" ]; then
    check "the report says which runs have no training curve" has "No training curve</em> for" "$H"
fi
check "one embedded SVG per expected figure ($n)" \
    [ "$(grep -o 'data:image/svg+xml;base64' "$H" | wc -l)" -eq "$n" ]
check "a paper-scale section" grep -q 'id="paper-scale"' "$H"
if [ -z "$PAPER_DRAWN" ]; then
    check "with no paper results, the paper part says so" has 'No paper-scale results yet' "$H"
    check "with no paper results, a missing-paper-results section" \
        grep -q 'id="paper-missing"' "$H"
fi
if [ $# -eq 3 ]; then
    if [ -f "$PAPER/paper-summary.tsv" ]; then
        wrong=$(paper_rows "$PAPER/paper-summary.tsv" "$H")
        check "every row of paper-summary.tsv is in the paper table, short where it is ($wrong)" \
            [ -z "$wrong" ]
        check "the paper table has a training images column" has '<th align="right">training images</th>' "$H"
        for r in $PAPER_RUNS; do # both protocols, where the runs on all images are there
            for f in "$PAPER/paper/$r-train60k"-seed*/summary.tsv; do
                [ -f "$f" ] || continue
                html_rows "$H" paper-results paper-ports >"$H.rows"
                check "the paper table has $r and $r-train60k" \
                    sh -c "grep -q '^|$r|' '$H.rows' && grep -q '^|$r-train60k|' '$H.rows'"
                break
            done
        done
        wrong=$(protocol_rows "$PAPER/paper-summary.tsv" "$H")
        check "each -train60k row of paper-summary.tsv is beside its run's in the paper gap ($wrong)" \
            [ -z "$wrong" ]
    else
        fail "$PAPER holds no paper-summary.tsv: run make paper-table first"
    fi
    if [ -f "$PAPER/paper-search.tsv" ]; then
        # each row of the search's table as a row of the report's
        missing=$(awk -F'\t' 'NR > 1 { print $1, $2, $3 }' "$PAPER/paper-search.tsv" |
            while read -r run setting seed; do
                has "<td>$run</td> <td>$setting</td> <td align=\"right\">$seed</td>" "$H" ||
                    echo "$setting"
            done)
        check "every row of paper-search.tsv is in the search table ($missing)" [ -z "$missing" ]
    else
        check "no search: the report says how to run one" has 'No search has been run' "$H"
    fi
    complete=0 expected=0 # the settings quoted are those of the runs on the split
    for r in $PAPER_ALL; do
        for s in $PAPER_SEEDS; do
            expected=$((expected + 1))
            if [ -f "$PAPER/paper/$r-seed$s/summary.tsv" ]; then
                complete=$((complete + 1))
                case $r in *-train60k) ;; *) cfg=$PAPER/paper/$r-seed$s/config.txt ;; esac
            fi
        done
    done
    if [ "$complete" -eq "$expected" ] && [ -f "$PAPER/paper-summary.tsv" ]; then
        check "the report says every paper run is there" grep -q 'id="paper-results-used"' "$H"
    else
        check "the report says paper runs are missing" grep -q 'id="paper-missing"' "$H"
    fi
    if [ -f "$PAPER/bench/paper_epoch.txt" ]; then
        for r in ff-sup-3x1000 ff-sup-4x2000 ff-unsup-4x2000; do
            e=$(awk -v r="$r" '$1 == r && $2 == "cblas-fp32" { print $3 }' \
                "$PAPER/bench/paper_epoch.txt")
            check "the paper benchmark's $r row in fp32 ($e s/epoch)" \
                has "<code>$r</code></td> <td><code>cblas-fp32</code></td> <td align=\"right\">$e</td> <td align=\"right\">1.00</td>" "$H"
        done
    else
        check "no paper benchmark, and the report says so" has "No benchmark output at" "$H"
    fi
    bf16=$PAPER/bench/bf16/paper_epoch.txt # make paper-bench-bf16's
    if [ -f "$bf16" ]; then
        for r in ff-sup-3x1000 ff-sup-4x2000 ff-unsup-4x2000; do
            row=$(awk -v r="$r" '$1 == r && $2 == "cblas-fp32" { f = $3 }
                $1 == r && $2 == "dnnl-bf16" { b = $3 }
                END { if (f != "" && b != "") printf "%s</td> <td align=\"right\">%.2f", b, b / f }' "$bf16")
            # in the second table, after the sentence that introduces it
            tr '\n' ' ' <"$H" | awk '{ i = index($0, "The same benchmark on a CPU with bf16")
                                      if (i) print substr($0, i) }' >"$OUT/bench-bf16.html"
            check "the bf16 CPU's benchmark: $r in bf16, its epoch and × fp32 (${row%%<*})" \
                has "<code>$r</code></td> <td><code>dnnl-bf16</code></td> <td align=\"right\">$row</td>" \
                "$OUT/bench-bf16.html"
        done
    else
        check "no benchmark on a bf16 CPU, and the report says so" \
            has "No benchmark on a CPU with bf16 arithmetic at" "$H"
    fi
    if [ -f "$PAPER/bench/blas_shapes.txt" ]; then
        for p in "3x1000 forward (pos+neg)" "4x2000 weight gradient"; do
            row=$(awk -v p="$p" '$1 == "product" { nm = NF - 6; next }
                  index($0, p) == 1 {
                      s = $(NF - nm - 4) " × " $(NF - nm - 2) " × " $(NF - nm)
                      for (i = NF - nm + 1; i <= NF; i++) s = s "</td> <td align=\"right\">" $i
                      print s }' "$PAPER/bench/blas_shapes.txt")
            check "the products' benchmark row $p" has "<td>$p</td> <td>$row</td>" "$H"
        done
    else
        check "no products' benchmark, and the report says so" has "No product benchmark at" "$H"
    fi
    # beside other implementations: our mean validation error by goodness,
    # recomputed here from the 3 x 1000 runs, in the row of the port run here
    sums=$(for s in $PAPER_SEEDS; do
        f=$PAPER/paper/ff-sup-3x1000-seed$s/summary.tsv
        [ ! -f "$f" ] || echo "$f"
    done)
    if [ -n "$sums" ]; then
        v=$(awk 'FNR == 1 { for (i = 2; i <= NF; i++) c[$i] = i - 1; next }
                 { n++; e += 100 - $c["goodness_final"] } END { printf "%.2f (%d run", e / n, n }' $sums)
        check "the other implementations' table has our validation error ($v)" \
            has "<td>goodness</td> <td align=\"right\">1.65</td> <td align=\"right\">$v" "$H"
        port=$(awk -F '\t' '$3 == "this-machine" && $5 == "val" && $6 == "goodness" { print $7 }' \
            "$HERE/../experiments/reference-ports.tsv")
        said=$(awk -v e="${v%% *}" -v p="$port" 'BEGIN { d = e - p
            if (sprintf("%.2f", d) + 0 == 0) print "equal"
            else printf "%s by %.2f points", d < 0 ? "lower" : "higher", d < 0 ? -d : d }')
        check "and says where ours is lower or higher ($said than the port's $port)" \
            has "on the validation set by goodness, $said" "$H"
    fi
    check "it counts $complete complete paper runs" \
        has "; seeds $(echo $PAPER_SEEDS | sed 's/ /, /g')); complete: $complete." "$H"
    if [ "$complete" -gt 0 ]; then # the settings quoted are the runs' (the last one read)
        for key in optimizer normalisation; do
            v=$(sed -n "s/^$key //p" "$cfg" | head -n 1)
            check "the paper part quotes $key as recorded ($v)" has "<code>$key $v</code>" "$H"
        done
    fi
fi
for fn in ff_goodness_add ff_ff_loss ff_train_ff_layers ff_overlay_onehot best_k; do
    check "the quoted code shows $fn" grep -q "$fn" "$H"
done

# ---- make again: nothing to do ---------------------------------------------
touch "$OUT/full/.before"
build full "$RESULTS"
check "a second make exits 0" [ "$rc" -eq 0 ]
check "a second make rebuilds nothing" \
    [ -z "$(find "$OUT/full" -type f -newer "$OUT/full/.before")" ]

# ---- runs missing, no summary.tsv ------------------------------------------
P=$OUT/partial-results
rm -rf "$P"
copy_results "$RESULTS" "$P"
rm -f "$P/summary.tsv"
gone=$(cd "$P" && ls -d ff-sup-conv2d-seed* | head -n 1)
rm "$P/$gone/summary.tsv" # as a run that never finished leaves it
rm -rf "$P/bp-dense-seed1"
build partial "$P" PAPER_RESULTS="$OUT/no-paper/paper" \
    PAPER_TABLE="$OUT/no-paper/paper-summary.tsv" PAPER_SEEDS=1
H=$OUT/partial/report.html
check "with runs missing, make exits 0 (got $rc; see $OUT/partial.log)" [ "$rc" -eq 0 ]
check "with runs missing, a missing-results section" grep -q 'id="missing-results"' "$H"
check "it names the unfinished run $gone" grep -q "$gone</code>: started, not finished" "$H"
check "it names the absent run bp-dense-seed1" grep -q "bp-dense-seed1</code>: not started" "$H"
check "it says summary.tsv is absent" grep -q "no summary.tsv" "$H"
rows=$(awk 'NR > 1' "$RESULTS/summary.tsv" | wc -l)
check "it shows no row of the (deleted) summary.tsv" \
    [ "$(table_rows "$RESULTS/summary.tsv" "$H" | wc -l)" -eq "$rows" ]
check "with runs missing, no placeholder left" sh -c "! grep -q '@@' '$H'"
check "with runs missing, xmllint finds no error" no_error "$H"
# ... and no paper results at all
check "with no paper results, the paper part says so" has 'No paper-scale results yet' "$H"
check "with no paper results, a missing-paper-results section" grep -q 'id="paper-missing"' "$H"
for r in $PAPER_ALL; do
    check "it names the absent paper run $r-seed1" grep -q "$r-seed1</code>: not started" "$H"
done
for r in $PAPER_LONG; do
    check "it does not count the long run $r-seed1 missing" \
        sh -c "! grep -q '$r-seed1</code>: not started' '$H'"
done
check "it says no run was trained on all the training images" \
    has "Not yet trained on all the training images:</em>" "$H"
for r in $PAPER_LONG; do
    check "but not of the long run $r, which has no such run" sh -c \
        "! tr '\n' ' ' <'$H' | grep -o 'Not yet trained on all the training images:</em>[^(]*' |
             grep -qF '<code>$r</code>'"
done
check "it says paper-summary.tsv is absent" has "paper-summary.tsv</code> is absent" "$H"
check "with no paper results, no paper figure" sh -c "! grep -q 'id=\"fig-paper-' '$H'"
check "with no paper results, the paper's values are still shown" \
    grep -q "no complete run</em></td>" "$H"

# ---- a summary.tsv that no longer matches the runs -------------------------
S=$OUT/stale-results
rm -rf "$S"
copy_results "$RESULTS" "$S"
awk -F '\t' 'BEGIN { OFS = "\t" } NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    NR > 1 && $c["model"] == "dense" && $c["algorithm"] == "ff-sup" { $c["softmax_best_mean"] = "12.34" }
    { print }' "$RESULTS/summary.tsv" >"$S/summary.tsv"
build stale "$S"
H=$OUT/stale/report.html
check "with a stale summary.tsv, make exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "the stale row is flagged" grep -q "stale: summary.tsv does not match" "$H"
check "the stale number is not shown" sh -c "! grep -q '12\.34' '$H'"

# ---- the paper gap: a fixture table of every hypothesis and verdict ---------
build gap-fixture "$RESULTS" PAPER_ABLATION="$GAP_FIXTURE"
H=$OUT/gap-fixture/report.html
check "with the fixture paper-ablation.tsv, make exits 0 (got $rc; see $OUT/gap-fixture.log)" \
    [ "$rc" -eq 0 ]
missing=$(gap_rows "$GAP_FIXTURE" "$H")
check "every row of the fixture is in the paper-gap tables with its verdict ($missing)" \
    [ -z "$missing" ]
# each verdict in its hypothesis's sentence (the head's rows span two nets:
# named with their net)
for said in "better: <code>peer0</code>" "no difference: <code>wc0.003</code>" \
    "one seed, no verdict: <code>peer0.1</code>" "worse: <code>train1k</code>" \
    "mixed: <code>ff-sup-3x1000/lrhead0.03</code>" "better: <code>ff-sup-4x2000/frozenhead</code>" \
    "worse: <code>blur3</code>" "no reference: <code>distinct</code>"; do
    check "the verdicts say $said" has "$said" "$H"
done
check "rows under no hypothesis of the report get a section of their own" \
    grep -q 'id="paper-gap-other"' "$H"
# where the gap stands: every setting of the fixture by its verdict, once
for said in "10 settings of 6 hypotheses" \
    "better, 2: <code>ff-sup-3x1000/peer0</code>, <code>ff-sup-4x2000/frozenhead</code>;" \
    "worse, 2: <code>ff-sup-3x1000/train1k</code>, <code>ff-unsup-3x1000/blur3</code>;" \
    "mixed, 1: <code>ff-sup-3x1000/lrhead0.03</code>;" \
    "no difference, 2: <code>ff-sup-3x1000/wc0.003</code>, <code>ff-sup-3x1000/odd1</code>;" \
    "2 more have one seed" "1 more has no reference run"; do
    check "where the gap stands says $said" has "$said" "$H"
done
check "where the gap stands: a better setting, so not 'none validates better'" \
    sh -c "! grep -q 'None validates better' '$H'"
train=$(for f in "$PAPER/paper"/ff-sup-3x1000-seed*/config.txt; do
    [ ! -f "$f" ] || sed -n 's/^train //p' "$f"
done | tail -n 1)
if [ -n "$train" ] && [ "$train" -gt 1000 ]; then
    check "the data hypothesis extrapolates from 1000 to $train images" \
        has "trained on 1000 images instead of the $train of the reference settings." "$H"
fi
# (its lists, recomputed from runs: test_paper_protocols.sh)
check "where the gap stands: the paragraph on the paper table's rows is there" \
    has "test errors, the runs now complete:" "$H"
check "with the fixture, no placeholder left" sh -c "! grep -q '@@' '$H'"
check "with the fixture, xmllint finds no error" no_error "$H"

# ---- the paper part: a stale paper-summary.tsv, an unfinished run ---------
if [ $# -eq 3 ] && [ -f "$PAPER/paper-summary.tsv" ] && [ -n "$PAPER_DRAWN" ]; then
    # stale: the first row's mean, changed; its run keeps all its seeds
    Q=$OUT/paper-stale-results
    rm -rf "$Q"
    mkdir -p "$Q"
    copy_results "$PAPER/paper" "$Q/paper"
    awk -F '\t' 'BEGIN { OFS = "\t" } NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
        NR == 2 { $c["test_error_mean"] = "77.77" } { print }' \
        "$PAPER/paper-summary.tsv" >"$Q/paper-summary.tsv"
    build paper-stale "$RESULTS" PAPER_RESULTS="$Q/paper" PAPER_TABLE="$Q/paper-summary.tsv"
    H=$OUT/paper-stale/report.html
    check "with a stale paper-summary.tsv, make exits 0 (got $rc)" [ "$rc" -eq 0 ]
    check "the stale paper row is flagged" has "stale: paper-summary.tsv does not match" "$H"
    check "the stale paper number is not shown" sh -c "! grep -q '77\.77' '$H'"
    check "without paper-ablation.tsv, the report says how to make it" \
        has 'No paper-gap table yet:</em> <code>make paper-ablation</code>' "$H"

    # unfinished: the first drawn run's first complete seed loses its summary
    r=${PAPER_DRAWN# }
    r=${r%% *}
    for s in $PAPER_SEEDS; do
        [ -f "$Q/paper/$r-seed$s/summary.tsv" ] && break
    done
    rm "$Q/paper/$r-seed$s/summary.tsv"
    cp "$PAPER/paper-summary.tsv" "$Q/paper-summary.tsv"
    build paper-partial "$RESULTS" PAPER_RESULTS="$Q/paper" PAPER_TABLE="$Q/paper-summary.tsv"
    H=$OUT/paper-partial/report.html
    check "with a paper run unfinished, make exits 0 (got $rc)" [ "$rc" -eq 0 ]
    check "it names the unfinished paper run $r-seed$s" \
        has "$r-seed$s</code>: started, not finished" "$H"
    check "with a paper run unfinished, a missing-paper-results section" \
        grep -q 'id="paper-missing"' "$H"
    check "with a paper run unfinished, no placeholder left" sh -c "! grep -q '@@' '$H'"
    check "with a paper run unfinished, xmllint finds no error" no_error "$H"
fi

# ---- the paper part: a run without training lines ---------------------------
if [ $# -eq 3 ] && [ -n "$PAPER_FIT" ]; then
    # the first run with a training-error figure loses its training lines,
    # as a run made before the programs recorded them
    T=$OUT/paper-untrained-results
    rm -rf "$T" "$OUT/paper-untrained"
    mkdir -p "$T"
    copy_results "$PAPER/paper" "$T/paper"
    [ ! -f "$PAPER/paper-summary.tsv" ] || cp "$PAPER/paper-summary.tsv" "$T/paper-summary.tsv"
    r=${PAPER_FIT# }
    r=${r%% *}
    for f in "$T/paper/$r"-seed*/curve.tsv; do
        grep -v '^[0-9]* train ' "$f" >"$f.new" && mv "$f.new" "$f"
    done
    build paper-untrained "$RESULTS" PAPER_RESULTS="$T/paper" PAPER_TABLE="$T/paper-summary.tsv"
    H=$OUT/paper-untrained/report.html
    check "with a paper run without training lines, make exits 0 (got $rc; see $OUT/paper-untrained.log)" \
        [ "$rc" -eq 0 ]
    check "its validation figure is still drawn" grep -q "id=\"fig-paper-$r\"" "$H"
    check "it has no training-error figure" sh -c "! grep -q 'id=\"fig-paper-fit-$r\"' '$H'"
    check "the report names $r as without a training curve" untrained_named "$r" "$H"
    for o in $PAPER_FIT; do
        [ "$o" = "$r" ] || check "the other runs keep theirs ($o)" \
            grep -q "id=\"fig-paper-fit-$o\"" "$H"
    done
    check "without training lines, no placeholder left" sh -c "! grep -q '@@' '$H'"
    check "without training lines, xmllint finds no error" no_error "$H"
fi

# ---- the paper part: a long run, absent or complete ------------------------
# each long run (make paper-long) removed, then made of its shorter run's
# first seed with the long run's epochs and a test error by goodness set:
# 0.10 %, then 99 %; the paragraph on the schedule says where it stands
# against the paper and how much of the shorter run's shortfall it takes
# back
if [ $# -eq 3 ] && [ -f "$PAPER/paper-summary.tsv" ] && [ -n "$PAPER_LONG" ]; then
    G=$OUT/paper-long-results
    for acc in none 99.90 1.00; do
        rm -rf "$G" "$OUT/paper-long"
        mkdir -p "$G"
        copy_results "$PAPER/paper" "$G/paper"
        for r in $PAPER_LONG; do
            rm -rf "$G/paper/$r"-seed*
            [ "$acc" != none ] || continue
            short=$(runs_mk "paper_shorter_$r")
            epochs=$(runs_mk "paper_cmd_$r" | sed 's/.*--epochs \([0-9]*\).*/\1/')
            mkdir -p "$G/paper/$r-seed1"
            cp "$G/paper/$short-seed1/config.txt" "$G/paper/$short-seed1/curve.tsv" "$G/paper/$r-seed1/"
            awk -v e="$epochs" -v g="$acc" '
                NR == 1 { for (i = 2; i <= NF; i++) c[$i] = i - 1; print; next }
                { $c["epochs"] = e; $c["test_goodness"] = g; print }' \
                "$G/paper/$short-seed1/summary.tsv" >"$G/paper/$r-seed1/summary.tsv"
        done
        make -s -C "$HERE/.." --no-print-directory paper-table SCALE=paper RESULTS="$G" \
            >"$OUT/paper-long-table.log" 2>&1 || fail "make paper-table on $G"
        build paper-long "$RESULTS" PAPER_RESULTS="$G/paper" PAPER_TABLE="$G/paper-summary.tsv"
        H=$OUT/paper-long/report.html
        check "long run $acc: make exits 0 (got $rc)" [ "$rc" -eq 0 ]
        for r in $PAPER_LONG; do
            if [ "$acc" = none ]; then
                check "no long run: the schedule's paragraph says $r has no complete run yet" \
                    has "<code>$r</code> (<code>make paper-long</code>), which has no complete run yet" "$H"
                continue
            fi
            short=$(runs_mk "paper_shorter_$r")
            check "the schedule's paragraph gives $r: the paper's own $epochs epochs, one seed ($acc)" \
                has "Trained for the paper’s own $epochs epochs (<code>$r</code>, 1 seed), its test error by goodness is" "$H"
            # the shorter run's shortfall in the table: its mean minus the paper's value
            short_gap=$(awk -F '\t' -v r="$short" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                $c["run"] == r && $c["readout"] == "goodness" { print $c["test_error_mean"] - $c["paper_value"] }' \
                "$G/paper-summary.tsv")
            if [ "$acc" = 99.90 ]; then
                check "at 0.10 %, it meets the paper's figure" has "0.10 % against the paper’s" "$H"
                check "at 0.10 %, it says so" has "it meets the paper’s figure" "$H"
                want="take back all of it"
            else
                check "at 99 %, it is short, on one seed" has "99.00 % against the paper’s" "$H"
                want="take back none of it"
            fi
            case $short_gap in
            -* | 0 | "") ;;
            *) check "the shorter run $short is short ($short_gap): the paper's epochs $want" \
                   has "epochs $want" "$H" ;;
            esac
        done
        check "long run $acc: no placeholder left" sh -c "! grep -q '@@' '$H'"
        check "long run $acc: xmllint finds no error" no_error "$H"
    done
fi

# ---- a quoted function without its markers ---------------------------------
L=$OUT/lib-unmarked
rm -rf "$L"
cp -R "$HERE/../lib/src" "$L"
sed -i '/quoted in the report: begin ff-loss/d' "$L/objective.c"
build unmarked "$RESULTS" LIB="$L"
check "a quoted function without markers fails the build" [ "$rc" -ne 0 ]
check "and the error names it" grep -q "quote.awk: ff-loss: " "$OUT/unmarked.log"
check "and leaves no report" [ ! -e "$OUT/unmarked/report.html" ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
