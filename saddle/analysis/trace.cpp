// saddle/analysis/trace.cpp — Hutchinson's and Hutch++'s trace estimators, diagonal estimation
// (see the header).
#include "saddle/analysis/trace.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

namespace {

// Welford's running mean and sum of squared deviations (Knuth, TAOCP vol. 2, §4.2.2).
struct Running {
  double mean = 0, m2 = 0;
  int count = 0;
  void add(double x) {
    const double delta = x - mean;
    mean += delta / ++count;
    m2 += delta * (x - mean);
  }
  double standard_error() const {
    return count > 1 ? std::sqrt(m2 / (count - 1) / count) : std::numeric_limits<double>::infinity();
  }
};

// x ← x − Σ_j (q_jᵀx) q_j, twice ("twice is enough").
template <class T>
void project_out(const std::vector<TensorList<T>>& q, TensorList<T>& x) {
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& qj : q) axpy(-saddle::dot(qj, x), qj, x);
}

}  // namespace

template <class T>
TraceEstimate hutchinson_trace(const LinearOperatorArg<T>& H, const TensorList<T>& like, int probes,
                               std::uint64_t seed) {
  if (probes < 1)
    throw Error("hutchinson_trace: probes = " + std::to_string(probes) + ", need probes >= 1");
  std::mt19937_64 rng(seed);
  Running samples;
  for (int i = 1; i <= probes; ++i) {
    const TensorList<T> z = random_rademacher_like(like, rng);
    const TensorList<T> hz = H(z);
    check_same_shapes("hutchinson_trace", z, hz);
    const double sample = saddle::dot(z, hz);
    if (!std::isfinite(sample))
      throw Error("hutchinson_trace: zᵀH·z is not finite at probe " + std::to_string(i));
    samples.add(sample);
  }
  return {samples.mean, samples.standard_error(), probes};
}


template <class T>
TraceEstimate hutchpp_trace(const LinearOperatorArg<T>& H, const TensorList<T>& like, int products,
                            std::uint64_t seed) {
  if (products < 3)
    throw Error("hutchpp_trace: products = " + std::to_string(products) + ", need products >= 3");
  const int third = products / 3;
  std::mt19937_64 rng(seed);
  // Q: an orthonormal basis of H S, built vector by vector; a column inside the span so far (to
  // rounding) is dropped, and Q has fewer than m/3 vectors.
  std::vector<TensorList<T>> q;
  for (int i = 0; i < third; ++i) {
    TensorList<T> y = H(random_rademacher_like(like, rng));
    check_same_shapes("hutchpp_trace", like, y);
    const double before = saddle::norm(y);
    if (!std::isfinite(before)) throw Error("hutchpp_trace: H·s is not finite at sketch vector " + std::to_string(i + 1));
    project_out(q, y);
    const double after = saddle::norm(y);
    if (after > 1e-10 * before && after > 0) {
      scale(y, 1.0 / after);
      q.push_back(std::move(y));
    }
  }
  double top = 0;  // tr(QᵀHQ)
  for (const auto& qj : q) top += saddle::dot(qj, H(qj));
  Running rest;  // g ← (I − QQᵀ)g; gᵀHg
  for (int i = 0; i < third; ++i) {
    TensorList<T> g = random_rademacher_like(like, rng);
    project_out(q, g);
    const double sample = saddle::dot(g, H(g));
    if (!std::isfinite(sample)) throw Error("hutchpp_trace: gᵀH·g is not finite at probe " + std::to_string(i + 1));
    rest.add(sample);
  }
  TraceEstimate out;
  out.mean = top + rest.mean;
  out.standard_error = rest.standard_error();
  out.probes = third + static_cast<int>(q.size()) + third;
  return out;
}

template <class T>
DiagonalEstimate<T> diagonal_estimate(const LinearOperatorArg<T>& H, const TensorList<T>& like, int probes,
                                      std::size_t exact_max, std::uint64_t seed) {
  DiagonalEstimate<T> out{zeros_like(like), zeros_like(like), 0};
  bool sampled = false;
  for (std::size_t g = 0; g < like.size(); ++g) {
    if (like[g].size() > exact_max) {
      sampled = true;
      continue;
    }
    TensorList<T> e = zeros_like(like);
    for (std::size_t j = 0; j < like[g].size(); ++j) {
      e[g].data()[j] = 1;
      out.diagonal[g].data()[j] = H(e)[g].data()[j];
      e[g].data()[j] = 0;
      ++out.products;
    }
  }
  if (!sampled) return out;
  if (probes < 2)
    throw Error("diagonal_estimate: probes = " + std::to_string(probes) + ", need probes >= 2 for tensors of more than " +
                std::to_string(exact_max) + " entries");
  std::mt19937_64 rng(seed);
  std::vector<std::vector<Running>> entries(like.size());  // z_j (Hz)_j per entry, in double
  for (std::size_t g = 0; g < like.size(); ++g)
    if (like[g].size() > exact_max) entries[g].resize(like[g].size());
  for (int i = 0; i < probes; ++i, ++out.products) {
    const TensorList<T> z = random_rademacher_like(like, rng);
    const TensorList<T> hz = H(z);
    check_same_shapes("diagonal_estimate", z, hz);
    for (std::size_t g = 0; g < like.size(); ++g)
      for (std::size_t j = 0; j < entries[g].size(); ++j)
        entries[g][j].add(double(z[g].data()[j]) * double(hz[g].data()[j]));
  }
  for (std::size_t g = 0; g < like.size(); ++g)
    for (std::size_t j = 0; j < entries[g].size(); ++j) {
      out.diagonal[g].data()[j] = static_cast<T>(entries[g][j].mean);
      out.standard_error[g].data()[j] = static_cast<T>(entries[g][j].standard_error());
    }
  return out;
}

template TraceEstimate hutchpp_trace<float>(const LinearOperatorArg<float>&, const TensorList<float>&, int,
                                            std::uint64_t);
template TraceEstimate hutchpp_trace<double>(const LinearOperatorArg<double>&, const TensorList<double>&, int,
                                             std::uint64_t);
template DiagonalEstimate<float> diagonal_estimate<float>(const LinearOperatorArg<float>&, const TensorList<float>&,
                                                          int, std::size_t, std::uint64_t);
template DiagonalEstimate<double> diagonal_estimate<double>(const LinearOperatorArg<double>&,
                                                            const TensorList<double>&, int, std::size_t,
                                                            std::uint64_t);
template TraceEstimate hutchinson_trace<float>(const LinearOperatorArg<float>&,
                                               const TensorList<float>&, int, std::uint64_t);
template TraceEstimate hutchinson_trace<double>(const LinearOperatorArg<double>&,
                                                const TensorList<double>&, int, std::uint64_t);

}  // namespace saddle
