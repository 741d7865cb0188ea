# Makefile - the pipeline: deps -> build -> data -> runs -> table -> report.
#
#   make reproduce          every run of the seed's table (SCALE=seed) into
#                           build/results/, its table and report, beside results/
#   make reproduce SCALE=quick   the same pipeline on a small slice, about a minute
#   make reproduce SCALE=paper   the paper's MNIST runs (hours) into build/results/paper/
#   make reproduce DATASET=fashion-mnist   the seed's table on Fashion-MNIST, into
#                           build/results/fashion-mnist/ (any SCALE but paper)
#   make adopt [SCALE=paper]     the reproduction becomes the reference, results/
#   make report             report/report.html from the committed results/
#   make test               deps, data, build, then the CTest suite
#   make test-sanitizers    the CTest suite under ASan and UBSan (build-asan/)
#   make fuzz FUZZ_SECONDS=60    each libFuzzer harness for that long (build-fuzz/)
#   make status [SCALE=paper]    where the runs stand: each one not complete,
#                           started (its checkpoint's epochs; running or not) or
#                           absent, then how many are complete
#
# results/ holds the committed runs: the reference.  A reproduction trains
# afresh into RESULTS (build/results/, or build/results-quick/) and ends by
# comparing its table with the reference's (compare.tsv, paper-compare.tsv).
#
# A run is a directory holding curve.tsv, config.txt and summary.tsv; its
# summary.tsv is written last, so make reruns only runs that never finished.
# Runs depend on the binaries and the data only in order (they must exist),
# not by timestamp: rebuilding the code or fetching the (checksummed) data
# afresh does not silently invalidate committed results; delete a run
# directory to redo it.  Only a run still to be made needs them: the table
# of complete runs is made by awk alone, with no compiler and no download.

SCALE   ?= seed
BUILD   ?= build
DATASET ?= mnist
DATA    ?= data/$(DATASET)
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)

# DATASET: the seed study's table on MNIST, or on Fashion-MNIST (its classes
# 0-4 positive and 5-9 negative, as the digits), whose runs have a directory
# of their own inside MNIST's, fashion-mnist/ (results/fashion-mnist/ for
# the reference, build/results/fashion-mnist/ for a reproduction): MNIST's
# stay where they were.  The report of those runs is that of the directory
# around them, where they are a section of their own.
ifeq ($(DATASET),mnist)
DATASET_DIR :=
else ifeq ($(DATASET),fashion-mnist)
DATASET_DIR := /fashion-mnist
else
$(error DATASET=$(DATASET): use mnist or fashion-mnist)
endif

# Which runs: the seed table's (SEEDS, MODELS, ALGOS), the paper's
# (PAPER_SEEDS), the search's (SEARCH_SETTINGS, SEARCH_SEEDS); the report
# reads the same lists.
include mk/runs.mk
# into_place, replace_if_changed: a file written whole, or left as it was
include mk/files.mk

# REF_RESULTS: the reference a reproduction is compared with and `make
# adopt` replaces (none at SCALE=quick unless named: an earlier quick
# reproduction, say).  REPORT_DIR: where the report of a reproduction goes.
ifeq ($(SCALE),seed)
RESULTS ?= $(BUILD)/results$(DATASET_DIR)
REF_RESULTS ?= results$(DATASET_DIR)
RUNFLAGS ?=
BENCH_EPOCHS = 3
REPORT_DIR ?= $(BUILD)/report
else ifeq ($(SCALE),quick)
RESULTS ?= $(BUILD)/results-quick$(DATASET_DIR)
REF_RESULTS ?=
SEEDS   := 1 2
RUNFLAGS ?= --epochs 10 --eval-every 2 --train-limit 5000 --val-limit 1000
BENCH_EPOCHS = 1
REPORT_DIR ?= $(BUILD)/report-quick
else ifeq ($(SCALE),paper)
$(if $(DATASET_DIR),$(error DATASET=$(DATASET): SCALE=paper runs on MNIST only; use SCALE=seed or quick))
RESULTS ?= $(BUILD)/results
REF_RESULTS ?= results
REPORT_DIR ?= $(BUILD)/report
else
$(error SCALE=$(SCALE): use seed, quick or paper)
endif

