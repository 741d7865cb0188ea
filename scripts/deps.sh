#!/bin/sh
# deps.sh - install the Debian packages the suite needs, or say how.
#
# As root: apt-get installs whatever is missing.  Otherwise: prints the exact
# command and fails, so that nothing half-works later.
set -eu

# clang, libfuzzer-14-dev and libclang-rt-14-dev: the fuzzing harnesses and
# the sanitizer build (make fuzz, make test-sanitizers).
packages="cmake gcc make libgsl-dev libopenblas-dev gnuplot-nox pandoc npm libxml2-utils
          clang libfuzzer-14-dev libclang-rt-14-dev"

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# npm also comes from Node.js distributions other than Debian's package.
case " $missing " in *" npm "*) command -v npm >/dev/null && missing=$(echo "$missing" | sed 's/ npm//') ;; esac

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
