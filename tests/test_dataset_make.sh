#!/bin/sh
# test_dataset_make.sh SRC OUT - the Makefile's DATASET, by what `make -n`
# would run: mnist (the default) keeps data/mnist and results/ as they
# were; fashion-mnist selects data/fashion-mnist, fetches it from the
# Debian package's files, and puts its runs, its table (without the seed
# study's MNIST numbers) and its comparison under fashion-mnist/; its report
# is that of the directory around them; an unknown DATASET, and
# SCALE=paper on Fashion-MNIST, are one-line errors.  Nothing is run.
set -eu
src=$1 out=$2
rm -rf "$out" && mkdir -p "$out"

. "$(dirname "$0")/check.sh"
. "$(dirname "$0")/dry.sh"
# runs_in NAME DIR DATA: every run make -n would start writes into DIR, from DATA
runs_in() {
    awk -v dir="$2" -v data="$3" '/--out / { n++
            for (i = 1; i < NF; i++) { if ($i == "--out") o = $(i + 1); if ($i == "--data") d = $(i + 1) }
            if (index(o, dir "/") != 1 || o ~ /fashion-mnist.*fashion-mnist/ || d != data) bad++ }
        END { exit !(n == 18 && !bad) }' "$out/$1.log"
}

dry mnist-runs runs
check "default: runs exit 0" [ "$rc" -eq 0 ]
check "default: the 18 runs into build/results, from data/mnist" \
    runs_in mnist-runs /nonexistent/build/results data/mnist
check "default: no run under fashion-mnist/" sh -c "! grep -q fashion '$out/mnist-runs.log'"
dry mnist-data data DATA="$out/none"
check "default: data fetches MNIST" has mnist-data "scripts/fetch-mnist.sh $out/none mnist"

dry fm-runs runs DATASET=fashion-mnist
check "fashion-mnist: runs exit 0" [ "$rc" -eq 0 ]
check "fashion-mnist: the 18 runs into build/results/fashion-mnist, from data/fashion-mnist" \
    runs_in fm-runs /nonexistent/build/results/fashion-mnist data/fashion-mnist
dry fm-data data DATASET=fashion-mnist DATA="$out/none"
check "fashion-mnist: data fetches Fashion-MNIST" has fm-data "scripts/fetch-mnist.sh $out/none fashion-mnist"

dry fm-quick runs SCALE=quick DATASET=fashion-mnist
check "fashion-mnist, SCALE=quick: runs into build/results-quick/fashion-mnist" \
    has fm-quick "--out /nonexistent/build/results-quick/fashion-mnist/ff-sup-conv2d-seed2 --quiet --epochs 10"

dry fm-table table DATASET=fashion-mnist RESULTS="$out/fm"
check "fashion-mnist: the table without the seed study's numbers (-v dataset)" \
    has fm-table "-v dataset=fashion-mnist"
check "fashion-mnist: the table in RESULTS" has fm-table "$out/fm/summary.tsv.tmp $out/fm/summary.tsv"
dry mnist-table table RESULTS="$out/m"
check "default: the table with them (-v dataset=mnist)" has mnist-table "-v dataset=mnist"

dry fm-report report DATASET=fashion-mnist RESULTS=/tmp/r/fashion-mnist
check "fashion-mnist: the report of the directory around the runs" \
    has fm-report "RESULTS=/tmp/r SEEDS="
check "fashion-mnist: the runs its Fashion-MNIST section" has fm-report "FASHION_RESULTS=/tmp/r/fashion-mnist"
dry fm-reference report DATASET=fashion-mnist
check "fashion-mnist: the reference's report is report/report.html (of results/)" \
    sh -c "grep -F 'RESULTS=$src/results SEEDS=' '$out/fm-reference.log' | grep -vq REPORT_HTML="
check "fashion-mnist: its reference, results/fashion-mnist" \
    has fm-reference "FASHION_RESULTS=$src/results/fashion-mnist"

# make reproduce: no epoch benchmark, and no comparison without a reference table
dry fm-reproduce reproduce DATASET=fashion-mnist REF_RESULTS="$out/no-reference"
check "fashion-mnist: reproduce runs no benchmark" sh -c "! grep -Eq 'make (-j1 )?bench' '$out/fm-reproduce.log'"
check "fashion-mnist: no reference table, no comparison" \
    sh -c "grep -q 'reproduce: table in' '$out/fm-reproduce.log' && ! grep -q 'make -s compare' '$out/fm-reproduce.log'"
mkdir -p "$out/reference" && : >"$out/reference/summary.tsv"
dry fm-compared reproduce DATASET=fashion-mnist REF_RESULTS="$out/reference"
check "fashion-mnist: a reference table, a comparison" has fm-compared "make -s compare"

dry unknown runs DATASET=kmnist
check "an unknown DATASET fails" [ "$rc" -ne 0 ]
check "an unknown DATASET: one line naming it and the choices" \
    test "$(cat "$out/unknown.log")" = "Makefile:$(grep -n 'use mnist or fashion-mnist)' "$src/Makefile" | cut -d: -f1): *** DATASET=kmnist: use mnist or fashion-mnist.  Stop."
dry paper paper-runs SCALE=paper DATASET=fashion-mnist
check "SCALE=paper on Fashion-MNIST fails, in one line" \
    sh -c "[ $rc -ne 0 ] && [ \$(wc -l <'$out/paper.log') -eq 1 ] && grep -q 'SCALE=paper runs on MNIST only' '$out/paper.log'"

check_done
