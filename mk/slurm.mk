# mk/slurm.mk - CLUSTER=slurm: the runs as Slurm jobs; the top-level
# Makefile includes it only then.
#
#   make reproduce CLUSTER=slurm [SCALE=quick|paper]    every missing run a job
#   make paper-search CLUSTER=slurm                     likewise for the search
#   make runs | paper-runs | paper-long CLUSTER=slurm    the runs alone
#   make cluster-plan CLUSTER=slurm [SCALE=...]         the jobs those would be,
#                                                       and hours on N nodes
#
# Each run's summary.tsv gets an explicit rule here, which outranks the
# Makefile's pattern rule, and whose recipe only checks that the file is
# there.  Before it, once per make, cluster-jobs (scripts/slurm/jobs.sh)
# asks make which of those files the goals need (make -n, each such rule
# then recording its file), submits one job per missing run, waits for
# them with a progress line, and names a failed job with the tail of its
# log.  A job runs `make FILE` on its node, with this make's command-line
# variables and without CLUSTER (scripts/slurm/job.sh): the Makefile's own
# recipe, one definition of every command.  The benchmarks (before the
# runs: their figures size the jobs), the table, the report and the
# comparison are made here, as without CLUSTER.
#
# What the jobs need: the checkout (with BUILD and DATA in it, or any path
# the nodes see alike) on a filesystem shared with every node, and on each
# node the libraries the programs link (libgsl, libopenblas).

# Where each job's log goes (appended across its restarts), and how often
# the queue is read (seconds).
CLUSTER_LOGS ?= $(BUILD)/slurm-logs
CLUSTER_POLL ?= 5
# sbatch's --partition and --account when set, then any other sbatch flags.
CLUSTER_PARTITION ?=
CLUSTER_ACCOUNT ?=
CLUSTER_SBATCH ?=
# A job's time limit: the benchmark's estimate of its run times
# CLUSTER_TIME_MARGIN, in minutes, at least CLUSTER_MIN_TIME; its memory:
# the estimate (data and net) times CLUSTER_MEM_MARGIN, in MB, at least
# CLUSTER_MIN_MEM.  CLUSTER_TIME (minutes, or sbatch's D-HH:MM:SS) and
# CLUSTER_MEM (MB) replace the estimates for every job.
CLUSTER_TIME_MARGIN ?= 2
CLUSTER_MIN_TIME ?= 10
CLUSTER_MEM_MARGIN ?= 1.5
CLUSTER_MIN_MEM ?= 1024
CLUSTER_TIME ?=
CLUSTER_MEM ?=
# The benchmark files the estimates read: the reproduction's own when it
# has them, else the reference's.
CLUSTER_PAPER_BENCH ?= $(firstword $(wildcard $(RESULTS)/bench/paper_epoch.txt) results/bench/paper_epoch.txt)
CLUSTER_FF_BENCH ?= $(firstword $(wildcard $(RESULTS)/bench/ff_epoch.txt) results/bench/ff_epoch.txt)
export CLUSTER_LOGS CLUSTER_POLL CLUSTER_PARTITION CLUSTER_ACCOUNT CLUSTER_SBATCH \
       CLUSTER_TIME_MARGIN CLUSTER_MIN_TIME CLUSTER_MEM_MARGIN CLUSTER_MIN_MEM CLUSTER_TIME \
       CLUSTER_MEM CLUSTER_PAPER_BENCH CLUSTER_FF_BENCH

# The jobs' make: the thread count fixed here (JOBS, its default, is this
# machine's, not the node's: the bits depend on it), and the build and the
# data taken as they are (made once, here, before any job is submitted).
export CLUSTER_PIN := PAPER_THREADS=$(PAPER_THREADS)
export CLUSTER_JOB_MAKEFLAGS := -o build -o $(DATA)/SHA256SUMS
# OPENBLAS_CORETYPE computed from this machine's CPU is computed again on
# the node; one given by hand is kept.
ifeq ($(MAKELEVEL),0)
export CLUSTER_CORETYPE_ORIGIN := $(origin OPENBLAS_CORETYPE)
endif

CLUSTER_FILES := $(addsuffix /summary.tsv,$(RUNS) $(PAPER_RUNS) $(PAPER_LONG_RUNS) $(SEARCH_RUNS))

# cluster-plan: the jobs that CLUSTER_PLAN_GOALS (the runs of `make
# reproduce` at this SCALE, by default) would submit, each with its limit
# and estimate, and the hours they would take on 1, 2, 3, ... nodes;
# nothing is submitted, and Slurm is not needed.
CLUSTER_PLAN_GOALS ?= $(if $(filter paper,$(SCALE)),paper-runs,runs)
.PHONY: cluster-jobs cluster-plan
cluster-plan: | build
	@scripts/slurm/jobs.sh --plan $(CLUSTER_PLAN_GOALS)

ifdef CLUSTER_COLLECT
# jobs.sh's make -n: each missing file the goals need adds its name (the
# + runs the line under -n).
$(CLUSTER_FILES):
	+@echo $@ >>$(CLUSTER_COLLECT)
else
$(CLUSTER_FILES): | cluster-jobs
	@test -f $@ || { echo "cluster: $@ is missing although its job ended" >&2; exit 1; }

cluster-jobs: | build $(DATA)/SHA256SUMS
	@scripts/slurm/jobs.sh $(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))
endif
