#!/bin/sh
# source-state.sh DIR - the state of the sources in DIR, the project's root:
# the commit they are at, "-dirty" appended when a tracked file outside
# results/ and report/ differs from it, "unknown" when DIR is not the top of
# a git repository of its own (no git, no repository, or a source tree
# unpacked inside another repository, whose commits are not the sources').
#
# The one definition of "the tree the code is from": the programs record it
# in config.txt (experiments/source-commit.cmake runs this at every build),
# the report names it in its provenance (report/provenance.sh).  results/
# and report/ are left out because they are what a run or a report writes:
# a report is remade exactly when results/ changed and is not yet
# committed, and that is no change of the code.  Untracked files are not
# counted (git diff), as a file no commit has is not part of the build.
set -u

dir=${1:?usage: source-state.sh DIR}
state=unknown
if command -v git >/dev/null 2>&1; then
    top=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null) || top=
    if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$dir" && pwd -P)" ] &&
        head=$(git -C "$dir" rev-parse --verify -q HEAD 2>/dev/null) && [ -n "$head" ]; then
        state=$head
        git -C "$dir" diff --quiet HEAD -- . ':(exclude)results' ':(exclude)report' \
            2>/dev/null || state=$head-dirty
    fi
fi
echo "$state"
