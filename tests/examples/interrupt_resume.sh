#!/usr/bin/env bash
# A training run interrupted by a signal and resumed from its checkpoint ends exactly where a run
# never interrupted ends: the same CSV (but for the wall-clock `seconds` column) and the same
# weights file, byte for byte. The interrupted run exits 128 + the signal, names its checkpoint in
# one line, and leaves no temporary file behind.
# Usage: interrupt_resume.sh TRAIN WORKDIR SIGNAL (INT or TERM)
set -u
train=$(realpath "$1") work=$2 sig=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
args=(--model mlp --optimizer adam --epochs 6 --train-limit 1000 --batch 10 --seed 3)
fail() { echo "FAIL: $*"; for f in *.txt; do echo "--- $f"; cat "$f"; done; exit 1; }

"$train" "${args[@]}" --csv whole.csv --save whole.npz >whole.txt 2>&1 || fail "the uninterrupted run failed"

"$train" "${args[@]}" --csv part.csv --save part.npz --checkpoint ck.npz >first.txt 2>first-err.txt &
pid=$!
for _ in $(seq 1 3000); do grep -q '^epoch   1 ' first.txt 2>/dev/null && break; sleep 0.01; done
kill -"$sig" "$pid"
wait "$pid"
rc=$?
want=$((128 + $(kill -l "$sig")))
[[ $rc -eq $want ]] || fail "the interrupted run exited $rc, expected $want (did it finish before the signal?)"
last=$(tail -n 1 first-err.txt)
[[ $last == "train: interrupted by SIG$sig at epoch "*"; continue with --resume ck.npz" ]] ||
  fail "unexpected last line: $last"
leftover=$(ls -A | grep -v -x -E 'whole\.(csv|npz|txt)|part\.(csv|npz)|ck\.npz|first(-err)?\.txt')
[[ -z $leftover ]] || fail "files left behind: $leftover"

"$train" "${args[@]}" --csv part.csv --save part.npz --resume ck.npz >second.txt 2>&1 || fail "the resumed run failed"
cmp -s <(cut -d, -f1-11 whole.csv) <(cut -d, -f1-11 part.csv) || fail "the CSVs differ: $(diff whole.csv part.csv)"
[[ $(wc -l <part.csv) -eq 8 ]] || fail "part.csv has $(wc -l <part.csv) lines, expected a header and 7 epochs"
cmp -s whole.npz part.npz || fail "the weights differ"
echo "resumed after $last: CSV and weights identical to the uninterrupted run"
