# dry.sh - sourced by the tests of the Makefile, after check.sh: what
# `make -n` would run, into a log to read.  Needs src (the checkout) and
# out (the test's directory).

# dry NAME ARGS...: make -n ARGS in src into $out/NAME.log, status in $rc
dry() {
    name=$1
    shift
    rc=0
    make -n -C "$src" --no-print-directory BUILD=/nonexistent/build "$@" >"$out/$name.log" 2>&1 || rc=$?
}
# has NAME TEXT: the log holds TEXT
has() { grep -qF -- "$2" "$out/$1.log"; }
