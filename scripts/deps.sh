#!/bin/sh
# deps.sh - install the Debian packages the suite needs, or say how.
#
# As root: apt-get installs whatever is missing.  Otherwise: prints the exact
# command and fails, so that nothing half-works later.
set -eu

# zlib1g-dev: the IDX reader's gzip support (gzipped data files).  clang,
# libfuzzer-14-dev and libclang-rt-14-dev: the fuzzing harnesses and the
# sanitizer build (make fuzz, make test-sanitizers).  slurm-wlm and munge:
# make reproduce CLUSTER=slurm and its test's one-node cluster.
# dataset-fashion-mnist: the Fashion-MNIST files (make reproduce
# DATASET=fashion-mnist, scripts/fetch-mnist.sh, and their tests).
# libdnnl-dev: oneDNN, the products' bf16 backend (lib/include/ff/gemm.h;
# the build works without it, in fp32 and bf16-rounded CBLAS products).
packages="cmake gcc make libgsl-dev libopenblas-dev zlib1g-dev gnuplot-nox pandoc npm
          libxml2-utils clang libfuzzer-14-dev libclang-rt-14-dev slurm-wlm munge
          dataset-fashion-mnist libdnnl-dev"

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# provided PACKAGE COMMAND...: the package is not missing when its commands
# are there from elsewhere: npm from a Node.js distribution; Slurm's and
# MUNGE's clients from a cluster's own installation (on its login node).
provided() {
    p=$1
    shift
    for c; do command -v "$c" >/dev/null || return 0; done
    missing=$(echo " $missing " | sed "s/ $p / /; s/^ *//; s/ *\$//")
    [ -z "$missing" ] || missing=" $missing"
}
provided npm npm
provided slurm-wlm sbatch squeue scontrol
provided munge munge

if [ -z "$missing" ]; then
    echo "deps: all present ($(echo $packages))"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing:$missing" >&2
    echo "deps: run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
