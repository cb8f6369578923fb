// saddle/analysis/power_iteration.hpp — the top eigenvalues by magnitude through power iteration
// with deflation, as PyHessian computes them (Yao, Gholami, Keutzer & Mahoney 2020, "PyHessian:
// Neural Networks Through the Lens of the Hessian", Alg. 1; Golub & Van Loan §8.2.1).
#pragma once

#include "saddle/base/linear_operator.hpp"

namespace saddle {

// The opt.k eigenvalues of largest magnitude, found one after another: each starts from a Gaussian
// vector (seeded by opt.seed) and iterates v ← Hv/‖Hv‖, orthogonalising v against the eigenvectors
// already found before every product (deflation, so a repeated eigenvalue is found as often as it
// occurs). Each pair stops when its residual is small, ‖PHv − λv‖ ≤ opt.tol·|λ| with λ = vᵀHv and P
// the projection onto the complement of the pairs found before (|λ| floored at 1e-12 of the largest
// |λ| seen, for eigenvalues near 0), or after opt.max_iter products. For the first pair that is
// ‖Hv − λv‖; later the full residual also holds the earlier pairs' residuals seen from v, which
// further steps of this pair cannot reduce, so the rule leaves them out.
// Why the residual and not the change of λ between steps: for symmetric H some eigenvalue lies
// within ‖r‖ of λ, and within ‖r‖²/δ when δ is the gap to the rest of the spectrum, while the
// angle to its eigenvector u has sinθ ≤ ‖r‖/δ (Parlett, The Symmetric Eigenvalue Problem, §4.5;
// Golub & Van Loan §8.1). The change of λ shrinks like (λ₂/λ₁)^{2k} but the error of v only like
// (λ₂/λ₁)^k, so at λ₂/λ₁ ≈ 0.9 a relative change of 1e-3 stops with v₁ far from u₁, and deflating
// that v₁ leaves a u₁ component that lifts the next eigenvalue. So opt.tol bounds the relative
// eigenvalue error, |λ − λ_true| ≤ opt.tol·|λ| (plus the earlier pairs' errors through P, of second
// order), and opt.max_iter must allow a little more than
// log(opt.tol)/log|λ_{i+1}/λ_i| steps (≈ 22 per decade of opt.tol at ratio 0.9).
// Returns the pairs in the order found (|λ| non-increasing up to convergence), each vector v with
// its λ = vᵀHv and full residual ‖Hv − λv‖ (some eigenvalue of H lies within it of λ, at most about
// opt.tol times the largest |λ| when converged); iterations counts all products; converged is true
// when no pair hit max_iter. The rate is |λ_{i+1}/λ_i| per step, so close magnitudes converge slowly; λ and
// −λ both at the top do not separate (use lanczos_top / lanczos_bottom there). In float the
// residual cannot fall much below 1e-7·|λ₁|, so a smaller opt.tol runs to opt.max_iter.
// Errors: opt.k < 1, opt.k > n, opt.max_iter < 1, opt.tol < 0.
template <class T>
EigenResult<T> power_iteration(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                               EigenOptions opt);

}  // namespace saddle
