# check.sh - sourced by the shell tests: one verdict per check, and the
# closing line that counts them (the exit status of check_done is the
# test's verdict).
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
check_done() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
