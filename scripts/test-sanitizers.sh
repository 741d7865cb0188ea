#!/bin/sh
# test-sanitizers.sh - the whole test suite built with AddressSanitizer
# (leaks included) and UndefinedBehaviorSanitizer, in build-asan/.
#
# Every error stops the program that made it (-fno-sanitize-recover=all),
# so a test fails on any report.  Leaks that belong to the libraries the
# project calls, not to it, are suppressed by name in tests/sanitizers.supp.
# The tests that run the Makefile's pipeline (reproduce_quick, paper_quick)
# run it with BUILD=build-asan, on these same programs.  The Slurm test is
# left out: it runs the same quick pipeline twice more, through a cluster
# whose daemons are not built here, and adds no program the other tests do
# not run.  CC picks the compiler (default gcc); ASAN_JOBS the tests run at
# once (default 2).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

if [ ! -f "$build/CMakeCache.txt" ]; then
    mkdir -p "$build"
    CC=${CC:-gcc} cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" \
        -DCMAKE_SHARED_LINKER_FLAGS="$san" >"$build/configure.log" 2>&1 ||
        { cat "$build/configure.log"; exit 1; }
fi
cmake --build "$build" -j 2 >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/tests/sanitizers.supp:print_suppressions=0
start=$(date +%s)
status=0
ctest --test-dir "$build" --output-on-failure -j "${ASAN_JOBS:-2}" -E '^slurm$' || status=$?
echo "sanitizers: ctest in $build: $([ "$status" -eq 0 ] && echo passed || echo FAILED)" \
     "in $(($(date +%s) - start)) s"
exit "$status"
