#!/bin/sh
# run-status.sh EVALUATE GROUP:DIR... - where each run stands (make status).
#
# Each argument is a run's directory, prefixed with the name of its group
# ("paper:build/results/paper/bp-seed1").  A run is complete when its
# summary.tsv is there (the programs write it last); started when its
# directory is there without one: then its checkpoint says how far it is
# (EVALUATE --position, ff_evaluate: "checkpoint: 16 of 500 epochs"), and
# a temporary curve of a live process (curve.tsv.tmp.PID: run.c) says it
# is running now; absent otherwise.  Prints one line per run not complete,
# "GROUP DIR STATE", then per group "GROUP: C of N complete, S started".
# The checkpoint is read when EVALUATE is built; else the line says so.
# Reads only: never starts, stops or changes a run.
set -eu
[ $# -ge 1 ] || { echo "usage: sh run-status.sh EVALUATE GROUP:DIR..." >&2; exit 2; }
EVALUATE=$1
shift

# running DIR: a process that writes DIR's curve is alive
running() {
    for f in "$1"/curve.tsv.tmp.*; do
        [ -e "$f" ] || continue
        pid=${f##*.tmp.}
        case $pid in '' | *[!0-9]*) continue ;; esac
        kill -0 "$pid" 2>/dev/null && return 0
    done
    return 1
}

# state DIR: the state of one run not complete
state() {
    [ -d "$1" ] || { echo absent; return; }
    live=
    running "$1" && live=", running"
    if [ ! -s "$1/checkpoint.ffm" ]; then
        echo "started, no checkpoint yet$live"
    elif [ -x "$EVALUATE" ]; then
        where=$("$EVALUATE" --position "$1/checkpoint.ffm" 2>&1) || where="unreadable checkpoint: $where"
        echo "started, $where$live"
    else
        echo "started, a checkpoint ($EVALUATE not built: make build reads it)$live"
    fi
}

for arg in "$@"; do
    group=${arg%%:*} dir=${arg#*:}
    if [ -s "$dir/summary.tsv" ]; then
        echo "$group complete"
    else
        s=$(state "$dir")
        echo "$group $dir $s"
        case $s in absent) echo "$group absent" ;; *) echo "$group started" ;; esac
    fi
done | awk '
    !($1 in seen) { seen[$1] = 1; group[++n] = $1 }
    NF == 2 { count[$1, $2]++; next }   # a tally line
    { print }
    END {
        for (i = 1; i <= n; i++) {
            g = group[i]; c = count[g, "complete"] + 0; s = count[g, "started"] + 0
            printf "%s: %d of %d complete, %d started\n", g, c, c + s + count[g, "absent"], s
        }
    }'
