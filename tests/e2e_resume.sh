#!/bin/sh
# e2e_resume.sh PROG EVALUATE DATA OUTDIR - a run that survives, and its guards.
#
# PROG is one experiment program, EVALUATE the ff_evaluate program, DATA the
# synthetic MNIST.  Checks, on short runs:
#   - a run stopped twice by SIGTERM (--inject-stop: the program's own
#     signal handler, at a fixed point, each stop two signals as a Slurm
#     requeue sends, the second ignored) and resumed by the same command
#     leaves curve.tsv, summary.tsv (but for the seconds) and model.ffm
#     identical to a run never stopped; so does one stopped by a real
#     SIGINT from outside, at whatever point it had reached;
#   - a stopped run exits 128 + signal, keeps its checkpoint, writes no
#     summary and leaves no temporary file;
#   - so does one stopped after its last epoch (before the test pass and,
#     for the paper's programs, after it), and it resumes to the same
#     results, the test lines once;
#   - a failure while the results are written (config.txt's temporary name
#     taken by a directory) leaves no temporary file, and the kept
#     checkpoint resumes to the same results;
#   - ff_evaluate on the model prints the last evaluation's lines exactly;
#     on a checkpoint it labels them with the epoch the checkpoint holds
#     (the run's figures, exactly, where it evaluated then) and says when
#     it was written in the middle of an epoch; a recurrent model's readout
#     read at the run's iterations and layers gives its lines, at others
#     other goodness figures and the same softmax ones; the readout's flags
#     on another model are refused; a model of another --label-scale is
#     read at its own; with --out its lines go to curve.tsv
#     beside a summary.tsv of the validation figures, --no-test leaves the
#     test set out, and a run's directory is refused before the data are
#     read;
#   - a checkpoint of another configuration is refused and left as it was;
#     --restart discards it; so is one written with other kernels
#     (OPENBLAS_CORETYPE), which resumes with its own to the same results;
#   - a NaN (--inject-nan) stops the run naming epoch, batch and layer,
#     with no summary and the last checkpoint kept;
#   - the temporary files a killed process left are removed;
#   - ff_evaluate --position prints the epochs a checkpoint or model holds,
#     and scripts/run-status.sh (make status) each run's state;
#   - an --out too long is refused and creates nothing;
#   - a run at chance level says so in summary.tsv.
# The exit status is the verdict.
set -eu
[ $# -eq 4 ] || { echo "usage: sh e2e_resume.sh PROG EVALUATE DATA OUTDIR" >&2; exit 2; }
PROG=$1 EVALUATE=$2 DATA=$3 OUT=$4
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/coretype.sh"
. "$HERE/check.sh"

name=$(basename "$PROG")
case $name in
paper_*) EPOCHS=5 FLAGS="--batch 20 --layers 3 --units 24 --val-split 200"
         STOP1=1,7 STOP2=3,0 NAN=2,4 ;;
*)       EPOCHS=6 FLAGS="--batch 32"
         STOP1=1,3 STOP2=4,0 NAN=2,4 ;;
esac
run() { # run DIR [flags]: status in $rc, stderr in DIR.err
    dir=$1
    shift
    rc=0
    "$PROG" --data "$DATA" --out "$dir" --epochs $EPOCHS --eval-every 2 --checkpoint-every 1 \
        --quiet $FLAGS "$@" >"$dir.out" 2>"$dir.err" || rc=$?
}
. "$HERE/nosecs.sh"
. "$HERE/rows.sh"
no_tmp() { ! ls -a "$1" | grep -q '\.tmp\.'; }

rm -rf "$OUT"
mkdir -p "$OUT"
run "$OUT/a"
check "uninterrupted run exits 0 ($(head -c 200 "$OUT/a.err"))" [ "$rc" -eq 0 ]
for f in curve.tsv summary.tsv config.txt model.ffm; do
    check "$f written" test -s "$OUT/a/$f"
done
check "no checkpoint left after the end" test ! -e "$OUT/a/checkpoint.ffm"

