#!/usr/bin/env bash
# Every optimizer of the list (saddle/optim/registry.hpp), as `train --help` lists it, is accepted by
# the programs that take one: train runs an epoch with it, spectral_gap accepts the name, and one
# compare_optimizers run takes them all, a row each. The list is read from the programs, so a method
# added to saddle/optim/methods.def is covered without a change here.
#
#   every_optimizer.sh BIN_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 "$here/make_fixtures.py" "$scratch/fixtures" || exit 1
data=(--data "$scratch/fixtures/idx" --model softmax --epochs 1 --batch 20)
fail() { echo "FAIL: $*"; exit 1; }

# The names --help lists under "Optimizers:", one a line: "  NAME  description".
names=$("$bin/train" --help | sed -n '/^Optimizers:$/,$p' | sed -nE 's/^  ([a-z0-9-]+) .*/\1/p')
count=$(echo "$names" | grep -c .)
echo "$count optimizers: $(echo $names)"
[[ $count -ge 18 ]] || fail "train --help lists $count optimizers"
[[ $("$bin/compare_optimizers" --help | sed -n '/^Optimizers:$/,$p' | sed -nE 's/^  ([a-z0-9-]+) .*/\1/p') == "$names" ]] \
  || fail "compare_optimizers --help lists other optimizers than train --help"

for name in $names; do
  out=$("$bin/train" "${data[@]}" --optimizer "$name" 2>&1) || fail "train --optimizer $name exited $?: $out"
  grep -q "^epoch   1 " <<<"$out" || fail "train --optimizer $name printed no epoch 1: $out"
  # spectral_gap accepts the name (and stops at its own check, before any data is read)
  err=$("$bin/spectral_gap" --optimizer "$name" --samples 0 2>&1)
  [[ $err == "spectral_gap: --samples 0: the Hessian of the mean over no sample" ]] \
    || fail "spectral_gap --optimizer $name: $err"
done

all=$(echo $names | tr ' ' ',')
"$bin/compare_optimizers" "${data[@]}" --optimizers "$all" --csv "$scratch/compare.csv" >"$scratch/compare.out" 2>&1 \
  || fail "compare_optimizers --optimizers $all exited $?: $(tail -n 3 "$scratch/compare.out")"
for name in $names; do
  [[ $(grep -c "^$name,1," "$scratch/compare.csv") -eq 1 ]] || fail "compare.csv has no epoch-1 row of $name"
done
echo "every optimizer accepted and run"
