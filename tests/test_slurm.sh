#!/bin/sh
# test_slurm.sh SRC BUILD OUT - make reproduce CLUSTER=slurm on a one-node
# Slurm cluster brought up on this machine (scripts/slurm/cluster.sh; a
# failure, not a skip, without Slurm, MUNGE, root or MNIST), torn down at
# the end whatever happened (killed, the test leaves a watcher that does it).
#
# 1. The quick reproduction here and through Slurm, both timed (printed,
#    never asserted): the Slurm one's table and every run's curve the
#    local one's bit for bit (make compare: "same bits" on every line).
# 2. A run deleted, the reproduction through Slurm again: only that run is
#    submitted; its job is requeued (scontrol requeue) once the program
#    has written its first evaluation, so that the SIGTERM stops it with a
#    checkpoint and the requeued job resumes from it (its log shows both,
#    Slurm counts one restart); the table still the local one's bits.
# 3. A run that fails (a bad flag): make fails, naming the job and quoting
#    the program's error from the end of its log.
set -eu
src=$(cd "$1" && pwd) build=$2 out=$3
data=$src/data/mnist
[ -f "$data/SHA256SUMS" ] || { echo "no MNIST in $data: run 'make data' (make test does it)"; exit 1; }

. "$(dirname "$0")/check.sh"
fatal() { echo "$1"; [ -z "${2-}" ] || tail -n 40 "$2"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }

rm -rf "$out" && mkdir -p "$out"
out=$(cd "$out" && pwd)
# the cluster's files in a short path: a socket's path has at most 107 bytes
cluster=$(mktemp -d /tmp/ff-slurm.XXXXXX)
trap 'sh "$src/scripts/slurm/cluster.sh" down "$cluster" >>"$out/cluster.log" 2>&1' EXIT
trap 'exit 1' INT TERM
sh "$src/scripts/slurm/cluster.sh" up "$cluster" $$ >"$out/cluster.log" 2>&1 ||
    fatal "FAIL: the test cluster did not come up" "$out/cluster.log"
export SLURM_CONF="$cluster/slurm.conf"

quick="SCALE=quick BUILD=$build DATA=$data"
slurm="CLUSTER=slurm CLUSTER_POLL=1 CLUSTER_LOGS=$out/logs"
now() { date +%s.%N; }
# reproduce NAME [VAR=VALUE...]: make reproduce SCALE=quick into OUT/NAME,
# output in OUT/NAME.log
reproduce() {
    name=$1
    shift
    # shellcheck disable=SC2086 # $quick: words
    make -C "$src" reproduce $quick RESULTS="$out/$name" REPORT_DIR="$out/$name-report" "$@" \
        >"$out/$name.log" 2>&1 || fatal "FAIL: make reproduce ($name)" "$out/$name.log"
}
# same_bits NAME: the reproduction in OUT/slurm beside OUT/local, into NAME.tsv
same_bits() {
    # shellcheck disable=SC2086
    make -s -C "$src" compare $quick RESULTS="$out/slurm" REF_RESULTS="$out/local" \
        COMPARE="$out/$1.tsv" >"$out/$1.log" 2>&1 &&
    test "$(tail -n +2 "$out/$1.tsv" | cut -f 12 | sort | uniq -c | awk '{ $1 = $1 } 1')" = "10 same bits"
}

t0=$(now)
reproduce local
t1=$(now)
# shellcheck disable=SC2086 # $slurm: words
reproduce slurm $slurm
t2=$(now)
echo "slurm: make reproduce SCALE=quick: $(awk -v a="$t0" -v b="$t1" -v c="$t2" \
    'BEGIN { printf "here %.1f s, through Slurm on the one-node cluster %.1f s (%.2fx)", b - a, c - b, (c - b) / (b - a) }')"
check "12 jobs, all done" grep -q '^cluster: all 12 jobs done$' "$out/slurm.log"
check "progress lines: done / running / pending / failed" \
    grep -q '^cluster: 12 jobs: [0-9]* done, [0-9]* running, [0-9]* pending, 0 failed' "$out/slurm.log"
check "a log per run" test "$(ls "$out"/logs/slurm/*.log | wc -l)" -eq 12
check "the table and the report made here" test -s "$out/slurm/summary.tsv" -a -s "$out/slurm-report/report.html"
check "the table: the local one's bits, run by run" same_bits compare

# 2. one run again, its job requeued while it trains
victim=ff-unsup-conv2d-seed2
run=$out/slurm/$victim
rm -rf "$run"
# shellcheck disable=SC2086
make -C "$src" reproduce $quick $slurm RESULTS="$out/slurm" REPORT_DIR="$out/slurm-report" \
    >"$out/requeue.log" 2>&1 &
maker=$!
id= n=0
while [ $n -lt 1200 ]; do
    n=$((n + 1))
    [ -n "$id" ] || id=$(squeue -h -o '%i|%k' | awk -F'|' -v f="$run/summary.tsv" '$2 == f { print $1 }')
    if [ -n "$id" ] && [ "$(cat "$run"/curve.tsv* 2>/dev/null | grep -vc '^#')" -gt 0 ]; then
        scontrol requeue "$id"
        break
    fi
    sleep 0.05
done
status=0
wait "$maker" || status=$?
[ "$status" -eq 0 ] || fatal "FAIL: make reproduce (requeue)" "$out/requeue.log"
[ -n "$id" ] || fatal "FAIL: no job for $victim in the queue" "$out/requeue.log"
log=$out/logs/slurm/$victim.log
check "again: only the missing run submitted" grep -q '^cluster: 1 jobs submitted, 0 queued already' "$out/requeue.log"
check "requeued: the program stopped by SIGTERM, with a checkpoint" grep -q "stopped by signal 15 .*checkpoint" "$log"
check "requeued: the job started twice, the second from the checkpoint" \
    test "$(sed -n "/^cluster: job $id (restart 1)/{n;p;}" "$log")" = \
         "cluster: the run resumes from $run/checkpoint.ffm"
check "requeued: the run complete, its checkpoint gone" test -s "$run/summary.tsv" -a ! -e "$run/checkpoint.ffm"
check "requeued: Slurm counts one restart" sh -c "scontrol show job $id | grep -q 'Restarts=1'"
check "requeued: the table still the local one's bits" same_bits requeued
echo "slurm: requeued job $id, its log:"
sed -n "/^cluster: job $id (restart 0)/,\$p" "$log" | sed 's/^/    /'

# 3. a run that fails
status=0
# shellcheck disable=SC2086
make -C "$src" runs SCALE=seed SEEDS=1 MODELS=dense ALGOS=bp RUNFLAGS=--bogus BUILD="$build" \
    DATA="$data" RESULTS="$out/bad" $slurm >"$out/bad.log" 2>&1 || status=$?
check "a failed job: make fails" test "$status" -ne 0
check "a failed job: named" grep -q '^cluster: FAILED: bp-dense-seed1 (job [0-9]*, FAILED)' "$out/bad.log"
check "a failed job: the end of its log" grep -q "^    .*unknown or incomplete flag '--bogus'" "$out/bad.log"
check "a failed job: counted" grep -q '^cluster: 1 of 1 jobs failed' "$out/bad.log"

# without CLUSTER the Makefile runs the program itself
check "without CLUSTER, nothing changes" sh -c "make -n -C '$src' $quick RESULTS='$out/none' \
    '$out/none/bp-dense-seed1/summary.tsv' | grep -q -- '--out $out/none/bp-dense-seed1'"

check_done
