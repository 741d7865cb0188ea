#!/bin/sh
# e2e_paper.sh PROG DATA OUTDIR - one paper-scale program, end to end.
#
# Runs PROG (paper_ff_supervised, paper_ff_unsupervised or paper_bp) briefly
# on the synthetic MNIST in DATA, with a small net and a validation split to
# fit its 800 training images, and checks what it leaves: the three result
# files; a validation line per epoch and one test line at the end; the
# summary's test columns; the recorded split; the same bits for the same
# seed; refusals of flags that do not apply; --no-test, which leaves
# the validation curve as it was and evaluates no test image;
# --precision bf16 and --reshuffle, each recorded and resumable.  The exit status is the verdict.
set -eu
[ $# -eq 3 ] || { echo "usage: sh e2e_paper.sh PROG DATA OUTDIR" >&2; exit 2; }
PROG=$1 DATA=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/coretype.sh"

. "$HERE/check.sh"
run() { # run DIR [flags]: a short run, status in $rc
    dir=$1
    shift
    rc=0
    "$PROG" --data "$DATA" --out "$dir" --epochs 2 --eval-every 1 --batch 20 --layers 3 \
        --units 24 --val-split 200 --quiet "$@" >"$dir.out" 2>"$dir.err" || rc=$?
}

# curves compared but for their seconds, which always differ
. "$HERE/nosecs.sh"
. "$HERE/rows.sh"
differ() { [ "$(nosecs "$1/curve.tsv")" != "$(nosecs "$2/curve.tsv")" ]; }

rm -rf "$OUT"
mkdir -p "$OUT"
run "$OUT/a"
check "run exits 0 ($(head -c 200 "$OUT/a.err"))" [ "$rc" -eq 0 ]
for f in curve.tsv summary.tsv config.txt; do
    check "$f written" test -s "$OUT/a/$f"
done
check "no temporary file left" sh -c "! ls '$OUT/a' | grep -q tmp"
check "one validation line per epoch" [ "$(grep -c '^[0-9]* val all ' "$OUT/a/curve.tsv")" -eq 2 ]
check "one test line, last" sh -c "tail -n 1 '$OUT/a/curve.tsv' | grep -q '^1 test all '"
check "test line counts the test images" sh -c "tail -n 1 '$OUT/a/curve.tsv' | awk '\$4 > 0 { ok = 1 } END { exit !ok }'"
check "summary has the test columns and the status" awk '!/^#/ && NF != 16 { exit 1 }' "$OUT/a/summary.tsv"
check "summary header names them" grep -q 'layers units test_softmax test_goodness status$' "$OUT/a/summary.tsv"
check "test softmax accuracy is a percentage" \
    every_row "$OUT/a/summary.tsv" 'col("test_softmax") >= 0 && col("test_softmax") <= 100'
check "config records the split" grep -q '^val_split 200$' "$OUT/a/config.txt"
check "config records 600 / 200 images" sh -c "grep -q '^train 600$' '$OUT/a/config.txt' && grep -q '^val 200$' '$OUT/a/config.txt'"
check "config records the digits" grep -q '^digits 0-9$' "$OUT/a/config.txt"
# bf16 products (ff/gemm.h): recorded with the backend that computed them,
# another model than fp32's, and a run stopped mid-epoch resumes to the same
# bits (the weights' bf16 copies are made afresh from the restored weights);
# its checkpoint is refused by the fp32 command
run "$OUT/h" --precision bf16
check "--precision bf16 run exits 0 ($(head -c 200 "$OUT/h.err"))" [ "$rc" -eq 0 ]
check "config records bf16 and its backend" \
    sh -c "grep -qx 'precision bf16' '$OUT/h/config.txt' && grep -q '^gemm [a-z]*-bf16 ' '$OUT/h/config.txt'"
check "config records fp32 in the CBLAS by default" \
    sh -c "grep -qx 'precision fp32' '$OUT/a/config.txt' && grep -q '^gemm cblas-fp32 ' '$OUT/a/config.txt'"
# (not the models: their identities differ by --precision whatever the weights)
check "bf16 products give another curve" differ "$OUT/a" "$OUT/h"
run "$OUT/hk" --precision bf16 --checkpoint-every 1 --inject-stop 1,7
check "bf16 run stopped by SIGTERM exits 143" [ "$rc" -eq 143 ]
run "$OUT/hk"
check "its checkpoint refused by the fp32 command" sh -c "[ $rc -ne 0 ] && grep -q 'precision' '$OUT/hk.err'"
run "$OUT/hk" --precision bf16 --checkpoint-every 1
check "stopped bf16 run resumes ($(head -c 200 "$OUT/hk.err"))" [ "$rc" -eq 0 ]
check "resumed bf16 run, same model" cmp -s "$OUT/h/model.ffm" "$OUT/hk/model.ffm"
# --reshuffle: the batches in a fresh order every epoch, recorded, another
# curve; a run stopped in the middle of its second epoch resumes to the
# same bits (the orders come from a generator of their own, drawn again on
# resume); by default the data's own order, recorded
run "$OUT/r" --reshuffle
check "--reshuffle run exits 0 ($(head -c 200 "$OUT/r.err"))" [ "$rc" -eq 0 ]
check "config records the batch order: the data's by default, reshuffled with the flag" sh -c \
    "grep -qx 'batch_order data_order_every_epoch' '$OUT/a/config.txt' && grep -q '^batch_order reshuffled_each_epoch rng=mt19937 seed=' '$OUT/r/config.txt'"
check "--reshuffle: another curve" differ "$OUT/a" "$OUT/r"
run "$OUT/rk" --reshuffle --checkpoint-every 1 --inject-stop 1,7
check "reshuffled run stopped by SIGTERM exits 143" [ "$rc" -eq 143 ]
run "$OUT/rk" --reshuffle --checkpoint-every 1
check "stopped reshuffled run resumes ($(head -c 200 "$OUT/rk.err"))" [ "$rc" -eq 0 ]
check "resumed reshuffled run, same model" cmp -s "$OUT/r/model.ffm" "$OUT/rk/model.ffm"

case $(basename "$PROG") in
paper_bp)
    check "BP has no goodness" every_row "$OUT/a/summary.tsv" 'col("test_goodness") == "-"'
    run "$OUT/x" --peer 0.1
    check "--peer refused" [ "$rc" -ne 0 ] ;;
