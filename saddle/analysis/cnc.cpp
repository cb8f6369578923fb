// saddle/analysis/cnc.cpp — CNC correlation and the isotropic baseline (see the header).
#include "saddle/analysis/cnc.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/base/tensor_list.hpp"

namespace saddle {
namespace {

// C (m×k) = A (m×n) · Bᵀ (B is k×n), row-major.
void gemm_abt(int m, int k, int n, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, n, 1.0f, a, n, b, n, 0.0f, c, k);
}
void gemm_abt(int m, int k, int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, n, 1.0, a, n, b, n, 0.0, c, k);
}

template <class T>
TensorList<T> unit_direction(const char* fn, const TensorList<T>& params, const TensorList<T>& v) {
  check_same_shapes(fn, params, v);
  const double nrm = saddle::norm(v);
  if (!(nrm > 0) || !std::isfinite(nrm)) {
    std::ostringstream os;
    os << fn << ": the direction v has norm " << nrm << "; need a nonzero finite direction";
    throw Error(os.str());
  }
  TensorList<T> u = v;
  scale(u, 1.0 / nrm);
  return u;
}

// m directions uniform on the unit sphere (normalised Gaussians).
template <class T>
std::vector<TensorList<T>> random_unit_directions(const TensorList<T>& like, int m, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<TensorList<T>> out;
  for (int j = 0; j < m; ++j) {
    out.push_back(random_normal_like(like, rng));
    normalize(out.back());
  }
  return out;
}

// Σ_z Σ_j (u_jᵀg_z)² over gradients g_z fed one by one, flushed as one GEMM per block of rows
// (a GEMV per sample and direction would stream the m·n directions once per sample).
template <class T>
class SquaredProjections {
 public:
  SquaredProjections(const std::vector<TensorList<T>>& directions, std::size_t n) : m_(directions.size()), n_(n) {
    if (m_ == 0) return;
    u_.resize(m_ * n_);
    for (std::size_t j = 0; j < m_; ++j) {
      T* out = u_.data() + j * n_;
      for (const auto& t : directions[j]) out = std::copy(t.begin(), t.end(), out);
    }
    block_.resize(kBlock * n_);
    products_.resize(kBlock * m_);
  }
  void add(const TensorList<T>& g) {
    if (m_ == 0) return;
    T* out = block_.data() + rows_ * n_;
    for (const auto& t : g) out = std::copy(t.begin(), t.end(), out);
    if (++rows_ == kBlock) flush();
  }
  double total() {
    flush();
    return total_;
  }

 private:
  void flush() {
    if (rows_ == 0) return;
    gemm_abt(static_cast<int>(rows_), static_cast<int>(m_), static_cast<int>(n_), block_.data(), u_.data(),
             products_.data());
    for (std::size_t i = 0; i < rows_ * m_; ++i)
      total_ += static_cast<double>(products_[i]) * static_cast<double>(products_[i]);
    rows_ = 0;
  }
  static constexpr std::size_t kBlock = 64;
  std::size_t m_, n_, rows_ = 0;
  std::vector<T> u_, block_, products_;
  double total_ = 0;
};

// Forward mode: D(z, 0) along v, D(z, j ≥ 1) along the random directions, by jvps per batch.
template <class T>
CncResult<T> forward_mode(const Objective<T>& objective, const TensorList<T>& params, const TensorList<T>& v,
                          const CncOptions& opt) {
  if (opt.random_directions < 1)
    throw Error("cnc_correlation (forward mode): random_directions = " + std::to_string(opt.random_directions) +
                "; the baseline is sampled here, need at least 1");
  CncResult<T> r;
  r.direction = unit_direction("cnc_correlation", params, v);
  r.dimension = numel(params);
  r.samples = objective.num_samples();
  std::vector<TensorList<T>> directions{r.direction};
  for (auto& u : random_unit_directions(params, opt.random_directions, opt.seed)) directions.push_back(std::move(u));
  const Tensor<double> D = per_sample_directional_derivatives<T>(objective, params, directions, PerSampleMode::forward);
  double corr = 0, proj = 0, iso = 0;
  for (std::size_t z = 0; z < r.samples; ++z) {
    corr += D(z, 0) * D(z, 0);
    proj += D(z, 0);
    for (std::size_t j = 1; j < directions.size(); ++j) iso += D(z, j) * D(z, j);
  }
  const double N = static_cast<double>(r.samples);
  r.correlation = corr / N;
  r.mean_projection = proj / N;
  r.sampled_baseline = iso / (N * opt.random_directions);
  r.baseline = r.sampled_baseline;
  r.baseline_exact = false;
  r.ratio = r.correlation / r.baseline;
  return r;
}

}  // namespace

