#!/bin/sh
# test_cluster_plan.sh SRC BUILD OUT - make cluster-plan CLUSTER=slurm
# (scripts/slurm/jobs.sh --plan): the jobs of SCALE=paper's runs with their
# estimates, and the hours on N nodes, without Slurm (an sbatch or squeue
# on the PATH here records any call and fails).
#
# 1. A reproduction with no run: one job per run of the paper's table, the
#    longest first; the table's hours on one node are the estimates' sum,
#    on more never below the longest job nor the sum shared out, and they
#    stop at the longest job alone; the README's table is this one.
# 2. A run complete there: it is not planned again.  Five runs left: the
#    table goes up to five nodes, the longest job alone.  None left: it
#    says so.  CLUSTER_TIME: every job's limit.  No data: the memory is
#    said to leave it out; gzipped, the same as raw.  make paper-long's
#    runs: jobs too.
# 3. The quick scale's runs, one CPU each, the table in minutes.
set -eu
src=$(cd "$1" && pwd) build=$2 out=$3
rm -rf "$out" && mkdir -p "$out/bin"
out=$(cd "$out" && pwd)

. "$(dirname "$0")/check.sh"

for c in sbatch squeue scancel; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/slurm-called"\nexit 1\n' "$c" "$out" >"$out/bin/$c"
    chmod +x "$out/bin/$c"
done
# plan NAME [VAR=VALUE...]: make cluster-plan into OUT/NAME.log (its exit
# status in rc), the build taken as it is
plan() {
    name=$1
    shift
    rc=0
    PATH="$out/bin:$PATH" make -s -o build -C "$src" --no-print-directory cluster-plan \
        CLUSTER=slurm BUILD="$build" PAPER_THREADS=2 "$@" >"$out/$name.log" 2>&1 || rc=$?
}
# jobs NAME: the plan's job lines, "limit estimate CPUs MB run"
jobs() { awk '/^cluster: their time limit/ { on = 1; getline; next } /^cluster:/ { on = 0 } on' "$out/$1.log"; }
# hours NAME: the row's figures (hours, or minutes under an hour), one per line
hours() { grep -E '^\| (hours|minutes) of runs \|' "$out/$1.log" | tr -d '|' | awk '{ for (i = 4; i <= NF; i++) print $i }'; }
nodes() { grep '^| nodes |' "$out/$1.log" | tr -d '|' | awk '{ for (i = 2; i <= NF; i++) print $i }'; }

# the paper's runs as mk/runs.mk lists them: every name of its table, every seed
. "$(dirname "$0")/runs_mk.sh"
names=$(runs_mk PAPER_RUN_NAMES)
seeds=$(runs_mk PAPER_SEEDS)
want=$(( $(echo "$names" | wc -w) * $(echo "$seeds" | wc -w) ))

plan paper SCALE=paper RESULTS="$out/paper"
jobs paper >"$out/paper.jobs"
nodes paper >"$out/paper.nodes"
hours paper >"$out/paper.hours"
check "make cluster-plan: exit 0" [ "$rc" -eq 0 ]
check "nothing submitted: no Slurm command called" [ ! -e "$out/slurm-called" ]
check "it says so" grep -q "^cluster: $want jobs (a plan: nothing submitted)" "$out/paper.log"
check "a job line per run of the paper's table ($want)" test "$(wc -l <"$out/paper.jobs")" -eq "$want"
check "every run of the table, every seed ($seeds)" sh -c "
    for n in $names; do for s in $seeds; do
        grep -q \" $out/paper/paper/\$n-seed\$s/summary.tsv\$\" '$out/paper.jobs' || exit 1
    done; done"
check "the longest first" sh -c "! awk 'NR > 1 && \$2 > last { print } { last = \$2 }' '$out/paper.jobs' | grep -q ."
check "every job two CPUs (PAPER_THREADS)" sh -c "! awk '\$3 != 2' '$out/paper.jobs' | grep -q ."
check "a limit of twice the estimate, at least 10 minutes" sh -c \
    "! awk '{ want = 2 * \$2; if (want < 10) want = 10 } \$1 < want - 0.2 || \$1 > want + 1.2' '$out/paper.jobs' | grep -q ."
