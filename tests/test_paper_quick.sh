#!/bin/sh
# test_paper_quick.sh SRC BUILD OUT - the SCALE=paper pipeline, end to end,
# in miniature on the real MNIST (a failure when it is absent):
# the epoch benchmark for one batch (and evaluations of 200 images), the
# products' benchmark for short rounds, every paper run with a small net
# (the local net at its fixed size) for two epochs on a slice, each on the split of the search and on all
# training images (-train60k), the long runs (make paper-long) on the split,
# then the paper table, then a search on
# validation of three settings and the paper-gap table.  Checks that each
# run completes, that the table has its stable columns and one row per run,
# protocol and readout, that the search's table has its rows and its runs
# left the test set out, and that the paper-gap table has a row per net's
# reference and per setting.
set -eu
src=$1 build=$2 out=$3
data=$src/data/mnist
[ -f "$data/SHA256SUMS" ] || { echo "no MNIST in $data: run 'make data' (make test does it)"; exit 1; }

. "$(dirname "$0")/check.sh"

rm -rf "$out"
make -s -C "$src" paper-bench paper-runs paper-long paper-table SCALE=paper PAPER_BENCH_BATCHES=1 \
    PAPER_BENCH_EVAL=200 \
    BLAS_SHAPES_GFLOP=0.02 BUILD="$build" RESULTS="$out" \
    DATA="$data" PAPER_SEEDS=1 PAPER_THREADS=1 \
    PAPER_FLAGS="--epochs 2 --eval-every 1 --train-limit 2000 --val-limit 500" \
    PAPER_NET_FLAGS="--layers 3 --units 64" \
    >"$out.log" 2>&1 || { cat "$out.log"; echo "0 passed, 1 failed"; exit 1; }

