// saddle/base/lanczos.hpp — the Lanczos process on a symmetric operator, and its extreme
// eigenpairs.
//
// Lanczos (Golub & Van Loan, Matrix Computations, 4th ed., §10.1) builds an orthonormal basis
// q_1..q_m of the Krylov space span{q_1, Hq_1, …, H^{m-1}q_1} in which H is the symmetric
// tridiagonal T_m = tridiag(β, α, β):  H Q_m = Q_m T_m + β_m q_{m+1} e_mᵀ.
// Each new vector is orthogonalised against *all* previous ones by classical Gram–Schmidt applied
// twice ("twice is enough", Giraud, Langou & Rozložník 2005), so no spurious copies of converged
// Ritz values appear (§10.3.1) at the price of keeping the basis (m vectors of n numbers).
// The eigenpairs (θ_i, s_i) of T_m come from LAPACK (dsyevd, through xtensor-blas's eigh), always
// in double. A Ritz pair (θ_i, y_i = Q_m s_i) has residual ‖Hy_i − θ_i y_i‖ = |β_m s_{m,i}|
// (§10.1.4), known without forming y_i.
//
// When to stop, and what it certifies. A Ritz pair with residual r has an eigenvalue within r of θ
// (Parlett, The Symmetric Eigenvalue Problem, Thm 4.5.1), so each wanted pair must meet a residual
// relative to its own value, r ≤ tol·max(|θ|, 1e-3·max|θ_all|): a small eigenvalue at the bottom is
// then resolved to the same relative accuracy as the largest, where a bound relative to max|θ|
// alone let a pair of a cluster at −0.83 stop at r = 7e-3, wider than the cluster's gaps.
// Residuals cannot show an eigenvalue that the Krylov space has not yet resolved, though: inside a
// tight cluster, the pairs on either side converge first, each with a small residual, while the
// eigenvalue between them is still missing (the k-th smallest Ritz value bounds λ_k from above, not
// from below). Nor can one start vector see a second copy of a multiple eigenvalue. So a converged
// run is followed by a verification pass: a fresh run from a new random vector, kept orthogonal to
// the k converged vectors, computes the extreme eigenvalue μ of H on their complement to the same
// tolerance. If μ lies beyond the k-th value, none was skipped; otherwise μ was, and it takes its
// place (and the pass repeats). We chose this over thick-restart or block Lanczos because it costs
// only when the answer is in doubt (one more short run, the complement's extreme pair usually being
// well separated) and because it tests the claim directly: no eigenvalue beyond the reported ones.
// It fails only if both random starts are nearly orthogonal to a wanted eigenvector. `converged`
// means every pair met its tolerance and the pass found nothing skipped; EigenResult says how
// many the pass found (`missed`) and each pair's tolerance. When the Krylov space is exhausted
// (β_m ≈ 0: an invariant subspace) with tol = 0, the run restarts from a random vector orthogonal
// to the basis, so every copy of a multiple eigenvalue is found within max_iter ≥ n steps.
#pragma once

#include <vector>

#include "saddle/base/linear_operator.hpp"

namespace saddle {

// The tridiagonal T_m of an m-step Lanczos run.
struct LanczosTridiagonal {
  std::vector<double> alpha;  // diagonal α_1..α_m
  std::vector<double> beta;   // off-diagonal β_1..β_{m-1}
  double residual_norm = 0;   // β_m = ‖r_m‖, coupling to the next (unformed) vector
  bool exhausted = false;     // stopped early: span{q_1..q_m} is invariant under H (to rounding)
};

// T_m with the basis q_1..q_m (unit, mutually orthogonal, shapes of the parameter list).
template <class T>
struct LanczosDecomposition {
  LanczosTridiagonal tridiagonal;
  std::vector<TensorList<T>> basis;
};

// Eigen-decomposition of a symmetric tridiagonal matrix (LAPACK dsyevd, through xt::linalg::eigh).
// Throws saddle::Error when an entry is not finite or LAPACK fails.
struct TridiagonalEigen {
  std::vector<double> values;   // ascending
  std::vector<double> vectors;  // m×m, column-major: vectors[i*m + j] is component j of vector i
};
TridiagonalEigen tridiagonal_eigen(const std::vector<double>& alpha,
                                   const std::vector<double>& beta);

// m Lanczos steps from `start` (normalised here; it fixes the shapes). Stops early, with
// `exhausted` set, when the Krylov space is invariant; alpha then has fewer than m entries.
// This is the building block of stochastic Lanczos quadrature (density.hpp).
template <class T>
LanczosTridiagonal lanczos_tridiagonal(const LinearOperatorArg<T>& H, const TensorList<T>& start,
                                       int m);
template <class T>
LanczosDecomposition<T> lanczos_decomposition(const LinearOperatorArg<T>& H,
                                              const TensorList<T>& start, int m);

// The opt.k largest (or, with opt.which_smallest, smallest) eigenvalues of H and their vectors.
// Starts from a Gaussian vector drawn from opt.seed. Stops when the k wanted Ritz pairs have
// residuals |β_m s_{m,i}| ≤ opt.tol·max(|θ_i|, 1e-3·max|θ|), when the whole space R^n has been
// spanned, or after opt.max_iter steps (converged = false); then, with opt.verify, the verification
// pass above (up to opt.max_iter products a round, counted in `iterations`). With opt.tol = 0 it
// runs all min(max_iter, n) steps,
// restarting on each invariant subspace, and is converged only once R^n is spanned: with
// max_iter ≥ n that finds every copy of a multiple eigenvalue. `like` fixes the shapes only.
// Errors: opt.k < 1, opt.k > n, opt.max_iter < opt.k, opt.tol < 0.
template <class T>
EigenResult<T> lanczos_eigen(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                             EigenOptions opt);

// The k largest eigenvalues, descending (λ_1 ≥ λ_2 ≥ …).
template <class T>
EigenResult<T> lanczos_top(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                           EigenOptions opt);

// The k smallest eigenvalues, ascending (λ_min first).
template <class T>
EigenResult<T> lanczos_bottom(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                              EigenOptions opt);

}  // namespace saddle