sum=$(awk '{ s += $2 } END { printf "%.1f", s / 60 }' "$out/paper.jobs")
longest=$(awk 'NR == 1 { printf "%.1f", $2 / 60 }' "$out/paper.jobs")
check "hours on one node: the estimates' sum ($sum)" test "$(head -n 1 "$out/paper.hours")" = "$sum"
check "a figure per node count" test "$(wc -l <"$out/paper.hours")" -eq "$(wc -l <"$out/paper.nodes")"
check "on N nodes: at least the longest job and the sum over N, at most one node's" sh -c "
    paste '$out/paper.nodes' '$out/paper.hours' | awk -v sum=$sum -v longest=$longest '
        \$2 < longest - 0.05 || \$2 < sum / \$1 - 0.05 || \$2 > sum + 0.05 { bad = 1 } END { exit bad }'"
check "the last column: the longest job alone ($longest)" test "$(tail -n 1 "$out/paper.hours")" = "$longest"
check "the one before it: more" sh -c "tail -n 2 '$out/paper.hours' | head -n 1 | awk -v l=$longest '{ exit !(\$1 > l) }'"
check "the README's table is this one" sh -c "
    grep -A 3 '^<!-- make cluster-plan CLUSTER=slurm SCALE=paper PAPER_THREADS=2 ' '$src/README.md' | tail -n 3 >'$out/readme.table'
    grep -A 3 '^cluster: on nodes of one job each' '$out/paper.log' | tail -n 3 | diff - '$out/readme.table'"

# a run complete in the reproduction is not planned again
mkdir -p "$out/paper/paper/bp-seed1"
cp "$src/results/paper/bp-seed1/summary.tsv" "$out/paper/paper/bp-seed1/"
plan one-done SCALE=paper RESULTS="$out/paper"
check "one run complete: $((want - 1)) jobs" grep -q "^cluster: $((want - 1)) jobs" "$out/one-done.log"
check "and not that one" sh -c "! grep -q 'bp-seed1/' '$out/one-done.log'"

# five runs left (the others marked complete): nodes 1 to 5, no more
left="ff-sup-3x1000-seed1 ff-sup-3x1000-seed2 ff-sup-3x1000-seed3 ff-sup-3x1000-train60k-seed1 ff-sup-3x1000-train60k-seed2"
for n in $names; do for s in $seeds; do
    case " $left " in *" $n-seed$s "*) continue ;; esac
    mkdir -p "$out/five/paper/$n-seed$s" && : >"$out/five/paper/$n-seed$s/summary.tsv"
done; done
plan five SCALE=paper RESULTS="$out/five"
jobs five >"$out/five.jobs"
check "five runs left: five jobs" test "$(wc -l <"$out/five.jobs")" -eq 5
check "the table: nodes 1 to 5" test "$(nodes five | paste -sd ' ' -)" = "1 2 3 4 5"
check "under an hour in all: in minutes, the last the longest job alone" sh -c \
    "grep -q '^| minutes of runs |' '$out/five.log' && [ $(hours five | tail -n 1) = $(head -n 1 "$out/five.jobs" | awk '{ print $2 }') ]"
rm -rf "$out/none-left" && cp -r "$out/five" "$out/none-left"
for n in $left; do mkdir -p "$out/none-left/paper/$n" && : >"$out/none-left/paper/$n/summary.tsv"; done
plan none-left SCALE=paper RESULTS="$out/none-left"
check "no run left: exit 0, and it says so" sh -c "[ $rc -eq 0 ] && grep -qx 'cluster: no run to make' '$out/none-left.log'"

