#!/bin/sh
# run-status.sh EVALUATE GROUP:DIR... - where each run stands (make status).
#
# Each argument is a run's directory, prefixed with the name of its group
# ("paper:build/results/paper/bp-seed1").  A run is complete when its
# summary.tsv is there (the programs write it last); started when its
# directory is there without one: then a temporary curve of a live process
# on this machine (curve.tsv.tmp.PID: run.c) says it is running now (a run
# on another node, CLUSTER=slurm, does not show as running), and its
# checkpoint how far it is (EVALUATE --position, ff_evaluate: "checkpoint:
# 16 of 500 epochs; last validation (after epoch 16): ..."); absent
# otherwise.  Prints one line per run
# not complete, "GROUP DIR STATE", then per group "GROUP: C of N complete,
# S started".  The checkpoint is read when EVALUATE is built; else the line
# says so.  Reads only: never starts, stops or changes a run.
set -eu
[ $# -ge 1 ] || { echo "usage: sh run-status.sh EVALUATE GROUP:DIR..." >&2; exit 2; }
EVALUATE=$1
shift

# running DIR: a process on this machine writes DIR's curve (as run.c
# tells a live writer: a process of another user counts)
running() {
    for f in "$1"/curve.tsv.tmp.*; do
        [ -e "$f" ] || continue
        pid=${f##*.tmp.}
        case $pid in '' | 0 | *[!0-9]*) continue ;; esac
        { kill -0 "$pid" || [ -d "/proc/$pid" ]; } 2>/dev/null && return 0
    done
    return 1
}

# state DIR: the state of one run not complete
state() {
    [ -d "$1" ] || { echo absent; return; }
    live=
    running "$1" && live=", running"
    if [ ! -s "$1/checkpoint.ffm" ]; then
        printf '%s\n' "started$live, no checkpoint yet"
    elif [ ! -x "$EVALUATE" ]; then
        printf '%s\n' "started$live, a checkpoint ($EVALUATE not built: make build reads it)"
    else
        rc=0
        where=$("$EVALUATE" --position "$1/checkpoint.ffm" 2>&1) || rc=$?
        case $rc in
        0) ;;
        2) where="a checkpoint ($EVALUATE has no --position: make build)" ;;
        *) where="a checkpoint it cannot read: $where" ;;
        esac
        printf '%s\n' "started$live, $where"
    fi
}

for arg in "$@"; do
    group=${arg%%:*} dir=${arg#*:}
    if [ -s "$dir/summary.tsv" ]; then
        printf '%s\n' "$group complete"
    else
        s=$(state "$dir")
        printf '%s\n' "$group $dir $s"
        case $s in absent) printf '%s\n' "$group absent" ;; *) printf '%s\n' "$group started" ;; esac
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