# stopped twice, resumed twice
run "$OUT/b" --inject-stop $STOP1
check "SIGTERM: exit status 143 (got $rc)" [ "$rc" -eq 143 ]
check "SIGTERM: a checkpoint, no summary" sh -c "test -s '$OUT/b/checkpoint.ffm' && test ! -e '$OUT/b/summary.tsv'"
check "SIGTERM: no temporary file left" no_tmp "$OUT/b"
check "SIGTERM: says how to resume" grep -q 'the same command resumes' "$OUT/b.err"
cp "$OUT/b/checkpoint.ffm" "$OUT/stop1.ffm"
cp "$OUT/b.err" "$OUT/stop1.err"
run "$OUT/b" --inject-stop $STOP2
check "second stop: 143 (got $rc)" [ "$rc" -eq 143 ]
cp "$OUT/b/checkpoint.ffm" "$OUT/stop2.ffm"
cp "$OUT/b.err" "$OUT/stop2.err"
# resumed with the first stop asked again: a run that resumes is past it and
# ends; one that silently started afresh would stop there again (143)
run "$OUT/b" --inject-stop $STOP1
check "resumed run exits 0, past the first stop ($rc; $(head -c 200 "$OUT/b.err"))" [ "$rc" -eq 0 ]
check "resumed twice: the same curve, summary and model as uninterrupted" same_run "$OUT/a" "$OUT/b"
check "resumed: no checkpoint left" test ! -e "$OUT/b/checkpoint.ffm"

# stopped after the last epoch: before the test pass, and the paper's
# programs after it too (a resumed run that made it again would write its
# lines twice)
run "$OUT/d" --inject-stop $EPOCHS,0
check "stop after the last epoch: 143 (got $rc; $(head -c 200 "$OUT/d.err"))" [ "$rc" -eq 143 ]
check "stop after the last epoch: a checkpoint, no summary, no temporary file" \
    sh -c "test -s '$OUT/d/checkpoint.ffm' && test ! -e '$OUT/d/summary.tsv' && ! ls -a '$OUT/d' | grep -q '\.tmp\.'"
check "stop after the last epoch: says so" grep -q 'stopped by signal 15 after the last epoch:' "$OUT/d.err"
cp "$OUT/d/checkpoint.ffm" "$OUT/end.ffm" 2>/dev/null || :
case $name in
paper_*)
    run "$OUT/d" --inject-stop $EPOCHS,1
    check "stop after the test pass: 143 (got $rc; $(head -c 200 "$OUT/d.err"))" [ "$rc" -eq 143 ]
    check "stop after the test pass: says so" \
        grep -q 'stopped by signal 15 after the last epoch and the test pass:' "$OUT/d.err"
    cp "$OUT/d/checkpoint.ffm" "$OUT/tested.ffm" ;;
esac
# resumed with the last stop asked again: where a run resumed is past
case $name in paper_*) last_stop=$EPOCHS,1 ;; *) last_stop=$EPOCHS,0 ;; esac
run "$OUT/d" --inject-stop $last_stop
check "stopped after the last epoch, resumed: exits 0, past the stop ($(head -c 200 "$OUT/d.err"))" [ "$rc" -eq 0 ]
check "stopped after the last epoch, resumed: the same results" same_run "$OUT/a" "$OUT/d"

# the results' writing fails (config.txt's temporary name, of this pid, a
# directory): exit 1, no temporary file of this process left
mkdir -p "$OUT/w"
cp "$OUT/stop2.ffm" "$OUT/w/checkpoint.ffm"
rc=0
sh -c 'd=$1; shift; mkdir "$d/config.txt.tmp.$$" && exec "$@"' sh "$OUT/w" "$PROG" --data "$DATA" --out "$OUT/w" \
    --epochs $EPOCHS --eval-every 2 --checkpoint-every 1 --quiet $FLAGS >/dev/null 2>"$OUT/w.err" || rc=$?
check "unwritable config.txt: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "unwritable config.txt: names it ($(head -c 200 "$OUT/w.err"))" \
    grep -q 'cannot write .*/config.txt: Is a directory' "$OUT/w.err"
check "unwritable config.txt: no temporary file left but the directory" \
    sh -c "! ls -a '$OUT/w' | grep -v '^config\.txt\.tmp\.' | grep -q '\.tmp\.'"
check "unwritable config.txt: no result file" sh -c "test ! -e '$OUT/w/model.ffm' && test ! -e '$OUT/w/curve.tsv'"
rmdir "$OUT"/w/config.txt.tmp.*
run "$OUT/w"
check "unwritable config.txt: the kept checkpoint resumes to the same results" same_run "$OUT/a" "$OUT/w"

