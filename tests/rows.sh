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
    _prog=$(mktemp) || return 1
    printf '!col_data() { next }\n{ n++; if (%s) met = 1; else bad = 1 }\nEND { exit %s }\n' \
        "$2" "$3" >"$_prog"
    _rc=0
    awk -f "$(dirname "$0")/../scripts/columns.awk" -f "$_prog" "$1" || _rc=$?
    rm -f "$_prog"
    return $_rc
}