# What `make report` reads and the search on validation writes into:
# RESULTS when it is named (RESULTS=DIR, as `make reproduce` names it to its
# steps) or at SCALE=quick, else the reference.  The report of the committed
# results/ is report/report.html, committed too; any other goes to REPORT_DIR.
RESULTS_HOME = $(RESULTS)
ifeq ($(origin RESULTS)-$(SCALE),file-seed)
RESULTS_HOME = $(REF_RESULTS)
else ifeq ($(origin RESULTS)-$(SCALE),file-paper)
RESULTS_HOME = $(REF_RESULTS)
endif
# report_home DIR: the results directory whose report shows DIR's runs: DIR
# itself, or, for Fashion-MNIST, the directory around it (MNIST's).
report_home = $(if $(DATASET_DIR),$(patsubst %/,%,$(dir $(abspath $(1)))),$(1))
REPORT_HOME = $(call report_home,$(RESULTS_HOME))
ifneq ($(abspath $(REPORT_HOME)),$(abspath results))
REPORT_OUT = REPORT_BUILD=$(abspath $(REPORT_DIR)) REPORT_HTML=$(abspath $(REPORT_DIR))/report.html
endif

# OpenBLAS 0.3.21 misdetects recent CPUs; see scripts/openblas-coretype.
export OPENBLAS_CORETYPE ?= $(shell scripts/openblas-coretype)

RUNS := $(addprefix $(RESULTS)/,$(call table_runs,$(MODELS),$(ALGOS)))

.DELETE_ON_ERROR:
.PRECIOUS: $(RESULTS)/%/summary.tsv
.PHONY: all deps build data test test-sanitizers fuzz reproduce reproduce-summary runs table bench report \
        compare adopt paper-bench paper-bench-bf16 paper-runs paper-long paper-table paper-search paper-search-table \
        paper-ablation status clean

all: build

# The Debian packages each entry point needs (scripts/deps.sh GROUP...: as
# root, installed; otherwise the apt-get command printed, and a failure).
deps:
	scripts/deps.sh all

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

data: $(DATA)/SHA256SUMS

# Fetched when the pinned checksums change, not on an edit of the script;
# pins newer than the list but the same (a fresh checkout of them) leave the
# files checked against them as they are (the list touched, where it can
# be: a read-only DATA is left as it is).  Decided when the recipe is
# expanded, so that make -n shows which.
$(DATA)/SHA256SUMS: scripts/$(DATASET).sha256
	$(if $(shell cmp -s $< $@ && echo same),touch $@ 2>/dev/null || :,scripts/fetch-mnist.sh $(DATA) $(DATASET))

# The whole suite, nothing skipped: what it needs is installed and MNIST
# fetched into data/mnist (where the tests read it) first; CMAKE_FLAGS=...
# reaches a new build directory.
test:
	scripts/deps.sh test
	$(MAKE) build data DATA=data/mnist DATASET=mnist
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The suite again, built with ASan and UBSan; the fuzzing harnesses, each
# for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
test-sanitizers:
	scripts/deps.sh test
	$(MAKE) data DATA=data/mnist DATASET=mnist
	scripts/test-sanitizers.sh

fuzz:
	scripts/deps.sh build clang
	scripts/fuzz.sh $(FUZZ_SECONDS)

# A run's order-only prerequisites, the build and the data, when its
# summary.tsv is still to be made, else none.  (Second expansion: $@ is the
# summary.tsv when make considers it; each $$$$ is a $ that survives the
# $(call) and the $(eval) of the rule's definition.)
.SECONDEXPANSION:
to_make = $$$$(if $$$$(wildcard $$$$@),,build $(DATA)/SHA256SUMS)

# One rule per kind of run: <algo>-<model>-seed<N>.
define run_rule
$(RESULTS)/$(1)-$(2)-seed%/summary.tsv: | $(to_make)
	$(BUILD)/experiments/$(program_$(1)) --model $(2) --seed $$* --data $(DATA) \
	    --out $(RESULTS)/$(1)-$(2)-seed$$* --quiet $(RUNFLAGS)
