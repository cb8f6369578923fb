// saddle/analysis/power_iteration.cpp — power iteration with deflation (see the header).
#include "saddle/analysis/power_iteration.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {
namespace {

// v ← v − Σ (uᵢᵀv) uᵢ over orthonormal uᵢ; applied twice for orthogonality to working precision.
template <class T>
void deflate(TensorList<T>& v, const std::vector<TensorList<T>>& found) {
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& u : found) axpy(-saddle::dot(u, v), u, v);
}

}  // namespace

template <class T>
EigenResult<T> power_iteration(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                               EigenOptions opt) {
  const std::size_t n = numel(like);
  if (opt.k < 1 || static_cast<std::size_t>(opt.k) > n || opt.max_iter < 1 || !(opt.tol >= 0)) {
    std::ostringstream os;
    os << "power_iteration: k = " << opt.k << ", max_iter = " << opt.max_iter
       << ", tol = " << opt.tol << " for n = " << n
       << " parameters; need 1 <= k <= n, max_iter >= 1, tol >= 0";
    throw Error(os.str());
  }
  std::mt19937_64 rng(opt.seed);
  EigenResult<T> out;
  out.converged = true;
  double scale = 0;  // the largest |λ| seen: a floor for the relative residual of tiny eigenvalues
  for (int i = 0; i < opt.k; ++i) {
    TensorList<T> v = random_normal_like(like, rng);
    deflate(v, out.eigenvectors);
    normalize(v);
    double lambda = 0, residual = 0;
    bool converged = false;
    for (int it = 0; it < opt.max_iter; ++it) {
      const TensorList<T> hv = H(v);
      check_same_shapes("power_iteration", v, hv);
      ++out.iterations;
      lambda = saddle::dot(v, hv);
      TensorList<T> r = hv;
      axpy(-lambda, v, r);
      residual = saddle::norm(r);
      // NaN fails every comparison, so the convergence test alone would run on and report it.
      if (!std::isfinite(lambda) || !std::isfinite(residual))
        throw Error("power_iteration: H·v is not finite at iteration " + std::to_string(out.iterations) +
                    " (eigenpair " + std::to_string(i + 1) + ")");
      scale = std::max(scale, std::abs(lambda));
      // v ← Hv/‖Hv‖, orthonormalised against the found eigenvectors (PyHessian's orthnormal).
      TensorList<T> next = hv;
      deflate(next, out.eigenvectors);
      // Some eigenvalue of the deflated operator PHP lies within ‖PHv − λv‖ of λ (Parlett §4.5):
      // that residual, not the step-to-step change of λ, says whether v has converged (see the
      // header). The full ‖Hv − λv‖ also holds Vᵀ(Hv) = (HV)ᵀv, the earlier pairs' residuals seen
      // from v, which this pair's steps cannot reduce; for the first pair the two are the same.
      double deflated = residual;
      if (!out.eigenvectors.empty()) {
        TensorList<T> rd = next;
        axpy(-lambda, v, rd);
        deflated = saddle::norm(rd);
      }
      if (deflated <= opt.tol * std::max(std::abs(lambda), 1e-12 * scale)) {
        converged = true;
        break;
      }
      if (it + 1 == opt.max_iter) break;
      const double next_norm = saddle::norm(next);
      if (!(next_norm > 0)) {  // Hv = 0 outside the found space: v is an eigenvector of 0
        converged = true;
        break;
      }
      saddle::scale(next, 1.0 / next_norm);
      v = std::move(next);
    }
    out.eigenvalues.push_back(lambda);
    out.eigenvectors.push_back(std::move(v));
    out.residuals.push_back(residual);
    out.converged = out.converged && converged;
  }
  return out;
}

template EigenResult<float> power_iteration<float>(const LinearOperatorArg<float>&,
                                                   const TensorList<float>&, EigenOptions);
template EigenResult<double> power_iteration<double>(const LinearOperatorArg<double>&,
                                                     const TensorList<double>&, EigenOptions);

}  // namespace saddle
