# mk/runs.mk - the runs the results are made of, listed once, each with the
# command that makes it: included by the Makefile, which makes them, and by
# report/Makefile, which reports them and names those missing.  Each list
# can be set on make's command line: SEEDS, MODELS, ALGOS, PAPER_SEEDS,
# SEARCH_SETTINGS, SEARCH_SEEDS.  A run's command is its program and the
# flags that make it that run (program_<algorithm>, paper_cmd_<run>); the
# Makefile adds the seed, the data, the threads and the output.

# The checkout's root as the including Makefile reaches it ("" from the
# top, "./../" from report/).
RUNS_ROOT := $(patsubst %mk/,%,$(dir $(lastword $(MAKEFILE_LIST))))

# uniq LIST: its words, each once, in the order first seen
uniq = $(if $(1),$(firstword $(1)) $(call uniq,$(filter-out $(firstword $(1)),$(1))))

# The seed study's table: each algorithm on each model, each seed, a run
# named <algorithm>-<model>-seed<N>.  The report's template has a section
# per model and algorithm of TABLE_MODELS and TABLE_ALGOS; MODELS and
# ALGOS, those the Makefile runs, are all of them unless set.
TABLE_MODELS := dense conv2d
TABLE_ALGOS  := bp ff-unsup ff-sup
SEEDS  ?= 1 2 3
MODELS ?= $(TABLE_MODELS)
ALGOS  ?= $(TABLE_ALGOS)
# table_runs MODELS, ALGOS: their runs, each seed of SEEDS, in the table's
# order
table_runs = $(foreach m,$(1),$(foreach a,$(2),$(foreach s,$(SEEDS),$(a)-$(m)-seed$(s))))
# each algorithm's program (--model says which net)
program_bp       = bp_baseline
program_ff-unsup = ff_unsupervised
program_ff-sup   = ff_supervised

# The paper's runs (SCALE=paper), in the order of the paper's table
# (experiments/reference-paper.tsv); each also as <run>-train60k, the same
# settings and epochs on all the training images.
PAPER_SEEDS      ?= 1 2 3
PAPER_BASE_NAMES := ff-sup-4x2000 ff-sup-3x1000 ff-unsup-4x2000 bp
paper_cmd_ff-sup-4x2000   = paper_ff_supervised --layers 4 --units 2000 --epochs 60
paper_cmd_ff-sup-3x1000   = paper_ff_supervised --layers 3 --units 1000 --epochs 100
paper_cmd_ff-unsup-4x2000 = paper_ff_unsupervised --layers 4 --units 2000 --epochs 100
paper_cmd_bp              = paper_bp
# the paper's jittered training data (+-2 pixels), 100 of its 500 epochs
PAPER_BASE_NAMES += ff-sup-4x2000-jitter100
paper_cmd_ff-sup-4x2000-jitter100 = $(paper_cmd_ff-sup-4x2000:60=100) --jitter 2
# the paper's unsupervised net of local receptive fields (section 3.3)
PAPER_BASE_NAMES += ff-unsup-local
paper_cmd_ff-unsup-local  = paper_ff_unsupervised --local --epochs 60
# the paper's recurrent net with top-down connections (section 3.4), its 60
# epochs: the longest runs (make cluster-plan CLUSTER=slurm SCALE=paper has
# their estimates); it checkpoints every epoch
PAPER_BASE_NAMES += ff-recurrent
paper_cmd_ff-recurrent    = paper_ff_recurrent --layers 2 --units 2000 --epochs 60
# the same net, peer normalisation's running means slowed to the reference
# code's decay per batch (0.9 over its eight moves a batch): chosen on
# validation (ff-recurrent/peer-decay0.987, experiments/paper-settings.tsv)
PAPER_BASE_NAMES += ff-recurrent-peer-decay
paper_cmd_ff-recurrent-peer-decay = $(paper_cmd_ff-recurrent) --peer-decay 0.98692
# the supervised nets with bf16 inputs to their matrix products
# (--precision bf16, lib/include/ff/gemm.h), beside the fp32 rows
PAPER_BASE_NAMES += ff-sup-4x2000-bf16 ff-sup-3x1000-bf16
paper_cmd_ff-sup-4x2000-bf16 = $(paper_cmd_ff-sup-4x2000) --precision bf16
paper_cmd_ff-sup-3x1000-bf16 = $(paper_cmd_ff-sup-3x1000) --precision bf16
PAPER_RUN_NAMES  := $(PAPER_BASE_NAMES) $(addsuffix -train60k,$(PAPER_BASE_NAMES))
# each also on all 60,000 training images, with no validation set
$(foreach r,$(PAPER_BASE_NAMES),$(eval paper_cmd_$(r)-train60k = $(paper_cmd_$(r)) --val-split 0))
# Runs too long for `make reproduce` (make paper-long): the paper's own
# epochs where the table's run is shorter; they checkpoint and resume.
PAPER_LONG_NAMES := ff-sup-4x2000-jitter500
paper_cmd_ff-sup-4x2000-jitter500 = $(paper_cmd_ff-sup-4x2000:60=500) --jitter 2
# each long run's shorter run in the table, which the report sets beside it
paper_shorter_ff-sup-4x2000-jitter500 = ff-sup-4x2000-jitter100
# paper_runs NAMES: <name>-seed<N> for each of NAMES, every seed of PAPER_SEEDS
paper_runs = $(foreach r,$(1),$(foreach s,$(PAPER_SEEDS),$(r)-seed$(s)))

# The search on the validation set: a setting <run>/<setting> per row of
# PAPER_SETTINGS (SEARCH_ALL), those searched (SEARCH_SETTINGS) with each
# seed of SEARCH_SEEDS; SEARCH_NETS, the runs they change, in the file's
# order.
PAPER_SETTINGS  ?= $(RUNS_ROOT)experiments/paper-settings.tsv
settings_awk    := awk -f $(RUNS_ROOT)scripts/columns.awk -f $(RUNS_ROOT)scripts/settings.awk
# settings_failed: stop make if the $(shell) just before failed (an unreadable
# file, a column missing: settings.awk has said which), rather than go on
# with what it printed
settings_failed = $(if $(filter-out 0,$(.SHELLSTATUS)),$(error $(PAPER_SETTINGS): not a settings \
    table (above: why); its header names the columns of experiments/paper-settings.tsv))
SEARCH_ALL      := $(shell $(settings_awk) $(PAPER_SETTINGS))$(settings_failed)
# the settings that train nothing: a frozen net evaluated (program ff_evaluate)
SEARCH_EVALUATED := $(shell $(settings_awk) -v program=ff_evaluate $(PAPER_SETTINGS))$(settings_failed)
SEARCH_SETTINGS ?= $(SEARCH_ALL)
SEARCH_SEEDS    ?= 1 2
SEARCH_NETS     := $(call uniq,$(foreach g,$(SEARCH_ALL),$(firstword $(subst /, ,$(g)))))
# The search's proxies: of the unsupervised run, at the reference code's
# size; of the recurrent run, at a quarter of its width (an eighth of its
# time).  The other nets it searches are the paper's runs above.
paper_cmd_ff-unsup-3x1000    = paper_ff_unsupervised --layers 3 --units 1000 --epochs 100
paper_cmd_ff-recurrent-2x500 = paper_ff_recurrent --layers 2 --units 500 --epochs 60
# setting_field SETTING, COLUMN: that column of its row ('-' read as nothing)
setting_field = $(shell $(settings_awk) -v setting='$(1)' -v column=$(2) $(PAPER_SETTINGS))$(settings_failed)
