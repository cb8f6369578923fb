#!/usr/bin/env bash
# Runs a program under QEMU's user-mode emulation of a Nehalem, an x86-64 processor without AVX:
# the default build must run there, with the portable kernels. Exit status 77 (meson's "skipped")
# where qemu-x86_64 (Debian's qemu-user) is not installed.
set -euo pipefail
if ! command -v qemu-x86_64 >/dev/null 2>&1; then
  echo "qemu-x86_64 not found (Debian package qemu-user): skipped"
  exit 77
fi
# OPENBLAS_CORETYPE names the host's processor (some machines set it to pick OpenBLAS's kernels);
# the emulated one is a Nehalem, which OpenBLAS detects itself, so the variable is not passed on.
unset OPENBLAS_CORETYPE
# --tiny-data first: the program reads make_fixtures.py's 40 + 20 images (--data), since every
# instruction is emulated and a real test set takes most of the run.
if [[ ${1:-} == --tiny-data ]]; then
  shift
  fixtures=$(mktemp -d)
  trap 'rm -rf "$fixtures"' EXIT
  python3 "$(dirname "$0")/make_fixtures.py" "$fixtures" >/dev/null
  qemu-x86_64 -cpu Nehalem "$@" --data "$fixtures/idx"
  exit
fi
exec qemu-x86_64 -cpu Nehalem "$@"
