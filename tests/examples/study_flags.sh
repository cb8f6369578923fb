#!/usr/bin/env bash
# The study flags of compare_optimizers and train, on the tiny dataset of make_fixtures.py:
#   rates      --lr adam=1e-3,sgd=0.1: each named method's rate reaches the CSV's lr column, a method
#              not named keeps its own default (train --help's), a bare rate is every other method's;
#   refusals   a bad --lr item (unknown method, not one of --optimizers, named twice, out of range,
#              no rate after '=') is refused with exit status 2 and one line naming it, before any
#              data is read;
#   seeds      --seeds 2: rows for both seeds, `seed` the last column, different values across the
#              seeds, the same bits (but for `seconds`) when the run is repeated, and the printed
#              table's test accuracy the mean over the seeds;
#   no-csv     no CSV in the working directory unless --csv is given, with or without --plot;
#   per-class  train --per-class: one row per class whose test_correct and test_total sums give the
#              final test accuracy of the training CSV (and the same for the training set).
# Usage: study_flags.sh BIN_DIR CASE
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 "$here/make_fixtures.py" "$scratch/fixtures" || exit 1
data=(--data "$scratch/fixtures/idx" --model softmax --batch 10)
fail() { echo "FAIL: $*"; exit 1; }
# column CSV NAME: the values of column NAME, one a line, as "optimizer value".
column() {
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } { print $1, $c }' "$1"
}
# rates CSV "NAME=RATE ...": every row's lr is its method's RATE (the column holds the float32 rate
# to 9 digits, so to a relative 1e-6), and every method has rows.
rates() {
  awk -F, -v want="$2" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { split(w[i], p, "="); r[p[1]] = p[2] } }
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "lr") c = i; next }
    { d = $c / r[$1] - 1; if (!($1 in r) || d > 1e-6 || d < -1e-6) { print "bad", $1, $c; bad = 1; exit } seen[$1] = 1 }
    END { if (bad) exit; for (m in r) if (!(m in seen)) print "missing", m }' "$1"
}
without_seconds() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") skip = i }
           { out = ""; for (i = 1; i <= NF; i++) if (i != skip) out = out (out == "" ? "" : ",") $i; print out }' "$1"
}