paper_ff_unsupervised)
    check "unsupervised has no goodness readout" \
        every_row "$OUT/a/summary.tsv" 'col("test_goodness") == "-"'
    check "config records hybrid negatives and blur" sh -c "grep -q '^negatives hybrid_images$' '$OUT/a/config.txt' && grep -q '^blur_passes 6$' '$OUT/a/config.txt'"
    # a hybrid is made of two training images (of two classes with
    # --distinct-classes): refused in one line, before any file is written
    run "$OUT/one" --train-limit 1 --batch 1
    check "one training image refused, in one line" \
        sh -c "[ $rc -eq 1 ] && grep -q 'a hybrid negative needs two' '$OUT/one.err' && [ ! -e '$OUT/one' ]"
    # two blank images, both of class 0, as training and as test set
    mkdir -p "$OUT/oneclass"
    for set in train t10k; do
        { printf '\0\0\10\3\0\0\0\2\0\0\0\34\0\0\0\34'; head -c 1568 /dev/zero; } \
            >"$OUT/oneclass/$set-images-idx3-ubyte"
        printf '\0\0\10\1\0\0\0\2\0\0' >"$OUT/oneclass/$set-labels-idx1-ubyte"
    done
    rc=0
    "$PROG" --data "$OUT/oneclass" --out "$OUT/oc" --epochs 1 --batch 1 --layers 2 --units 4 \
        --val-split 0 --distinct-classes --quiet >"$OUT/oc.out" 2>"$OUT/oc.err" || rc=$?
    check "--distinct-classes on one class refused, in one line" \
        sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$OUT/oc.err') -eq 1 ] && grep -q 'all of one class' '$OUT/oc.err' && [ ! -e '$OUT/oc' ]"
    run "$OUT/x" --uniform-negatives
    check "--uniform-negatives refused" [ "$rc" -ne 0 ]
    run "$OUT/x" --jitter 2
    check "--jitter refused" [ "$rc" -ne 0 ] ;;
