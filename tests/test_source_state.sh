#!/bin/sh
# test_source_state.sh SRC OUT - scripts/source-state.sh, the one
# definition of the sources' state (the runs' config.txt commit, the
# report's provenance), on repositories made in OUT: a clean checkout is
# its commit; a change to a tracked file outside results/ and report/
# makes it -dirty, one inside them does not, nor does an untracked file; a
# directory that is no repository, or one inside another repository's
# tree, or a repository without a commit, is "unknown".
set -eu
src=$1 out=$2
rm -rf "$out" && mkdir -p "$out"

. "$(dirname "$0")/check.sh"
state() { sh "$src/scripts/source-state.sh" "$1"; }
# commit_in DIR: a commit of everything in DIR, by a test author
commit_in() { git -C "$1" add . && git -C "$1" -c user.name=t -c user.email=t@t commit -q -m "$2"; }

r=$out/repo
mkdir -p "$r/lib" "$r/results" "$r/report"
echo a >"$r/lib/a.c" && echo r >"$r/results/x.tsv" && echo h >"$r/report/report.html"
git init -q "$r"
check "a repository without a commit: unknown" test "$(state "$r")" = unknown
commit_in "$r" one
head=$(git -C "$r" rev-parse HEAD)
check "a clean checkout: its commit" test "$(state "$r")" = "$head"
echo b >>"$r/results/x.tsv" && echo i >>"$r/report/report.html"
check "results/ and report/ changed: still clean" test "$(state "$r")" = "$head"
echo new >"$r/lib/new.c"
check "an untracked file: still clean" test "$(state "$r")" = "$head"
echo b >>"$r/lib/a.c"
check "a tracked source changed: -dirty" test "$(state "$r")" = "$head-dirty"
git -C "$r" checkout -q -- lib/a.c
check "the change undone: clean again" test "$(state "$r")" = "$head"

mkdir -p "$out/plain"
check "no repository: unknown" test "$(state "$out/plain")" = unknown
mkdir -p "$r/unpacked/lib"
check "a tree inside another repository's: unknown" test "$(state "$r/unpacked")" = unknown

check_done
