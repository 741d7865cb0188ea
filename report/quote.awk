# quote.awk - one function of the library, as a Markdown C code block.
#
#   awk -v name=NAME -v shown=lib/src/ -f quote.awk SOURCE.c ...
#   awk -v name=NAME -v raw=1 -f quote.awk SOURCE.c ...
#
# Prints the lines between "quoted in the report: begin NAME" and
# "quoted in the report: end NAME" (markers excluded, common indentation and
# trailing blank lines removed), headed by the file and line numbers they
# came from; with raw=1, the lines alone, as they are (for provenance.sh).
# Fails unless NAME is marked exactly once, begin before end: the report
# must never quote something that is not in the source.
function fail(msg) { print "quote.awk: " msg > "/dev/stderr"; bad = 1; exit 1 }

$0 ~ "quoted in the report: begin " name " \\*/" {
    if (found++) fail(name ": marked twice (" file " and " FILENAME ")")
    inside = 1; file = FILENAME; first = FNR + 1; n = 0
    next
}
$0 ~ "quoted in the report: end " name " \\*/" {
    if (!inside || FILENAME != file) fail(name ": end marker without begin in " FILENAME)
    inside = 0; last = FNR - 1
    next
}
inside { line[++n] = $0 }

END {
    if (bad) exit 1
    if (!found) fail(name ": no such marker in the sources")
    if (inside) fail(name ": begin marker without end in " file)
    while (n > 0 && line[n] ~ /^[ \t]*$/) { n--; last-- }
    if (raw) {
        for (i = 1; i <= n; i++) print line[i]
        exit
    }
    indent = -1
    for (i = 1; i <= n; i++) {
        if (line[i] ~ /^[ \t]*$/) continue
        match(line[i], /^ */)
        if (indent < 0 || RLENGTH < indent) indent = RLENGTH
    }
    base = file; sub(/.*\//, "", base)
    printf "*`%s%s`, lines %d-%d:*\n\n```c\n", shown, base, first, last
    for (i = 1; i <= n; i++) print substr(line[i], indent + 1)
    print "```"
}
