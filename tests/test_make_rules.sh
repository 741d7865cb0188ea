#!/bin/sh
# test_make_rules.sh SRC OUT - the Makefile's rules around the runs, by
# what `make -n` would run (nothing is trained): a table of complete runs
# needs neither the build nor the data (and follows the run list), a
# missing run needs both; adopt
# refuses a run list set on its command line and takes a whole
# reproduction, at SCALE=paper making the reference's table anew; a settings file that cannot be read, a run without its
# command and an unknown CLUSTER stop make with one line naming them;
# the data is fetched again only when its pinned checksums change;
# paper-table without paper runs says where they go.
set -eu
src=$1 out=$2
rm -rf "$out" && mkdir -p "$out"

. "$(dirname "$0")/check.sh"
. "$(dirname "$0")/dry.sh"
# one_line NAME TEXT: make failed, and its log is one line holding TEXT
one_line() { [ "$rc" -ne 0 ] && [ "$(wc -l <"$out/$1.log")" -eq 1 ] && has "$1" "$2"; }

# the seed study's runs, complete (a summary.tsv each), as a result set
runs=$out/runs
mkdir -p "$runs"
for d in "$src"/results/*-seed[0-9]*; do
    mkdir -p "$runs/${d##*/}" && cp "$d/summary.tsv" "$runs/${d##*/}/"
done
dry table table RESULTS="$runs" DATA="$out/no-data"
check "a table of complete runs: make exits 0" [ "$rc" -eq 0 ]
check "a table of complete runs needs no build" sh -c "! grep -q cmake '$out/table.log'"
check "a table of complete runs fetches no data" sh -c "! grep -q fetch-mnist '$out/table.log'"
check "it is made by awk" has table "scripts/summarize.awk"
# the table follows the run list (made for real: awk alone)
seeds_col() {
    awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seeds") c = i; next }
                { print $c }' "$runs/summary.tsv" | sort -u
}
make -s -C "$src" --no-print-directory table RESULTS="$runs" SEEDS="2 3" >"$out/table2.log" 2>&1
check "make table SEEDS=\"2 3\": every row of two seeds" test "$(seeds_col)" = 2
make -s -C "$src" --no-print-directory table RESULTS="$runs" >"$out/table3.log" 2>&1
check "then make table: every row of three again" test "$(seeds_col)" = 3
rm "$runs/bp-dense-seed1/summary.tsv"
dry missing table RESULTS="$runs" DATA="$out/no-data"
check "a run missing: the build first" has missing "cmake --build /nonexistent/build"
check "a run missing: the data first" has missing "scripts/fetch-mnist.sh $out/no-data"
check "a run missing: that run, and only it" \
    sh -c "[ \$(grep -c -- '--out ' '$out/missing.log') -eq 1 ] && grep -q -- '--out $runs/bp-dense-seed1 ' '$out/missing.log'"

# adopt: a whole reproduction, not one made with a run list of its own
mkdir -p "$out/rep"
cp "$src/results/summary.tsv" "$out/rep/"
dry adopt adopt RESULTS="$out/rep" REF_RESULTS="$out/ref"
check "adopt of a whole reproduction: make exits 0" [ "$rc" -eq 0 ]
dry adopt-paper adopt SCALE=paper RESULTS="$out/rep" REF_RESULTS="$out/ref"
check "adopt at SCALE=paper: the reference's table made anew from its runs, not copied" \
    sh -c "grep -qF -- '>$out/ref/paper-summary.tsv.tmp' '$out/adopt-paper.log' &&
           ! grep '^for f in ' '$out/adopt-paper.log' | grep -q paper-summary"
dry adopt-seeds adopt RESULTS="$out/rep" REF_RESULTS="$out/ref" SEEDS=1
check "adopt with SEEDS set: one line naming SEEDS" \
    one_line adopt-seeds "adopt: SEEDS set on the command line"

# the settings file read by name: a misspelt column, or no file, stops make
printf 'run\tsetting\thypothesis\tprogram\tflag\nff-sup-3x1000\tlr0.02\tsearch\t-\t--lr 0.02\n' \
    >"$out/bad.tsv"
dry bad-settings paper-search SCALE=paper PAPER_SETTINGS="$out/bad.tsv" SEARCH_SEEDS=9
check "a settings file without its column flags: make fails" [ "$rc" -ne 0 ]
check "and plans no run" sh -c "! grep -q -- '--out ' '$out/bad-settings.log'"
check "and says which file and which column" \
    sh -c "grep -q 'no column flags' '$out/bad-settings.log' && grep -q '$out/bad.tsv: not a settings' '$out/bad-settings.log'"
dry no-settings paper-search SCALE=paper PAPER_SETTINGS="$out/none.tsv"
check "no settings file: make fails" [ "$rc" -ne 0 ]

dry no-cmd paper-runs SCALE=paper PAPER_BASE_NAMES=ff-sup-5x500
check "a run without its command: one line naming it" \
    one_line no-cmd "run ff-sup-5x500 (mk/runs.mk or"
dry cluster runs CLUSTER=runs
check "CLUSTER=runs: one line, the choice" one_line cluster "CLUSTER=runs: use slurm"

# the data: fetched when the pinned checksums change, not when the pins are
# only newer (a fresh checkout of them); made for real, on a list alone
# (another list, or a fetch, would fail here: no files to fetch from)
mkdir -p "$out/pins"
cp "$src/scripts/mnist.sha256" "$out/pins/SHA256SUMS"
touch -d '2000-01-01' "$out/pins/SHA256SUMS"
rc=0
make -s -C "$src" --no-print-directory data DATA="$out/pins" MNIST_DIR="$out/none" \
    >"$out/pins.log" 2>&1 || rc=$?
check "the same pins, newer: the data is not fetched again" \
    sh -c "[ $rc -eq 0 ] && ! grep -q fetch-mnist '$out/pins.log'"
check "and the list is newer than the pins now" [ "$out/pins/SHA256SUMS" -nt "$src/scripts/mnist.sha256" ]
touch -d '2000-01-01' "$out/pins/SHA256SUMS"
dry pins-same data DATA="$out/pins"
check "make -n says so: a touch, no fetch" \
    sh -c "grep -q 'touch $out/pins/SHA256SUMS' '$out/pins-same.log' && ! grep -q fetch-mnist '$out/pins-same.log'"
echo "0000  train-images-idx3-ubyte" >"$out/pins/SHA256SUMS"
touch -d '2000-01-01' "$out/pins/SHA256SUMS"
dry pins-changed data DATA="$out/pins"
check "pins that differ from the list: make -n shows the fetch" \
    sh -c "grep -q 'scripts/fetch-mnist.sh $out/pins mnist' '$out/pins-changed.log' && ! grep -q touch '$out/pins-changed.log'"
rc=0
make -s -C "$src" --no-print-directory data DATA="$out/pins" MNIST_DIR="$out/none" \
    >"$out/pins-fetch.log" 2>&1 || rc=$?
check "and make fetches (here from an MNIST_DIR that is not: it fails, naming it)" \
    sh -c "[ $rc -ne 0 ] && grep -q 'MNIST_DIR=$out/none is not a directory' '$out/pins-fetch.log'"

rc=0
make -s -C "$src" --no-print-directory paper-table SCALE=paper RESULTS="$out/no-paper" \
    >"$out/paper-table.log" 2>&1 || rc=$?
check "paper-table without paper runs: it fails, saying where they go" \
    sh -c "[ $rc -ne 0 ] && grep -q 'paper-table: no $out/no-paper/paper: no paper run there' '$out/paper-table.log'"
check "and writes no table" [ ! -e "$out/no-paper/paper-summary.tsv" ]

check_done
