# rows.sh - sourced by the tests that read a run's tables: rows by column
# name (scripts/columns.awk), never by position.
# every_row FILE COND: FILE (a summary.tsv or curve.tsv) has data rows, and
# every one meets COND, an awk condition over col("NAME")
every_row() { rows_meet "$1" "$2" 'bad || !n'; }
# some_row FILE COND: at least one data row of FILE meets COND
some_row() { rows_meet "$1" "$2" '!met'; }
# rows_meet FILE COND FAIL: awk's verdict, FAIL over n (rows), bad (a row
# that fails COND) and met (a row that meets it); a column FILE lacks is
# columns.awk's error, and a failure
rows_meet() {
    by_name "$1" "$(printf '!col_data() { next }\n{ n++; if (%s) met = 1; else bad = 1 }\nEND { exit %s }\n' \
        "$2" "$3")"
}
# by_name FILE PROGRAM [AWK-ARGS...]: the awk PROGRAM run over FILE with
# scripts/columns.awk loaded (col(NAME), col_data()), AWK-ARGS (-v ...)
# before it; its status
by_name() {
    _file=$1 _text=$2
    shift 2
    _prog=$(mktemp) || return 1
    printf '%s\n' "$_text" >"$_prog"
    _rc=0
    awk "$@" -f "$(dirname "$0")/../scripts/columns.awk" -f "$_prog" "$_file" || _rc=$?
    rm -f "$_prog"
    return $_rc
}