plan time SCALE=paper RESULTS="$out/five" CLUSTER_TIME=1-00:00:00
check "CLUSTER_TIME: every job's limit" test "$(jobs time | awk '{ print $1 }' | sort -u)" = "1-00:00:00"
# the memory with the data, without it, and with it gzipped (no floor:
# CLUSTER_MIN_MEM=1, so that the estimate shows)
plan raw SCALE=paper RESULTS="$out/five" CLUSTER_MIN_MEM=1
plan no-data SCALE=paper RESULTS="$out/five" DATA="$out/no-data" CLUSTER_MIN_MEM=1
check "no data: exit 0, the memory said to leave it out" sh -c \
    "[ $rc -eq 0 ] && grep -q '^cluster: no IDX files in $out/no-data (make data)' '$out/no-data.log'"
check "with data: not said" sh -c "! grep -q 'no IDX files' '$out/raw.log'"
mem() { jobs "$1" | awk 'NR == 1 { print $4 }'; } # the first job's MB
check "with data: more memory than without ($(mem raw) MB, $(mem no-data) MB)" [ "$(mem raw)" -gt "$(mem no-data)" ]
mkdir -p "$out/gz" # the programs read each file raw or gzipped
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    check "$src/data/mnist/$f, to gzip, is there (make data)" test -f "$src/data/mnist/$f"
    [ ! -f "$src/data/mnist/$f" ] || gzip -1c "$src/data/mnist/$f" >"$out/gz/$f.gz"
done
plan gz SCALE=paper RESULTS="$out/five" DATA="$out/gz" CLUSTER_MIN_MEM=1
check "gzipped data: exit 0, not said missing" sh -c "[ $rc -eq 0 ] && ! grep -q 'no IDX files' '$out/gz.log'"
check "gzipped data: every job's line (its memory) as with the raw files" [ "$(jobs gz)" = "$(jobs raw)" ]

# the paper's long runs (make paper-long) are jobs too
plan long SCALE=paper RESULTS="$out/paper" CLUSTER_PLAN_GOALS=paper-long
long_names=$(runs_mk PAPER_LONG_NAMES)
long_jobs=$(for n in $long_names; do for s in $seeds; do echo "$out/paper/paper/$n-seed$s/summary.tsv"; done; done)
check "mk/runs.mk names long runs" [ -n "$long_names" ]
check "CLUSTER_PLAN_GOALS=paper-long: a job for each of its runs ($long_names), each seed" \
    [ "$(jobs long | awk '{ print $5 }' | sort)" = "$(echo "$long_jobs" | sort)" ]
check "CLUSTER_PLAN_GOALS=paper-long: so many jobs said" \
    grep -q "^cluster: $(echo "$long_jobs" | wc -l) jobs" "$out/long.log"

# a search setting is a job too; one whose readout picks the negatives
# (--goodness-negatives) runs that readout on every training image, so
# its estimate is the larger
plan neg SCALE=paper RESULTS="$out/paper" CLUSTER_PLAN_GOALS=paper-search SEARCH_SEEDS=1 \
    SEARCH_SETTINGS="ff-recurrent-2x500/reference ff-recurrent-2x500/goodness-negatives"
est() { jobs neg | awk -v r="$1" 'index($5, r) { print $2 }'; }
check "--goodness-negatives: a longer estimate than the reference's ($(est -goodness-negatives-seed1) > $(est -reference-seed1) minutes)" \
    awk -v g="$(est -goodness-negatives-seed1)" -v r="$(est -reference-seed1)" \
        'BEGIN { exit !(r > 0 && g > r) }'

plan quick SCALE=quick RESULTS="$out/quick"
check "the quick scale: 12 jobs of one CPU" sh -c \
    "grep -q '^cluster: 12 jobs' '$out/quick.log' && [ \$(awk '/^ +[0-9]+ +[0-9.]+ +1 /' '$out/quick.log' | wc -l) -eq 12 ]"
check "under an hour in all: the table in minutes" grep -q '^| minutes of runs |' "$out/quick.log"
check "still nothing submitted" [ ! -e "$out/slurm-called" ]

check_done