# a real SIGINT from outside, wherever the run is: a longer run, killed
# once its first checkpoint exists
long="--epochs 40"
"$PROG" --data "$DATA" --out "$OUT/long-a" $long --eval-every 2 --quiet $FLAGS >/dev/null 2>&1
"$PROG" --data "$DATA" --out "$OUT/long-b" $long --eval-every 2 --quiet $FLAGS >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -e "$OUT/long-b/checkpoint.ffm" ] && [ $i -lt 400 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.02
    i=$((i + 1))
done
kill -INT $pid 2>/dev/null || true
rc=0
wait $pid || rc=$?
check "SIGINT from outside: exit status 130 (got $rc; 0 means the run ended first)" [ "$rc" -eq 130 ]
"$PROG" --data "$DATA" --out "$OUT/long-b" $long --eval-every 2 --quiet $FLAGS >/dev/null 2>&1 ||
    check "resumed after SIGINT" false
check "SIGINT and resumed: the same results" same_run "$OUT/long-a" "$OUT/long-b"

# ff_evaluate prints what the run recorded after its last epoch
rc=0
"$EVALUATE" "$OUT/a/model.ffm" --data "$DATA" --quiet >"$OUT/eval.tsv" 2>"$OUT/eval.err" || rc=$?
check "ff_evaluate exits 0 ($(head -c 200 "$OUT/eval.err"))" [ "$rc" -eq 0 ]
last=$((EPOCHS - 1))
# supervised seed FF's training negatives used labels drawn that epoch: not in the model
awk -v e=$last '$1 == e && !($2 == "train" && $3 == "neg" && skip) { $NF = ""; sub(/ $/, ""); print }' \
    skip=$([ "$name" = ff_supervised ] && echo 1 || echo 0) "$OUT/a/curve.tsv" >"$OUT/eval.want"
grep -v '^#' "$OUT/eval.tsv" >"$OUT/eval.got" || true
check "ff_evaluate: the figures the run recorded, exactly" cmp -s "$OUT/eval.want" "$OUT/eval.got"
check "ff_evaluate: as many lines as the run's last evaluation ($(wc -l <"$OUT/eval.want"))" \
    [ "$(wc -l <"$OUT/eval.got")" -ge 2 ]
# ff_evaluate on checkpoints: labelled with the epoch each holds.  The
# pipelined programs' first stop lands at the end of epoch 2 (from 1), the
# others' in its middle; the stop after the last epoch holds the model's
# parameters.
ckpt_eval() { # ckpt_eval FILE: its lines, untitled, in $OUT/ck.got, stderr $OUT/ck.err
    rc=0
    "$EVALUATE" "$1" --data "$DATA" --quiet >"$OUT/ck.tsv" 2>"$OUT/ck.err" || rc=$?
    grep -v '^#' "$OUT/ck.tsv" >"$OUT/ck.got" || true
}
ckpt_eval "$OUT/stop1.ffm"
check "ff_evaluate on a checkpoint exits 0 ($(head -c 200 "$OUT/ck.err"))" [ "$rc" -eq 0 ]
check "ff_evaluate on a checkpoint: labelled epoch 1 (from 0), the epoch it holds" \
    sh -c "[ -s '$OUT/ck.got' ] && awk '\$1 != 1 { exit 1 }' '$OUT/ck.got'"
case $name in
ff_*) check "ff_evaluate on a checkpoint of an epoch's end: no note" [ ! -s "$OUT/ck.err" ] ;;
*)    check "ff_evaluate on a checkpoint of mid-epoch: says so ($(head -c 200 "$OUT/ck.err"))" \
          grep -q "written in the middle of epoch 2 (before its batch" "$OUT/ck.err" ;;
esac
ckpt_eval "$OUT/end.ffm"
check "ff_evaluate on the checkpoint after the last epoch: the model's lines" \
    cmp -s "$OUT/eval.got" "$OUT/ck.got"
