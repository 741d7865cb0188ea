# nosecs.sh - sourced by the tests that compare runs.
# nosecs FILE: a run's curve.tsv or summary.tsv without its column seconds,
# which no two runs share: scripts/untimed.awk, the form make compare
# checksums.
nosecs() {
    awk -f "$(dirname "$0")/../scripts/columns.awk" -f "$(dirname "$0")/../scripts/untimed.awk" "$1"
}
# same_untimed A B FILE: A/FILE and B/FILE alike but for their seconds, and
# not empty (two unreadable files are not alike)
same_untimed() {
    u=$(nosecs "$1/$3") && [ -n "$u" ] && [ "$u" = "$(nosecs "$2/$3")" ]
}
# same_run A B: two runs' results alike but for the time: model.ffm bit for
# bit, curve.tsv and summary.tsv but for their seconds
same_run() {
    cmp -s "$1/model.ffm" "$2/model.ffm" && same_untimed "$1" "$2" curve.tsv &&
        same_untimed "$1" "$2" summary.tsv
}
