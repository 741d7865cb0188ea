#!/bin/sh
# test_paper_protocols.sh SRC OUT - report/paper-table.awk's part=data, the
# two protocols side by side, on copies of committed runs in OUT: a row
# short of the paper on the split is said closed by all the training
# images only when both sides have more than one seed; with one run on
# either side it is "undecided", neither closed nor still short.
set -eu
src=$1 out=$2
. "$(dirname "$0")/check.sh"
rm -rf "$out" && mkdir -p "$out/runs"
runs=$src/results/paper
for s in 1 2 3; do
    cp -r "$runs/ff-sup-4x2000-seed$s" "$out/runs/"
done
cp -r "$runs/ff-sup-4x2000-train60k-seed1" "$out/runs/"

# protocols: the table from the runs in OUT/runs, then the sentence
protocols() {
    awk -f "$src/scripts/columns.awk" -f "$src/scripts/paper-summary.awk" \
        "$src/experiments/reference-paper.tsv" "$out"/runs/*/summary.tsv >"$out/table.tsv"
    awk -v part=data -v table="$out/table.tsv" -f "$src/scripts/columns.awk" \
        -f "$src/report/paper-table.awk" "$src/experiments/reference-paper.tsv" \
        "$out/table.tsv" "$out"/runs/*/summary.tsv >"$out/$1.md"
}

protocols one
check "one run on all the images: undecided" grep -q 'one seed so far, undecided: `ff-sup-4x2000` (goodness)' "$out/one.md"
check "one run on all the images: not said closed" sh -c "! grep -q 'no longer short with all the images: \`ff-sup-4x2000\` (goodness)' '$out/one.md'"

# the same run as three seeds: now it decides
for s in 2 3; do
    cp -r "$out/runs/ff-sup-4x2000-train60k-seed1" "$out/runs/ff-sup-4x2000-train60k-seed$s"
done
protocols three
check "three runs on all the images: closed" grep -q 'no longer short with all the images: `ff-sup-4x2000` (goodness)' "$out/three.md"
check "three runs on all the images: not undecided" sh -c "! grep -q 'undecided' '$out/three.md'"
check_done
