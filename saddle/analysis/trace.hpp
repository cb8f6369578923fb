// saddle/analysis/trace.hpp — the trace of a symmetric operator from Hv products alone.
//
// Hutchinson's estimator (Hutchinson 1990; Avron & Toledo 2011): for z with independent Rademacher
// entries, E[zᵀHz] = tr(H) and Var[zᵀHz] = 2 Σ_{i≠j} H_ij², the smallest variance among i.i.d.
// probe distributions. PyHessian's `trace` (Yao et al. 2020, §3.2) is this estimator. Its error
// falls like 1/√m in the number m of products.
//
// Hutch++ (Meyer, Musco, Musco & Woodruff 2021, Algorithm 1) spends m products in three thirds:
// Y = H S for m/3 random sign vectors S; Q an orthonormal basis of Y; then
//   tr(H) ≈ tr(QᵀHQ) + (3/m) Σ_i g_iᵀ (I − QQᵀ) H (I − QQᵀ) g_i
// over m/3 more sign vectors g_i. The top of the spectrum, which dominates Hutchinson's variance
// when the eigenvalues decay, is taken exactly through Q; Hutchinson's estimator sees only the rest.
// The error falls like 1/m (instead of 1/√m) when the spectrum decays. Its standard error is that
// of the second, random term: the spread of its m/3 samples.
//
// The diagonal (Bekas, Kokiopoulou & Saad 2007): diag(H) ≈ (1/p) Σ z ⊙ Hz over Rademacher z, each
// entry with its standard error; or exactly, entry by entry, (H e_j)_j — one product per entry,
// for small parameter tensors.
#pragma once

#include <cstdint>
#include <vector>

#include "saddle/base/linear_operator.hpp"

namespace saddle {

struct TraceEstimate {
  double mean = 0;            // (1/p) Σ z_iᵀHz_i
  double standard_error = 0;  // sample standard deviation / √p; +∞ for a single probe
  int probes = 0;
};

// `probes` Rademacher probes drawn from `seed`; `like` fixes the shapes.
// Error: probes < 1.
template <class T>
TraceEstimate hutchinson_trace(const LinearOperatorArg<T>& H, const TensorList<T>& like, int probes,
                               std::uint64_t seed = 0);

// Hutch++ with `products` products in all (rounded down to a multiple of 3; `probes` reports the
// products spent). Error: products < 3.
template <class T>
TraceEstimate hutchpp_trace(const LinearOperatorArg<T>& H, const TensorList<T>& like, int products,
                            std::uint64_t seed = 0);

template <class T>
struct DiagonalEstimate {
  TensorList<T> diagonal;        // shapes of the parameter list
  TensorList<T> standard_error;  // 0 on the entries computed exactly
  int products = 0;
};

// diag(H): the tensors of at most `exact_max` entries exactly, the others by `probes` Rademacher
// probes (shared by all of them). Errors: probes < 2 while some tensor needs them.
template <class T>
DiagonalEstimate<T> diagonal_estimate(const LinearOperatorArg<T>& H, const TensorList<T>& like, int probes,
                                      std::size_t exact_max = 0, std::uint64_t seed = 0);

}  // namespace saddle
