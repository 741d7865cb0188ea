# columns.awk - the result files read by name: a table's columns, a run's
# config.txt by key.  Loaded before the script that uses it:
#
#   awk -f scripts/columns.awk -f SCRIPT.awk FILE ...
#
# A table names its columns in a header line of one of two kinds:
#   comment  its first line, '#' and then the names, when that line holds
#            nothing else and the next line is no comment; the data lines
#            follow, fields separated by blanks (a run's summary.tsv and
#            curve.tsv);
#   plain    its first line that does not begin with '#', the names
#            separated by tabs, as the fields of the data lines after it
#            (summary.tsv, paper-summary.tsv, paper-search.tsv,
#            paper-ablation.tsv; experiments/*.tsv after their comments).
# The kind is the file's own, so that one script may read tables of both.
#
# col_data()     for the current line of the input: 1 for a data line (not
#                the header, a comment or a blank line), else 0; it reads
#                the file's header when the file begins.  Every line read
#                with col() goes through it first.
# col(NAME)      the current data line's field in column NAME.
# col_has(NAME)  whether the current file has a column NAME.
# col_pos(NAME)  the field number of column NAME in the current file.
# config(FILE, KEY)  the value of KEY in FILE, a config.txt ("KEY VALUE..."
#                lines): the rest of its line, "" if FILE has no such line.
# col_fail(MSG)  a script's own error, as this file's: MSG, one line on
#                stderr, and the exit status 1.
#
# A column the file lacks, or a table without a header, is a one-line
# error naming the file and the column, and the exit status is 1: the END
# below, run before the script's own, stops before it prints anything.

function col_data() {
    if (FNR == 1) col_header(FILENAME)
    if (FNR == col_at[FILENAME] || /^#/ || NF == 0) return 0
    split($0, col_field, col_sep[FILENAME])
    return 1
}

function col(name) { return col_field[col_pos(name)] }

function col_has(name) { return (FILENAME, name) in col_index }

function col_pos(name) {
    if (!((FILENAME, name) in col_index)) col_fail(FILENAME ": no column " name)
    return col_index[FILENAME, name]
}

# Reads FILE's header (the file opened anew, so that its second line can
# say which kind the first is) into col_index, col_at and col_sep.
function col_header(file,    line, n, first, names, k, i) {
    while ((getline line < file) > 0) {
        n++
        if (n == 1 && line ~ /^#([ \t]+[A-Za-z_][A-Za-z0-9_]*)+[ \t]*$/) {
            first = line
            continue
        }
        if (n == 2 && first != "" && line !~ /^#/) break
        first = ""
        if (line !~ /^#/ && line ~ /[^ \t]/) break
    }
    close(file)
    if (first != "") {
        sub(/^#/, "", first)
        col_at[file] = 1; col_sep[file] = " "; k = split(first, names, " ")
    } else if (n && line !~ /^#/ && line ~ /[^ \t]/) {
        col_at[file] = n; col_sep[file] = "\t"; k = split(line, names, "\t")
    } else
        col_fail(file ": no header line naming the columns")
    for (i = 1; i <= k; i++) col_index[file, names[i]] = i
}

# (exit runs the END rules, this file's first: it exits again, at once)
function col_fail(msg) {
    print msg > "/dev/stderr"
    col_status = 1
    exit 1
}

function config(file, key,    line, k) {
    if (!(file in config_read)) {
        config_read[file] = 1
        while ((getline line < file) > 0) {
            k = line; sub(/[ \t].*/, "", k)
            config_value[file, k] = substr(line, length(k) + 2)
        }
        close(file)
    }
    return (file, key) in config_value ? config_value[file, key] : ""
}

END { if (col_status) exit col_status }
