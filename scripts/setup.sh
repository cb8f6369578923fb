#!/usr/bin/env bash
# Installs everything saddle needs on a fresh Debian 12 machine: compilers and libraries for the
# build, Python/PyTorch for the side-by-side benchmarks, and the two datasets (MNIST into $SADDLE_DATA/mnist
# when SADDLE_DATA is set, else into the per-user data directory ~/.local/share/saddle: scripts/fetch-data.sh).
# Non-interactive and idempotent: packages already present are skipped, data already converted is kept.
set -euo pipefail

PACKAGES=(
  g++ pkg-config meson ninja-build
  libxtensor-dev libxtensor-blas-dev xtl-dev  # xtensor-blas: the dense symmetric eigenproblems (eigh)
  libopenblas-dev liblapack-dev zlib1g-dev libzip-dev
  doctest-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev
  gnuplot-nox
  python3
  dataset-fashion-mnist
  qemu-user  # the tests of suite "portable" run programs on an emulated processor without AVX
  time       # /usr/bin/time: the bad-input table bounds each refusal's peak memory
  clang libclang-rt-14-dev  # CI's clang build, and the fuzzers (libFuzzer, sanitizers)
  cmake    # tests/consumer/run.sh builds a CMake project against the installed find_package(saddle)
  doxygen  # meson compile -C build docs: the API reference
  libopenmpi-dev openmpi-bin  # data parallelism (base/distributed.hpp) and its 2-rank tests
)
# Only for bench/peers (PyTorch side by side); never needed by the tests.
if [[ "${SADDLE_WITH_PEERS:-0}" == 1 ]]; then
  PACKAGES+=(python3-torch python3-numpy)
fi

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm comes with Node.js; on plain Debian it is a separate package.
if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/fetch-data.sh"
