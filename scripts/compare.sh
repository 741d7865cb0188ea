#!/bin/sh
# compare.sh OUT.tsv TABLE REFERENCE_TABLE REFERENCE_RUNS RUN... - a
# reproduction beside its reference.
#
# TABLE is the reproduction's summary.tsv (or paper-summary.tsv), RUN... its
# run directories (<name>-seed<N>/), REFERENCE_TABLE the reference's table of
# the same kind and REFERENCE_RUNS the directory of its runs of the same
# names.  Each run's curve.tsv is compared with the reference run's but for
# its column seconds (the time, which no two runs share; found by its name,
# scripts/columns.awk); then
# compare.awk writes the comparison, one line per row and measure of the
# table (its columns and verdicts are described there), into OUT.tsv, and
# it is printed aligned.
set -eu
here=$(dirname "$0")
die() { echo "compare: $*" >&2; exit 1; }
[ $# -ge 4 ] || die "usage: compare.sh OUT.tsv TABLE REFERENCE_TABLE REFERENCE_RUNS RUN..."
out=$1 table=$2 ref=$3 refruns=$4
shift 4
[ -s "$table" ] || die "no table $table: make the reproduction first (make reproduce)"
[ -s "$ref" ] || die "no reference table $ref: name the reference's directory with REF_RESULTS=DIR"
[ -d "$refruns" ] || die "no reference runs in $refruns: name the reference's directory with REF_RESULTS=DIR"

bits=$(mktemp) curve=$(mktemp)
trap 'rm -f "$bits" "$curve" "$out.tmp"' EXIT
# a curve without its time column (scripts/untimed.awk), as a checksum
untimed() { awk -f "$here/columns.awk" -f "$here/untimed.awk" "$1" >"$curve" && cksum <"$curve"; }
for run in "$@"; do
    name=$(basename "$run")
    [ -s "$run/curve.tsv" ] || die "$run has no curve.tsv: delete the directory and run make reproduce again"
    if [ ! -f "$refruns/$name/curve.tsv" ]; then
        status=absent
    else
        mine=$(untimed "$run/curve.tsv") || exit 1
        theirs=$(untimed "$refruns/$name/curve.tsv") || exit 1
        if [ "$mine" = "$theirs" ]; then status=same; else status=differs; fi
    fi
    echo "$name $status"
done >"$bits"

awk -v bits="$bits" -f "$here/columns.awk" -f "$here/compare.awk" "$table" "$ref" >"$out.tmp"
mv "$out.tmp" "$out"
echo "compare: $table beside $ref ($out)"
awk -f "$here/show-tsv.awk" "$out"
