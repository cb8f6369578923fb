#!/usr/bin/env bash
# The table of bad inputs: each row runs one program on one bad command line (or bad file, or bad
# environment) and expects it refused the way every program refuses: exit status 2, not a crash or
# a signal; exactly one line on stderr, "<program>: <what>", matching the row's pattern (grep -E);
# the output directory exactly as it was (no output, no temporary, no partial file); and a bounded
# peak memory (a bomb must be refused, not allocated).
#
#   bad_inputs.sh --list                  the rows' names, one a line
#   bad_inputs.sh BIN_DIR NAME            run row NAME with the programs of BIN_DIR
#
# A row is: refuse NAME PATTERN -- [VAR=VALUE ...] PROGRAM ARGS...
# $OUT is the row's output directory (empty unless the row fills it first), $FIX the inputs that
# make_fixtures.py writes. refuse_midrun is for an error found during the work: progress lines may
# come before the one error line, which must still be the last.
set -u
here=$(cd "$(dirname "$0")" && pwd)
max_rss_kb=256000  # the refusals need about 20 MB; a bomb that allocated would need far more

if [[ ${1:-} == --list ]]; then
  mode=list
  OUT=OUT FIX=FIX
else
  mode=run
  bin=$(cd "$1" && pwd)
  want=$2
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  OUT=$scratch/out
  FIX=$scratch/fixtures
  mkdir -p "$OUT" "$FIX"
fi
found=0