endef
$(foreach m,$(MODELS),$(foreach a,$(ALGOS),$(eval $(call run_rule,$(a),$(m)))))

runs: $(addsuffix /summary.tsv,$(RUNS))

# The paper's runs (SCALE=paper, mk/runs.mk): <run>-seed<N> under
# $(RESULTS)/paper/, one at a time, each with all the machine's threads
# (wide layers scale).  Each run twice: on the 50,000 training images of
# the search (validation on the other 10,000), and, named <run>-train60k,
# on all 60,000 with the same settings and epochs and no validation set
# (--val-split 0).
PAPER_RESULTS ?= $(RESULTS)/paper
PAPER_THREADS ?= $(JOBS)
PAPER_RUNS := $(addprefix $(PAPER_RESULTS)/,$(call paper_runs,$(PAPER_RUN_NAMES)))
PAPER_LONG_RUNS := $(addprefix $(PAPER_RESULTS)/,$(call paper_runs,$(PAPER_LONG_NAMES)))

# paper_recipe RUN, EXTRA FLAGS, OUT: one paper run of seed $* into OUT-seed$*.
# PAPER_FLAGS go to every run (the tests shorten them so), PAPER_NET_FLAGS
# (--layers, --units: the tests' small nets) to every run but those of a net
# whose shape is fixed (--local)
paper_recipe = $(BUILD)/experiments/$(paper_cmd_$(1)) $(2) --seed $$* --threads $(PAPER_THREADS) \
    --data $(DATA) --out $(3)-seed$$* --quiet $(PAPER_FLAGS) \
    $(if $(findstring --local,$(paper_cmd_$(1))),,$(PAPER_NET_FLAGS))

define paper_rule
$(PAPER_RESULTS)/$(1)-seed%/summary.tsv: | $(to_make)
	$(call paper_recipe,$(1),,$(PAPER_RESULTS)/$(1))
endef
$(foreach r,$(PAPER_RUN_NAMES) $(PAPER_LONG_NAMES),$(eval $(call paper_rule,$(r))))
.PRECIOUS: $(PAPER_RESULTS)/%/summary.tsv

paper-runs: $(addsuffix /summary.tsv,$(PAPER_RUNS))
paper-long: $(addsuffix /summary.tsv,$(PAPER_LONG_RUNS))

# The table of the paper runs that are complete, made anew on every call,
# those of paper-long among them once they are.
# It never starts a run (one takes up to a few hours): paper-runs
# does, and `make reproduce SCALE=paper` calls both.
PAPER_REFERENCE := experiments/reference-paper.tsv
paper-table:
	@test -d $(PAPER_RESULTS) || { echo "paper-table: no $(PAPER_RESULTS): no paper run there;" \
	    "make paper-runs SCALE=paper, with the same RESULTS, makes them" >&2; exit 1; }
	awk -f scripts/columns.awk -f scripts/stats.awk -f scripts/paper-summary.awk $(PAPER_REFERENCE) \
	    $(wildcard $(addsuffix /summary.tsv,$(PAPER_RUNS) $(PAPER_LONG_RUNS))) \
	    >$(RESULTS)/paper-summary.tsv.tmp
	$(call replace_if_changed,$(RESULTS)/paper-summary.tsv)

# A search on the validation set, the test set left out (--no-test): one of
# the paper's runs with one thing changed from its reference settings per
# search run, as a row of experiments/paper-settings.tsv names it
# (<run>/<setting>: its hypothesis, program and flags; SEARCH_SETTINGS in
# mk/runs.mk), into <run>-<setting>-seed<N> under results/paper-search/
# (RESULTS_HOME: the reference unless RESULTS is named).  The reference
# settings' validation errors come from the paper runs themselves, under
# RESULTS_HOME's paper/.
SEARCH_RESULTS  ?= $(RESULTS_HOME)/paper-search
# Every run named in mk/runs.mk or experiments/paper-settings.tsv has its
# command (paper_cmd_<run>, mk/runs.mk).
$(foreach r,$(PAPER_RUN_NAMES) $(PAPER_LONG_NAMES) $(SEARCH_NETS),$(if $(paper_cmd_$(r)),,\
    $(error run $(r) (mk/runs.mk or $(PAPER_SETTINGS)) has no paper_cmd_$(r) in mk/runs.mk)))
