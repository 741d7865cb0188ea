#!/bin/sh
# test_reproduce_quick.sh SRC BUILD OUT - the reproduce pipeline, end to end,
# at SCALE=quick on the real MNIST (a failure when it is absent).
#
# Checks that every run of the table completes, that the table has its
# stable columns and one row per model and algorithm, and that a second
# invocation runs nothing again (make's own dependency logic).  Then the
# comparison with a reference (make compare): the reproduction against
# itself (same bits), against a copy with one curve value altered (not the
# same bits) or only its time column (the same bits), and against a copy
# whose table's means are shifted (outside, and by how far).
set -eu
src=$1 build=$2 out=$3
data=$src/data/mnist
[ -f "$data/SHA256SUMS" ] || { echo "no MNIST in $data: run 'make data' (make test does it)"; exit 1; }

. "$(dirname "$0")/check.sh"

rm -rf "$out"
make -s -C "$src" runs table SCALE=quick BUILD="$build" RESULTS="$out" DATA="$data" -j2 >"$out.log" 2>&1 ||
    { cat "$out.log"; echo "0 passed, 1 failed"; exit 1; }

for m in dense conv2d; do
    for a in bp ff-unsup ff-sup; do
        for s in 1 2; do
            check "$a-$m-seed$s complete" test -s "$out/$a-$m-seed$s/summary.tsv"
        done
    done
done
header="model	algorithm	epochs	seeds	softmax_best_mean	softmax_best_sd	softmax_final_mean	softmax_final_sd	goodness_best_mean	goodness_best_sd	goodness_final_mean	goodness_final_sd	seed_softmax	seed_goodness	seconds_per_run"
check "table header names the stable columns" test "$(head -n 1 "$out/summary.tsv")" = "$header"
check "table has six rows" test "$(tail -n +2 "$out/summary.tsv" | wc -l)" -eq 6
check "every row has 15 fields" awk -F'\t' 'NR > 1 && NF != 15 { exit 1 }' "$out/summary.tsv"
check "every row averages 2 seeds" awk -F'\t' 'NR > 1 && $4 != 2 { exit 1 }' "$out/summary.tsv"
check "bp rows have no goodness" awk -F'\t' 'NR > 1 && $2 == "bp" && $9 != "-" { exit 1 }' "$out/summary.tsv"
check "accuracies are percentages" awk -F'\t' 'NR > 1 && ($5 < 0 || $5 > 100) { exit 1 }' "$out/summary.tsv"
check "Markdown rendering beside it" test -s "$out/summary.md"

# the second time with data fetched afresh (newer files, same checksums),
# as on a fresh clone after `make data`: finished runs must still stand
fresh=$out.data
rm -rf "$fresh" && mkdir -p "$fresh"
for f in "$data"/*-ubyte; do ln -s "$f" "$fresh/"; done
sleep 1 && cp "$data/SHA256SUMS" "$fresh/"
stamp=$(ls -l --time-style=+%s.%N "$out"/*/summary.tsv | md5sum)
make -C "$src" runs table SCALE=quick BUILD="$build" RESULTS="$out" DATA="$fresh" >"$out.log2" 2>&1
check "a second reproduce runs nothing" test "$(ls -l --time-style=+%s.%N "$out"/*/summary.tsv | md5sum)" = "$stamp"
check "a second reproduce starts no program" sh -c "! grep -q -- '--out ' '$out.log2'"

# the comparison: compare QUICK_REFERENCE NAME runs make compare against it
# into $out.cmp/NAME.tsv (output in NAME.log); verdict ROW MEASURE prints
# that line's verdict
cmp=$out.cmp
rm -rf "$cmp" && mkdir -p "$cmp"
compare() {
    make -s -C "$src" compare SCALE=quick BUILD="$build" RESULTS="$out" REF_RESULTS="$1" \
        COMPARE="$cmp/$2.tsv" >"$cmp/$2.log" 2>&1
}
verdict() { awk -F'\t' -v row="$2" -v m="$3" '$1 == row && $2 == m { print $12 }' "$cmp/$1.tsv"; }
verdicts() { tail -n +2 "$cmp/$1.tsv" | cut -f 12 | sort | uniq -c | awk '{ $1 = $1 } 1' | tr '\n' ','; }

