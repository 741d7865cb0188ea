# untimed.awk - a run's curve.tsv without its column seconds, the time,
# which no two runs share: what compare.sh compares bit for bit.
#
#   awk -f scripts/columns.awk -f scripts/untimed.awk RUN/curve.tsv
#
# Each data line without that field (found by its name: a curve without it
# is columns.awk's one-line error), the header without the name, every
# line's fields joined by single blanks: the rest compares alike wherever
# the column stands.
!col_data() {
    for (i = 1; i <= NF; i++)
        if ($i == "seconds") $i = ""
    squeeze()
    next
}
{ $col_pos("seconds") = ""; squeeze() }

# the line's fields, empty ones left out, joined by single blanks
function squeeze() { $0 = $0; $1 = $1; print }