check "ff_evaluate on the checkpoint after the last epoch: no note" [ ! -s "$OUT/ck.err" ]
# --position: where each file's run stands, with no data read
position() { "$EVALUATE" --position "$1" 2>&1 || echo "exit $?"; }
# last_val DONE: what --position adds for a checkpoint after DONE epochs,
# from the uninterrupted run's curve (the same bits): its last validation
# line before then, not of the negative part (columns by name)
last_val() {
    by_name "$OUT/a/curve.tsv" '!col_data() { next }
col("set") == "val" && col("part") != "neg" && col("epoch") < done {
    v = sprintf("; last validation (after epoch %d): softmax %s %%", col("epoch") + 1,
                col("softmax_acc"))
    if (col("goodness_acc") != "-") v = v ", goodness " col("goodness_acc") " %"
}
END { printf "%s", v }' -v done="$1"
}
# what a stop's message says ("at epoch E, before batch B", both from 1),
# in --position's words: E - 1 epochs done, B - 1 batches of the next, and
# the last validation figures before then
said() {
    set -- $(sed -n 's/.*stopped by signal 15 at epoch \([0-9]*\), before batch \([0-9]*\):.*/\1 \2/p' "$1")
    [ $# -eq 2 ] || return 0
    printf 'checkpoint: %d of %d epochs' $(($1 - 1)) $EPOCHS
    [ "$2" -le 1 ] || printf ', and %d batch%s of the next' $(($2 - 1)) "$([ "$2" -eq 2 ] || echo es)"
    last_val $(($1 - 1))
}
for k in 1 2; do
    want=$(said "$OUT/stop$k.err")
    check "--position, stop $k: '$want', as the run said ($(position "$OUT/stop$k.ffm"))" \
        sh -c "[ -n '$want' ] && [ '$(position "$OUT/stop$k.ffm")' = '$want' ]"
done
check "--position, the stop after the last epoch ($(position "$OUT/end.ffm"))" \
    [ "$(position "$OUT/end.ffm")" = "checkpoint: $EPOCHS of $EPOCHS epochs$(last_val $EPOCHS)" ]
case $name in
paper_*) check "--position, the stop after the test pass ($(position "$OUT/tested.ffm"))" \
             [ "$(position "$OUT/tested.ffm")" = \
               "checkpoint: $EPOCHS of $EPOCHS epochs, the test set evaluated$(last_val $EPOCHS)" ] ;;
esac
check "--position's expectation names validation figures ($(last_val 3))" [ -n "$(last_val 3)" ]
check "--position, the model ($(position "$OUT/a/model.ffm"))" \
    [ "$(position "$OUT/a/model.ffm")" = "finished: $EPOCHS of $EPOCHS epochs" ]
for f in "--threads 1" "--out $OUT/pos-out"; do
    rc=0
    "$EVALUATE" --position "$OUT/a/model.ffm" $f >/dev/null 2>"$OUT/pos-bad.err" || rc=$?
    check "--position refuses ${f%% *}, naming it, in one line" \
        sh -c "[ $rc -eq 2 ] && grep -q -- 'drop ${f%% *}\$' '$OUT/pos-bad.err' &&
               [ \$(wc -l <'$OUT/pos-bad.err') -eq 1 ]"
done
# the model with its header's finished word (bytes 12-15, checkpoint.h)
# zeroed: a checkpoint without the run's position
cp "$OUT/a/model.ffm" "$OUT/nopos.ffm"
printf '\000' | dd of="$OUT/nopos.ffm" bs=1 seek=12 conv=notrunc 2>/dev/null
rc=0
"$EVALUATE" --position "$OUT/nopos.ffm" >"$OUT/nopos.out" 2>"$OUT/nopos.err" || rc=$?
check "--position, a checkpoint without a position: exit 1, one line naming it ($(cat "$OUT/nopos.err"))" \
    sh -c "[ $rc -eq 1 ] && [ ! -s '$OUT/nopos.out' ] && [ \$(wc -l <'$OUT/nopos.err') -eq 1 ] &&
           grep -q 'nopos.ffm holds no position' '$OUT/nopos.err'"
if [ -w /dev/full ]; then
    rc=0
    "$EVALUATE" --position "$OUT/a/model.ffm" >/dev/full 2>"$OUT/pos-full.err" || rc=$?
    check "--position to a full device: exit 1, one line saying so" \
        sh -c "[ $rc -eq 1 ] && grep -q 'cannot write the position to standard output' '$OUT/pos-full.err'"
