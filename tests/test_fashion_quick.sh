#!/bin/sh
# test_fashion_quick.sh SRC BUILD OUT - the seed study's table on
# Fashion-MNIST, end to end at SCALE=quick: the data fetched from the Debian
# package dataset-fashion-mnist into OUT/data (a failure, never a skip, when
# the package is missing), every run of the table into OUT/fashion-mnist,
# the table with its stable columns and no seed study's number, each run's
# config.txt naming the .gz files it read by their pinned SHA-256; the
# comparison of the table with itself; the report of OUT with its
# Fashion-MNIST section (the table row by row, without the seed's column,
# a figure per model), and the report of a directory without Fashion-MNIST
# runs without that section.
set -eu
src=$1 build=$2 out=$3
pkg=/usr/share/datasets/fashion-mnist
[ -d "$pkg" ] || { echo "no $pkg: install the Debian package dataset-fashion-mnist (make deps)"; exit 1; }

. "$(dirname "$0")/check.sh"

rm -rf "$out" && mkdir -p "$out"
results=$out/fashion-mnist
# quick MAKE ARGS...: make in SRC at SCALE=quick on Fashion-MNIST
quick() {
    make -s -C "$src" SCALE=quick DATASET=fashion-mnist BUILD="$build" RESULTS="$results" \
        DATA="$out/data" "$@"
}
quick runs table -j2 >"$out/runs.log" 2>&1 || { cat "$out/runs.log"; echo "0 passed, 1 failed"; exit 1; }

check "the data fetched and verified" test -s "$out/data/SHA256SUMS"
for m in dense conv2d; do
    for a in bp ff-unsup ff-sup; do
        for s in 1 2; do
            check "$a-$m-seed$s complete" test -s "$results/$a-$m-seed$s/summary.tsv"
        done
    done
done
t=$results/summary.tsv
header="model	algorithm	epochs	seeds	softmax_best_mean	softmax_best_sd	softmax_final_mean	softmax_final_sd	goodness_best_mean	goodness_best_sd	goodness_final_mean	goodness_final_sd	seed_softmax	seed_goodness	seconds_per_run"
check "table header names the stable columns" test "$(head -n 1 "$t")" = "$header"
check "table has six rows, each of 2 seeds" \
    awk -F'\t' 'NR > 1 { n++; if ($4 != 2) bad = 1 } END { exit bad || n != 6 }' "$t"
check "no seed study's number beside it (MNIST's)" \
    awk -F'\t' 'NR > 1 && ($13 != "-" || $14 != "-") { exit 1 }' "$t"
check "accuracies are percentages" awk -F'\t' 'NR > 1 && ($5 < 0 || $5 > 100) { exit 1 }' "$t"
check "bp learns Fashion-MNIST (softmax above twice chance)" \
    awk -F'\t' '$2 == "bp" && $5 <= 40 { exit 1 }' "$t"
check "Markdown rendering beside it" test -s "$results/summary.md"
cfg=$results/ff-sup-dense-seed1/config.txt
check "a run read OUT/data" grep -qx "data $out/data" "$cfg"
check "its classes 0-4 positive, 5-9 negative" \
    sh -c "grep -qx 'positive_digits 0-4' '$cfg' && grep -qx 'negative_digits 5-9' '$cfg'"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    check "it read $f.gz, by its pinned SHA-256" \
        grep -qx "sha256_$f.gz $(sha256sum "$pkg/$f.gz" | cut -d' ' -f1)" "$cfg"
done

# the comparison with itself: the same bits, no published value
quick compare REF_RESULTS="$results" COMPARE="$out/compare.tsv" >"$out/compare.log" 2>&1 ||
    { cat "$out/compare.log"; echo "0 passed, 1 failed"; exit 1; }
check "compare: against itself, the same bits everywhere" \
    test "$(tail -n +2 "$out/compare.tsv" | cut -f 12 | sort | uniq -c | awk '{ $1 = $1 } 1')" = "10 same bits"
check "compare: no published value" awk -F'\t' 'NR > 1 && $9 != "-" { exit 1 }' "$out/compare.tsv"

# the report of OUT: MNIST's part empty, Fashion-MNIST's section
quick report REPORT_DIR="$out/report" >"$out/report.log" 2>&1 ||
    { cat "$out/report.log"; echo "0 passed, 1 failed"; exit 1; }
H=$out/report/report.html
check "the report has a Fashion-MNIST section" grep -q 'id="fashion-mnist"' "$H"
# (as the report shows a path: relative to the project when inside it)
check "it names the results directory" grep -qF "<code>${results#"$(cd "$src" && pwd)/"}</code>" "$H"
check "it says every run was used" grep -q 'id="fashion-results-used"' "$H"
# the rows of the HTML table between the section's accuracy and curves
html_rows() {
    awk '/id="fashion-accuracy"/ { on = 1 } /id="fashion-curves"/ { on = 0 }
        /<tr/ { row = "|"; inrow = 1 } inrow && /<t[dh]/ { c = $0; gsub(/<[^>]*>/, "", c); row = row c "|" }
        /<\/tr>/ { if (on) print row; inrow = 0 }' "$1"
}
html_rows "$H" >"$out/rows"
check "its table has no seed column" \
    test "$(head -n 1 "$out/rows")" = "|model|algorithm|epochs|runs|softmax best|softmax final|goodness best|goodness final|s/run|"
missing=$(awk -F'\t' 'function pm(m) { return $c[m "_mean"] == "-" ? "-" : $c[m "_mean"] \
                                      ($c[m "_sd"] == "-" ? "" : " ± " $c[m "_sd"]) }
    FILENAME == ARGV[1] { rows[$0] = 1; next }
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { r = "|" $c["model"] "|" $c["algorithm"] "|" $c["epochs"] "|" $c["seeds"] "|" pm("softmax_best") \
          "|" pm("softmax_final") "|" pm("goodness_best") "|" pm("goodness_final") "|" \
          $c["seconds_per_run"] "|"
      if (!(r in rows)) printf "%s ", $c["model"] "/" $c["algorithm"] }' "$out/rows" "$t")
check "its table shows summary.tsv row by row ($missing)" test -z "$missing"
for m in dense conv2d; do
    check "a Fashion-MNIST accuracy figure for $m" grep -q "id=\"fig-fashion-acc-$m\"" "$H"
done
check "no placeholder left" sh -c "! grep -q '@@' '$H'"
check "xmllint finds no error" sh -c "xmllint --html --noout '$H' >'$H.xmllint' 2>&1 && [ ! -s '$H.xmllint' ]"

# a directory without Fashion-MNIST runs: no section, no error
mkdir -p "$out/none"
rc=0
make -s -C "$src/report" RESULTS="$out/none" SEEDS="1 2" REPORT_BUILD="$out/report-none" \
    REPORT_HTML="$out/report-none/report.html" >"$out/report-none.log" 2>&1 || rc=$?
check "without Fashion-MNIST results, the report builds" [ "$rc" -eq 0 ]
check "without Fashion-MNIST results, no section" \
    sh -c "! grep -q -e 'id=\"fashion' -e 'Fashion-MNIST' '$out/report-none/report.html'"

check_done
