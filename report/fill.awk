# fill.awk - the report's Markdown: the template with its placeholders filled.
#
#   awk -f fill.awk VALUES/NAME ... TEMPLATE
#
# Every argument but the last is a value file; its name (without directory)
# is the placeholder it fills, @@NAME@@, and its content (one line, or a
# Markdown block on a line of its own) the text.  The last argument is the
# template.  A placeholder with no value file fails the build, naming it.
BEGIN {
    for (i = 1; i < ARGC - 1; i++) {  # registered here: a file may be empty
        key = ARGV[i]; sub(/.*\//, "", key)
        value[key] = ""
    }
}

FILENAME != ARGV[ARGC - 1] {
    key = FILENAME; sub(/.*\//, "", key)
    value[key] = FNR == 1 ? $0 : value[key] "\n" $0
    next
}

{
    out = ""; rest = $0
    while (match(rest, /@@[A-Za-z0-9_.-]+@@/)) {
        key = substr(rest, RSTART + 2, RLENGTH - 4)
        if (!(key in value)) {
            printf "fill.awk: %s:%d: no value for @@%s@@\n", FILENAME, FNR, key > "/dev/stderr"
            bad = 1
        }
        out = out substr(rest, 1, RSTART - 1) value[key]
        rest = substr(rest, RSTART + RLENGTH)
    }
    print out rest
}

END { exit bad }
