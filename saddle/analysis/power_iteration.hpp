// saddle/analysis/power_iteration.hpp — the top eigenvalues by magnitude through power iteration
// with deflation, as PyHessian computes them (Yao, Gholami, Keutzer & Mahoney 2020, "PyHessian:
// Neural Networks Through the Lens of the Hessian", Alg. 1; Golub & Van Loan §8.2.1).
#pragma once

#include "saddle/base/linear_operator.hpp"

namespace saddle {

// The opt.k eigenvalues of largest magnitude, found one after another: each starts from a Gaussian
// vector (seeded by opt.seed) and iterates v ← Hv/‖Hv‖, orthogonalising v against the eigenvectors
// already found before every product (deflation, so a repeated eigenvalue is found as often as it
// occurs). Each pair stops when the Rayleigh quotient λ = vᵀHv changes by less than
// opt.tol·|λ_previous| between two steps, or after opt.max_iter products.
// Returns the pairs in the order found (|λ| non-increasing up to convergence), each vector v with
// its λ = vᵀHv and residual ‖Hv − λv‖; iterations counts all products; converged is true when no
// pair hit max_iter. The rate is |λ_{i+1}/λ_i| per step, so close magnitudes converge slowly; λ and
// −λ both at the top do not separate (use lanczos_top / lanczos_bottom there).
// Errors: opt.k < 1, opt.k > n, opt.max_iter < 1, opt.tol < 0.
template <class T>
EigenResult<T> power_iteration(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                               EigenOptions opt);

}  // namespace saddle