# the paper's runs as the Makefiles list them, and the table's rows they
# make: each run's readouts in the reference, on both protocols; each long
# run's (make paper-long) on the split only
. "$(dirname "$0")/runs_mk.sh"
names=$(runs_mk PAPER_BASE_NAMES)
long=$(runs_mk PAPER_LONG_NAMES)
rows=$(awk -v names=" $names " -v long=" $long " '!/^#/ && $1 != "run" && index(names, " " $1 " ") { n += 2 }
                                 !/^#/ && $1 != "run" && index(long, " " $1 " ") { n++ }
                                 END { print n }' "$src/experiments/reference-paper.tsv")
for r in $names; do
    check "$r complete" test -s "$out/paper/$r-seed1/summary.tsv"
    check "$r-train60k complete, without a validation set" \
        grep -qx 'val 0' "$out/paper/$r-train60k-seed1/config.txt"
done
check "the local net's run is the paper's local net, not the small nets of the others" \
    sh -c "grep -qx 'model local' '$out/paper/ff-unsup-local-seed1/config.txt' &&
           grep -qx 'parameters 3087646' '$out/paper/ff-unsup-local-seed1/config.txt'"
header="run	readout	epochs	seeds	test_error_mean	test_error_sd	paper_value	minutes_per_run	n_train"
check "table header names the stable columns" test "$(head -n 1 "$out/paper-summary.tsv")" = "$header"
check "table has a row per run, protocol and readout ($rows)" \
    test "$(tail -n +2 "$out/paper-summary.tsv" | wc -l)" -eq "$rows"
check "every row has 9 fields" awk -F'\t' 'NR > 1 && NF != 9 { exit 1 }' "$out/paper-summary.tsv"
for r in $long; do
    check "the long run $r complete, and its rows in the table" \
        sh -c "test -s '$out/paper/$r-seed1/summary.tsv' &&
               test \$(grep -c '^$r	' '$out/paper-summary.tsv') -eq 2"
done
check "each base run's row, then its -train60k row, both on the 2000 images of the slice" \
    awk -F'\t' -v long=" $long " 'NR == 1 || index(long, " " $1 " ") { next }
        ($1 ~ /-train60k$/) != (++n % 2 == 0) || $9 != 2000 { exit 1 }' \
    "$out/paper-summary.tsv"
check "errors are percentages" awk -F'\t' 'NR > 1 && !($5 >= 0 && $5 <= 100) { exit 1 }' "$out/paper-summary.tsv"
backends=$(grep -c '^# [a-z]*-[a-z0-9]*: ' "$out/bench/paper_epoch.txt")
check "the epoch benchmark names its backends, the fp32 reference first ($backends)" \
    sh -c "test $backends -ge 1 && grep '^# [a-z]*-[a-z0-9]*: ' '$out/bench/paper_epoch.txt' |
           head -n 1 | grep -q '^# cblas-fp32: '"
check "the epoch benchmark has its four nets in each backend, each with an evaluation's time" \
    test "$(grep -c ' s/epoch .* s/eval' "$out/bench/paper_epoch.txt")" -eq $((4 * backends))
check "the products' benchmark has its 11 products, each at a positive rate in every column" \
    test "$(awk '$1 == "product" { nm = NF - 6; next }
                 nm && $(NF - nm - 1) == "x" && $(NF - nm - 3) == "x" {
                     for (i = NF - nm + 1; i <= NF; i++) if (!($i + 0 > 0)) next
                     n++ }
                 END { print n + 0 }' "$out/bench/blas_shapes.txt")" -eq 11
check "the paper's values beside ours" grep -q '^ff-sup-4x2000	goodness	.*	1.36	' "$out/paper-summary.tsv"
check "and beside the runs on all training images" \
    grep -q '^ff-sup-4x2000-train60k	goodness	.*	1.36	' "$out/paper-summary.tsv"

# the search on validation, a setting of two nets and the unsupervised
# proxy's reference, beside the reference runs above; the paper-gap table
make -s -C "$src" paper-search paper-ablation SCALE=paper BUILD="$build" RESULTS="$out" \
    DATA="$data" PAPER_THREADS=1 SEARCH_SEEDS=1 \
    SEARCH_SETTINGS="ff-sup-3x1000/lr0.02 bp/lr0.002 ff-unsup-3x1000/reference" \
    PAPER_FLAGS="--epochs 2 --eval-every 1 --train-limit 2000 --val-limit 500" \
    PAPER_NET_FLAGS="--layers 3 --units 64" \
    >"$out.search.log" 2>&1 || { cat "$out.search.log"; echo "0 passed, 1 failed"; exit 1; }
search=$out/paper-search.tsv
check "search header" test "$(head -n 1 "$search")" = \
    "run	setting	seed	epochs	val_error_softmax	val_error_goodness	minutes"
check "search: each net's reference and its setting" \
    test "$(tail -n +2 "$search" | cut -f 1,2 | sort | tr '\t\n' '/ ')" = \
    "bp/lr0.002 bp/reference ff-recurrent/reference ff-sup-3x1000/lr0.02 ff-sup-3x1000/reference ff-sup-4x2000/reference ff-unsup-3x1000/reference ff-unsup-4x2000/reference ff-unsup-local/reference "
check "search: errors are percentages" \
    awk -F'\t' 'NR > 1 && !($5 >= 0 && $5 <= 100 && ($6 == "-" || $6 >= 0 && $6 <= 100)) { exit 1 }' \
    "$search"
check "search: three runs, none saw the test set" test \
    "$(cat "$out"/paper-search/*/config.txt | grep -c '^test_evaluated 0$')/$(ls "$out/paper-search" | wc -l)" = 3/3
ablation=$out/paper-ablation.tsv
check "paper-gap header" test "$(head -n 1 "$ablation")" = \
    "hypothesis	setting	net	seeds	val_error_softmax_mean	val_error_softmax_sd	val_error_goodness_mean	val_error_goodness_sd	minutes	diff_softmax	diff_goodness	noise_sd	verdict	flags"
check "paper-gap: each net's reference, then its settings" \
    test "$(tail -n +2 "$ablation" | cut -f 1-4 | tr '\t\n' '/ ')" = \
    "reference/reference/bp/1 search/lr0.002/bp/1 reference/reference/ff-recurrent/1 reference/reference/ff-sup-3x1000/1 search/lr0.02/ff-sup-3x1000/1 reference/reference/ff-sup-4x2000/1 reference/reference/ff-unsup-4x2000/1 reference/reference/ff-unsup-local/1 reference/reference/ff-unsup-3x1000/1 "
check "paper-gap: a single seed gets no verdict" \
    awk -F'\t' '$2 == "lr0.02" && $13 != "one seed" { exit 1 }' "$ablation"

check_done
