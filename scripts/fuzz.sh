#!/bin/sh
# fuzz.sh [SECONDS] - fuzz the file readers: each target of tests/fuzz/
# (fuzz_idx: the IDX reader and data set loader; fuzz_model: the model and
# checkpoint reader) for SECONDS (default 60), the targets side by side.
#
# Builds build-fuzz/ first if needed (CC=clang, -DFF_FUZZ=ON: libFuzzer,
# AddressSanitizer, UndefinedBehaviorSanitizer).  Each target starts from
# its seed corpus (tests/fuzz/corpus-<target>/), copied into
# build-fuzz/corpus/<target>/, where the inputs the fuzzer finds accumulate
# from run to run; tests/fuzz/ is never written.  Prints each target's
# executions; exits non-zero on any finding (crash, sanitizer report, leak,
# timeout), keeping the input that caused it under build-fuzz/findings/ and
# printing its path.  FUZZ_FLAGS adds libFuzzer flags (e.g. -runs=N: stop
# after N executions, whichever comes first).
set -eu
seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
targets="idx model"

if [ ! -f "$build/CMakeCache.txt" ]; then
    mkdir -p "$build"
    CC=clang cmake -S "$root" -B "$build" -DFF_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
fi
cmake --build "$build" -j 2 >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }

mkdir -p "$build/findings"
export UBSAN_OPTIONS=print_stacktrace=1
for t in $targets; do
    mkdir -p "$build/corpus/$t"
    cp "$root/tests/fuzz/corpus-$t/"* "$build/corpus/$t/"
    # shellcheck disable=SC2086 # FUZZ_FLAGS: one word per flag
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/findings/$t-" ${FUZZ_FLAGS:-} "$build/corpus/$t" \
        >"$build/fuzz_$t.log" 2>&1 &
    eval "pid_$t=\$!"
done

failed=0
for t in $targets; do
    status=0
    eval "wait \$pid_$t" || status=$?
    log=$build/fuzz_$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    echo "fuzz_$t: ${execs:-?} executions in ${secs:-?} s, corpus $(ls "$build/corpus/$t" | wc -l) inputs (log: $log)"
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "fuzz_$t: FINDING (exit status $status):"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*broken promise)' "$log" | head -n 5 | sed 's/^/  /'
        for f in $(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log"); do
            echo "  input kept: $f (replay: $build/tests/fuzz/fuzz_$t $f)"
        done
    fi
done
[ "$failed" -eq 0 ] && echo "fuzz: no findings"
exit "$failed"
