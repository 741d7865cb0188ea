#!/bin/sh
# jobs.sh GOAL... - the runs make's GOALs need, made as Slurm jobs: the
# recipe of cluster-jobs (mk/slurm.mk, whose CLUSTER_* variables it reads).
#
# 1. Which runs: make -n GOAL... with CLUSTER_COLLECT=LIST, where each
#    rule of a run's summary.tsv (mk/slurm.mk) writes its file into LIST:
#    make's own dependency logic decides what is missing.
# 2. Their commands: make -n FILE... without CLUSTER prints the Makefile's
#    recipes; each run's (found by its --out) and the benchmark files give
#    its job's CPUs, memory and time limit (resources.awk).
# 3. One job per run, the longest first (a free node takes the longest
#    left): job.sh runs make FILE on the node, with this make's command-line
#    variables; --requeue (a job preempted with SIGTERM checkpoints, and its
#    requeued job resumes); its log appended across restarts under
#    CLUSTER_LOGS.  A job of this user still queued or running for the same
#    file (a call interrupted earlier) is waited for, not submitted again.
# 4. The queue read every CLUSTER_POLL seconds: a progress line when it
#    changes (done / running / pending / failed), and a job that ended
#    without its file named with the end of its log.  Exit status 0 when
#    every run is complete.
#
# jobs.sh --plan GOAL... (make cluster-plan): steps 1 and 2 only, with
# neither Slurm nor a job: each run's job (its time limit, estimate, CPUs
# and memory), then how long they would take on 1, 2, 3, ... nodes of one
# job each, the longest first (as step 3 submits them), from the estimates.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(pwd)
die() { echo "cluster: $*" >&2; exit 1; }
plan=
[ "${1-}" != --plan ] || { plan=1; shift; }
[ -n "$plan" ] || for c in sbatch squeue; do
    command -v $c >/dev/null || die "no $c: CLUSTER=slurm needs Slurm's commands (make deps installs slurm-wlm)"
done