fi
rc=0
"$EVALUATE" "$OUT/a/curve.tsv" >/dev/null 2>"$OUT/eval-bad.err" || rc=$?
check "ff_evaluate refuses a file that is no model" sh -c "[ $rc -eq 1 ] && grep -q 'not a model' '$OUT/eval-bad.err'"
# the goodness readout read otherwise (the recurrent net's)
evalr() { # evalr NAME FLAGS...: ff_evaluate on the model, lines in $OUT/NAME.got
    r=$1
    shift
    rc=0
    "$EVALUATE" "$OUT/a/model.ffm" --data "$DATA" --quiet "$@" >"$OUT/$r.tsv" 2>"$OUT/$r.err" || rc=$?
    grep -v '^#' "$OUT/$r.tsv" >"$OUT/$r.got" || true
}
# cols FILE LIST: those columns of FILE's lines (epoch set part n loss_1..3 head_loss softmax goodness)
cols() { awk -v c="$2" 'BEGIN { n = split(c, k, ",") } { s = ""; for (i = 1; i <= n; i++) s = s " " $k[i]; print s }' "$1"; }
case $name in
paper_ff_recurrent)
    evalr r-same --readout-first 3 --readout-last 5 --goodness-from 1
    check "ff_evaluate --readout-first 3 --readout-last 5 --goodness-from 1 (the run's): its lines" \
        sh -c "[ $rc -eq 0 ] && cmp -s '$OUT/eval.got' '$OUT/r-same.got'"
    evalr r-iter --readout-first 1 --readout-last 8
    check "ff_evaluate --readout-first 1 --readout-last 8: exits 0 ($(head -c 200 "$OUT/r-iter.err"))" [ "$rc" -eq 0 ]
    check "other iterations: the same softmax figures" [ "$(cols "$OUT/r-iter.got" 1,2,3,4,8,9)" = "$(cols "$OUT/eval.got" 1,2,3,4,8,9)" ]
    check "other iterations: other FF losses" [ "$(cols "$OUT/r-iter.got" 5,6,7)" != "$(cols "$OUT/eval.got" 5,6,7)" ]
    evalr r-layers --goodness-from 3
    check "ff_evaluate --goodness-from 3: exits 0 ($(head -c 200 "$OUT/r-layers.err"))" [ "$rc" -eq 0 ]
    check "other layers: the same losses and softmax figures" \
        [ "$(cols "$OUT/r-layers.got" 1,2,3,4,5,6,7,8,9)" = "$(cols "$OUT/eval.got" 1,2,3,4,5,6,7,8,9)" ]
    check "the top layer alone: other goodness figures" \
        [ "$(cols "$OUT/r-layers.got" 10)" != "$(cols "$OUT/eval.got" 10)" ]
    evalr r-bad --goodness-from 4
    check "ff_evaluate --goodness-from 4 of 3 layers: refused ($(head -c 200 "$OUT/r-bad.err"))" \
        sh -c "[ $rc -ne 0 ] && grep -q 'goodness-from 4 exceeds --layers 3' '$OUT/r-bad.err' && [ ! -s '$OUT/r-bad.got' ]"
    evalr r-bad --readout-last 9
    check "ff_evaluate --readout-last 9 of 8 iterations: refused ($(head -c 200 "$OUT/r-bad.err"))" \
        sh -c "[ $rc -ne 0 ] && grep -q 'first <= last <= iterations' '$OUT/r-bad.err'"
    # --out: the files of a run of its own
    evalr r-out --readout-first 1 --readout-last 8 --no-test --out "$OUT/r-out"
    check "ff_evaluate --out: exits 0, prints nothing ($(head -c 200 "$OUT/r-out.err"))" \
        sh -c "[ $rc -eq 0 ] && [ ! -s '$OUT/r-out.tsv' ]"
    check "--out: curve.tsv, the lines it prints but the test's (--no-test)" \
        [ "$(grep -v '^#' "$OUT/r-out/curve.tsv")" = "$(grep -v ' test ' "$OUT/r-iter.got")" ]
    val_good=$(awk '$2 == "val" { printf "%.2f", $NF }' "$OUT/r-out/curve.tsv")
    check "--out: summary.tsv, the validation goodness as final ($val_good), no test" \
        every_row "$OUT/r-out/summary.tsv" "col(\"experiment\") == \"evaluate\" &&
            col(\"goodness_final\") == \"$val_good\" && col(\"test_softmax\") == \"-\" &&
            col(\"test_goodness\") == \"-\""
    check "--out: config.txt names the model, its checksum and the readout" \
        sh -c "grep -qx 'source_model $OUT/a/model.ffm' '$OUT/r-out/config.txt' &&
               grep -qx \"source_model_sha256 \$(sha256sum <'$OUT/a/model.ffm' | cut -c1-64)\" '$OUT/r-out/config.txt' &&
               grep -q '^recurrent_readout goodness_mean_over_iterations=1-8 layers_from=1 ' '$OUT/r-out/config.txt'"
    check "--out: config.txt has the run's flag lines, as its run's config.txt writes them" \
        sh -c "for k in seed layers units epochs batch lr data; do
                   grep -qxF \"\$(grep \"^\$k \" '$OUT/a/config.txt')\" '$OUT/r-out/config.txt' || exit 1
               done"
    check "--out: config.txt has the four sha256_ lines of the data, as its run's" \
        sh -c "[ \$(grep -c '^sha256_' '$OUT/r-out/config.txt') -eq 4 ] &&
               [ \"\$(grep '^sha256_' '$OUT/a/config.txt')\" = \"\$(grep '^sha256_' '$OUT/r-out/config.txt')\" ]"
    evalr r-out3 --goodness-from 3 --out "$OUT/r-out3"
    check "--out --goodness-from 3: config.txt says layers_from=3, curve.tsv the lines printed" \
        sh -c "[ $rc -eq 0 ] && grep -q '^recurrent_readout goodness_mean_over_iterations=3-5 layers_from=3 ' '$OUT/r-out3/config.txt' &&
               grep -v '^#' '$OUT/r-out3/curve.tsv' | cmp -s - '$OUT/r-layers.got'"
    evalr r-bad --out "$OUT/a" --data "$OUT/no-data"
    check "--out a run's directory: refused before the data are read, the run untouched ($(head -c 200 "$OUT/r-bad.err"))" \
        sh -c "[ $rc -ne 0 ] && grep -q 'holds a run' '$OUT/r-bad.err' && grep -q 'paper-ff-recurrent' '$OUT/a/summary.tsv'"
    evalr r-bad --out ""
    check "--out '': refused in one line ($(head -c 200 "$OUT/r-bad.err"))" \
        sh -c "[ $rc -ne 0 ] && [ \$(wc -l <'$OUT/r-bad.err') -eq 1 ] && grep -q -- '--out: the path is empty' '$OUT/r-bad.err'"
    # the label's scale, at the low end of its range (0.01, no float's
    # value): in the model's identity, so ff_evaluate reads the model as
    # the run did; the run's checkpoint refused under another scale
    run "$OUT/s" --label-scale 0.01 --inject-stop 1,7
    check "--label-scale 0.01 stopped: 143 ($(head -c 200 "$OUT/s.err"))" [ "$rc" -eq 143 ]
    run "$OUT/s" --label-scale 0.02
    check "--label-scale 0.02 on a checkpoint of 0.01: refused, the checkpoint kept" \
        sh -c "[ $rc -ne 0 ] && grep -q 'label-scale' '$OUT/s.err' && test -s '$OUT/s/checkpoint.ffm'"
    run "$OUT/s" --label-scale 0.01
    check "--label-scale 0.01 resumed ($(head -c 200 "$OUT/s.err"))" [ "$rc" -eq 0 ]
    rc=0
    "$EVALUATE" "$OUT/s/model.ffm" --data "$DATA" --quiet >"$OUT/s-eval.tsv" 2>"$OUT/s-eval.err" || rc=$?
    awk -v e=$last '$1 == e { $NF = ""; sub(/ $/, ""); print }' "$OUT/s/curve.tsv" >"$OUT/s-eval.want"
    check "ff_evaluate on a --label-scale 0.01 model: the figures its run recorded ($(head -c 200 "$OUT/s-eval.err"))" \
        sh -c "[ $rc -eq 0 ] && grep -v '^#' '$OUT/s-eval.tsv' | cmp -s - '$OUT/s-eval.want'"
    check "--label-scale 0.01: other figures than the default's" \
        sh -c "! cmp -s '$OUT/s-eval.want' '$OUT/eval.want'" ;;
*)
    evalr r-bad --readout-first 1
    check "ff_evaluate --readout-first on a model not recurrent: refused ($(head -c 200 "$OUT/r-bad.err"))" \
        sh -c "[ $rc -ne 0 ] && grep -q 'readout-first applies to a recurrent model only' '$OUT/r-bad.err'"
    case $name in
    paper_*) ;;
    *) evalr r-bad --no-test
       check "ff_evaluate --no-test on a seed model: refused ($(head -c 200 "$OUT/r-bad.err"))" \
           sh -c "[ $rc -ne 0 ] && grep -q 'no-test applies to a paper program.s model only' '$OUT/r-bad.err'" ;;
    esac ;;
