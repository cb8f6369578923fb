#!/usr/bin/env bash
# Fuzzes the file readers: builds the libFuzzer harnesses of tests/fuzz with clang (AddressSanitizer
# and UndefinedBehaviorSanitizer on, leaks checked) in build-fuzz/, writes their seed corpora
# (tests/fuzz/make_corpus.py), and runs each harness for SECONDS (default 60).
#
#   scripts/fuzz.sh [SECONDS]
#
# Exits non-zero when any harness reports a finding: a crash, a sanitizer report, a leak, an
# exception other than saddle::Error, an input slower than 30 s, or one allocation of more than
# 160 MiB. That limit is what the largest input (16 KiB) can justify: inflated 1032-fold, then
# converted from bytes to doubles, 8 x 1032 x 16 KiB = 129 MiB; the readers' own caps
# (kMaxNpyArrayBytes, kMaxIdxBytes) are far above it. The input that caused a finding is kept in
# build-fuzz/findings/; rerun it with `build-fuzz/tests/fuzz/fuzz_<reader> <file>`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
build=build-fuzz
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (Debian package clang)" >&2; exit 2; }
if [[ ! -f $build/build.ninja ]]; then
  CXX=clang++ meson setup "$build" -Dfuzz=true -Dbuildtype=debugoptimized
fi
meson compile -C "$build" tests/fuzz/fuzz_idx tests/fuzz/fuzz_npz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tests/fuzz/make_corpus.py "$work/corpus"
mkdir -p "$build/findings"

failed=0
summary=""
for reader in idx npz; do
  log="$work/$reader.log"
  echo "== fuzz_$reader for ${seconds} s"
  rc=0
  "$build/tests/fuzz/fuzz_$reader" "$work/corpus/$reader" -max_total_time="$seconds" -max_len=16384 \
    -malloc_limit_mb=160 -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$build/findings/$reader-" >"$log" 2>&1 || rc=$?
  tail -n 25 "$log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  summary+="fuzz_$reader: ${runs:-?} executions in ${seconds} s, exit status $rc"$'\n'
  if ((rc != 0)); then failed=1; fi
done
echo "== summary"
printf '%s' "$summary"
if ((failed)); then
  echo "fuzz.sh: a harness reported a finding; its input is in $build/findings/" >&2
  exit 1
fi
