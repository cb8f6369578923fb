#!/usr/bin/env bash
# What the saddle-escape methods say they did, through train on a slice of MNIST:
#   perturbs  cnc-pgd at its defaults on mini-batches of the CNN's plateau perturbs: the CSV's
#             `perturbations` column ends positive, `last_perturbation` is a step of the run and a
#             multiple of --t-thres (10), and the run ends with "N perturbations in S steps";
#   never     a run too short to reach its first check (--t-thres 1000) ends with the one line that
#             says it never perturbed, and its columns stay 0;
#   others    a method that never perturbs (sgd) writes 0 in both columns and prints no such line.
# Usage: escape_counts.sh BIN_DIR CASE
set -u
bin=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run=(--model cnn --train-limit 2000 --batch 50 --csv "$scratch/run.csv")
# last CSV NAME: column NAME of the last row.
last() { awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c }' "$1"; }

case $2 in
  perturbs)
    "$bin/train" "${run[@]}" --optimizer cnc-pgd --epochs 3 >"$scratch/out.txt" 2>&1 \
      || fail "train exited $?: $(tail -n 2 "$scratch/out.txt")"
    count=$(last "$scratch/run.csv" perturbations)
    at=$(last "$scratch/run.csv" last_perturbation)
    echo "cnc-pgd: $count perturbations, the last at step $at"
    [[ $count -gt 0 ]] || fail "cnc-pgd at its defaults never perturbed: $(tail -n 1 "$scratch/out.txt")"
    [[ $at -gt 0 && $at -le 120 && $((at % 10)) -eq 0 ]] || fail "last_perturbation $at"
    grep -qx "train: cnc-pgd: $count perturbations\? in 120 steps, the last at step $at" "$scratch/out.txt" \
      || fail "no closing line: $(tail -n 1 "$scratch/out.txt")"
    ;;
  never)
    "$bin/train" "${run[@]}" --optimizer cnc-pgd --epochs 1 --t-thres 1000 >"$scratch/out.txt" 2>&1 \
      || fail "train exited $?: $(tail -n 2 "$scratch/out.txt")"
    [[ $(last "$scratch/run.csv" perturbations) == 0 && $(last "$scratch/run.csv" last_perturbation) == 0 ]] \
      || fail "columns $(last "$scratch/run.csv" perturbations), $(last "$scratch/run.csv" last_perturbation)"
    line=$(tail -n 1 "$scratch/out.txt")
    [[ $line == "train: cnc-pgd: never perturbed in 40 steps: "* ]] || fail "last line: $line"
    ;;
  others)
    "$bin/train" "${run[@]}" --optimizer sgd --epochs 1 >"$scratch/out.txt" 2>&1 \
      || fail "train exited $?: $(tail -n 2 "$scratch/out.txt")"
    [[ $(last "$scratch/run.csv" perturbations) == 0 && $(last "$scratch/run.csv" last_perturbation) == 0 ]] \
      || fail "sgd's columns are not 0"
    ! grep -q "perturb" "$scratch/out.txt" || fail "sgd printed: $(grep perturb "$scratch/out.txt")"
    ;;
  *) fail "unknown case $2" ;;
esac
echo "ok: $2"
