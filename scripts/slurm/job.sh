#!/bin/sh
# job.sh FILE - the body of one Slurm job (jobs.sh submits it): make FILE
# in the checkout, with the command-line variables of the make that
# submitted it and without CLUSTER, so the Makefile's own recipe runs
# (the build and the data taken as they are: CLUSTER_JOB_MAKEFLAGS).
#
# make replaces this shell, and the program is make's child: the SIGTERM
# that Slurm sends to every process of a job it preempts, requeues or stops
# at its time limit reaches the program, which writes its checkpoint and
# exits 143, make waiting for it.  The requeued job runs this again and the
# program resumes from the checkpoint.
set -eu
echo "cluster: job ${SLURM_JOB_ID:-?} (restart ${SLURM_RESTART_COUNT:-0})" \
     "on $(hostname) at $(date '+%Y-%m-%d %H:%M:%S'): make $1"
checkpoint=$(dirname "$1")/checkpoint.ffm
[ ! -f "$checkpoint" ] || echo "cluster: the run resumes from $checkpoint"
[ "${CLUSTER_CORETYPE_ORIGIN-}" != file ] || unset OPENBLAS_CORETYPE
unset MFLAGS MAKELEVEL MAKE_TERMOUT MAKE_TERMERR GNUMAKEFLAGS
export MAKEFLAGS="-- $CLUSTER_MAKE_VARS CLUSTER="
# shellcheck disable=SC2086 # make's options, word by word
exec make --no-print-directory $CLUSTER_JOB_MAKEFLAGS "$1"
