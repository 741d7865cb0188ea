#!/bin/sh
# test_columns.sh OUT - scripts/columns.awk, the result files read by name.
#
# A column is found by its name in both kinds of header, a comment header
# (a run's summary.tsv: "# name ...", fields separated by blanks) and a
# plain one (a table: the first line that is no comment, tab-separated,
# cells that hold blanks), each file by its own, in one awk run; a column
# the file lacks is one line on stderr naming the file and the column, a
# non-zero exit, and nothing of the script's own output; so is a table
# without a header.  A config.txt's value is found by its key.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
columns=$here/../scripts/columns.awk
. "$here/check.sh"
rm -rf "$out" && mkdir -p "$out"

# the two kinds of header, the columns in another order in each
printf '# seed epochs softmax_best\n1 200 96.54\n2 200 95.81\n' >"$out/run.tsv"
printf '# a table of runs\n# (two comment lines)\nflags\tsoftmax_best\tseed\n--lr 0.02\t97.10\t3\n' \
    >"$out/table.tsv"
cat >"$out/read.awk" <<'EOF'
!col_data() { next }
{ print FILENAME ": " col("seed") "|" col("softmax_best") "|" (col_has("flags") ? col("flags") : "-") }
END { print "end" }
EOF
got=$(cd "$out" && awk -f "$columns" -f read.awk run.tsv table.tsv)
want="run.tsv: 1|96.54|-
run.tsv: 2|95.81|-
table.tsv: 3|97.10|--lr 0.02
end"
check "a column by name in a comment header and in a plain one, one awk run" test "$got" = "$want"
got=$(cd "$out" && awk -f "$columns" -f read.awk table.tsv run.tsv | head -n 1)
check "each file by its own header, whatever came before" test "$got" = "table.tsv: 3|97.10|--lr 0.02"
printf 'seed\n' >"$out/empty.tsv"
got=$(cd "$out" && awk -f "$columns" -f read.awk empty.tsv)
check "a header with no data line: no row" test "$got" = "end"

# missing FILE...: read.awk on the files, its stdout, stderr and exit
# status ($status) apart
missing() {
    status=0
    (cd "$out" && awk -f "$columns" -f read.awk "$@" >stdout 2>stderr) || status=$?
}
printf '# seed epochs\n1 200\n' >"$out/old-run.tsv"
missing run.tsv old-run.tsv
check "a missing column: a non-zero exit" test "$status" -ne 0
check "one line on stderr" test "$(wc -l <"$out/stderr")" -eq 1
check "naming the file and the column" grep -qx 'old-run.tsv: no column softmax_best' "$out/stderr"
check "the script's own output stops there (no END)" test "$(cat "$out/stdout")" = \
    "run.tsv: 1|96.54|-
run.tsv: 2|95.81|-"
printf 'seed\tsoftmax_best\n' | sed 's/softmax_best/softmax/' >"$out/old-table.tsv"
printf '3\t97.10\n' >>"$out/old-table.tsv"
missing old-table.tsv
check "in a plain header too: a non-zero exit and the one line" \
    sh -c "test $status -ne 0 && test \"\$(cat '$out/stderr')\" = 'old-table.tsv: no column softmax_best'"
printf '# only comments\n# and no header\n' >"$out/headless.tsv"
missing headless.tsv
check "a table without a header line: the one line, a non-zero exit" \
    sh -c "test $status -ne 0 && grep -qx 'headless.tsv: no header line naming the columns' '$out/stderr'"

# config(FILE, KEY)
printf 'experiment paper-ff-sup\ntrain 50000\noptimizer sgd momentum=0.9\n' >"$out/config.txt"
echo 'BEGIN { print config(f, "train") "|" config(f, "optimizer") "|" config(f, "val") "|" }' \
    >"$out/config.awk"
got=$(awk -v f="$out/config.txt" -f "$columns" -f "$out/config.awk")
check "config: a value by its key, the rest of its line; none: empty" \
    test "$got" = "50000|sgd momentum=0.9||"

check_done
