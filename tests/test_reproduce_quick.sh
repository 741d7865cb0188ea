#!/bin/sh
# test_reproduce_quick.sh SRC BUILD OUT - the reproduce pipeline, end to end,
# at SCALE=quick on the real MNIST (skipped, status 77, when it is absent).
#
# Checks that every run of the table completes, that the table has its
# stable columns and one row per model and algorithm, and that a second
# invocation runs nothing again (make's own dependency logic).
set -eu
src=$1 build=$2 out=$3
data=$src/data/mnist
[ -f "$data/SHA256SUMS" ] || { echo "no MNIST in $data (make data): skipped"; exit 77; }

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

check_done
