#!/usr/bin/env bash
# How the programs write their files (examples/common/output_file.hpp, plot.hpp):
#   atomic   a run writes its CSV, weights and figure and leaves no temporary beside them;
#   full     a write that fails mid-run (CSV or weights) (the file-size limit stands in for a full disk: writes fail
#            with EFBIG as they would with ENOSPC) exits 2 naming the file, and leaves neither the
#            file nor a temporary; an older file of that name is left as it was;
#   names    a figure whose path holds a space, quotes, a semicolon, a backquote and $(…) is written
#            under exactly that name, and nothing in the name runs.
# Usage: outputs.sh BIN_DIR CASE
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 "$here/make_fixtures.py" "$scratch/fixtures" || exit 1
data=(--data "$scratch/fixtures/idx" --model softmax --optimizer sgd --lr 0.01 --batch 10)
fail() { echo "FAIL: $*"; exit 1; }
if [[ $2 != full ]] && ! command -v gnuplot >/dev/null; then
  echo "skipped: gnuplot is not installed (Debian package gnuplot-nox)"
  exit 77
fi

case $2 in
  atomic)
    out=$scratch/out
    mkdir "$out"
    "$bin/train" "${data[@]}" --epochs 2 --csv "$out/run.csv" --save "$out/w.npz" --plot "$out/run.png" \
      || fail "train exited $?"
    [[ $(ls -A "$out" | sort | tr '\n' ' ') == "run.csv run.png w.npz " ]] || fail "files: $(ls -A "$out")"
    [[ $(wc -l <"$out/run.csv") -eq 4 ]] || fail "run.csv has $(wc -l <"$out/run.csv") lines, expected header + 3"
    [[ $(head -c 8 "$out/run.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "run.png is not a PNG"
    ;;
  full)
    out=$scratch/out
    mkdir "$out"
    echo "an older run" >"$out/run.csv"
    # stderr through a pipe: the limit applies to every file the program writes
    err=$( (trap '' XFSZ; ulimit -f 1; exec "$bin/train" "${data[@]}" --epochs 20 --csv "$out/run.csv" 2>&1 >/dev/null) )
    rc=$?
    echo "$err" | tail -n 3
    [[ $rc -eq 2 ]] || fail "exit status $rc, expected 2"
    echo "$err" | tail -n 1 | grep -Eq "^train: $out/run.csv: cannot write: File too large$" || fail "message"
    [[ $(ls -A "$out") == run.csv ]] || fail "files left: $(ls -A "$out")"
    [[ $(cat "$out/run.csv") == "an older run" ]] || fail "the older run.csv was changed"
    err=$( (trap '' XFSZ; ulimit -f 8; exec "$bin/train" "${data[@]}" --epochs 1 --save "$out/w.npz" 2>&1 >/dev/null) )
    rc=$?
    echo "$err" | tail -n 1
    [[ $rc -eq 2 ]] || fail "exit status $rc, expected 2"
    echo "$err" | tail -n 1 | grep -Fq "$out/w.npz" || fail "the message does not name the weights file"
    [[ $(ls -A "$out") == run.csv ]] || fail "files left: $(ls -A "$out")"
    ;;
  names)
    # the commands would run in $scratch, the working directory, and leave pwned* there
    cd "$scratch" || exit 1
    out="$scratch/a dir; with 'single' \"double\" \`touch pwned1\` \$(touch pwned2)"
    mkdir "$out"
    png="$out/it's \"a\" plot; \$(touch pwned3) @x \\n.png"
    "$bin/train" "${data[@]}" --epochs 1 --csv "$out/run's.csv" --plot "$png" || fail "train exited $?"
    [[ -s $png ]] || fail "no figure at $png; the directory holds: $(ls -A "$out")"
    [[ $(ls -A "$out" | wc -l) -eq 2 ]] || fail "files: $(ls -A "$out")"
    ls "$scratch" | grep -Eqx 'pwned[0-9]' && fail "a command in a file name ran"
    "$bin/compare_optimizers" --data "$scratch/fixtures/idx" --model softmax --optimizers "sgd,momentum" --epochs 1 \
      --batch 10 --csv "$out/c.csv" --plot "$out/it's; \$(touch pwned4)" || fail "compare_optimizers exited $?"
    [[ -s "$out/it's; \$(touch pwned4)_loss.png" ]] || fail "no loss figure; $(ls -A "$out")"
    ls "$scratch" | grep -Eqx 'pwned[0-9]' && fail "a command in a file name ran"
    ;;
  *) fail "no case '$2'" ;;
esac
echo "ok: $2"