esac

# a checkpoint of another configuration: refused, untouched; --restart
run "$OUT/c" --inject-stop $STOP1
cp "$OUT/c/checkpoint.ffm" "$OUT/c.ckpt"
run "$OUT/c" --seed 5
check "another configuration refused" [ "$rc" -ne 0 ]
check "the refusal names the difference" grep -q "another configuration (here '--seed 5', there" "$OUT/c.err"
check "the refusal is one line" [ "$(wc -l <"$OUT/c.err")" -eq 1 ]
check "the checkpoint is left as it was" cmp -s "$OUT/c/checkpoint.ffm" "$OUT/c.ckpt"
check "nothing written beside it" sh -c "test ! -e '$OUT/c/summary.tsv' && test ! -e '$OUT/c/curve.tsv'"
run "$OUT/c" --seed 5 --restart
check "--restart discards it and runs ($(head -c 200 "$OUT/c.err"))" [ "$rc" -eq 0 ]
rm -rf "$OUT/c.done" && cp -R "$OUT/c" "$OUT/c.done"
run "$OUT/c"
check "a finished run of another configuration is refused" [ "$rc" -ne 0 ]
check "a finished run of another configuration is not overwritten either" \
    sh -c "for f in '$OUT/c.done'/*; do cmp -s \"\$f\" '$OUT/c/'\"\$(basename \"\$f\")\" || exit 1; done"

