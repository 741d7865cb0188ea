#!/bin/sh
# e2e_local.sh PROG OTHER EVALUATE HEAD DATA OUTDIR - paper_ff_unsupervised
# --local (PROG): the paper's net of local receptive fields, end to end.
#
# OTHER is paper_ff_supervised (which must refuse --local), EVALUATE
# ff_evaluate, HEAD ff_head, DATA the synthetic MNIST.  Checks, on short
# runs with the paper's local net (ff/paper.h) at full size:
#   - the run exits 0 and writes its files; summary.tsv names the model
#     "local", 3 layers and no one width ('-'); config.txt records the net
#     (model local, layers 3, units -, readout_from 1: all three layers by
#     default), a line describing it, and each layer's grid, channels,
#     receptive field, stride and parameters;
#   - the same seed gives the same curve (1 and 2 threads), another seed
#     another; --readout-from 2 reads layers 2-3 (config and another curve);
#   - stopped twice by SIGTERM and resumed, the same model, curve and
#     summary as a run never stopped; the checkpoint is refused by the same
#     command without --local (another configuration);
#   - a NaN in layer 1 stops the run naming epoch, batch and layer;
#   - ff_evaluate on the model prints the last evaluation exactly, and
#     ff_head's saved head scores what the run recorded;
#   - the default run directory is named after the model (local);
#   - refusals, one line each, nothing written: --layers, --units, --model
#     with --local; --readout-from 4; --local in paper_ff_supervised.
# The exit status is the verdict.
set -eu
[ $# -eq 6 ] || { echo "usage: sh e2e_local.sh PROG OTHER EVALUATE HEAD DATA OUTDIR" >&2; exit 2; }
PROG=$1 OTHER=$2 EVALUATE=$3 HEAD=$4 DATA=$5 OUT=$6
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/coretype.sh"
. "$HERE/check.sh"

run() { # run DIR [flags]: a short run of the local net, status in $rc
    dir=$1
    shift
    rc=0
    "$PROG" --local --data "$DATA" --out "$dir" --epochs 3 --eval-every 1 --batch 20 \
        --val-split 200 --train-limit 200 --val-limit 100 --checkpoint-every 1 --quiet "$@" \
        >"$dir.out" 2>"$dir.err" || rc=$?
}
. "$HERE/nosecs.sh"
. "$HERE/rows.sh"
same_curve() { [ "$(nosecs "$1/curve.tsv")" = "$(nosecs "$2/curve.tsv")" ]; }
differ() { ! same_curve "$1" "$2"; }
refused() { # refused DIR: exit 1, one line, nothing written
    [ "$rc" -eq 1 ] && [ "$(wc -l <"$1.err")" -eq 1 ] && [ ! -e "$1" ]
}

rm -rf "$OUT"
mkdir -p "$OUT"
run "$OUT/a"
check "run exits 0 ($(head -c 200 "$OUT/a.err"))" [ "$rc" -eq 0 ]
for f in curve.tsv summary.tsv config.txt model.ffm; do
    check "$f written" test -s "$OUT/a/$f"
done
check "curve: three layers' losses" grep -q '^# epoch set part n loss_1 loss_2 loss_3 head_loss ' "$OUT/a/curve.tsv"
check "one validation line per epoch, one test line last" sh -c \
    "[ \$(grep -c '^[0-9]* val all ' '$OUT/a/curve.tsv') -eq 3 ] && tail -n 1 '$OUT/a/curve.tsv' | grep -q '^2 test all '"
check "summary: model local, 3 layers, no one width, 16 columns" \
    every_row "$OUT/a/summary.tsv" 'NF == 16 && col("experiment") == "paper-ff-unsup" &&
        col("model") == "local" && col("layers") == 3 && col("units") == "-"'
check "the net learns the synthetic classes (validation above 50%)" \
    every_row "$OUT/a/summary.tsv" 'col("softmax_final") > 50'
for line in 'model local' 'layers 3' 'units -' 'readout_from 1' \
    'net locally connected, no weight sharing: 4x4x128 3x3x220 2x2x512' \
    'layer_1 local grid=4x4 channels=128 receptive_field=10x10x1 stride=6 units=2048 parameters=206848' \
    'layer_2 local grid=3x3 channels=220 receptive_field=2x2x128 stride=1 units=1980 parameters=1015740' \
    'layer_3 local grid=2x2 channels=512 receptive_field=2x2x220 stride=1 units=2048 parameters=1804288' \
    'parameters 3087646' 'negatives hybrid_images'; do
    check "config: $line" grep -qx "$line" "$OUT/a/config.txt"
done

# the same seed, the same bits; 2 threads: the same bits twice
run "$OUT/b"
check "same seed, same curve" same_curve "$OUT/a" "$OUT/b"
check "same seed, same model" cmp -s "$OUT/a/model.ffm" "$OUT/b/model.ffm"
run "$OUT/t2" --threads 2
run "$OUT/t2b" --threads 2
check "2 threads run ($(head -c 200 "$OUT/t2.err"))" [ "$rc" -eq 0 ]
check "2 threads twice, the same model" cmp -s "$OUT/t2/model.ffm" "$OUT/t2b/model.ffm"
run "$OUT/c" --seed 5
check "another seed, another curve" differ "$OUT/a" "$OUT/c"
run "$OUT/r2" --readout-from 2
check "--readout-from 2 runs" [ "$rc" -eq 0 ]
check "--readout-from 2: recorded" grep -qx 'readout_from 2' "$OUT/r2/config.txt"
check "--readout-from 2: another readout" differ "$OUT/a" "$OUT/r2"
# the head learns apart from the layers: their FF losses as before, line for line
layer_losses() { # the epoch, set and loss_N columns of DIR's curve.tsv
    awk 'NR == 1 { for (i = 2; i <= NF; i++) if ($i ~ /^loss_/) col[++n] = i - 1; next }
         { line = $1 " " $2; for (k = 1; k <= n; k++) line = line " " $col[k]; print line }' \
        "$1/curve.tsv"
}
layer_losses "$OUT/a" >"$OUT/a.losses"
layer_losses "$OUT/r2" >"$OUT/r2.losses"
check "--readout-from 2: the three layers' FF losses unchanged" \
    sh -c "awk 'NF != 5 { bad = 1 } END { exit bad || NR < 2 }' '$OUT/a.losses' &&
           cmp -s '$OUT/a.losses' '$OUT/r2.losses'"

# stopped twice, resumed twice: the same bits as uninterrupted
run "$OUT/s" --inject-stop 1,7
check "SIGTERM: exit status 143 (got $rc)" [ "$rc" -eq 143 ]
check "SIGTERM: a checkpoint, no summary" sh -c "test -s '$OUT/s/checkpoint.ffm' && test ! -e '$OUT/s/summary.tsv'"
rc=0
"$PROG" --data "$DATA" --out "$OUT/s" --epochs 3 --eval-every 1 --batch 20 --val-split 200 \
    --quiet >"$OUT/s-dense.out" 2>"$OUT/s-dense.err" || rc=$?
check "the checkpoint refused without --local (another configuration)" sh -c \
    "[ $rc -eq 1 ] && grep -q 'another configuration' '$OUT/s-dense.err'"
run "$OUT/s" --inject-stop 2,0
check "second stop: 143 (got $rc)" [ "$rc" -eq 143 ]
run "$OUT/s"
check "resumed run exits 0 ($(head -c 200 "$OUT/s.err"))" [ "$rc" -eq 0 ]
check "resumed twice: the same curve, summary and model as uninterrupted" same_run "$OUT/a" "$OUT/s"

# a NaN in layer 1 stops the run
run "$OUT/n" --inject-nan 1,4
check "NaN: names epoch 2, batch 5, layer 1 ($(head -c 200 "$OUT/n.err"))" sh -c \
    "[ $rc -eq 1 ] && grep -q 'epoch 2, batch 5, layer 1: the loss is not finite' '$OUT/n.err'"

# ff_evaluate and ff_head on the model
rc=0
"$EVALUATE" "$OUT/a/model.ffm" --data "$DATA" --quiet >"$OUT/eval.tsv" 2>"$OUT/eval.err" || rc=$?
check "ff_evaluate exits 0 ($(head -c 200 "$OUT/eval.err"))" [ "$rc" -eq 0 ]
awk '$1 == 2 { $NF = ""; sub(/ $/, ""); print }' "$OUT/a/curve.tsv" >"$OUT/eval.want"
grep -v '^#' "$OUT/eval.tsv" >"$OUT/eval.got" || true
check "ff_evaluate: the figures the run recorded, exactly" cmp -s "$OUT/eval.want" "$OUT/eval.got"
rc=0
"$HEAD" "$OUT/a/model.ffm" --data "$DATA" --epochs 1 --no-test --out "$OUT/head" --quiet \
    >"$OUT/head.out" 2>"$OUT/head.err" || rc=$?
check "ff_head exits 0 ($(head -c 200 "$OUT/head.err"))" [ "$rc" -eq 0 ]
# head_loss and softmax_acc: the run's after its last epoch, ff_head's at epoch -1
awk '$1 == 2 && $2 == "val" { print $8, $9 }' "$OUT/a/curve.tsv" >"$OUT/head.want"
awk '$1 == -1 && $2 == "val" { print $5, $6 }' "$OUT/head/curve.tsv" >"$OUT/head.got"
check "ff_head: the saved head scores what the run recorded" sh -c \
    "test -s '$OUT/head.want' && cmp -s '$OUT/head.want' '$OUT/head.got'"
check "ff_head: config.txt gives the local net no one width" grep -q '^units -$' "$OUT/head/config.txt"
check "ff_head: summary.tsv gives the local net no one width" \
    every_row "$OUT/head/summary.tsv" 'col("units") == "-"'

# the default run directory carries the model's name
mkdir -p "$OUT/cwd"
rc=0
(cd "$OUT/cwd" && "$PROG" --local --data "$DATA" --epochs 1 --batch 100 --val-split 200 --no-test \
    --quiet) >/dev/null 2>&1 || rc=$?
check "default --out: results/paper-ff-unsup-local-seed17" sh -c \
    "[ $rc -eq 0 ] && test -s '$OUT/cwd/results/paper-ff-unsup-local-seed17/summary.tsv'"

# refusals
run "$OUT/x1" --layers 3
check "--layers with --local refused, one line, nothing written" refused "$OUT/x1"
check "the refusal names the flag and the fix" grep -q -- '--layers does not apply with --local.*drop --layers' "$OUT/x1.err"
run "$OUT/x2" --units 100
check "--units with --local refused" refused "$OUT/x2"
run "$OUT/x3" --model conv2d
check "--model with --local refused" refused "$OUT/x3"
run "$OUT/x4" --readout-from 4
check "--readout-from 4 refused: the local net has 3 layers" sh -c \
    "[ $rc -eq 1 ] && grep -q \"exceeds the local net's 3 layers\" '$OUT/x4.err' && test ! -e '$OUT/x4'"
rc=0
"$OTHER" --local --data "$DATA" --out "$OUT/x5" --quiet >"$OUT/x5.out" 2>"$OUT/x5.err" || rc=$?
check "--local refused by $(basename "$OTHER")" sh -c \
    "[ $rc -eq 1 ] && grep -q -- '--local does not apply' '$OUT/x5.err' && test ! -e '$OUT/x5'"

check_done
