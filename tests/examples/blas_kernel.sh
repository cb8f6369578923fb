#!/usr/bin/env bash
# Which OpenBLAS kernel the programs run (saddle/base/blas_kernel.hpp), on whatever processor this is:
#   - an explicit OPENBLAS_CORETYPE is never overridden;
#   - SADDLE_BLAS_KERNEL=keep keeps OpenBLAS's own pick;
#   - without either, where OpenBLAS fell back to Prescott on a processor with AVX2 and FMA, the
#     program runs Haswell or SkylakeX instead, chosen by saddle, and its eigenvalues agree with the
#     fallback's to 1e-10;
#   - every program names the kernel it runs in the line under its header.
# usage: blas_kernel.sh EXAMPLES_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run ENV... : the top eigenvalue, the kernel and who chose it, from hessian --json
  env "$@" "$bin/hessian" --model softmax --samples 100 --top 1 --bottom 0 --json --quiet |
    python3 -c "import json,sys; r=json.load(sys.stdin); print(r['top']['eigenvalues'][0], r['blas']['kernel'], r['blas']['chosen_by'].split()[0])"
}
read -r l_user k_user c_user < <(run OPENBLAS_CORETYPE=Prescott)
[[ $k_user == Prescott && $c_user == OPENBLAS_CORETYPE ]] || fail "OPENBLAS_CORETYPE=Prescott ran $k_user, chosen by $c_user"
read -r l_keep k_keep c_keep < <(run -u OPENBLAS_CORETYPE SADDLE_BLAS_KERNEL=keep)
[[ $c_keep == OpenBLAS ]] || fail "SADDLE_BLAS_KERNEL=keep: chosen by $c_keep"
read -r l_auto k_auto c_auto < <(run -u OPENBLAS_CORETYPE)
if [[ $k_keep == Prescott ]] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  [[ $k_auto == Haswell || $k_auto == SkylakeX ]] || fail "OpenBLAS fell back to Prescott; saddle ran $k_auto"
  [[ $c_auto == saddle ]] || fail "kernel $k_auto chosen by $c_auto"
else
  [[ $k_auto == "$k_keep" && $c_auto == OpenBLAS ]] || fail "nothing to gain, yet $k_auto chosen by $c_auto"
fi
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-10 * abs(a))" \
  "$l_user" "$l_auto" || fail "λ₁ $l_auto on $k_auto against $l_user on Prescott"
# The line every program prints under its header (examples/common/cli.hpp, run_context).
line="BLAS: OpenBLAS [0-9.]+, kernel $k_auto \\(chosen by $c_auto[^)]*\\), [0-9]+ threads?; saddle's workers: [0-9]+; processes: 1"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
python3 "$here/make_fixtures.py" "$tmp/fixtures" >/dev/null || fail "make_fixtures.py failed"
data="--data $tmp/fixtures/idx --model softmax"
for cmd in "quickstart" "hessian $data --samples 20 --top 1 --bottom 0 --quiet" \
           "train $data --epochs 1 --batch 10" "compare_optimizers $data --optimizers sgd --epochs 1 --batch 10" \
           "escape_saddle --dims 4 --trials 1 --max-steps 20" \
           "spectral_gap $data --epochs 1 --batch 10 --last 1 --samples 20 --csv $tmp/gap.csv"; do
  read -r -a argv <<< "$cmd"
  out=$(env -u OPENBLAS_CORETYPE "$bin/${argv[0]}" "${argv[@]:1}" 2>/dev/null) || fail "${argv[0]} failed"
  grep -q -E "^  $line\$" <<< "$out" || fail "${argv[0]} does not name its BLAS kernel: $(head -3 <<< "$out")"
done
echo "OpenBLAS's pick $k_keep; without a choice the programs run $k_auto (chosen by $c_auto)"