compare "$out" self || { cat "$cmp/self.log"; echo "0 passed, 1 failed"; exit 1; }
check "compare: header names the stable columns" test "$(head -n 1 "$cmp/self.tsv")" = \
    "row	measure	seeds	reproduced_mean	reproduced_sd	reference_seeds	reference_mean	reference_sd	published	difference	distance_sd	verdict"
check "compare: a line per row and measure (bp has no goodness)" \
    test "$(tail -n +2 "$cmp/self.tsv" | cut -f 1,2 | tr '\t\n' '/ ')" = \
    "dense/bp/softmax_best dense/ff-unsup/softmax_best dense/ff-unsup/goodness_best dense/ff-sup/softmax_best dense/ff-sup/goodness_best conv2d/bp/softmax_best conv2d/ff-unsup/softmax_best conv2d/ff-unsup/goodness_best conv2d/ff-sup/softmax_best conv2d/ff-sup/goodness_best "
check "compare: against itself, the same bits everywhere" test "$(verdicts self)" = "10 same bits,"
check "compare: the seed study's values beside" test "$(verdict self dense/ff-sup softmax_best)" = "same bits" -a \
    "$(awk -F'\t' '$1 == "dense/ff-sup" && $2 == "softmax_best" { print $9 }' "$cmp/self.tsv")" = \
    "$(awk -F'\t' '$1 == "dense" && $2 == "ff-sup" { print $4 }' "$src/experiments/reference-seed.tsv")"
check "compare: printed, aligned" grep -q '^conv2d/ff-sup  *goodness_best .* same bits$' "$cmp/self.log"

# one curve value altered in one run, only the time column in another
altered=$cmp/altered
cp -R "$out" "$altered"
f=$altered/ff-sup-dense-seed1/curve.tsv
awk 'NR == 3 { $5 = $5 + 0.001 } 1' "$f" >"$f.new" && mv "$f.new" "$f"
f=$altered/bp-conv2d-seed2/curve.tsv
awk '!/^#/ { $NF = $NF + 7 } 1' "$f" >"$f.new" && mv "$f.new" "$f"
compare "$altered" altered || { cat "$cmp/altered.log"; echo "0 passed, 1 failed"; exit 1; }
check "compare: one curve value altered, not the same bits (its table is)" \
    test "$(verdict altered dense/ff-sup softmax_best)/$(verdict altered dense/ff-sup goodness_best)" = \
    "within spread/within spread"
check "compare: only the time column altered, the same bits" \
    test "$(verdict altered conv2d/bp softmax_best)" = "same bits"
check "compare: the other rows still the same bits" test "$(verdicts altered)" = "8 same bits,2 within spread,"

# the reference's table with every mean shifted by 3 of its sd (0.01 at
# least), columns found by name: outside, 3 sd away
shifted=$cmp/shifted
cp -R "$out" "$shifted"
awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
        for (i = 1; i <= NF; i++) if ($i ~ /_mean$/) { n = $i; sub(/_mean$/, "_sd", n); sd[i] = c[n] }
        print; next }
    { for (i in sd) if ($i != "-") { s = $(sd[i]); if (s == "-" || s < 0.01) s = 0.01
                                     $i = sprintf("%.2f", $i + 3 * s) }
      print }' "$out/summary.tsv" >"$shifted/summary.tsv"
compare "$shifted" shifted || { cat "$cmp/shifted.log"; echo "0 passed, 1 failed"; exit 1; }
check "compare: means shifted, outside everywhere" test "$(verdicts shifted)" = "10 outside,"
check "compare: how far outside: 3 reference sd, the difference negative" \
    awk -F'\t' 'NR > 1 && !($11 == "3.00" && $10 < 0 &&
          ($10 + 3 * ($8 < 0.01 ? 0.01 : $8)) ^ 2 < 0.005 ^ 2) { exit 1 }' \
    "$cmp/shifted.tsv"

# bad input: a reference without a table
status=0
compare "$cmp/none" none || status=$?
check "compare: no reference table, a failure" test "$status" -ne 0
check "compare: no reference table, one line naming it and the fix" \
    test "$(grep -c '^compare: no reference table .*/none/summary.tsv: .*REF_RESULTS=' "$cmp/none.log")" -eq 1

check_done
