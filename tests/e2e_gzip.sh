#!/bin/sh
# e2e_gzip.sh PROG DATA OUTDIR - an experiment program on the MNIST files
# gzipped gives the same curve as on the raw files.
#
# Writes the four files of DATA (the real MNIST: a failure when it is
# absent) gzipped into OUTDIR/gz (gzip -c: the originals are kept), runs
# PROG briefly on DATA and on OUTDIR/gz, and compares the two curve.tsv but
# for their last column (seconds); the comparison is shown to catch one
# changed value.  config.txt must name the file read in its sha256 lines,
# with that file's checksum as it is on disk.  A directory holding both the
# raw and the gzipped files (OUTDIR/both) reads the raw ones; one whose
# gzipped training images, or labels, are cut short is refused with the
# reason, naming that file alone.
# The exit status is the verdict.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: sh e2e_gzip.sh PROG DATA OUTDIR" >&2
    exit 2
fi
PROG=$1 OUT=$3
[ -f "$2/SHA256SUMS" ] || { echo "no MNIST in $2: run 'make data' (make test does it)"; exit 1; }
DATA=$(cd "$2" && pwd)

. "$(dirname "$0")/check.sh"
. "$(dirname "$0")/nosecs.sh"

files="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
rm -rf "$OUT"
mkdir -p "$OUT/gz" "$OUT/both" "$OUT/cut" "$OUT/cutlab"
for f in $files; do
    gzip -c "$DATA/$f" >"$OUT/gz/$f.gz"
    ln -s "$OUT/gz/$f.gz" "$OUT/both/$f.gz"
    ln -s "$OUT/gz/$f.gz" "$OUT/cut/$f.gz"
    ln -s "$OUT/gz/$f.gz" "$OUT/cutlab/$f.gz"
    ln -s "$DATA/$f" "$OUT/both/$f"
done
rm "$OUT/cut/train-images-idx3-ubyte.gz" "$OUT/cutlab/train-labels-idx1-ubyte.gz"
head -c 100000 "$OUT/gz/train-images-idx3-ubyte.gz" >"$OUT/cut/train-images-idx3-ubyte.gz"
head -c 10000 "$OUT/gz/train-labels-idx1-ubyte.gz" >"$OUT/cutlab/train-labels-idx1-ubyte.gz"

run() { # run NAME DATADIR: a short run into OUT/run-NAME, status in $rc
    rc=0
    "$PROG" --data "$2" --out "$OUT/run-$1" --epochs 1 --train-limit 1000 --val-limit 200 \
        --units 32 --threads 1 --quiet >"$OUT/run-$1.log" 2>&1 || rc=$?
}
# same_curve A B: the curves of runs A and B agree but for the seconds
same_curve() {
    [ "$(nosecs "$OUT/run-$1/curve.tsv")" = "$(nosecs "$OUT/run-$2/curve.tsv")" ]
}
sum() { sha256sum "$1" | cut -d ' ' -f 1; }

for r in raw gz both; do
    case $r in raw) dir=$DATA ;; *) dir=$OUT/$r ;; esac
    run "$r" "$dir"
    check "run on $r data exits 0 (got $rc; $(head -c 300 "$OUT/run-$r.log"))" [ "$rc" -eq 0 ]
    check "run on $r data leaves a curve" test -s "$OUT/run-$r/curve.tsv"
done

check "the curve on gzipped files is the raw files' but for the seconds" same_curve raw gz
check "the curve on raw files beside gzipped ones is the raw files'" same_curve raw both
mkdir "$OUT/run-altered"
awk 'NR == 2 { $4 = $4 + 1 } { print }' "$OUT/run-raw/curve.tsv" >"$OUT/run-altered/curve.tsv"
check "the comparison catches one changed value" eval '! same_curve raw altered'

for f in $files; do
    check "raw run: config.txt names $f with its checksum" \
        grep -qx "sha256_$f $(sum "$DATA/$f")" "$OUT/run-raw/config.txt"
    check "gzipped run: config.txt names $f.gz with its checksum" \
        grep -qx "sha256_$f.gz $(sum "$OUT/gz/$f.gz")" "$OUT/run-gz/config.txt"
    check "both: config.txt names the raw $f" \
        grep -qx "sha256_$f $(sum "$DATA/$f")" "$OUT/run-both/config.txt"
done
check "gzipped run: four sha256 lines" [ "$(grep -c '^sha256_.*\.gz ' "$OUT/run-gz/config.txt")" -eq 4 ]
check "both: no gzipped file named" eval '! grep -q "^sha256_.*\.gz " "$OUT/run-both/config.txt"'

run cut "$OUT/cut"
check "a gzipped file cut short is refused" [ "$rc" -ne 0 ]
check "with the reason, naming the file (got: $(head -c 300 "$OUT/run-cut.log"))" \
    grep -q "error: .*/train-images-idx3-ubyte.gz: gzip file is truncated" "$OUT/run-cut.log"
check "and no run directory" [ ! -e "$OUT/run-cut" ]
run cutlab "$OUT/cutlab"
log=$OUT/run-cutlab.log
check "gzipped labels cut short: refused, naming that file alone ($(head -c 300 "$log"))" \
    sh -c "[ $rc -ne 0 ] && ! grep -q 'train-images' '$log' &&
           grep -q 'error: .*/train-labels-idx1-ubyte.gz: gzip file is truncated' '$log'"

check_done