# a checkpoint written with other kernels (OpenBLAS's, as OPENBLAS_CORETYPE
# chooses them): refused, untouched; resumed with its own, the results of a
# run never stopped.  (A CPU that needs no choice of kernels has none other
# to ask for here.)
if [ -n "$core" ] && [ "$core" != Prescott ]; then
    run "$OUT/k" --inject-stop $STOP1
    cp "$OUT/k/checkpoint.ffm" "$OUT/k.ckpt"
    OPENBLAS_CORETYPE=Prescott
    run "$OUT/k"
    OPENBLAS_CORETYPE=$core
    check "a checkpoint of other kernels refused, naming both ($(head -c 300 "$OUT/k.err"))" \
        sh -c "[ $rc -ne 0 ] && grep -q 'written with products on .*$core.*, this process runs them on .*Prescott.*OPENBLAS_CORETYPE' '$OUT/k.err'"
    check "the refusal is one line (beside the warning on narrower kernels)" \
        [ "$(grep -vc 'warning: OpenBLAS runs its' "$OUT/k.err")" -eq 1 ]
    check "the checkpoint of other kernels is left as it was" cmp -s "$OUT/k/checkpoint.ffm" "$OUT/k.ckpt"
    run "$OUT/k"
    check "resumed with its own kernels: exits 0 ($rc; $(head -c 200 "$OUT/k.err"))" [ "$rc" -eq 0 ]
    check "resumed with its own kernels: the results of a run never stopped" same_run "$OUT/a" "$OUT/k"
else
    echo "note: no other OpenBLAS kernels to ask for on this CPU: the refusal of a checkpoint of other kernels not checked"
fi

