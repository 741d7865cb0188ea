# nosecs.sh - sourced by the tests that compare runs.
# nosecs FILE: a run's curve.tsv or summary.tsv without its column seconds,
# which no two runs share: scripts/untimed.awk, the form make compare
# checksums.
nosecs() {
    awk -f "$(dirname "$0")/../scripts/columns.awk" -f "$(dirname "$0")/../scripts/untimed.awk" "$1"
}