paper_ff_supervised)
    check "goodness test accuracy is a percentage" \
        every_row "$OUT/a/summary.tsv" 'col("test_goodness") >= 0 && col("test_goodness") <= 100'
    check "config records hard negatives" grep -q '^negatives hard$' "$OUT/a/config.txt"
    # jittered training images: another curve, recorded, and a run stopped
    # mid-epoch resumes to the same bits (the shifts come from the run's
    # generator, which the checkpoint keeps)
    run "$OUT/j" --jitter 2
    check "--jitter 2 run exits 0 ($(head -c 200 "$OUT/j.err"))" [ "$rc" -eq 0 ]
    check "config records the jitter" grep -q '^jitter 2 ' "$OUT/j/config.txt"
    check "config records no jitter by default" grep -q '^jitter 0 ' "$OUT/a/config.txt"
    check "jitter changes the curve" differ "$OUT/a" "$OUT/j"
    run "$OUT/k" --jitter 2 --checkpoint-every 1 --inject-stop 1,7
    check "jittered run stopped by SIGTERM exits 143" [ "$rc" -eq 143 ]
    check "stopped jittered run keeps its checkpoint" test -s "$OUT/k/checkpoint.ffm"
    run "$OUT/k" --jitter 2 --checkpoint-every 1
    check "stopped jittered run resumes ($(head -c 200 "$OUT/k.err"))" [ "$rc" -eq 0 ]
    check "resumed jittered run, same model" cmp -s "$OUT/j/model.ffm" "$OUT/k/model.ffm"
    run "$OUT/x" --theta 1
    check "--theta refused" [ "$rc" -ne 0 ] ;;
paper_ff_recurrent)
    check "goodness test accuracy is a percentage" \
        every_row "$OUT/a/summary.tsv" 'col("test_goodness") >= 0 && col("test_goodness") <= 100'
    check "config records hard negatives from the one bottom-up pass" sh -c \
        "grep -q '^negatives hard$' '$OUT/a/config.txt' && grep -q '^negative_pass softmax_head_on_bottom_up_pass$' '$OUT/a/config.txt'"
    check "config records the iterations, the damping and the readout's iterations" sh -c \
        "grep -q '^recurrent iterations=8 damping=0.3 ' '$OUT/a/config.txt' && grep -q '^recurrent_readout goodness_mean_over_iterations=3-5 ' '$OUT/a/config.txt'"
    # 3 x 24 units, 10 classes: T_1, T_2 from the layer above (24 x 24), T_3 from the label (10 x 24)
    check "config records the top-down weights: 24*24 + 24*24 + 10*24 = 1392" \
        grep -q ' top_down_weights=1392$' "$OUT/a/config.txt"
    # the recurrent readout learns the synthetic classes (chance 10%)
    run "$OUT/l" --epochs 10 --eval-every 5 --layers 2 --units 64 --no-test
    check "a longer run exits 0 ($(head -c 200 "$OUT/l.err"))" [ "$rc" -eq 0 ]
    check "the readout learns: validation goodness accuracy at least 90%" \
        some_row "$OUT/l/curve.tsv" 'col("epoch") == 9 && col("set") == "val" && col("goodness_acc") >= 90'
    run "$OUT/d" --damping 0
    check "--damping 0 runs" [ "$rc" -eq 0 ]
    check "--damping 0: another curve" differ "$OUT/a" "$OUT/d"
    # the label's scale: recorded (1 by default), and it changes how fast the
    # label's weights learn, so the curve
    run "$OUT/s" --label-scale 2
    check "--label-scale 2 runs ($(head -c 200 "$OUT/s.err"))" [ "$rc" -eq 0 ]
    check "config records the label's scale, 1 by default and 2 when set" sh -c \
        "grep -q ' label_scale=1 ' '$OUT/a/config.txt' && grep -q ' label_scale=2 ' '$OUT/s/config.txt'"
    check "--label-scale 2: another curve" differ "$OUT/a" "$OUT/s"
    # peer normalisation's running means: their decay recorded (0.9 by
    # default), and it changes the curve
    run "$OUT/p" --peer-decay 0.5
    check "--peer-decay 0.5 runs ($(head -c 200 "$OUT/p.err"))" [ "$rc" -eq 0 ]
    check "config records the peer means' decay, 0.9 by default" \
        grep -q '^peer_normalisation .* decay=0.9 ' "$OUT/a/config.txt"
    check "config records the peer means' decay, 0.5 when set" \
        grep -q '^peer_normalisation .* decay=0.5 ' "$OUT/p/config.txt"
    check "--peer-decay 0.5: another curve" differ "$OUT/a" "$OUT/p"
    # negative labels uniform over the wrong ones: recorded, no negative pass,
    # another curve
    run "$OUT/u" --uniform-negatives
    check "--uniform-negatives runs ($(head -c 200 "$OUT/u.err"))" [ "$rc" -eq 0 ]
    check "config records uniform negatives and no negative pass" sh -c \
        "grep -q '^negatives uniform$' '$OUT/u/config.txt' && grep -q '^negative_pass none$' '$OUT/u/config.txt'"
    check "--uniform-negatives: another curve" differ "$OUT/a" "$OUT/u"
    # hard negative labels from the net's own goodness readout: recorded,
    # another curve; not with uniform ones
    run "$OUT/g" --goodness-negatives
    check "--goodness-negatives runs ($(head -c 200 "$OUT/g.err"))" [ "$rc" -eq 0 ]
    check "config records hard negatives from the goodness readout" sh -c \
        "grep -q '^negatives hard$' '$OUT/g/config.txt' && grep -q '^negative_pass goodness_readout_of_each_label temperature=1$' '$OUT/g/config.txt'"
    check "--goodness-negatives: another curve" differ "$OUT/a" "$OUT/g"
    # a NaN reaches that readout before the batch's loss: it names where,
    # as the loss's guard does, not only the readout's status
    run "$OUT/gn" --goodness-negatives --inject-nan 1,3
    check "--goodness-negatives, NaN: exit 1, epoch 2, batch 4, layer 1 named ($(head -c 300 "$OUT/gn.err"))" \
        sh -c "[ $rc -eq 1 ] && grep -q '^[^ ]*: error: epoch 2, batch 4, layer 1: a parameter is not finite' '$OUT/gn.err' && [ \"\$(wc -l <'$OUT/gn.err')\" -eq 1 ]"
    check "--goodness-negatives, NaN: no summary" test ! -e "$OUT/gn/summary.tsv"
    run "$OUT/x" --goodness-negatives --uniform-negatives
    check "--goodness-negatives with --uniform-negatives refused, writing nothing" \
        sh -c "[ $rc -eq 1 ] && grep -q 'drop one of them' '$OUT/x.err' && [ ! -e '$OUT/x' ]"
    rm -rf "$OUT/x" "$OUT/x.err"
    run "$OUT/x" --iterations 4
    check "a readout past the iterations refused (5 > 4)" [ "$rc" -ne 0 ]
    check "refusal names the flags" grep -q -- '--readout-last 5, --iterations 4' "$OUT/x.err"
    rm -rf "$OUT/x" "$OUT/x.err"
    run "$OUT/x" --model conv2d
    check "--model conv2d refused" [ "$rc" -ne 0 ]
    rm -rf "$OUT/x" "$OUT/x.err"
    run "$OUT/x" --neutral 0.2
    check "--neutral refused (no neutral pass)" [ "$rc" -ne 0 ] ;;
