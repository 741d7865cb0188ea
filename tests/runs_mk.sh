# runs_mk.sh - sourced by the tests that read the run lists.
# runs_mk NAME: the value of the make variable NAME as mk/runs.mk defines
# it (a list of runs, a run's command, ...)
runs_mk() {
    make -s --no-print-directory -f "$(dirname "$0")/../mk/runs.mk" --eval "v: ; @echo \$($1)" v
}
