#!/usr/bin/env bash
# A run interrupted by a signal and resumed from its checkpoint ends exactly where a run never
# interrupted ends: the same files, byte for byte (CSV files but for their wall-clock `seconds`
# column). The interrupted run exits 128 + the signal, names its checkpoint in its last line, and
# leaves no temporary file behind.
#
# Usage: interrupt_resume.sh WORKDIR SIGNAL PATTERN PROGRAM ARGS...
#   SIGNAL   INT or TERM, sent once PATTERN (grep -E) shows in the program's output
#   ARGS     the run's flags; @OUT@ stands for the output prefix ("whole" or "part")
set -u
work=$1 sig=$2 pattern=$3 program=$(realpath "$4")
shift 4
name=$(basename "$program")
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; for f in *.txt; do echo "--- $f"; cat "$f"; done; exit 1; }
run_args() { local a; for a in "$@"; do printf '%s\0' "${a//@OUT@/$prefix}"; done; }
without_seconds() {  # a CSV without its `seconds` column
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") skip = i }
           { out = ""; for (i = 1; i <= NF; i++) if (i != skip) out = out (out == "" ? "" : ",") $i; print out }' "$1"
}

prefix=whole
mapfile -d '' whole_args < <(run_args "$@")
"$program" "${whole_args[@]}" >whole.txt 2>&1 || fail "the uninterrupted run failed"

prefix=part
mapfile -d '' part_args < <(run_args "$@")
"$program" "${part_args[@]}" --checkpoint ck.npz >first.txt 2>first-err.txt &
pid=$!
for _ in $(seq 1 6000); do cat first.txt first-err.txt 2>/dev/null | grep -q -E "$pattern" && break; sleep 0.01; done
kill -"$sig" "$pid"
wait "$pid"
rc=$?
want=$((128 + $(kill -l "$sig")))
[[ $rc -eq $want ]] || fail "the interrupted run exited $rc, expected $want (did it finish before the signal?)"
last=$(tail -n 1 first-err.txt)
[[ $last == "$name: interrupted by SIG$sig at "*"; continue with --resume ck.npz" ]] || fail "unexpected last line: $last"
leftover=$(ls -A | grep -v -x -E '(whole|part)\.[a-z]+|ck\.npz|[a-z-]+\.txt')
[[ -z $leftover ]] || fail "files left behind: $leftover"

# A resume with another --seed is refused, and leaves the checkpoint as it was.
other_args=("${part_args[@]}")
for i in "${!other_args[@]}"; do [[ ${other_args[i]} == --seed ]] && other_args[i + 1]=99; done
[[ "${other_args[*]}" == *"--seed 99"* ]] || fail "the run's flags must include --seed"
cp ck.npz ck.before
"$program" "${other_args[@]}" --resume ck.npz >other.txt 2>other-err.txt
rc=$?
[[ $rc -eq 2 ]] || fail "a resume with another seed exited $rc, expected 2"
grep -q -x "$name: --resume ck.npz: the checkpoint was made with --seed [0-9]*, not 99" other-err.txt ||
  fail "a resume with another seed: unexpected error $(cat other-err.txt)"
cmp -s ck.npz ck.before || fail "the refused resume changed the checkpoint"
rm ck.before

"$program" "${part_args[@]}" --resume ck.npz >second.txt 2>&1 || fail "the resumed run failed"
for f in whole.*; do
  [[ $f == whole.txt ]] && continue
  g=part.${f#whole.}
  [[ -f $g ]] || fail "the resumed run did not write $g"
  if [[ $f == *.csv ]]; then
    cmp -s <(without_seconds "$f") <(without_seconds "$g") || fail "$f and $g differ: $(diff "$f" "$g")"
  else
    cmp -s "$f" "$g" || fail "$f and $g differ"
  fi
done
echo "resumed after '$last': the outputs equal those of the uninterrupted run"