# This make's command-line variables (after ' -- ' in MAKEFLAGS), without
# its jobserver and flags, for every make below and in the jobs.
case " ${MAKEFLAGS-} " in *" -- "*) vars=${MAKEFLAGS#* -- } ;; *) vars= ;; esac
unset MFLAGS MAKELEVEL MAKE_TERMOUT MAKE_TERMERR GNUMAKEFLAGS
export CLUSTER_MAKE_VARS="$vars $CLUSTER_PIN"
# make_n [VAR=VALUE...] TARGET...: make -n with those variables
make_n() { MAKEFLAGS="-- $CLUSTER_MAKE_VARS" make -n --no-print-directory "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make_n CLUSTER_COLLECT="$work/files" "$@" >/dev/null
[ -s "$work/files" ] || { [ -z "$plan" ] || echo "cluster: no run to make"; exit 0; }
sort -u "$work/files" >"$work/wanted"
# shellcheck disable=SC2046,SC2086 # one word per file, per option
make_n CLUSTER= $CLUSTER_JOB_MAKEFLAGS $(cat "$work/wanted") >"$work/commands" 2>/dev/null || true

user=$(id -un)
# queue [STATES]: "id|state|comment" of this user's jobs (default: the active)
queue() { squeue -h -u "$user" ${1:+-t "$1"} -o '%i|%T|%k'; }
if [ -n "$plan" ]; then : >"$work/queued"; else queue >"$work/queued"; fi
# data_bytes DIR: the bytes of the four IDX files as the programs hold them
# (experiments/data.c: each file raw, else gzipped, then its size unpacked,
# which gzip -l gives exactly below 4 GiB)
data_bytes() {
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
        t10k-labels-idx1-ubyte; do
        if [ -f "$1/$f" ]; then
            wc -c <"$1/$f"
        elif [ -f "$1/$f.gz" ]; then
            gzip -l "$1/$f.gz" | awk 'NR == 2 { print $2 }'
        fi
    done | awk '{ s += $1 } END { print s + 0 }'
}

# Each run's job, a line of $work/plan:
# minutes|file|path|CPUs|MB|log|name|id|estimate (id: the job already
# queued for it, its comment the file's path; estimate: minutes, without
# the margin).
while read -r file; do
    path=$root/$file
    case $file in /*) path=$file ;; esac
    run=${file%/summary.tsv}
    name=${run##*/}
    parent=${run%/*}
    id=$(awk -F'|' -v f="$path" '$3 == f { print $1; exit }' "$work/queued")
    # its command: the recipe line (continuations joined) with --out RUN
    cmd=$(awk -v dir="$run" '
        { line = line $0 } /\\$/ { sub(/\\$/, "", line); next }
        { n = split(line, w, /[ \t]+/)
          for (i = 1; i < n; i++) if (w[i] == "--out" && w[i + 1] == dir) { print line; exit }
          line = "" }' "$work/commands")
    prog=${cmd%% *}
    data=$(echo "$cmd" | awk '{ for (i = 1; i < NF; i++) if ($i == "--data") d = $(i + 1) } END { print d }')
    bytes=$(data_bytes "${data:-data/mnist}")
    [ "$bytes" -gt 0 ] || echo "${data:-data/mnist}" >>"$work/nodata"
    res=$("${prog:-false}" --help 2>/dev/null </dev/null | awk -f "$here/resources.awk" -v cmd="$cmd" \
        -v paper_bench="$CLUSTER_PAPER_BENCH" -v ff_bench="$CLUSTER_FF_BENCH" \
        -v data_bytes="$bytes" \
        -v time_margin="$CLUSTER_TIME_MARGIN" -v min_time="$CLUSTER_MIN_TIME" \
        -v mem_margin="$CLUSTER_MEM_MARGIN" -v min_mem="$CLUSTER_MIN_MEM")
    # shellcheck disable=SC2086 # four numbers
    set -- $res
    echo "$3|$file|$path|$1|${CLUSTER_MEM:-$2}|$CLUSTER_LOGS/${parent##*/}/$name.log|$name|$id|$4"
done <"$work/wanted" >"$work/plan"

if [ -n "$plan" ]; then
    [ ! -s "$work/nodata" ] || echo "cluster: no IDX files in $(sort -u "$work/nodata" | paste -sd ' ' -)" \
        "(make data): the memory below leaves the data out"
    LC_ALL=C sort -t'|' -k1,1nr -k9,9nr -k2,2 "$work/plan" | awk -F'|' -v limit="${CLUSTER_TIME:-}" '
        { n++; est[n] = $9; sum += $9
          line[n] = sprintf("%8s %9.1f %5d %7s  %s", limit != "" ? limit : $1, $9, $4, $5, $2) }
        END {
            printf "cluster: %d jobs (a plan: nothing submitted), the longest first;\n", n
            print "cluster: their time limit and estimate in minutes, CPUs, memory in MB:"
            printf "%8s %9s %5s %7s  %s\n", "limit", "estimate", "CPUs", "MB", "run"
            for (i = 1; i <= n; i++) print line[i]
            # each job, in that order, to the node free first; up to the
            # number of nodes from which the longest job alone sets the time
            # (at most one node per job); in minutes when under an hour
            split("1 2 3 4 6 8 12 24 48 96 192", sizes, " ")
            unit = sum < 60 ? 1 : 60
            head = "| nodes |"; rule = "|---|"; row = unit == 1 ? "| minutes of runs |" : "| hours of runs |"
            top = k = 0
            for (s = 1; s in sizes && (s == 1 || top > est[1] && k < n); s++) {
                k = sizes[s] < n ? sizes[s] : n
                for (j = 1; j <= k; j++) load[j] = 0
                for (i = 1; i <= n; i++) {
                    m = 1
                    for (j = 2; j <= k; j++) if (load[j] < load[m]) m = j
                    load[m] += est[i]
                }
                top = 0
                for (j = 1; j <= k; j++) if (load[j] > top) top = load[j]
                head = head " " k " |"; rule = rule "---|"; row = row sprintf(" %.1f |", top / unit)
            }
            printf "cluster: on nodes of one job each, from the estimates (%.1f %s in all):\n",
                sum / unit, unit == 1 ? "minutes" : "hours"
            print head; print rule; print row
        }'
    exit 0
fi

# The jobs, a line each in $work/jobs: id|file|log|name.
LC_ALL=C sort -t'|' -k1,1nr -k9,9nr -k2,2 "$work/plan" | while IFS='|' read -r time file path cpus mem log name id _; do
    if [ -n "$id" ]; then
        echo "cluster: job $id: $name, queued already: waiting for it"
    else
        mkdir -p "$(dirname "$log")"
        time=${CLUSTER_TIME:-$time}
        # shellcheck disable=SC2086 # CLUSTER_SBATCH: flags, word by word
        id=$(sbatch --parsable --job-name="$name" --comment="$path" --chdir="$root" \
                --nodes=1 --ntasks=1 --cpus-per-task="$cpus" --mem="$mem" --time="$time" \
                --requeue --open-mode=append --output="$log" --export=ALL \
                ${CLUSTER_PARTITION:+--partition="$CLUSTER_PARTITION"} \
                ${CLUSTER_ACCOUNT:+--account="$CLUSTER_ACCOUNT"} $CLUSTER_SBATCH \
                "$here/job.sh" "$file" </dev/null) || die "sbatch refused the job of $file (above)"
        id=${id%%;*}
        echo "cluster: job $id: $name (CPUs $cpus, $mem MB, $time min), log $log"
    fi
    echo "$id|$file|$log|$name" >&3
done 3>"$work/jobs"
total=$(wc -l <"$work/jobs")
queued=$(awk -F'|' '$8 != ""' "$work/plan" | wc -l)
echo "cluster: $((total - queued)) jobs submitted, $queued queued already; logs in $CLUSTER_LOGS/"

ids=$(cut -d'|' -f1 "$work/jobs" | paste -sd ' ' -)
# stopped: the jobs go on
stopped() {
    echo "cluster: stopped waiting; the jobs stay queued ($ids): the same command" \
         "waits for them again, scancel $ids cancels them" >&2
    exit "$1"
}
trap 'stopped 130' INT
trap 'stopped 143' TERM

# Each poll: every job's state as squeue gives it (none once it has left
# the queue); a run whose file is there is done, whatever its job's state.
# A job that ended without its file has failed, but for COMPLETED, whose
# file may not be visible here yet (a shared filesystem's cache): that one
# gets 12 polls more.
kind() {
    case $1 in
    PENDING|REQUEUE*|CONFIGURING|RESV_DEL_HOLD|SPECIAL_EXIT) echo pending ;;
    RUNNING|COMPLETING|SUSPENDED|STOPPED|SIGNALING|STAGE_OUT|RESIZING) echo running ;;
    *) echo ended ;;
    esac
}
count() { grep -cx "$1" "$work/states" || true; }
start=$(date +%s)
last='' shown=0 lost=''
: >"$work/failed"
: >"$work/completed"
while :; do
    # the controller out of reach: tried again, for 10 minutes at most
    if ! queue all >"$work/queued"; then
        lost=${lost:-$(date +%s)}
        [ $(($(date +%s) - lost)) -lt 600 ] || die "squeue has failed for 10 minutes (above);" \
            "the jobs may still run: the same command waits for them again"
        sleep "$CLUSTER_POLL"
        continue
    fi
    lost=''
    while IFS='|' read -r id file log name; do
        if [ -e "$file" ]; then echo "done"; continue; fi
        state=$(awk -F'|' -v id="$id" '$1 == id { print $2; exit }' "$work/queued")
        k=$(kind "$state")
        if [ "$k" = ended ] && [ "$state" = COMPLETED ]; then
            if [ "$(grep -cx "$id" "$work/completed")" -lt 12 ]; then
                echo "$id" >>"$work/completed"
                echo running
                continue
            fi
            state="COMPLETED, but $file is not there"
        fi
        [ "$k" = ended ] || { echo "$k"; continue; }
        echo failed
        grep -qx "$id" "$work/failed" && continue
        echo "$id" >>"$work/failed"
        {
            echo "cluster: FAILED: $name (job $id, ${state:-no longer in the queue}); the end of $log:"
            tail -n 15 "$log" 2>/dev/null | sed 's/^/    /'
        } >&2
    done <"$work/jobs" >"$work/states"
    now="$(count "done") done, $(count running) running, $(count pending) pending, $(count failed) failed"
    t=$(($(date +%s) - start))
    if [ "$now" != "$last" ] || [ $((t - shown)) -ge 600 ]; then
        echo "cluster: $total jobs: $now ($(printf '%d:%02d' $((t / 60)) $((t % 60))))"
        last=$now shown=$t
    fi
    [ $(($(count "done") + $(count failed))) -lt "$total" ] || break
    sleep "$CLUSTER_POLL"
done
trap - INT TERM
failed=$(count failed)
[ "$failed" -eq 0 ] || die "$failed of $total jobs failed (above); the same command submits" \
    "again only what is missing, and a run resumes from its checkpoint"
echo "cluster: all $total jobs done"
