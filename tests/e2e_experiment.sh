#!/bin/sh
# e2e_experiment.sh PROG DATA OUTDIR - one experiment program, end to end.
#
# Runs PROG (bp_baseline, ff_supervised or ff_unsupervised) for two epochs on
# the synthetic MNIST in DATA and checks the run directory it leaves: the
# three result files, their shape and ranges, the recorded checksums, that a
# rerun with the same seed gives the same curve, and that bad input is
# refused with one line on stderr before anything is written.
# The exit status is the verdict.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: sh e2e_experiment.sh PROG DATA OUTDIR" >&2
    exit 2
fi
PROG=$1 DATA=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)

. "$HERE/coretype.sh"

case $(basename "$PROG") in
bp_baseline) KIND=bp PARTS="train pos,val pos" ;;
ff_supervised | ff_unsupervised) KIND=ff PARTS="train pos,train neg,val pos,val neg" ;;
*) echo "e2e_experiment.sh: unknown program $PROG" >&2; exit 2 ;;
esac

rm -rf "$OUT"
mkdir -p "$OUT"

passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: one verdict
check() {
    check_desc=$1
    shift
    if "$@"; then ok; else fail "$check_desc"; fi
}

EPOCHS=2
run() { # run DIR [extra flags]: the standard short run, status in $rc
    dir=$1
    shift
    rc=0
    "$PROG" --data "$DATA" --out "$dir" --epochs $EPOCHS --eval-every 1 --batch 32 --quiet \
        "$@" >"$dir.stdout" 2>"$dir.stderr" || rc=$?
}

# ---- a normal run ----------------------------------------------------------
R=$OUT/run
run "$R"
check "run exits 0 (got $rc; stderr: $(head -c 300 "$R.stderr"))" [ "$rc" -eq 0 ]
check "run is silent on stderr with --quiet" [ ! -s "$R.stderr" ]

for f in curve.tsv summary.tsv config.txt; do
    check "$f exists" [ -f "$R/$f" ]
    check "$f starts with a '#' header line" sh -c 'head -n 1 "$1" | grep -q "^#"' - "$R/$f"
done

if [ -f "$R/curve.tsv" ]; then
    per_eval=$(echo "$PARTS" | tr ',' '\n' | wc -l)
    want=$((EPOCHS * per_eval))
    got=$(grep -vc '^#' "$R/curve.tsv" || true)
    check "curve.tsv has $want data lines (got $got)" [ "$got" -eq "$want" ]

    # epoch, set, part of each line, in order: every evaluation covers every part
    expect=$(e=0; while [ $e -lt $EPOCHS ]; do
        echo "$PARTS" | tr ',' '\n' | sed "s/^/$e /"; e=$((e + 1)); done)
    got=$(grep -v '^#' "$R/curve.tsv" | awk '{ print $1, $2, $3 }')
    check "curve.tsv lines are epochs 0..$((EPOCHS - 1)) x ($PARTS)" [ "$got" = "$expect" ]

    check "curve.tsv data lines have one field per header column" \
        awk 'NR == 1 { n = NF - 1; next } NF != n { exit 1 }' "$R/curve.tsv"
    # softmax_acc and goodness_acc are the 3rd and 2nd last columns
    check "curve.tsv accuracies are '-' or numbers in [0, 100]" awk '
        /^#/ { next }
        { for (i = NF - 2; i <= NF - 1; i++)
              if ($i != "-" && !($i ~ /^[0-9.]+$/ && $i + 0 >= 0 && $i + 0 <= 100)) exit 1 }
    ' "$R/curve.tsv"
    check "curve.tsv has a softmax accuracy on every positive line" awk '
        !/^#/ && $3 == "pos" && $(NF - 2) !~ /^[0-9.]+$/ { exit 1 }' "$R/curve.tsv"
    check "curve.tsv example counts are positive integers" awk '
        !/^#/ && !($4 ~ /^[0-9]+$/ && $4 > 0) { exit 1 }' "$R/curve.tsv"
fi

