#!/bin/sh
# cluster.sh up DIR [PID] | down DIR - a one-node Slurm cluster on this machine,
# for the tests (tests/test_slurm.sh): Debian's slurm-wlm and munge (make
# deps installs them), everything in DIR, nothing in /etc or /run.
#
# up: a fresh MUNGE key and munged on its own socket; slurm.conf for this
# host at 127.0.0.1, on two free ports, one node with this machine's CPUs
# and memory (slurmd -C) in partition `test`, cons_tres selecting CPUs and
# memory; processes tracked by their parentage (proctrack/linuxproc) and
# no task plugin, so that no cgroup is needed, and the daemons signal only
# the processes of their jobs.  Then slurmctld and slurmd, and a wait until
# the node is idle.  Clients reach it with SLURM_CONF=DIR/slurm.conf.  With
# PID, a watcher detached from it brings the cluster down once process PID
# has ended, however it ended (a test killed at its timeout).
# down: every job of the cluster cancelled and waited for (their processes
# killed after 60 s), then the daemons stopped by their pid files, and DIR
# removed.  Both print what went wrong with the daemons' logs.
set -eu
die() { echo "cluster.sh: $*" >&2; exit 1; }
usage="usage: cluster.sh up DIR [PID] | down DIR"
[ $# -ge 2 ] || die "$usage"
action=$1 dir=$2 watch=${3-}
self=$(cd "$(dirname "$0")" && pwd)/cluster.sh
export SLURM_CONF="$dir/slurm.conf"

# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 if it never does
wait_for() {
    n=$(($1 * 5))
    shift
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || return 1
        sleep 0.2
    done
}
logs() { for f in "$dir"/log/*; do [ -f "$f" ] && { echo "== $f"; tail -n 20 "$f"; }; done >&2; }
# stop NAME: the daemon of DIR/NAME.pid, TERM then KILL after 20 s
stop() {
    [ -s "$dir/$1.pid" ] || return 0
    pid=$(cat "$dir/$1.pid")
    kill "$pid" 2>/dev/null || return 0
    wait_for 20 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
}

case $action in
up)
    for c in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
        command -v $c >/dev/null || die "no $c: install slurm-wlm and munge (make deps)"
    done
    [ "$(id -u)" -eq 0 ] || die "slurmd runs its jobs as their users: it needs root"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    export SLURM_CONF="$dir/slurm.conf"
    (umask 077 && mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log")
    if [ -n "$watch" ]; then
        (setsid sh -c "while kill -0 $watch && [ -d '$dir' ]; do sleep 2; done 2>/dev/null
                       exec sh '$self' down '$dir'" </dev/null >/dev/null 2>&1 &)
    fi
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$dir/munge/munge.key"
    # the daemons' own output in DIR/log too: none holds the caller's
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/munged.seed" </dev/null >"$dir/log/munged.out" 2>&1 ||
        { logs; die "munged did not start"; }
    wait_for 10 test -S "$dir/munge/munge.socket" || { logs; die "munged made no socket"; }

    # two free ports: the first pair from a base drawn from this process's
    # id that nothing listens on (/proc/net/tcp*: listening is state 0A)
    used=$(awk 'FNR > 1 && $4 == "0A" { print substr($2, index($2, ":") + 1) }' /proc/net/tcp*)
    port=$((20000 + $$ % 20000))
    while echo "$used" | grep -qx -e "$(printf %04X $port)" -e "$(printf %04X $((port + 1)))"; do
        port=$((port + 2))
    done
    host=$(hostname -s)
    node=$(slurmd -C | awk 'NR == 1 { for (i = 2; i <= NF; i++) if ($i !~ /^UpTime=/) printf " %s", $i }')
    cat >"$SLURM_CONF" <<EOF
# a one-node test cluster (scripts/slurm/cluster.sh)
ClusterName=fftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
KillWait=30
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1$node State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    slurmctld -i </dev/null >"$dir/log/slurmctld.out" 2>&1 || { logs; die "slurmctld did not start"; }
    slurmd -N "$host" </dev/null >"$dir/log/slurmd.out" 2>&1 || { logs; die "slurmd did not start"; }
    # shellcheck disable=SC2016 # sh -c expands it
    wait_for 60 sh -c '[ "$(sinfo -h -o %T)" = idle ]' ||
        { sinfo >&2 || true; logs; die "the node never became idle"; }
    echo "cluster.sh: up: node $host,$node, SLURM_CONF=$SLURM_CONF"
    ;;
down)
    [ -d "$dir" ] || exit 0
    if [ -s "$dir/slurmctld.pid" ]; then
        ids=$(squeue -h -o %i 2>/dev/null || true)
        # shellcheck disable=SC2086 # one id a word
        [ -z "$ids" ] || scancel $ids 2>/dev/null || true
        # shellcheck disable=SC2016 # sh -c expands it
        if ! wait_for 60 sh -c '[ -z "$(squeue -h -o %i)" ]'; then
            # what is left of the jobs: their processes, as slurmd lists them
            pids=$(scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }')
            # shellcheck disable=SC2086 # one pid a word
            [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
        fi
    fi
    stop slurmd
    stop slurmctld
    stop munged
    rm -rf "$dir"
    ;;
*) die "$usage" ;;
esac