template <class T>
CncResult<T> cnc_correlation(const Objective<T>& objective, const TensorList<T>& params, const TensorList<T>& v,
                             const CncOptions& opt) {
  if (opt.mode == PerSampleMode::forward) return forward_mode(objective, params, v, opt);
  if (opt.random_directions < 0)
    throw Error("cnc_correlation: random_directions = " + std::to_string(opt.random_directions) + "; need ≥ 0");
  CncResult<T> r;
  r.direction = unit_direction("cnc_correlation", params, v);
  r.dimension = numel(params);
  r.samples = objective.num_samples();
  SquaredProjections<T> sampled(random_unit_directions(params, opt.random_directions, opt.seed), r.dimension);
  double corr = 0, proj = 0, norms = 0;
  objective.for_each_sample_gradient(params, [&](std::size_t, double, const TensorList<T>& g) {
    const double p = saddle::dot(r.direction, g);
    corr += p * p;
    proj += p;
    norms += saddle::dot(g, g);
    sampled.add(g);
  });
  const double N = static_cast<double>(r.samples);
  r.correlation = corr / N;
  r.mean_projection = proj / N;
  r.mean_squared_gradient_norm = norms / N;
  r.baseline = r.mean_squared_gradient_norm / static_cast<double>(r.dimension);
  r.baseline_exact = true;
  if (opt.random_directions > 0) r.sampled_baseline = sampled.total() / (N * opt.random_directions);
  r.ratio = r.correlation / r.baseline;
  return r;
}

template <class T>
CncResult<T> cnc_correlation(const Objective<T>& objective, const TensorList<T>& params, const CncOptions& opt) {
  const HessianOperator<T> H(objective, params);
  EigenOptions eo = opt.eigen;
  eo.k = 1;
  const EigenResult<T> bottom = lanczos_bottom<T>(H, params, eo);
  CncResult<T> r = cnc_correlation(objective, params, bottom.eigenvectors.at(0), opt);
  r.lambda_min = bottom.eigenvalues.at(0);
  r.hvp_products = bottom.iterations;
  return r;
}

template <class T>
double isotropic_baseline(const Objective<T>& objective, const TensorList<T>& params) {
  double norms = 0;
  objective.for_each_sample_gradient(params,
                                     [&](std::size_t, double, const TensorList<T>& g) { norms += saddle::dot(g, g); });
  return norms / static_cast<double>(objective.num_samples()) / static_cast<double>(numel(params));
}

template <class T>
NormalizedProjections normalized_projections(const Objective<T>& objective, const TensorList<T>& params,
                                             const std::vector<TensorList<T>>& directions) {
  std::vector<TensorList<T>> units;
  for (const auto& v : directions) units.push_back(unit_direction("normalized_projections", params, v));
  NormalizedProjections out;
  out.mean_squared.assign(units.size(), 0.0);
  out.dimension = numel(params);
  objective.for_each_sample_gradient(params, [&](std::size_t, double, const TensorList<T>& g) {
    const double norm_sq = saddle::dot(g, g);
    out.mean_gradient_norm += std::sqrt(norm_sq);
    if (!(norm_sq > 0)) {
      ++out.zero_gradients;
      return;
    }
    ++out.samples;
    for (std::size_t j = 0; j < units.size(); ++j) {
      const double p = saddle::dot(units[j], g);
      out.mean_squared[j] += p * p / norm_sq;
    }
  });
  if (out.samples > 0)
    for (double& m : out.mean_squared) m /= static_cast<double>(out.samples);
  if (out.samples + out.zero_gradients > 0) out.mean_gradient_norm /= static_cast<double>(out.samples + out.zero_gradients);
  return out;
}

#define SADDLE_CNC(T)                                                                                       \
  template CncResult<T> cnc_correlation<T>(const Objective<T>&, const TensorList<T>&, const TensorList<T>&, \
                                           const CncOptions&);                                              \
  template CncResult<T> cnc_correlation<T>(const Objective<T>&, const TensorList<T>&, const CncOptions&);   \
  template double isotropic_baseline<T>(const Objective<T>&, const TensorList<T>&);                         \
  template NormalizedProjections normalized_projections<T>(const Objective<T>&, const TensorList<T>&,        \
                                                           const std::vector<TensorList<T>>&);
SADDLE_CNC(float)
SADDLE_CNC(double)
#undef SADDLE_CNC

}  // namespace saddle