search_run = $(word 1,$(subst /, ,$(1)))
search_dir = $(SEARCH_RESULTS)/$(subst /,-,$(1))
SEARCH_RUNS := $(foreach g,$(SEARCH_SETTINGS),$(foreach s,$(SEARCH_SEEDS),$(call search_dir,$(g))-seed$(s)))
$(foreach g,$(SEARCH_SETTINGS),$(if $(filter $(g),$(SEARCH_ALL)),,\
    $(error SEARCH_SETTINGS: '$(g)' is no <run>/<setting> of $(PAPER_SETTINGS))))

# A setting of the run's own program: that run, trained afresh with its flags.
# One of ff_head: a head trained on the frozen net of the reference run of
# the same seed (the paper run's, or a proxy's run of setting reference),
# which must have been saved (runs since the checkpoint format).  One of
# ff_evaluate: that frozen net's readout, read with the flags (no training).
frozen_models = $(RESULTS_HOME)/paper/$(1)-seed$$*/model.ffm $(SEARCH_RESULTS)/$(1)-reference-seed$$*/model.ffm
frozen_model = $$(firstword $$(wildcard $(frozen_models)))
frozen_programs := ff_head ff_evaluate
define search_rule
$(call search_dir,$(1))-seed%/summary.tsv: | $(to_make)
ifneq ($(filter $(call setting_field,$(1),program),$(frozen_programs)),)
	@test -n "$(call frozen_model,$(call search_run,$(1)))" || { echo "$(1): none of" \
	    "$(call frozen_models,$(call search_run,$(1))): train the reference run of seed $$* first" >&2; exit 1; }
	$(BUILD)/experiments/$(call setting_field,$(1),program) $(call frozen_model,$(call search_run,$(1))) \
	    $(call setting_field,$(1),flags) --no-test --threads $(PAPER_THREADS) --data $(DATA) \
	    --out $(call search_dir,$(1))-seed$$* --quiet
else
	$(call paper_recipe,$(call search_run,$(1)),$(call setting_field,$(1),flags) --no-test,$(call search_dir,$(1)))
endif
endef
$(foreach g,$(SEARCH_SETTINGS),$(eval $(call search_rule,$(g))))
.PRECIOUS: $(SEARCH_RESULTS)/%/summary.tsv

paper-search: $(addsuffix /summary.tsv,$(SEARCH_RUNS))

# The validation errors of every complete search run (any seed) beside the
# reference runs' of the same nets.
paper-search-table:
	awk -f scripts/columns.awk -f scripts/paper-search.awk $(PAPER_SETTINGS) \
	    $(wildcard $(foreach r,$(sort $(SEARCH_NETS)),$(RESULTS_HOME)/paper/$(r)-seed*/summary.tsv) \
	               $(SEARCH_RESULTS)/*-seed*/summary.tsv) >$(RESULTS_HOME)/paper-search.tsv.tmp
	$(call replace_if_changed,$(RESULTS_HOME)/paper-search.tsv)

# The paper-gap study: each setting's validation errors over its seeds
# (mean, sd) beside its net's reference settings, with a verdict
# (scripts/paper-ablation.awk), from the search table.
paper-ablation: paper-search-table
	awk -f scripts/columns.awk -f scripts/stats.awk -f scripts/paper-ablation.awk $(PAPER_SETTINGS) \
	    $(RESULTS_HOME)/paper-search.tsv >$(RESULTS_HOME)/paper-ablation.tsv.tmp
	$(call replace_if_changed,$(RESULTS_HOME)/paper-ablation.tsv)