if [ -f "$R/summary.tsv" ]; then
    check "summary.tsv has exactly one data line" [ "$(grep -vc '^#' "$R/summary.tsv")" -eq 1 ]
    line=$(grep -v '^#' "$R/summary.tsv" | head -n 1)
    # experiment model seed epochs soft_best soft_best_epoch soft_final
    # good_best good_best_epoch good_final seconds status
    set -f
    set -- $line
    set +f
    check "summary.tsv has 12 fields (got $#: $line)" [ $# -eq 12 ]
    if [ $# -eq 12 ]; then
        check "summary status is learned or chance" sh -c "[ '${12}' = learned ] || [ '${12}' = chance ]"
        check "summary epochs is $EPOCHS" [ "$4" = "$EPOCHS" ]
        check "summary softmax best/final are numbers in [0, 100]" awk -v a="$5" -v b="$7" '
            BEGIN { exit !(a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ &&
                           a <= 100 && b <= 100 && a + 0 >= b + 0) }'
        check "summary softmax best epoch is one of 0..$((EPOCHS - 1))" \
            awk -v e="$6" -v n="$EPOCHS" 'BEGIN { exit !(e ~ /^[0-9]+$/ && e < n) }'
        if [ "$KIND" = bp ]; then
            check "bp summary has '-' for goodness" [ "$8 $9 ${10}" = "- - -" ]
        else
            check "ff summary goodness best/final are numbers in [0, 100]" \
                awk -v a="$8" -v b="${10}" '
                BEGIN { exit !(a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ &&
                               a <= 100 && b <= 100 && a + 0 >= b + 0) }'
        fi
    fi
fi

if [ -f "$R/config.txt" ]; then
    check "config.txt has four sha256_ lines" [ "$(grep -c '^sha256_' "$R/config.txt")" -eq 4 ]
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
        t10k-labels-idx1-ubyte; do
        sum=$(sha256sum "$DATA/$f" | cut -d ' ' -f 1)
        check "config.txt records the sha256 of $f" grep -qx "sha256_$f $sum" "$R/config.txt"
    done
    check "config.txt records the seed" grep -qx 'seed 1' "$R/config.txt"
    check "config.txt records the epochs" grep -qx "epochs $EPOCHS" "$R/config.txt"
    check "config.txt records the cblas" grep -q '^cblas ..*' "$R/config.txt"
fi

# ---- determinism -----------------------------------------------------------
# curve.tsv's seconds are wall-clock time: everything else must match
. "$HERE/nosecs.sh"
run "$OUT/same"
check "rerun exits 0" [ "$rc" -eq 0 ]
if [ -f "$R/curve.tsv" ] && [ -f "$OUT/same/curve.tsv" ]; then
    check "same seed, same curve.tsv (but seconds)" \
        [ "$(nosecs "$R/curve.tsv")" = "$(nosecs "$OUT/same/curve.tsv")" ]
else
    fail "same seed, same curve.tsv: a curve.tsv is missing"
fi
run "$OUT/seed2" --seed 2
check "--seed 2 exits 0" [ "$rc" -eq 0 ]
if [ -f "$R/curve.tsv" ] && [ -f "$OUT/seed2/curve.tsv" ]; then
    check "another seed, another curve.tsv" \
        [ "$(nosecs "$R/curve.tsv")" != "$(nosecs "$OUT/seed2/curve.tsv")" ]
    check "config.txt records seed 2" grep -qx 'seed 2' "$OUT/seed2/config.txt"
else
    fail "another seed, another curve.tsv: a curve.tsv is missing"
fi

check "no *.tmp.* files left by the three runs" [ -z "$(find "$OUT" -name '*.tmp.*')" ]

# ---- bad input -------------------------------------------------------------
# refuse DESC WANT_STATUS PATTERN [flags...]: a non-zero exit (exactly
# WANT_STATUS unless it is 'any'), exactly one line on stderr matching
# PATTERN, and no run directory
n=0
refuse() {
    desc=$1 want=$2 pattern=$3
    shift 3
    desc="bad input: $desc"
    n=$((n + 1))
    dir=$OUT/bad$n
    rc=0
    "$PROG" --data "$DATA" --out "$dir" --epochs 1 --batch 32 --quiet "$@" \
        >"$dir.stdout" 2>"$dir.stderr" || rc=$?
    if [ "$want" = any ]; then
        check "$desc: non-zero exit" [ "$rc" -ne 0 ]
    else
        check "$desc: exit $want (got $rc)" [ "$rc" -eq "$want" ]
    fi
    lines=$(wc -l <"$dir.stderr")
    check "$desc: one line on stderr (got $lines: $(head -c 300 "$dir.stderr"))" \
        [ "$lines" -eq 1 ]
    check "$desc: stderr matches '$pattern'" grep -qi -- "$pattern" "$dir.stderr"
    check "$desc: no run directory created" [ ! -e "$dir" ]
}

refuse "unknown flag" 2 "bogus" --bogus
refuse "--epochs 0" any "epochs" --epochs 0
refuse "--epochs abc" any "epochs" --epochs abc
refuse "--model foo" any "model" --model foo
refuse "--no-test (paper programs only)" any "does not apply" --no-test
refuse "--data /nonexistent" any "make data" --data /nonexistent

# a copy of the data with one file broken
breakcopy() { # breakcopy NAME: a fresh copy of DATA in $OUT/NAME
    rm -rf "${OUT:?}/$1"
    cp -R "$DATA" "$OUT/$1"
}
breakcopy trunc
img=$OUT/trunc/train-images-idx3-ubyte
head -c 100000 "$DATA/train-images-idx3-ubyte" >"$img"
refuse "truncated train-images" any "truncated" --data "$OUT/trunc"

# the training labels rewritten with one label fewer (a valid IDX file whose
# count disagrees with the images)
breakcopy count
lab=$OUT/count/train-labels-idx1-ubyte
size=$(wc -c <"$DATA/train-labels-idx1-ubyte")
m=$((size - 8 - 1))
byte() { printf "\\$(printf %03o "$1")"; }
{
    printf '\000\000\010\001'
    byte $((m / 16777216 % 256)); byte $((m / 65536 % 256))
    byte $((m / 256 % 256)); byte $((m % 256))
    tail -c +9 "$DATA/train-labels-idx1-ubyte" | head -c "$m"
} >"$lab"
check "rewritten label file has $((m + 8)) bytes" [ "$(wc -c <"$lab")" -eq $((m + 8)) ]
refuse "label count differs from image count" any "label count differs" --data "$OUT/count"

# idxset DIR SIZE TRAIN TEST: a valid IDX set of 10 blank SIZE x SIZE images
# as training and as test set, their labels the digits of TRAIN and of TEST
# (ten each)
idxset() {
    mkdir -p "$1"
    for set in train t10k; do
        [ $set = train ] && labels=$3 || labels=$4
        { printf '\000\000\010\003\000\000\000\012\000\000\000'; byte "$2"
          printf '\000\000\000'; byte "$2"
          head -c $((10 * $2 * $2)) /dev/zero; } >"$1/$set-images-idx3-ubyte"
        { printf '\000\000\010\001\000\000\000\012'
          for i in 1 2 3 4 5 6 7 8 9 10; do
              byte "$(printf %s "$labels" | cut -c "$i")"
          done; } >"$1/$set-labels-idx1-ubyte"
    done
}
idxset "$OUT/small" 14 0123456789 0123456789
refuse "images of 14x14" any "images are 14x14; the nets read 28x28" --data "$OUT/small"
idxset "$OUT/upper" 28 7777777777 7777777777
refuse "no image of labels 0-4" any "train-labels-idx1-ubyte: no image of labels 0-4 .*check --data" \
    --data "$OUT/upper"
idxset "$OUT/lower" 28 0123456789 1111111111
refuse "no test image of labels 5-9" any "t10k-labels-idx1-ubyte: no image of labels 5-9 .*check --data" \
    --data "$OUT/lower"

# OpenBLAS's generic kernels asked for on a CPU with wider ones: the run
# warns, naming the family to set (where the CPU has AVX2 or AVX-512:
# coretype.sh's $core)
if [ -n "$core" ]; then
    rc=0
    OPENBLAS_CORETYPE=Prescott "$PROG" --data /nonexistent --out "$OUT/narrow" \
        >/dev/null 2>"$OUT/narrow.stderr" || rc=$?
    check "Prescott kernels: a warning naming OPENBLAS_CORETYPE=$core" \
        grep -q "warning: OpenBLAS runs its Prescott kernels.*set OPENBLAS_CORETYPE=$core\$" \
        "$OUT/narrow.stderr"
fi

rc=0
"$PROG" --help >"$OUT/help.stdout" 2>"$OUT/help.stderr" || rc=$?
check "--help exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "--help prints the defaults" grep -q default "$OUT/help.stdout"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
