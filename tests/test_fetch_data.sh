#!/bin/sh
# test_fetch_data.sh SRC OUT - scripts/fetch-mnist.sh, on copies in OUT
# (never data/): Fashion-MNIST from the Debian package dataset-fashion-mnist
# is installed as the package ships it and matches the pinned checksums; a
# corrupted copy (Fashion-MNIST's, and MNIST's from data/mnist) is refused
# with one line naming the file and the fix, and nothing is installed; a
# missing file, an unknown data set and a missing source are refused too.
# Without the package or data/mnist this fails, never skips.
set -eu
src=$1 out=$2
pkg=/usr/share/datasets/fashion-mnist
mnist=$src/data/mnist
fetch=$src/scripts/fetch-mnist.sh
files="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

. "$(dirname "$0")/check.sh"

[ -d "$pkg" ] || { echo "no $pkg: install the Debian package dataset-fashion-mnist (make deps)"; exit 1; }
[ -f "$mnist/SHA256SUMS" ] || { echo "no MNIST in $mnist: run 'make data' (make test does it)"; exit 1; }
rm -rf "$out" && mkdir -p "$out"

# fetch NAME [VAR=VALUE...] -- ARGS...: the script with that environment,
# into $out/NAME.log; its status in $rc
fetch() {
    name=$1
    shift
    rc=0
    env "$@" sh "$fetch" "$out/$name" "${dataset:-}" >"$out/$name.log" 2>&1 || rc=$?
}
# one_error NAME PATTERN: the script failed, with one line of error
# matching PATTERN, and left no NAME directory
one_error() {
    [ "$rc" -ne 0 ] && [ "$(grep -c 'error' "$out/$1.log")" -eq 1 ] &&
        grep -q "^fetch-mnist: error: $2" "$out/$1.log" && [ ! -e "$out/$1" ]
}

# ---- Fashion-MNIST from the package ------------------------------------------
dataset=fashion-mnist
fetch good FASHION_MNIST_DIR=
check "from the package: exit 0" [ "$rc" -eq 0 ]
for f in $files; do
    check "$f.gz installed as the package ships it" cmp "$pkg/$f.gz" "$out/good/$f.gz"
    check "$f not installed raw" [ ! -e "$out/good/$f" ]
done
check "SHA256SUMS lists the four .gz files" [ "$(cut -d' ' -f3 "$out/good/SHA256SUMS" | tr '\n' ' ')" = \
    "train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz " ]
check "the files match SHA256SUMS" sh -c "cd '$out/good' && sha256sum -c --quiet SHA256SUMS"
# unstaged: no staging directory of the script left in $out
unstaged() { for d in "$out"/.fetch-*; do [ ! -e "$d" ] || return 1; done; }
check "nothing staged left beside it" unstaged

# three fetches into one directory at once (two makes, say) each finish,
# and leave the four files and their whole list
( for i in 1 2 3; do sh "$fetch" "$out/together" fashion-mnist >"$out/together.$i.log" 2>&1 &
  done; wait ) || true
check "three fetches at once: each says installed" \
    [ "$(cat "$out"/together.*.log | grep -c 'verified and installed')" -eq 3 ]
check "three fetches at once: the files match SHA256SUMS" \
    sh -c "cd '$out/together' && sha256sum -c --quiet SHA256SUMS"
check "three fetches at once: nothing staged left" unstaged

# a raw file of one of the names, which the programs would read first, goes
mkdir -p "$out/shadow"
echo stale >"$out/shadow/train-images-idx3-ubyte"
fetch shadow FASHION_MNIST_DIR=
check "a raw file shadowing a .gz: exit 0" [ "$rc" -eq 0 ]
check "a raw file shadowing a .gz is removed" [ ! -e "$out/shadow/train-images-idx3-ubyte" ]

# a corrupted copy: one byte of the test labels changed
mkdir -p "$out/corrupt-src"
for f in $files; do ln -s "$pkg/$f.gz" "$out/corrupt-src/$f.gz"; done
rm "$out/corrupt-src/t10k-labels-idx1-ubyte.gz"
cp "$pkg/t10k-labels-idx1-ubyte.gz" "$out/corrupt-src/"
printf 'x' | dd of="$out/corrupt-src/t10k-labels-idx1-ubyte.gz" bs=1 seek=100 conv=notrunc 2>/dev/null
fetch corrupt FASHION_MNIST_DIR="$out/corrupt-src"
check "a corrupted copy is refused, in one line naming the file and the fix" \
    one_error corrupt "t10k-labels-idx1-ubyte.gz: SHA-256 .* differs from the pinned .*unset FASHION_MNIST_DIR"
check "a corrupted copy leaves no staged files" unstaged

# the same over an installed copy: refused, the installed files untouched
cp -R "$out/good" "$out/kept"
before=$(cd "$out/kept" && cat SHA256SUMS ./*.gz | cksum)
rc=0
FASHION_MNIST_DIR="$out/corrupt-src" sh "$fetch" "$out/kept" fashion-mnist >"$out/kept.log" 2>&1 || rc=$?
check "over an installed copy, refused" [ "$rc" -ne 0 ]
check "over an installed copy, nothing changed" [ "$(cd "$out/kept" && cat SHA256SUMS ./*.gz | cksum)" = "$before" ]

# a missing file, a missing directory
mkdir -p "$out/short-src"
ln -s "$pkg/train-images-idx3-ubyte.gz" "$out/short-src/"
fetch short FASHION_MNIST_DIR="$out/short-src"
check "a missing file is refused, naming it" one_error short ".*has no train-labels-idx1-ubyte.gz"
fetch nodir FASHION_MNIST_DIR="$out/none"
check "a missing directory is refused" one_error nodir "FASHION_MNIST_DIR=.*none is not a directory"

# ---- MNIST ---------------------------------------------------------------------
dataset=
mkdir -p "$out/mnist-src"
for f in $files; do ln -s "$mnist/$f" "$out/mnist-src/$f"; done
fetch mnist-good MNIST_DIR="$out/mnist-src"
check "MNIST from a directory: exit 0" [ "$rc" -eq 0 ]
check "MNIST installed raw, matching SHA256SUMS" sh -c "cd '$out/mnist-good' && sha256sum -c --quiet SHA256SUMS"
rm "$out/mnist-src/train-labels-idx1-ubyte"
cp "$mnist/train-labels-idx1-ubyte" "$out/mnist-src/"
printf 'x' | dd of="$out/mnist-src/train-labels-idx1-ubyte" bs=1 seek=100 conv=notrunc 2>/dev/null
fetch mnist-corrupt MNIST_DIR="$out/mnist-src"
check "a corrupted MNIST copy is refused, in one line naming the file" \
    one_error mnist-corrupt "train-labels-idx1-ubyte: SHA-256 .* differs from the pinned .*original MNIST files"

# ---- bad arguments -------------------------------------------------------------
dataset=kmnist
fetch unknown
check "an unknown data set is refused, naming the choices" one_error unknown "unknown data set 'kmnist': use mnist or fashion-mnist"

check_done