# Where each run of SCALE in RESULTS stands (scripts/run-status.sh): every
# run not complete, with its checkpoint's epochs, then a count per group; at
# SCALE=paper the paper's runs, the long ones (make paper-long) and the
# search's.  It reads only, and needs no build (ff_evaluate, when built,
# reads the checkpoints).
ifeq ($(SCALE),paper)
STATUS_RUNS = $(addprefix paper:,$(PAPER_RUNS)) $(addprefix long:,$(PAPER_LONG_RUNS)) \
              $(addprefix search:,$(SEARCH_RUNS))
else
STATUS_RUNS = $(addprefix $(SCALE):,$(RUNS))
endif
status:
	@sh scripts/run-status.sh $(BUILD)/experiments/ff_evaluate $(STATUS_RUNS)

# The table: generated from the runs' own summaries, never typed.  The
# seed study's numbers beside it are MNIST's: '-' on another DATASET.
REFERENCE := experiments/reference-seed.tsv
# `table` makes the runs it lacks, then both files anew on every call, each
# replacing its old self only when its text changed: so the table follows
# the runs and the run list (SEEDS, MODELS, ALGOS) alike, and what reads it
# is not remade for nothing.
table: scripts/columns.awk scripts/stats.awk scripts/summarize.awk $(REFERENCE) \
       $(addsuffix /summary.tsv,$(RUNS))
	awk -f scripts/columns.awk -f scripts/stats.awk -f scripts/summarize.awk \
	    -v md=$(RESULTS)/summary.md.tmp -v dataset=$(DATASET) $(REFERENCE) \
	    $(addsuffix /summary.tsv,$(RUNS)) >$(RESULTS)/summary.tsv.tmp
	$(call replace_if_changed,$(RESULTS)/summary.md)
	$(call replace_if_changed,$(RESULTS)/summary.tsv)

# Speed and memory figures, measured alone on the machine (before the runs).
$(RESULTS)/bench/ff_epoch.txt: | build
	mkdir -p $(@D)
	$(BUILD)/bench/ff_epoch $(BENCH_EPOCHS) >$@.tmp $(into_place)

bench: $(RESULTS)/bench/ff_epoch.txt

# The paper-scale nets' epoch, the same way (before the paper runs).
PAPER_BENCH_BATCHES ?= 50
PAPER_BENCH_EVAL    ?= 10000
paper_epoch_cmd      = $(BUILD)/bench/paper_epoch $(PAPER_BENCH_BATCHES) $(PAPER_THREADS) $(PAPER_BENCH_EVAL)
$(RESULTS)/bench/paper_epoch.txt: | build
	mkdir -p $(@D)
	$(paper_epoch_cmd) >$@.tmp $(into_place)

# Their matrix products in the library's threads and in OpenBLAS's.
BLAS_SHAPES_GFLOP ?= 4
$(RESULTS)/bench/blas_shapes.txt: | build
	mkdir -p $(@D)
	$(BUILD)/bench/blas_shapes $(PAPER_THREADS) $(BLAS_SHAPES_GFLOP) >$@.tmp $(into_place)

paper-bench: $(RESULTS)/bench/paper_epoch.txt $(RESULTS)/bench/blas_shapes.txt

# The same epochs on a CPU with bf16 arithmetic (AVX512_BF16 or AMX), where
# oneDNN computes bf16 natively rather than emulating it: the report shows
# them beside the benchmark above, which may come from a machine without.
$(RESULTS)/bench/bf16/paper_epoch.txt: | build
	@grep -sqwE 'avx512_bf16|amx_bf16' /proc/cpuinfo || { echo "paper-bench-bf16: this CPU" \
	    "has no bf16 arithmetic (neither avx512_bf16 nor amx_bf16 in /proc/cpuinfo): run it" \
	    "on one that has" >&2; exit 1; }
	mkdir -p $(@D)
	$(paper_epoch_cmd) >$@.tmp && { grep '^# dnnl-bf16: ' $@.tmp | grep -qv emulated || \
	    { rm -f $@.tmp; echo "paper-bench-bf16: no oneDNN computing bf16 natively in this build (paper_epoch" \
	    "prints no '# dnnl-bf16:' line without 'emulated'): install libdnnl-dev (make deps)" \
	    "and rebuild" >&2; exit 1; }; } \
	    $(into_place)

paper-bench-bf16: $(RESULTS)/bench/bf16/paper_epoch.txt