# a NaN stops the run at once
run "$OUT/n" --inject-nan $NAN
check "NaN: exit status 1 (got $rc)" [ "$rc" -eq 1 ]
e=${NAN%,*} b=${NAN#*,}
check "NaN: names epoch $((e + 1)), batch $((b + 1)), layer 1 ($(head -c 300 "$OUT/n.err"))" \
    grep -q "epoch $((e + 1)), batch $((b + 1)), layer 1: the loss is not finite" "$OUT/n.err"
check "NaN: one line" [ "$(wc -l <"$OUT/n.err")" -eq 1 ]
check "NaN: no summary, no curve" sh -c "test ! -e '$OUT/n/summary.tsv' && test ! -e '$OUT/n/curve.tsv'"
check "NaN: the last good checkpoint is kept" test -s "$OUT/n/checkpoint.ffm"
check "NaN: no temporary file left" no_tmp "$OUT/n"
run "$OUT/n"
check "NaN: the kept checkpoint resumes to the uninterrupted results" same_run "$OUT/a" "$OUT/n"

# leftovers of killed processes are removed (pid 2^22+1 exceeds pid_max)
mkdir -p "$OUT/o"
: >"$OUT/o/curve.tsv.tmp.4194305"
: >"$OUT/o/model.ffm.tmp.4194305.tmp.4194305"
run "$OUT/o"
check "orphaned temporary files removed" no_tmp "$OUT/o"

# an --out too long for the program, though not for the system (short
# components, the whole under PATH_MAX): refused before anything is made
long_out=$OUT/long
while [ ${#long_out} -lt 4070 ]; do long_out=$long_out/xxxxxxxx; done
rc=0
"$PROG" --data "$DATA" --out "$long_out" --quiet $FLAGS >/dev/null 2>"$OUT/l.err" || rc=$?
check "--out too long: refused" [ "$rc" -ne 0 ]
check "--out too long: says so ($(head -c 120 "$OUT/l.err"))" grep -q -- '--out: the path has' "$OUT/l.err"
check "--out too long: creates nothing" test ! -e "$OUT/long"

# make status (scripts/run-status.sh) on a tree of runs in each state
st=$OUT/st
rm -rf "$st" && mkdir -p "$st/done" "$st/stopped" "$st/fresh" "$st/live" "$st/dead" "$st/o d\\c"
cp "$OUT/a/summary.tsv" "$st/done/"
for d in stopped live dead "o d\\c"; do cp "$OUT/stop2.ffm" "$st/$d/checkpoint.ffm"; done
: >"$st/live/curve.tsv.tmp.$$"        # this shell: a live process
: >"$st/dead/curve.tsv.tmp.4194305"   # no process (above pid_max)
status() { # status EVALUATE: the script's lines for the tree, in $OUT/st.txt
    sh "$HERE/../scripts/run-status.sh" "$1" g:"$st/done" g:"$st/stopped" g:"$st/fresh" \
        g:"$st/live" g:"$st/dead" g:"$st/none" h:"$st/done" h:"$st/o d\\c" >"$OUT/st.txt" 2>&1
}
status "$EVALUATE"
ck=$(said "$OUT/stop2.err")
printf '%s\n' "g $st/stopped started, $ck" "g $st/fresh started, no checkpoint yet" \
    "g $st/live started, running, $ck" "g $st/dead started, $ck" "g $st/none absent" \
    "h $st/o d\\c started, $ck" "g: 1 of 6 complete, 4 started" "h: 1 of 2 complete, 1 started" \
    >"$OUT/st.want"
check "run-status.sh: each run's state, then the count per group ($(head -c 300 "$OUT/st.txt"))" \
    cmp -s "$OUT/st.want" "$OUT/st.txt"
status "$OUT/no-evaluate"
check "run-status.sh without ff_evaluate: a checkpoint, and how to read it" \
    grep -q "^g $st/stopped started, a checkpoint ($OUT/no-evaluate not built: make build reads it)$" \
    "$OUT/st.txt"
printf '#!/bin/sh\nexit 2\n' >"$OUT/old-evaluate" && chmod +x "$OUT/old-evaluate"
status "$OUT/old-evaluate"
check "run-status.sh with an ff_evaluate of before --position: says to build" \
    grep -q "^g $st/stopped started, a checkpoint ($OUT/old-evaluate has no --position: make build)$" \
    "$OUT/st.txt"

# a run that learns nothing says so
case $name in
paper_ff_*) # the paper's FF at --lr 10 ends at chance (BP's Adam still learns)
    run "$OUT/chance" --lr 10
    check "--lr 10: finishes" [ "$rc" -eq 0 ]
    check "--lr 10: summary says chance" sh -c "grep -v '^#' '$OUT/chance/summary.tsv' | grep -q ' chance$'"
    check "a run that learned says so" sh -c "grep -v '^#' '$OUT/a/summary.tsv' | grep -q ' learned$'" ;;
esac
check_done
