#!/usr/bin/env bash
# Which OpenBLAS kernel the programs run (saddle/base/blas_kernel.hpp), on whatever processor this is:
#   - an explicit OPENBLAS_CORETYPE is never overridden;
#   - SADDLE_BLAS_KERNEL=keep keeps OpenBLAS's own pick;
#   - without either, where OpenBLAS fell back to Prescott on a processor with AVX2 and FMA, the
#     program runs Haswell or SkylakeX instead, chosen by saddle, and its eigenvalues agree with the
#     fallback's to 1e-10.
# usage: blas_kernel.sh EXAMPLES_DIR
set -uo pipefail
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
echo "OpenBLAS's pick $k_keep; without a choice the programs run $k_auto (chosen by $c_auto)"