# The report reads whatever is in RESULTS_HOME (and says what is missing);
# it does not depend on `table`, which would start every missing run.
# Fashion-MNIST's runs are a section of the report of REPORT_HOME.
report:
	scripts/deps.sh report
	$(MAKE) -C report RESULTS=$(abspath $(REPORT_HOME)) SEEDS="$(SEEDS)" \
	    PAPER_RESULTS=$(abspath $(REPORT_HOME)/paper) PAPER_SEEDS="$(PAPER_SEEDS)" $(REPORT_OUT) \
	    $(if $(DATASET_DIR),FASHION_RESULTS=$(abspath $(RESULTS_HOME)))

# The reproduction beside the reference: one line per row and measure of
# the table (scripts/compare.awk), into COMPARE.  The runs compared bit for
# bit are the reproduction's complete ones, with the reference's of the
# same names.
ifeq ($(SCALE),paper)
TABLE_FILE   = $(RESULTS)/paper-summary.tsv
REF_TABLE    = $(REF_RESULTS)/paper-summary.tsv
REF_RUNS     = $(REF_RESULTS)/paper
COMPARE     ?= $(RESULTS)/paper-compare.tsv
DONE_RUNS    = $(PAPER_RUNS) $(PAPER_LONG_RUNS)
# what `make adopt` copies besides the runs, relative to RESULTS; then the
# reference's table made anew from its runs, so that the long runs it
# holds (make paper-long, not a part of make reproduce) keep their rows
ADOPT_FILES  = bench/paper_epoch.txt bench/blas_shapes.txt bench/bf16/paper_epoch.txt
ADOPT_TABLE  = $(MAKE) paper-table RESULTS=$(REF_RESULTS)
else
TABLE_FILE   = $(RESULTS)/summary.tsv
REF_TABLE    = $(REF_RESULTS)/summary.tsv
REF_RUNS     = $(REF_RESULTS)
COMPARE     ?= $(RESULTS)/compare.tsv
DONE_RUNS    = $(RUNS)
ADOPT_FILES  = summary.tsv summary.md bench/ff_epoch.txt
ADOPT_TABLE  = :
endif
complete = $(patsubst %/summary.tsv,%,$(wildcard $(addsuffix /summary.tsv,$(DONE_RUNS))))

compare:
	@test -n "$(REF_RESULTS)" || { echo "compare: no reference at SCALE=quick:" \
	    "name an earlier quick reproduction with REF_RESULTS=DIR" >&2; exit 1; }
	@scripts/compare.sh $(COMPARE) $(TABLE_FILE) $(REF_TABLE) $(REF_RUNS) $(complete)