check() {
  local name=$1 pattern=$2 midrun=$3
  shift 3
  local env=()
  while [[ $# -gt 0 && $1 == *=* ]]; do env+=("$1"); shift; done
  local program=$1
  shift
  if [[ "$*" == *"$FIX"* ]]; then
    python3 "$here/make_fixtures.py" "$FIX" || { echo "cannot write the fixtures"; exit 1; }
  fi
  local before after err=$scratch/stderr rss=$scratch/rss
  before=$(cd "$OUT" && find . | sort)
  (cd "$OUT" && env "${env[@]}" /usr/bin/time -f %M -o "$rss" "$bin/$program" "$@" >/dev/null 2>"$err")
  local rc=$?
  after=$(cd "$OUT" && find . | sort)
  local fail=0
  echo "row: $name"
  echo "stderr:"; sed 's/^/  /' "$err"
  if [[ $rc -ne 2 ]]; then echo "FAIL: exit status $rc, expected 2"; fail=1; fi
  local lines
  lines=$(wc -l <"$err")
  if [[ $midrun == no && $lines -ne 1 ]]; then echo "FAIL: $lines lines on stderr, expected 1"; fail=1; fi
  if [[ $(grep -c "^$program: " "$err") -ne 1 ]] || ! tail -n 1 "$err" | grep -q "^$program: "; then
    echo "FAIL: expected one error line '$program: …', last on stderr"; fail=1
  fi
  if ! tail -n 1 "$err" | grep -Eq -- "$pattern"; then echo "FAIL: the error does not match /$pattern/"; fail=1; fi
  if [[ $before != "$after" ]]; then
    echo "FAIL: the output directory changed:"; diff <(echo "$before") <(echo "$after"); fail=1
  fi
  local peak
  peak=$(tail -n 1 "$rss")
  echo "peak memory: $peak KiB"
  if ! [[ $peak =~ ^[0-9]+$ ]] || [[ $peak -gt $max_rss_kb ]]; then
    echo "FAIL: peak memory '$peak' KiB, bound $max_rss_kb KiB"; fail=1
  fi
  exit $fail
}

refuse_row() {
  local midrun=$1 name=$2 pattern=$3
  shift 3
  [[ $1 == -- ]] && shift
  if [[ $mode == list ]]; then echo "$name"; return; fi
  if [[ $name == "$want" ]]; then found=1; check "$name" "$pattern" "$midrun" "$@"; fi
}
refuse() { refuse_row no "$@"; }
refuse_midrun() { refuse_row yes "$@"; }

# prepare NAME DIR: row NAME starts with the directory $OUT/DIR in place (it is part of the
# listing that must be unchanged after the run).
prepare() { [[ $mode == run && $1 == "$want" ]] && mkdir -p "$OUT/$2"; }

data=(--data "$FIX/idx")

# ── learning rates: (0, 1e3], finite ──
refuse "train --lr 0" "^train: --lr: learning rate '0' is outside \(0, 1e3\]" -- train --lr 0
refuse "train --lr -1" "learning rate '-1' is outside" -- train --lr -1
refuse "train --lr 1e30" "learning rate '1e30' is outside" -- train --lr 1e30
refuse "train --lr nan" "learning rate 'nan' is outside" -- train --lr nan
refuse "train --lr inf" "learning rate 'inf' is outside" -- train --lr inf
refuse "compare_optimizers --lr 0" "learning rate '0' is outside" -- compare_optimizers --lr 0
refuse "compare_optimizers --lr sgd=0" "^compare_optimizers: --lr sgd=0: learning rate '0' is outside" \
  -- compare_optimizers --lr sgd=0
refuse "compare_optimizers --lr lbfgs=0.1" "^compare_optimizers: --lr lbfgs=0\.1: lbfgs is not an optimizer" \
  -- compare_optimizers --lr lbfgs=0.1
refuse "compare_optimizers --lr sgd=0.1,sgd=0.2" "--lr sgd=0\.2: sgd is given a rate twice" \
  -- compare_optimizers --optimizers sgd,adam --lr sgd=0.1,sgd=0.2
refuse "spectral_gap --lr nan" "learning rate 'nan' is outside" -- spectral_gap --lr nan
refuse "escape_saddle --lr 0" "learning rate '0' is outside" -- escape_saddle --lr 0
refuse "escape_saddle --lr 1e30" "learning rate '1e30' is outside" -- escape_saddle --lr 1e30

# ── other numbers: finite, in range, counts not negative ──
refuse "train --resume a missing file" "--resume: File does not exist: $OUT/none.npz" -- train --resume "$OUT/none.npz"
refuse "train --resume a weights file" "checkpoint $FIX/nan.npz: no 'run'" -- train --resume "$FIX/nan.npz"
refuse "train --beta2 1.5" "beta2" -- train --beta2 1.5 "${data[@]}"
refuse "train --momentum nan" "--momentum: 'nan' is not a finite number" -- train --optimizer momentum --momentum nan
refuse "train --l2 inf" "--l2: 'inf' is not a finite number" -- train --l2 inf
refuse "train --batch -3" "--batch: '-3' is not a non-negative whole number" -- train --batch -3
refuse "train --epochs 0" "--epochs" -- train --epochs 0
refuse "train --seed -1" "--seed: '-1' is not a non-negative whole number" -- train --seed -1
refuse "compare_optimizers --seeds 0" "--seeds" -- compare_optimizers --seeds 0
refuse "hessian --seed -1" "--seed: '-1' is not a non-negative whole number" -- hessian --seed -1
refuse "hessian --init-seed -1" "--init-seed: '-1' is not a non-negative" -- hessian --init-seed -1
refuse "hessian --slice without --top" "^hessian: --slice: the slices along the top eigenvectors need --top ≥ 1$" \
  -- hessian --top 0 --slice "$OUT/slice.csv"
refuse "hessian --surface-plane top with one eigenvector" "needs --top ≥ 2" \
  -- hessian --top 1 --surface "$OUT/s.csv" --surface-plane top
refuse "hessian --operator gauss-newton" "--operator: gauss-newton not in" -- hessian --operator gauss-newton
refuse "hessian --save-eigenvectors with none asked for" \
  "^hessian: --save-eigenvectors: no eigenvectors to save with --top 0 and --bottom 0$" \
  -- hessian --top 0 --bottom 0 --save-eigenvectors "$OUT/v.npz"
refuse "hessian --save-eigenvectors in a missing directory" "--save-eigenvectors $OUT/missing/v.npz: directory" \
  -- hessian --save-eigenvectors "$OUT/missing/v.npz"
refuse "hessian --trace-method hutch++ with 2 products" "^hessian: --trace-method hutch\\+\\+: needs --trace-probes ≥ 3" \
  -- hessian --trace --trace-method hutch++ --trace-probes 2
refuse "hessian --trace-method unknown" "--trace-method: hutch not in" -- hessian --trace --trace-method hutch
refuse "hessian --diag with one probe" "^hessian: --diag: the sampled diagonal needs --trace-probes ≥ 2, got 1$" \
  -- hessian --diag "$OUT/d.npz" --trace-probes 1
refuse "hessian --negative-tol -1" "--negative-tol" -- hessian --negative-tol -1
refuse "reproduce --out under a missing directory" "does not exist" \
  -- reproduce optimizers-mnist --quick --out "$OUT/no-such-directory/out"
refuse "reproduce an unknown study" "study" -- reproduce optimizers-cifar --out "$OUT/r"
refuse "hessian --samples 0" "--samples" -- hessian --samples 0
refuse "hessian --tol nan" "--tol: 'nan' is not a finite number" -- hessian --tol nan
refuse "escape_saddle --seed -1" "--seed: '-1' is not a non-negative" -- escape_saddle --seed -1
refuse "escape_saddle --samples 3" "--samples = 3 must be even" -- escape_saddle --samples 3
refuse "escape_saddle --t-thres 0" "--t-thres 0" -- escape_saddle --t-thres 0
refuse "escape_saddle --dims 10,10" "--dims: 10 is named twice" -- escape_saddle --dims 10,10
refuse "escape_saddle --radius nan" "--radius: 'nan' is not a finite number > 0" -- escape_saddle --radius nan
refuse "escape_saddle --threshold inf" "--threshold: 'inf' is not a finite number" -- escape_saddle --threshold inf
refuse "spectral_gap --last 0" "--last 0" -- spectral_gap --last 0 --epochs 1
refuse "spectral_gap --samples 0" "--samples 0" -- spectral_gap --samples 0
refuse "spectral_gap --tol nan" "--tol: 'nan' is not a finite number" -- spectral_gap --tol nan
refuse "quickstart --seed -1" "--seed: '-1' is not a non-negative" -- quickstart --seed -1
refuse "quickstart --samples 0" "--samples" -- quickstart --samples 0
refuse "quickstart --bogus" "^quickstart: The following argument was not expected: --bogus" -- quickstart --bogus

# ── names: models, methods, schedules' flags ──
refuse "train --model resnet" "--model: resnet not in" -- train --model resnet
refuse "hessian --model resnet" "--model: resnet not in" -- hessian --model resnet
refuse "train --optimizer lbfgs" "--optimizer: lbfgs not in" -- train --optimizer lbfgs
refuse "train sgd --momentum" "--momentum does not apply to sgd" -- train --optimizer sgd --momentum 0.9 "${data[@]}"
# a method's flags and ranges (saddle/optim/registry.hpp) are checked before any data is read
refuse "train --beta2 1.5 before the data" "^train: Adam: beta2 = 1\.5 is outside \[0, 1\)$" \
  -- train --beta2 1.5 --data "$OUT/no-such-directory"
refuse "spectral_gap adam --momentum" "^spectral_gap: --momentum does not apply to adam$" \
  -- spectral_gap --optimizer adam --momentum 0.9 --data "$OUT/no-such-directory"
refuse "spectral_gap pgd --t-thres -1" "--t-thres: '-1' is not a non-negative whole number" -- spectral_gap --optimizer pgd --t-thres -1
refuse "train pgd --f-thres -1" "^train: PGD: f_thres = -1 is negative$" \
  -- train --optimizer pgd --f-thres -1 --data "$OUT/no-such-directory"
refuse "train cnc-pgd --f-thres" "^train: --f-thres does not apply to cnc-pgd$" \
  -- train --optimizer cnc-pgd --f-thres 1 --data "$OUT/no-such-directory"
refuse "compare_optimizers sgd,lbfgs" "lbfgs not in" -- compare_optimizers --optimizers sgd,lbfgs
refuse "compare_optimizers sgd,sgd" "--optimizers: sgd is named twice" -- compare_optimizers --optimizers sgd,sgd
refuse "train --tau with constant" "--tau applies only to --schedule robbins-monro, not to constant" -- train --tau 5
refuse "train --step-gamma with cosine" "--step-gamma applies only to --schedule step, not to cosine" \
  -- train --schedule cosine --step-gamma 0.5
refuse "train --step-every with robbins-monro" "--step-every applies only to --schedule step" \
  -- train --schedule robbins-monro --step-every 10
refuse "train --lr-min with constant" "--lr-min applies only to --schedule cosine" -- train --lr-min 0.01
refuse "train --tau 0" "--tau: '0' is not a finite number > 0" -- train --schedule robbins-monro --tau 0

# ── output paths: checked before any work ──
refuse "train --csv empty" "--csv: an empty path" -- train --csv ''
refuse "train --save empty" "--save: an empty path" -- train --save ''
refuse "escape_saddle --csv empty" "--csv: an empty path" -- escape_saddle --csv ''
refuse "compare_optimizers --csv empty" "--csv: an empty path" -- compare_optimizers --csv ''
refuse "train --csv in a missing directory" "--csv $OUT/missing/run.csv: directory $OUT/missing does not exist" \
  -- train --csv "$OUT/missing/run.csv"
refuse "train --save in a missing directory" "--save $OUT/missing/w.npz: directory $OUT/missing does not exist" \
  -- train --save "$OUT/missing/w.npz"
refuse "train --csv X --save X" "--save $OUT/x: the same file as --csv $OUT/x" -- train --csv "$OUT/x" --save "$OUT/x"
refuse "train --csv X --save ./X" "the same file as --csv" -- train --csv "$OUT/x" --save "$OUT/./x"
refuse "train --per-class in a missing directory" "--per-class $OUT/missing/p.csv: directory $OUT/missing does not exist" \
  -- train --per-class "$OUT/missing/p.csv"
refuse "train --csv X --per-class X" "--per-class $OUT/x: the same file as --csv $OUT/x" \
  -- train --csv "$OUT/x" --per-class "$OUT/x"
prepare "train --csv a directory" dir
refuse "train --csv a directory" "--csv $OUT/dir: is a directory" -- train --csv "$OUT/dir"
refuse "train --csv where no file can be made" "--csv /proc/run.csv: cannot create a file in /proc" \
  -- train --csv /proc/run.csv
refuse "train --plot without --csv" "--plot needs --csv" -- train --plot "$OUT/p.png"
refuse "hessian --density in a missing directory" "--density $OUT/missing/d.csv: directory .* does not exist" \
  -- hessian --density "$OUT/missing/d.csv"
refuse "hessian --density a directory" "--density $OUT: is a directory" -- hessian --density "$OUT"
refuse "escape_saddle --csv in a missing directory" "directory $OUT/missing does not exist" \
  -- escape_saddle --csv "$OUT/missing/e.csv"
refuse "compare_optimizers --csv the same as a figure" "--plot $OUT/c_loss.png: the same file as --csv" \
  -- compare_optimizers --csv "$OUT/c_loss.png" --plot "$OUT/c"
refuse "compare_optimizers --plot in a missing directory" "--plot $OUT/missing/c_loss.png: directory" \
  -- compare_optimizers --plot "$OUT/missing/c"
refuse "spectral_gap --csv in a missing directory" "directory $OUT/missing does not exist" \
  -- spectral_gap --csv "$OUT/missing/s.csv"

# ── input paths and input files ──
refuse "hessian --weights empty" "--weights: an empty path" -- hessian --weights ''
refuse "train --data empty" "--data: an empty path" -- train --data ''
refuse "hessian --weights missing" "--weights $OUT/missing.npz: no such file" -- hessian --weights "$OUT/missing.npz"
refuse "train --data missing" "no-such-directory" -- train --data "$OUT/no-such-directory"
refuse "hessian --weights with NaN" "$FIX/nan.npz.* 'fc\.weight' with nan at index" \
  -- hessian --model softmax --weights "$FIX/nan.npz" "${data[@]}" --samples 10
refuse "hessian --weights truncated" "$FIX/truncated.npz" \
  -- hessian --model softmax --weights "$FIX/truncated.npz" "${data[@]}" --samples 10
# The .npz reader must refuse a header that claims more than the member holds, before allocating.
refuse "hessian --weights an npz bomb" "$FIX/bomb.npz" \
  -- hessian --model softmax --weights "$FIX/bomb.npz" "${data[@]}" --samples 10
refuse "train --data with a truncated IDX file" "train-images-idx3-ubyte" \
  -- train --data "$FIX/idx-truncated" --epochs 1
refuse "hessian --data with a truncated IDX file" "train-images-idx3-ubyte" \
  -- hessian --model softmax --data "$FIX/idx-truncated" --samples 10
# SADDLE_NUM_THREADS is refused like a bad flag, also for a model with no parallel loop.
refuse "train SADDLE_NUM_THREADS=abc" "^train: SADDLE_NUM_THREADS = 'abc' is not a whole number in 1\.\.256" \
  -- SADDLE_NUM_THREADS=abc train "${data[@]}" --model softmax --epochs 1
refuse "train SADDLE_NUM_THREADS=-4" "SADDLE_NUM_THREADS = '-4' is not a whole number" \
  -- SADDLE_NUM_THREADS=-4 train "${data[@]}" --model mlp --epochs 1
refuse "train SADDLE_NUM_THREADS=100000" "SADDLE_NUM_THREADS = '100000' is not a whole number" \
  -- SADDLE_NUM_THREADS=100000 train "${data[@]}" --model mlp --epochs 1

# ── found during the work ──
refuse_midrun "train stops on divergence" "the loss diverged" \
  -- train "${data[@]}" --model lenet5 --optimizer sgd --lr 1e3 --epochs 5 --batch 10

if [[ $mode == run && $found -eq 0 ]]; then echo "no row named '$want'"; exit 1; fi
exit 0
