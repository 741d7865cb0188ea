#!/bin/sh
# provenance.sh LIBDIR NAME... -- CONFIG... - is the quoted code what ran?
#
# The report quotes the functions NAME (quote.awk) as they are in LIBDIR's
# tree; each run recorded in its CONFIG the commit it was built from
# ("commit" line, "-dirty" when that tree had uncommitted changes).  Prints
# the state of the tree the report is built from, then a Markdown list
# saying, for each commit the runs name, whether every quoted function is
# there, line for line.  Whole files are not compared: the markers
# themselves, or a change elsewhere in a file, would not be a difference in
# what is shown.
#
# The tree's state is the project's (LIBDIR is its lib/src), as
# ../scripts/source-state.sh defines it, the definition the runs' "commit"
# follows (experiments/source-commit.cmake): changes in results/ and report/
# do not make it "-dirty".  report/Makefile keeps it in a manifest
# (source.txt), so that what this prints is remade when it changes.
set -eu

here=$(dirname "$0")
tree=$(sh "$here/../scripts/source-state.sh" "$here/..")
lib=$1
shift
names=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    names="$names $1"
    shift
done
[ $# -gt 0 ] && shift # the --

if [ $# -eq 0 ]; then
    echo "No complete run: no commit to compare the quoted code with."
    exit 0
fi
if [ "$tree" = unknown ] || ! git -C "$lib" rev-parse --git-dir >/dev/null 2>&1; then
    echo "The report was not built in a git checkout of its sources, so it cannot tell whether the" \
         "quoted code is the code of the runs' commits."
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in $names; do
    awk -v name="$name" -v raw=1 -f "$here/quote.awk" "$lib"/*.c </dev/null >"$tmp/quote.$name"
done
prefix=$(git -C "$lib" rev-parse --show-prefix) # the sources' path in the repository

# "commit runs experiments" for each distinct commit, in the order first seen
commits=$(awk '$1 == "commit" {
                   e = FILENAME; sub(/\/config\.txt$/, "", e); sub(/.*\//, "", e)
                   sub(/-seed[0-9]+$/, "", e)
                   if (!n[$2]++) order[++k] = $2
                   if (index(" " exps[$2] ", ", " " e ", ") == 0)
                       exps[$2] = exps[$2] (exps[$2] == "" ? "" : ", ") e
               }
               END { for (i = 1; i <= k; i++) print order[i], n[order[i]], exps[order[i]] }' "$@")

echo "The code quoted above is cut from the tree this report was built from,"
echo "\`$tree\`. The runs were built from:"
echo
echo "$commits" | while read -r commit runs exps; do
    base=${commit%-dirty}
    if [ "$runs" = 1 ]; then runs="1 run"; else runs="$runs runs"; fi
    what="- \`$commit\` ($runs of $exps):"
    if [ "$base" != "$commit" ]; then
        what="$what a tree with uncommitted changes, which no commit records;"
    fi
    if [ "$commit" = unknown ]; then
        echo "$what no commit recorded."
        continue
    fi
    if ! git -C "$lib" cat-file -e "$base^{commit}" 2>/dev/null; then
        echo "$what not in this repository, no comparison."
        continue
    fi
    : >"$tmp/old" # that commit's sources, one after another
    for f in "$lib"/*.c; do
        if git -C "$lib" show "$base:$prefix$(basename "$f")" >"$tmp/one" 2>/dev/null; then
            cat "$tmp/one" >>"$tmp/old"
        fi
    done
    differ=
    for name in $names; do
        if ! awk 'FILENAME == ARGV[1] { b = b $0 "\n"; next } { o = o $0 "\n" }
                  END { exit !index(o, b) }' "$tmp/quote.$name" "$tmp/old"; then
            differ="$differ $name"
        fi
    done
    if [ -z "$differ" ]; then
        echo "$what every quoted function is there, line for line."
    else
        echo "$what **these quoted functions differ there:$differ.**"
    fi
done