# The reproduction becomes the reference: its complete runs, its table (at
# SCALE=paper made anew from the reference's runs: ADOPT_TABLE) and its
# bench files copied over REF_RESULTS, then the reference's report rebuilt
# (git diff results/ report/ then shows what changed).
adopt:
	@test "$(SCALE)" != quick || { echo "adopt: a quick reproduction is no reference:" \
	    "use SCALE=seed or SCALE=paper" >&2; exit 1; }
	@test "$(abspath $(RESULTS))" != "$(abspath $(REF_RESULTS))" || { echo "adopt: RESULTS is" \
	    "the reference already: name the reproduction with RESULTS=DIR" >&2; exit 1; }
	@test -s $(TABLE_FILE) || { echo "adopt: no $(TABLE_FILE): make reproduce" \
	    "$(if $(filter paper,$(SCALE)),SCALE=paper )first" >&2; exit 1; }
	$(if $(ADOPT_LISTS),$(error adopt: $(ADOPT_LISTS) set on the command line: the table of a part \
	    of the runs would replace the reference's whole one; adopt a reproduction of them all))
	mkdir -p $(REF_RUNS) $(REF_RESULTS)/bench
	for run in $(complete); do \
	    rm -rf $(REF_RUNS)/$${run##*/} && cp -R $$run $(REF_RUNS)/ || exit 1; done
	for f in $(ADOPT_FILES); do \
	    if [ -f $(RESULTS)/$$f ]; then mkdir -p $$(dirname $(REF_RESULTS)/$$f) && \
	        cp $(RESULTS)/$$f $(REF_RESULTS)/$$f || exit 1; fi; done
	+$(ADOPT_TABLE)
	$(MAKE) report RESULTS=$(REF_RESULTS)

# The run lists set on the command line, which adopt refuses: a reproduction
# of some of the runs has the table of those only.
ADOPT_LISTS = $(strip $(foreach v,SEEDS MODELS ALGOS PAPER_SEEDS PAPER_BASE_NAMES,\
                  $(if $(filter command line,$(origin $(v))),$(v))))

# A reproduction's report: REPORT_DIR's, unless RESULTS is results/.
REPORT_AT = $(if $(filter $(abspath results),$(abspath $(call report_home,$(RESULTS)))),report,$(REPORT_DIR))/report.html
# The comparison, when there is a reference other than RESULTS itself.
COMPARED = $(if $(REF_RESULTS),$(filter-out $(abspath $(RESULTS)),$(abspath $(REF_RESULTS))))
# Fashion-MNIST's reference exists once adopted (make adopt DATASET=fashion-mnist).
ifdef DATASET_DIR
COMPARED := $(if $(wildcard $(REF_TABLE)),$(COMPARED))
endif
COMPARE_NOTE = $(if $(COMPARED),; the comparison with $(REF_RESULTS)/ in $(COMPARE))
# reproduce's steps, each a make: so that `make -n reproduce` shows them all
# and runs none.  Then reproduce-summary prints the table, the comparison
# and where everything is.
ifeq ($(SCALE),paper)
REPRODUCE_STEPS = $(MAKE) -j1 paper-bench && $(MAKE) -j1 paper-runs && $(MAKE) paper-table && \
	$(MAKE) report RESULTS=$(RESULTS)
SHOW_TABLE = awk -f scripts/show-tsv.awk $(TABLE_FILE)
WHERE = table in $(TABLE_FILE), runs in $(PAPER_RESULTS)/,
else
REPRODUCE_STEPS = $(if $(DATASET_DIR),,$(MAKE) -j1 bench &&) $(MAKE) -j $(JOBS) runs && $(MAKE) table && \
	$(MAKE) report RESULTS=$(RESULTS)
SHOW_TABLE = cat $(RESULTS)/summary.md
WHERE = table in $(TABLE_FILE) (Markdown: $(RESULTS)/summary.md), runs in \
	$(RESULTS)/<algorithm>-<model>-seed<N>/,
endif

# reproduce's packages: MNIST's fetcher unless MNIST_DIR names the files
REPRODUCE_DEPS = build report $(if $(DATASET_DIR),fashion,$(if $(MNIST_DIR),,mnist)) \
                 $(if $(CLUSTER),cluster)
reproduce:
	scripts/deps.sh $(REPRODUCE_DEPS)
	@start=$$(date +%s); \
	$(MAKE) build data && $(REPRODUCE_STEPS) && $(MAKE) -s reproduce-summary && \
	echo "reproduce: wall time $$(( $$(date +%s) - start )) s"

reproduce-summary:
	@echo
	@$(SHOW_TABLE)
	$(if $(COMPARED),@echo)
	$(if $(COMPARED),@$(MAKE) -s compare)
	@echo
	@echo "reproduce: $(WHERE) report in $(REPORT_AT)$(COMPARE_NOTE)"

# Everything under BUILD but the reproductions in $(BUILD)/results/ (hours
# of runs at SCALE=paper): remove that by hand; and the report's
# intermediate files (report/build/).
clean:
	[ ! -d $(BUILD) ] || find $(BUILD) -mindepth 1 -maxdepth 1 ! -name results -exec rm -rf {} +
	rm -rf report/build

# CLUSTER=slurm: the runs as Slurm jobs (mk/slurm.mk); without CLUSTER, nothing changes.
$(if $(filter-out slurm,$(CLUSTER)),$(error CLUSTER=$(CLUSTER): use slurm (mk/slurm.mk)))
include $(CLUSTER:%=mk/%.mk)