*) echo "e2e_paper.sh: unknown program $PROG" >&2; exit 2 ;;
esac
check "refusal writes nothing" test ! -e "$OUT/x"
check "refusal says one line" [ "$(wc -l <"$OUT/x.err")" -eq 1 ]

# the same seed gives the same curve, but for its last column (seconds)
run "$OUT/b"
nosecs "$OUT/a/curve.tsv" >"$OUT/a.cut"
nosecs "$OUT/b/curve.tsv" >"$OUT/b.cut"
check "same seed, same curve" cmp -s "$OUT/a.cut" "$OUT/b.cut"
run "$OUT/c" --seed 5
nosecs "$OUT/c/curve.tsv" >"$OUT/c.cut"
check "another seed, another curve" sh -c "! cmp -s '$OUT/a.cut' '$OUT/c.cut'"

# --no-test (a search on validation): the same validation curve, no test
run "$OUT/n" --no-test
check "--no-test run exits 0 ($(head -c 200 "$OUT/n.err"))" [ "$rc" -eq 0 ]
nosecs "$OUT/n/curve.tsv" >"$OUT/n.cut"
check "--no-test: no test line" sh -c "! grep -q ' test ' '$OUT/n.cut'"
check "--no-test: the same validation curve" sh -c "grep -v ' test ' '$OUT/a.cut' | cmp -s - '$OUT/n.cut'"
check "--no-test: summary's test columns are -" \
    every_row "$OUT/n/summary.tsv" 'col("test_softmax") == "-" && col("test_goodness") == "-"'
check "--no-test: config says so" grep -q '^test_evaluated 0$' "$OUT/n/config.txt"
check "a full run's config says it tested" grep -q '^test_evaluated 1$' "$OUT/a/config.txt"

check_done
