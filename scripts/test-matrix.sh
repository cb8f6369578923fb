#!/usr/bin/env bash
# Runs the test suite of a build directory under the OpenBLAS kernels and thread counts that
# machines differ by: OPENBLAS_CORETYPE unset (OpenBLAS's own choice), Prescott (the SSE3 kernels
# it falls back to on CPUs it does not know) and Haswell (AVX2), each with 1 and 2 threads.
# A test that holds on one kernel only fails here. (The suite "portable" emulates its own processor
# under QEMU, where OpenBLAS chooses for that processor: it runs once, in the plain suite.)
# Usage: scripts/test-matrix.sh [BUILD_DIR]
set -uo pipefail
build=${1:-build}
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for coretype in "" Prescott Haswell; do
  for threads in 1 2; do
    label="OPENBLAS_CORETYPE=${coretype:-(unset)} threads=$threads"
    if env -u OPENBLAS_CORETYPE ${coretype:+OPENBLAS_CORETYPE=$coretype} OPENBLAS_NUM_THREADS=$threads \
      SADDLE_NUM_THREADS=$threads meson test -C "$build" --no-rebuild -q --no-suite portable >"$log" 2>&1; then
      echo "test-matrix: $label: ok"
    else
      echo "test-matrix: $label: FAILED"
      grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT)' "$log" || tail -n 20 "$log"
      failed=1
    fi
  done
done
exit $failed