case $2 in
  rates)
    # momentum's own rate, as train --help lists it: "  momentum  …" then "    --lr 0.01, …"
    default=$("$bin/train" --help | sed -n '/^  momentum /{n;p}' | sed -nE 's/^ *--lr ([0-9.e+-]+).*/\1/p')
    [[ -n $default ]] || fail "no default rate of momentum in train --help"
    "$bin/compare_optimizers" "${data[@]}" --optimizers sgd,momentum,adam --lr adam=1e-3,sgd=0.1 --epochs 1 \
      --csv "$scratch/c.csv" >"$scratch/out.txt" 2>&1 || fail "compare_optimizers exited $?: $(tail -n 2 "$scratch/out.txt")"
    bad=$(rates "$scratch/c.csv" "adam=1e-3 momentum=$default sgd=0.1")
    [[ -z $bad ]] || fail "lr column: $bad (momentum's default is $default): $(column "$scratch/c.csv" lr | sort -u)"
    "$bin/compare_optimizers" "${data[@]}" --optimizers sgd,momentum --lr 0.05 --lr momentum=0.02 --epochs 1 \
      --csv "$scratch/d.csv" >"$scratch/out.txt" 2>&1 || fail "compare_optimizers exited $?: $(tail -n 2 "$scratch/out.txt")"
    bad=$(rates "$scratch/d.csv" "momentum=0.02 sgd=0.05")
    [[ -z $bad ]] || fail "a bare rate with a named one: $bad"
    ;;
  refusals)
    refuse() {
      local item=$1 pattern=$2 err
      err=$("$bin/compare_optimizers" --data "$scratch/no-such-directory" --optimizers sgd,momentum,adam \
        --lr "$item" 2>&1 >/dev/null)
      local rc=$?
      [[ $rc -eq 2 ]] || fail "--lr $item: exit status $rc, expected 2 ($err)"
      [[ $(echo "$err" | wc -l) -eq 1 ]] || fail "--lr $item: more than one line: $err"
      echo "$err" | grep -Eq -- "^compare_optimizers: $pattern" || fail "--lr $item: '$err' does not match /$pattern/"
      echo "refused --lr $item: $err"
    }
    refuse "lbfgs=0.1" "--lr lbfgs=0\.1: lbfgs is not an optimizer"
    refuse "nadam=0.1" "--lr nadam=0\.1: nadam is not one of --optimizers"
    refuse "sgd=0.1,sgd=0.2" "--lr sgd=0\.2: sgd is given a rate twice"
    refuse "sgd=0" "--lr sgd=0: learning rate '0' is outside \(0, 1e3\]"
    refuse "adam=1e30" "--lr adam=1e30: learning rate '1e30' is outside"
    refuse "adam=nan" "--lr adam=nan: learning rate 'nan' is outside"
    refuse "adam=" "--lr adam=: no learning rate after '='"
    refuse "=0.1" "--lr =0\.1: no method before '='"
    refuse "0.1,0.2" "--lr 0\.2: a second rate for every method"
    refuse "0" "--lr: learning rate '0' is outside"
    ;;
  seeds)
    run() {
      "$bin/compare_optimizers" "${data[@]}" --optimizers sgd,adam --epochs 2 --seed 7 --seeds 2 --csv "$1" \
        >"$1.txt" 2>"$1.err" || fail "compare_optimizers --seeds 2 exited $?: $(tail -n 2 "$1.err")"
    }
    run "$scratch/a.csv"
    run "$scratch/b.csv"
    [[ $(head -n 1 "$scratch/a.csv") == *,seconds,seed ]] || fail "the header: $(head -n 1 "$scratch/a.csv")"
    for m in sgd adam; do
      for s in 7 8; do
        [[ $(grep -c "^$m,.*,$s\$" "$scratch/a.csv") -eq 3 ]] || fail "not 3 rows (epochs 0-2) of $m with seed $s"
      done
      # the initialisations differ, so the training losses of epoch 0 do
      losses=$(awk -F, -v m="$m" '$1 == m && $2 == 0 { print $5 }' "$scratch/a.csv" | sort -u | wc -l)
      [[ $losses -eq 2 ]] || fail "$m: the two seeds start from the same training loss"
      # the table's test accuracy: the mean of the two seeds' at the last epoch
      want=$(awk -F, -v m="$m" '$1 == m && $2 == 2 { s += $8; n++ } END { printf "%.2f%%", 100 * s / n }' "$scratch/a.csv")
      got=$(awk -v m="$m" '$1 == m { print $5 }' "$scratch/a.csv.txt")
      [[ $got == "$want" ]] || fail "$m: the table shows test accuracy $got, the mean over the seeds is $want"
    done
    [[ $(wc -l <"$scratch/a.csv") -eq 13 ]] || fail "$(wc -l <"$scratch/a.csv") lines, expected header + 12"
    cmp -s <(without_seconds "$scratch/a.csv") <(without_seconds "$scratch/b.csv") \
      || fail "a repeated run differs: $(diff "$scratch/a.csv" "$scratch/b.csv" | head -n 4)"
    ;;
  no-csv)
    mkdir "$scratch/work" && cd "$scratch/work" || exit 1
    "$bin/compare_optimizers" "${data[@]}" --optimizers sgd,adam --epochs 1 >../out.txt 2>&1 \
      || fail "compare_optimizers exited $?: $(tail -n 2 ../out.txt)"
    [[ -z $(ls -A) ]] || fail "without --csv, the working directory holds: $(ls -A)"
    if command -v gnuplot >/dev/null; then
      "$bin/compare_optimizers" "${data[@]}" --optimizers sgd,adam --epochs 1 --seeds 2 --plot fig >../out.txt 2>&1 \
        || fail "compare_optimizers --plot exited $?: $(tail -n 2 ../out.txt)"
      [[ $(ls -A | tr '\n' ' ') == "fig_accuracy.png fig_loss.png " ]] || fail "with --plot only: $(ls -A)"
    fi
    ;;
  per-class)
    "$bin/train" "${data[@]}" --optimizer sgd --lr 0.05 --epochs 2 --csv "$scratch/run.csv" \
      --per-class "$scratch/pc.csv" >"$scratch/out.txt" 2>&1 || fail "train exited $?: $(tail -n 2 "$scratch/out.txt")"
    [[ $(head -n 1 "$scratch/pc.csv") == class,test_total,test_correct,test_accuracy,train_total,train_correct,train_accuracy ]] \
      || fail "the header: $(head -n 1 "$scratch/pc.csv")"
    [[ $(tail -n +2 "$scratch/pc.csv" | cut -d, -f1 | tr '\n' ' ') == "0 1 2 3 4 5 6 7 8 9 " ]] \
      || fail "not one row per class 0-9: $(cut -d, -f1 "$scratch/pc.csv" | tr '\n' ' ')"
    # Σ correct / Σ total against the training CSV's last row (test_acc, train_acc), to its 9 digits
    check=$(awk -F, 'NR == FNR { if (FNR > 1) { tt += $2; tc += $3; rt += $5; rc += $6 } next }
                     FNR == 1 { for (i = 1; i <= NF; i++) { if ($i == "test_acc") a = i; if ($i == "train_acc") b = i } }
                     FNR > 1 { test = $a; train = $b }
                     END { d1 = tc / tt - test; d2 = rc / rt - train
                           ok = tt == 20 && rt == 40 && d1 < 1e-8 && d1 > -1e-8 && d2 < 1e-8 && d2 > -1e-8
                           printf "%s %d/%d vs %s, %d/%d vs %s", ok ? "ok" : "bad", tc, tt, test, rc, rt, train }' \
      "$scratch/pc.csv" "$scratch/run.csv")
    echo "per class: $check"
    [[ $check == ok* ]] || fail "the classes' sums do not give the final accuracies: $check"
    ;;
  *) fail "no case '$2'" ;;
esac
echo "ok: $2"
