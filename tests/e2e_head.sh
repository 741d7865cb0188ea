#!/bin/sh
# e2e_head.sh SUP UNSUP REC SEED HEAD DATA OUTDIR - ff_head end to end.
#
# Trains a tiny paper_ff_supervised (SUP), paper_ff_unsupervised (UNSUP)
# and paper_ff_recurrent (REC) run and a tiny seed-protocol run (SEED,
# ff_supervised) on the synthetic MNIST in DATA, then checks ff_head (HEAD)
# on their models:
#   - it exits 0, writes curve.tsv, config.txt and summary.tsv, and leaves
#     no temporary file;
#   - curve.tsv: its header, a train and a val line per epoch, one test
#     line last; the run's own saved head (epoch -1, part saved) scores the
#     figures the run recorded after its last epoch, exactly (the features
#     are what its head read: the recurrent net's, its bottom-up pass);
#   - the new head reaches well above chance on validation (chance: 10%),
#     and summary.tsv says learned; --lr-head 0 (the negative control)
#     stays at chance on every epoch and summary.tsv says chance;
#   - the same command twice: the same curve but for the seconds; another
#     --lr-head: another curve;
#   - summary.tsv: the paper programs' 16 columns, experiment paper-head,
#     the model's seed, the head's epochs, no goodness; --no-test: no test
#     line, test columns '-';
#   - a seed-protocol model, a missing file, a file that is no model, a flag
#     that does not apply, an empty --out: a one-line error, a non-zero
#     exit, no final-named file in --out; --out at a run's directory (with
#     or without its model) is refused, before the data are read, and left
#     as it was, ff_head's own earlier results are replaced.
# The exit status is the verdict.
set -eu
[ $# -eq 7 ] || { echo "usage: sh e2e_head.sh SUP UNSUP REC SEED HEAD DATA OUTDIR" >&2; exit 2; }
SUP=$1 UNSUP=$2 REC=$3 SEED=$4 HEAD=$5 DATA=$6 OUT=$7
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/coretype.sh"
. "$HERE/check.sh"

rm -rf "$OUT"
mkdir -p "$OUT"
# absolute: one check runs from another directory
OUT=$(cd "$OUT" && pwd) DATA=$(cd "$DATA" && pwd)
case $HEAD in /*) ;; *) HEAD=$(pwd)/$HEAD ;; esac
for prog in "$SUP" "$UNSUP" "$REC"; do
    "$prog" --data "$DATA" --out "$OUT/$(basename "$prog")" --epochs 3 --eval-every 1 --batch 20 \
        --layers 3 --units 24 --val-split 200 --quiet
done
"$SEED" --data "$DATA" --out "$OUT/seed" --epochs 1 --batch 32 --quiet

EPOCHS=4
SUMMARY_HEADER="# experiment model seed epochs softmax_best softmax_best_epoch softmax_final \
goodness_best goodness_best_epoch goodness_final seconds layers units test_softmax \
test_goodness status"
run_head() { # run_head MODEL DIR [flags]: status in $rc, stderr in DIR.err
    model=$1 dir=$2
    shift 2
    rc=0
    "$HEAD" "$model" --out "$dir" --data "$DATA" --epochs $EPOCHS --quiet "$@" \
        >"$dir.out" 2>"$dir.err" || rc=$?
}
. "$HERE/nosecs.sh"
. "$HERE/rows.sh"
val_at_chance() { # val_at_chance CURVE: it has validation lines, each near chance (10%): below 15%
    some_row "$1" 'col("set") == "val" && col("part") == "all"' &&
        every_row "$1" 'col("set") != "val" || col("part") != "all" || col("softmax_acc") < 15'
}
no_results() { [ ! -e "$1/curve.tsv" ] && [ ! -e "$1/config.txt" ] && [ ! -e "$1/summary.tsv" ]; }
# the last validation line of a run's curve: n head_loss softmax_acc
run_val() { awk '$2 == "val" { v = $4 " " $(NF - 3) " " $(NF - 2) } END { print v }' "$1"; }
saved_val() { awk '$1 == -1 && $2 == "val" && $3 == "saved" { print $4, $5, $6 }' "$1"; }

for kind in sup unsup recurrent; do
    case $kind in
    recurrent) run=$OUT/paper_ff_recurrent feature=raw_image ;;
    sup) run=$OUT/paper_ff_supervised feature=neutral_label ;;
    *) run=$OUT/paper_ff_unsupervised feature=raw_image ;;
    esac
    model=$run/model.ffm
    d=$OUT/h-$kind
    run_head "$model" "$d"
    check "$kind: exits 0 ($(head -c 200 "$d.err"))" [ "$rc" -eq 0 ]
    for f in curve.tsv config.txt summary.tsv; do
        check "$kind: $f written" test -s "$d/$f"
    done
    check "$kind: no temporary file left" sh -c "! ls -a '$d' | grep -q '\\.tmp\\.'"
    check "$kind: curve header" [ "$(sed -n 1p "$d/curve.tsv")" = \
        "# epoch set part n head_loss softmax_acc seconds" ]
    for set in val train; do
        check "$kind: a $set line per epoch" \
            [ "$(grep -c "^[0-9]* $set all " "$d/curve.tsv")" -eq $EPOCHS ]
    done
    check "$kind: one test line, last" \
        sh -c "tail -n 1 '$d/curve.tsv' | grep -q '^$((EPOCHS - 1)) test all 300 '"
    want=$(run_val "$run/curve.tsv")
    got=$(saved_val "$d/curve.tsv")
    check "$kind: the run recorded a validation line" [ -n "$want" ]
    check "$kind: the saved head scores what the run recorded ($got vs $want)" [ "$got" = "$want" ]
    check "$kind: validation well above chance" some_row "$d/curve.tsv" \
        "col(\"epoch\") == $((EPOCHS - 1)) && col(\"set\") == \"val\" && col(\"part\") == \"all\" &&
         col(\"softmax_acc\") >= 50"
    check "$kind: summary has a header and a line of 16 columns" \
        awk '!/^#/ && NF != 16 { exit 1 } END { exit NR != 2 }' "$d/summary.tsv"
    check "$kind: summary header is the paper programs'" [ "$(sed -n 1p "$d/summary.tsv")" = \
        "$SUMMARY_HEADER" ]
    check "$kind: summary: paper-head, seed 17, the head's epochs, no goodness, learned" \
        every_row "$d/summary.tsv" "col(\"experiment\") == \"paper-head\" && col(\"seed\") == 17 &&
            col(\"epochs\") == $EPOCHS && col(\"softmax_final\") >= 50 &&
            col(\"goodness_best\") col(\"goodness_best_epoch\") col(\"goodness_final\") == \"---\" &&
            col(\"layers\") == 3 && col(\"units\") == 24 && col(\"test_softmax\") >= 0 &&
            col(\"test_softmax\") <= 100 && col(\"test_goodness\") == \"-\" &&
            col(\"status\") == \"learned\""
    for line in "source_model $model" "lr_head 0.1" "weight_cost_head 0.003" "epochs $EPOCHS" \
        "source_epochs 3" "source_experiment paper-ff-$kind" "feature_pass $feature"; do
        check "$kind: config records '$line'" grep -qx "$line" "$d/config.txt"
    done
    check "$kind: config records the model's and the data's checksums and the commit" sh -c \
        "grep -qx \"source_model_sha256 \$(sha256sum <'$model' | cut -c1-64)\" '$d/config.txt' &&
         grep -qx 'sha256_train-images-idx3-ubyte [0-9a-f]\{64\}' '$d/config.txt' &&
         grep -q '^commit ' '$d/config.txt'"

    # the negative control: no learning rate, no learning
    run_head "$model" "$d-lr0" --lr-head 0
    check "$kind, --lr-head 0: exits 0" [ "$rc" -eq 0 ]
    check "$kind, --lr-head 0: every val line at chance" val_at_chance "$d-lr0/curve.tsv"
    check "$kind, --lr-head 0: summary says chance" \
        sh -c "tail -n 1 '$d-lr0/summary.tsv' | grep -q ' chance\$'"
done

# the same command, the same bits; another learning rate, another curve
d=$OUT/h-sup
run_head "$OUT/paper_ff_supervised/model.ffm" "$d-again"
nosecs "$d/curve.tsv" >"$d.cut"
nosecs "$d-again/curve.tsv" >"$d-again.cut"
check "same command twice: the same curve" cmp -s "$d.cut" "$d-again.cut"
run_head "$OUT/paper_ff_supervised/model.ffm" "$d-lr" --lr-head 0.03 --weight-cost-head 0.001
nosecs "$d-lr/curve.tsv" >"$d-lr.cut"
check "--lr-head 0.03: another curve" sh -c "! cmp -s '$d.cut' '$d-lr.cut'"
check "--lr-head 0.03: the saved head's lines unchanged" \
    [ "$(grep ' saved ' "$d.cut")" = "$(grep ' saved ' "$d-lr.cut")" ]
check "--lr-head: recorded" grep -qx 'lr_head 0.03' "$d-lr/config.txt"
check "--weight-cost-head: recorded" grep -qx 'weight_cost_head 0.001' "$d-lr/config.txt"

# --no-test: the same validation curve, no test line
run_head "$OUT/paper_ff_supervised/model.ffm" "$d-notest" --no-test
nosecs "$d-notest/curve.tsv" >"$d-notest.cut"
check "--no-test: no test line" sh -c "! grep -q ' test ' '$d-notest.cut'"
check "--no-test: the same validation curve" \
    sh -c "grep -v ' test ' '$d.cut' | cmp -s - '$d-notest.cut'"
check "--no-test: summary's test columns are -" \
    every_row "$d-notest/summary.tsv" 'col("test_softmax") == "-" && col("test_goodness") == "-"'

# refusals: one line, non-zero, no final-named file
refused() { # refused WHAT DIR PATTERN
    check "$1: non-zero exit" [ "$rc" -ne 0 ]
    check "$1: one line ($(head -c 200 "$2.err"))" [ "$(wc -l <"$2.err")" -eq 1 ]
    check "$1: says why" grep -q -- "$3" "$2.err"
    check "$1: no final-named file in --out" no_results "$2"
}
run_head "$OUT/seed/model.ffm" "$OUT/x-seed"
refused "a seed-protocol model" "$OUT/x-seed" "experiment 'ff-sup'"
run_head "$OUT/missing.ffm" "$OUT/x-missing"
refused "a missing file" "$OUT/x-missing" "missing.ffm: cannot open"
run_head "$OUT/paper_ff_supervised/curve.tsv" "$OUT/x-curve"
refused "a file that is no model" "$OUT/x-curve" "not a model"
run_head "$OUT/paper_ff_supervised/model.ffm" "$OUT/x-flag" --lr 0.1
refused "a flag that does not apply" "$OUT/x-flag" "unexpected argument '--lr'"
# an empty --out, which the run's flags would make its default directory,
# the run's own: refused, in a directory where that default would be made
mkdir -p "$OUT/cwd"
rc=0
(cd "$OUT/cwd" && "$HEAD" "$OUT/paper_ff_supervised/model.ffm" --out "" --data "$DATA" \
    --epochs 1 --quiet) >"$OUT/x-empty.out" 2>"$OUT/x-empty.err" || rc=$?
refused "an empty --out" "$OUT/x-empty" "--out: the path is empty"
check "an empty --out: no directory made" [ -z "$(ls -A "$OUT/cwd")" ]
cp "$OUT/paper_ff_supervised/curve.tsv" "$OUT/run-curve.tsv"
run_head "$OUT/paper_ff_supervised/model.ffm" "$OUT/paper_ff_supervised" --data "$OUT/no-data"
check "--out at a run's directory: refused before the data are read" \
    sh -c "[ $rc -ne 0 ] && grep -q 'holds a run' '$OUT/paper_ff_supervised.err'"
check "--out at a run's directory: the run's curve untouched" \
    cmp -s "$OUT/paper_ff_supervised/curve.tsv" "$OUT/run-curve.tsv"
mkdir -p "$OUT/results-only"
cp "$OUT/paper_ff_supervised/curve.tsv" "$OUT/paper_ff_supervised/config.txt" "$OUT/results-only/"
run_head "$OUT/paper_ff_supervised/model.ffm" "$OUT/results-only"
check "--out at a run's results without its model: refused" \
    sh -c "[ $rc -ne 0 ] && cmp -s '$OUT/results-only/curve.tsv' '$OUT/run-curve.tsv'"
# its own earlier results, though, are replaced
run_head "$OUT/paper_ff_supervised/model.ffm" "$d" --epochs 2
check "a second ff_head into the same --out replaces its results" \
    sh -c "[ $rc -eq 0 ] && [ \$(grep -c ' val all ' '$d/curve.tsv') -eq 2 ]"
check_done
