// saddle/base/lanczos.cpp — Lanczos with full reorthogonalisation (see the header).
#include "saddle/base/lanczos.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "saddle/base/parallel.hpp"
#include "saddle/base/tensor_list.hpp"

namespace saddle {

namespace {

// Level-1 BLAS on one OpenBLAS thread (SingleThreadedBlas, as tensor_list.cpp's): the products
// between them run on saddle's workers, which OpenBLAS's threads would spin beside, and a dot
// product split over threads rounds by their count.
double raw_dot(int n, const float* x, const float* y) {
  const SingleThreadedBlas one;
  return cblas_dsdot(n, x, 1, y, 1);
}
double raw_dot(int n, const double* x, const double* y) {
  const SingleThreadedBlas one;
  return cblas_ddot(n, x, 1, y, 1);
}
void raw_axpy(int n, double a, const float* x, float* y) {
  const SingleThreadedBlas one;
  cblas_saxpy(n, static_cast<float>(a), x, 1, y, 1);
}
void raw_axpy(int n, double a, const double* x, double* y) {
  const SingleThreadedBlas one;
  cblas_daxpy(n, a, x, 1, y, 1);
}
void raw_scal(int n, double a, float* x) {
  const SingleThreadedBlas one;
  cblas_sscal(n, static_cast<float>(a), x, 1);
}
void raw_scal(int n, double a, double* x) {
  const SingleThreadedBlas one;
  cblas_dscal(n, a, x, 1);
}

// The state of one Lanczos run: the basis as flat rows, T's entries and the current residual.
template <class T>
class LanczosProcess {
 public:
  LanczosProcess(const LinearOperator<T>& H, const TensorList<T>& like, const char* caller)
      : H_(H), caller_(caller), shapes_(shapes_of(like)), n_(numel(like)) {
    if (n_ == 0 || n_ > static_cast<std::size_t>(INT_MAX)) {
      std::ostringstream os;
      os << caller_ << ": the parameter list " << shape_list_str(shapes_) << " has " << n_
         << " elements; Lanczos needs 1 to " << INT_MAX;
      throw Error(os.str());
    }
  }

  std::size_t n() const { return n_; }
  std::size_t size() const { return basis_.size(); }
  // The dimension left to the Krylov space: n less the locked vectors.
  std::size_t free_dimension() const { return n_ - locked_.size(); }

  // Vectors (orthonormal, flat) that every basis vector is kept orthogonal to: the Krylov space then
  // lies in their complement, where the process sees H restricted to it (a verification run).
  void lock(std::vector<Tensor<T>> vectors) { locked_ = std::move(vectors); }
  bool invariant() const { return invariant_; }
  double residual_norm() const { return r_norm_; }
  const std::vector<double>& alpha() const { return alpha_; }
  const std::vector<double>& beta() const { return beta_; }
  const std::vector<Tensor<T>>& basis() const { return basis_; }

  // Starts (or, after an invariant subspace, restarts) from v: orthogonalised against the basis,
  // normalised, appended with coupling β = 0. Returns false when v has no part outside the basis.
  bool begin(Tensor<T> v) {
    const double before = std::sqrt(raw_dot(ni(), v.data(), v.data()));
    orthogonalise(v);
    const double after = orthogonalise(v);
    if (!(after > 0) || !std::isfinite(after) || after <= 1e-8 * before) return false;
    raw_scal(ni(), 1.0 / after, v.data());
    push(std::move(v), 0.0);
    return true;
  }

  // One step: w = Hq_j, orthogonalised twice against q_1..q_j; α_j = q_jᵀHq_j, r = w, β_j = ‖r‖.
  void step() {
    Tensor<T> w = apply(basis_.back());
    const double hq = std::sqrt(raw_dot(ni(), w.data(), w.data()));
    // A NaN would pass every test below as "not converged yet" and come out as a Ritz value.
    if (!std::isfinite(hq))
      throw Error(std::string(caller_) + ": H·v is not finite at iteration " + std::to_string(basis_.size()));
    hq_max_ = std::max(hq_max_, hq);
    const double first = orthogonalise(w, &alpha_.emplace_back(0.0));
    r_norm_ = orthogonalise(w, &alpha_.back());
    r_ = std::move(w);
    // The space is invariant when the residual is at rounding level: either tiny against ‖H‖, or
    // mostly removed by the second pass, i.e. numerically inside span(Q) (Kahan's criterion for
    // "twice is enough", Parlett, The Symmetric Eigenvalue Problem, §6.9).
    const double eps = std::numeric_limits<T>::epsilon();
    invariant_ = r_norm_ <= 16 * eps * hq_max_ || r_norm_ <= kTwiceIsEnough * first;
  }

  // y = Σ_j s_j q_j, unit norm, flat.
  Tensor<T> combine_flat(const double* s) const {
    Tensor<T> y = zeros_tensor<T>(Shape{n_});
    for (std::size_t j = 0; j < basis_.size(); ++j) raw_axpy(ni(), s[j], basis_[j].data(), y.data());
    const double nrm = std::sqrt(raw_dot(ni(), y.data(), y.data()));
    if (nrm > 0) raw_scal(ni(), 1.0 / nrm, y.data());
    return y;
  }

  // Continues the three-term recurrence: q_{j+1} = r/β_j.
  void advance() {
    raw_scal(ni(), 1.0 / r_norm_, r_.data());
    push(std::move(r_), r_norm_);
    r_ = Tensor<T>();
  }

  TensorList<T> to_list(const Tensor<T>& flat) const { return unflatten(flat, shapes_); }
  Tensor<T> to_flat(const TensorList<T>& x) const { return saddle::flatten(x); }

 private:
  static constexpr double kTwiceIsEnough = 0.7071067811865476;  // 1/√2

  int ni() const { return static_cast<int>(n_); }

  void push(Tensor<T>&& q, double coupling) {
    if (!basis_.empty()) beta_.push_back(coupling);
    basis_.push_back(std::move(q));
  }

  Tensor<T> apply(const Tensor<T>& q) const {
    const TensorList<T> v = to_list(q);
    const TensorList<T> hv = H_(v);
    bool same = hv.size() == v.size();
    for (std::size_t i = 0; same && i < v.size(); ++i)
      same = std::equal(hv[i].shape().begin(), hv[i].shape().end(), v[i].shape().begin(),
                        v[i].shape().end());
    if (!same)
      throw Error(std::string(caller_) + ": the operator returned shape list " +
                  shape_list_str(shapes_of(hv)) + " for a vector of shape list " +
                  shape_list_str(shapes_));
    return to_flat(hv);
  }

  // One classical Gram–Schmidt pass against the locked vectors and the whole basis: h = Qᵀw,
  // w ← w − Qh. Adds h_last (the coefficient on the newest vector) to *diag when given; returns ‖w‖.
  double orthogonalise(Tensor<T>& w, double* diag = nullptr) {
    for (const Tensor<T>& y : locked_) raw_axpy(ni(), -raw_dot(ni(), y.data(), w.data()), y.data(), w.data());
    const std::size_t m = basis_.size();
    h_.resize(m);
    for (std::size_t j = 0; j < m; ++j) h_[j] = raw_dot(ni(), basis_[j].data(), w.data());
    for (std::size_t j = 0; j < m; ++j) raw_axpy(ni(), -h_[j], basis_[j].data(), w.data());
    if (diag && m > 0) *diag += h_[m - 1];
    return std::sqrt(raw_dot(ni(), w.data(), w.data()));
  }

  const LinearOperator<T>& H_;
  const char* caller_;
  std::vector<Shape> shapes_;
  std::size_t n_;
  std::vector<Tensor<T>> basis_, locked_;
  std::vector<double> alpha_, beta_, h_;
  Tensor<T> r_;
  double r_norm_ = 0, hq_max_ = 0;
  bool invariant_ = false;
};

template <class T>
LanczosProcess<T> run_lanczos(const LinearOperator<T>& H, const TensorList<T>& start, int m,
                              const char* caller) {
  if (m < 1)
    throw Error(std::string(caller) + ": m = " + std::to_string(m) + " steps, need m >= 1");
  LanczosProcess<T> p(H, start, caller);
  if (!p.begin(p.to_flat(start)))
    throw Error(std::string(caller) + ": the start vector of shape list " +
                shape_list_str(shapes_of(start)) + " has norm " + std::to_string(norm(start)));
  for (int j = 0;; ++j) {
    p.step();
    if (p.invariant() || p.size() == p.free_dimension() || j + 1 == m) break;
    p.advance();
  }
  return p;
}

template <class T>
LanczosTridiagonal tridiagonal_of(const LanczosProcess<T>& p) {
  return {p.alpha(), p.beta(), p.residual_norm(), p.invariant() || p.size() == p.free_dimension()};
}

// The residual a wanted Ritz value θ must meet: tol·max(|θ|, kScaleFloor·max|θ_all|). Relative to
// θ itself, so a small eigenvalue at the bottom is resolved to the same relative accuracy as the top
// one (its error is at most the residual); the floor keeps eigenvalues at 0 within reach.
constexpr double kScaleFloor = 1e-3;

double pair_tolerance(double tol, double theta, double theta_max) {
  return tol * std::max(std::abs(theta), kScaleFloor * theta_max);
}

// The k extreme Ritz pairs of one Lanczos run from a random start, in the complement of `locked`.
template <class T>
struct KrylovPairs {
  std::vector<double> values, residuals, tolerances;  // wanted order: λ_min first or λ_max first
  std::vector<Tensor<T>> vectors;                     // flat, unit
  std::size_t products = 0;
  double theta_max = 0;
  bool converged = false;
  bool spanned = false;  // the run spanned the whole complement: its pairs are exact
};

template <class T>
KrylovPairs<T> krylov_pairs(const LinearOperator<T>& H, const TensorList<T>& like, std::size_t k,
                            const EigenOptions& opt, std::size_t cap, std::mt19937_64& rng,
                            std::vector<Tensor<T>> locked, const char* caller) {
  LanczosProcess<T> p(H, like, caller);
  p.lock(std::move(locked));
  KrylovPairs<T> out;
  const std::size_t free = p.free_dimension();
  if (free == 0 || !p.begin(p.to_flat(random_normal_like(like, rng)))) {
    out.converged = out.spanned = true;  // nothing outside the locked vectors
    return out;
  }
  k = std::min(k, free);
  TridiagonalEigen eig;
  std::vector<std::size_t> wanted;
  for (;;) {
    p.step();
    const std::size_t m = p.size();
    const bool full = m == free;
    if (m >= k) {
      eig = tridiagonal_eigen(p.alpha(), p.beta());
      for (double th : eig.values)
        if (!std::isfinite(th))
          throw Error(std::string(caller) + ": a Ritz value is not finite at iteration " + std::to_string(m));
      wanted.clear();
      for (std::size_t i = 0; i < k; ++i) wanted.push_back(opt.which_smallest ? i : m - 1 - i);
      out.theta_max = 0;
      for (double th : eig.values) out.theta_max = std::max(out.theta_max, std::abs(th));
      out.residuals.clear();
      out.tolerances.clear();
      bool all_met = true;
      for (std::size_t i : wanted) {
        out.residuals.push_back(std::abs(p.residual_norm() * eig.vectors[i * m + (m - 1)]));
        out.tolerances.push_back(pair_tolerance(opt.tol, eig.values[i], out.theta_max));
        all_met = all_met && out.residuals.back() <= out.tolerances.back();
      }
      // An exhausted Krylov space holds exact eigenpairs (to rounding): nothing more to refine,
      // unless tol = 0 asks for every step up to max_iter (restarts then find multiplicities).
      out.spanned = full;
      out.converged = full || (opt.tol > 0 && (p.invariant() || all_met));
      if (out.converged) break;
    }
    if (full || m == cap) break;
    if (!p.invariant()) {
      p.advance();
    } else if (!p.begin(p.to_flat(random_normal_like(like, rng)))) {
      out.spanned = out.converged = true;  // the basis spans the complement to working precision
      break;
    }
  }
  out.products = p.size();
  const std::size_t m = p.size();
  for (std::size_t i : wanted) {
    out.values.push_back(eig.values[i]);
    out.vectors.push_back(p.combine_flat(&eig.vectors[i * m]));
  }
  return out;
}

// The verification pass: a fresh Lanczos run in the complement of the k converged vectors Y asks
// for its extreme eigenvalue μ. Nothing was skipped when μ lies beyond the k-th wanted value θ_k
// (above it for the bottom, below for the top); otherwise μ is an eigenvalue the first run passed
// over (one inside a cluster, or a second copy of a multiple one): it replaces θ_k, and the pass
// runs again on the new set, at most k times. μ's pair has residual ‖P(Hy) − μy‖ in the complement
// (P = I − YYᵀ); its residual in R^n adds YᵀHy = Rᵀy, R the residuals of Y, so it is reported as
// √(r_μ² + max r_Y²). What this cannot see: an eigenvalue whose eigenvector both random starts
// missed (probability of the order of the tolerance).
template <class T>
bool verify_pairs(const LinearOperator<T>& H, const TensorList<T>& like, const EigenOptions& opt,
                  std::size_t cap, std::mt19937_64& rng, KrylovPairs<T>& pairs, int& missed, const char* caller) {
  for (std::size_t round = 0; round < pairs.values.size(); ++round) {
    KrylovPairs<T> check = krylov_pairs(H, like, 1, opt, cap, rng, pairs.vectors, caller);
    pairs.products += check.products;
    if (check.values.empty()) return true;  // the pairs span R^n
    if (!check.converged) return false;
    const double mu = check.values[0], kth = pairs.values.back();
    const double slack = pair_tolerance(opt.tol, kth, std::max(pairs.theta_max, check.theta_max));
    if (opt.which_smallest ? mu >= kth - slack : mu <= kth + slack) return true;
    ++missed;
    double r_max = 0;
    for (double r : pairs.residuals) r_max = std::max(r_max, r);
    pairs.values.back() = mu;
    pairs.residuals.back() = std::hypot(check.residuals[0], r_max);
    pairs.tolerances.back() = pair_tolerance(opt.tol, mu, std::max(pairs.theta_max, check.theta_max));
    pairs.vectors.back() = std::move(check.vectors[0]);
    for (std::size_t i = pairs.values.size() - 1; i > 0; --i) {  // keep the wanted order
      const bool before = opt.which_smallest ? pairs.values[i] < pairs.values[i - 1] : pairs.values[i] > pairs.values[i - 1];
      if (!before) break;
      std::swap(pairs.values[i], pairs.values[i - 1]);
      std::swap(pairs.residuals[i], pairs.residuals[i - 1]);
      std::swap(pairs.tolerances[i], pairs.tolerances[i - 1]);
      std::swap(pairs.vectors[i], pairs.vectors[i - 1]);
    }
  }
  return false;
}

template <class T>
EigenResult<T> extreme_eigenpairs(const LinearOperator<T>& H, const TensorList<T>& like,
                                  const EigenOptions& opt, const char* caller) {
  const std::size_t n = numel(like);
  if (opt.k < 1 || static_cast<std::size_t>(opt.k) > n || opt.max_iter < opt.k || !(opt.tol >= 0)) {
    std::ostringstream os;
    os << caller << ": k = " << opt.k << ", max_iter = " << opt.max_iter << ", tol = " << opt.tol
       << " for n = " << n << " parameters; need 1 <= k <= n, max_iter >= k, tol >= 0";
    throw Error(os.str());
  }
  const std::size_t cap = std::min(static_cast<std::size_t>(opt.max_iter), n);
  std::mt19937_64 rng(opt.seed);
  KrylovPairs<T> pairs = krylov_pairs(H, like, static_cast<std::size_t>(opt.k), opt, cap, rng, {}, caller);

  EigenResult<T> out;
  out.converged = pairs.converged;
  out.verified = pairs.spanned;
  if (pairs.converged && !pairs.spanned && opt.verify && opt.tol > 0)
    out.verified = verify_pairs(H, like, opt, cap, rng, pairs, out.missed, caller);
  if (opt.verify && opt.tol > 0) out.converged = out.converged && out.verified;
  out.iterations = static_cast<int>(pairs.products);
  out.eigenvalues = pairs.values;
  out.residuals = pairs.residuals;
  out.tolerances = pairs.tolerances;
  for (const Tensor<T>& y : pairs.vectors) {
    TensorList<T> v = unflatten(y, shapes_of(like));
    out.eigenvectors.push_back(std::move(v));
  }
  return out;
}

}  // namespace

template <class T>
LanczosTridiagonal lanczos_tridiagonal(const LinearOperatorArg<T>& H, const TensorList<T>& start,
                                       int m) {
  return tridiagonal_of(run_lanczos<T>(H, start, m, "lanczos_tridiagonal"));
}

template <class T>
LanczosDecomposition<T> lanczos_decomposition(const LinearOperatorArg<T>& H,
                                              const TensorList<T>& start, int m) {
  const LanczosProcess<T> p = run_lanczos<T>(H, start, m, "lanczos_decomposition");
  LanczosDecomposition<T> out{tridiagonal_of(p), {}};
  out.basis.reserve(p.size());
  for (const auto& q : p.basis()) out.basis.push_back(p.to_list(q));
  return out;
}

template <class T>
EigenResult<T> lanczos_eigen(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                             EigenOptions opt) {
  return extreme_eigenpairs<T>(H, like, opt, "lanczos_eigen");
}

template <class T>
EigenResult<T> lanczos_top(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                           EigenOptions opt) {
  opt.which_smallest = false;
  return extreme_eigenpairs<T>(H, like, opt, "lanczos_top");
}

template <class T>
EigenResult<T> lanczos_bottom(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                              EigenOptions opt) {
  opt.which_smallest = true;
  return extreme_eigenpairs<T>(H, like, opt, "lanczos_bottom");
}

#define SADDLE_LANCZOS(T)                                                                      \
  template LanczosTridiagonal lanczos_tridiagonal<T>(const LinearOperatorArg<T>&,              \
                                                     const TensorList<T>&, int);               \
  template LanczosDecomposition<T> lanczos_decomposition<T>(const LinearOperatorArg<T>&,       \
                                                            const TensorList<T>&, int);        \
  template EigenResult<T> lanczos_eigen<T>(const LinearOperatorArg<T>&, const TensorList<T>&,  \
                                           EigenOptions);                                      \
  template EigenResult<T> lanczos_top<T>(const LinearOperatorArg<T>&, const TensorList<T>&,    \
                                         EigenOptions);                                        \
  template EigenResult<T> lanczos_bottom<T>(const LinearOperatorArg<T>&, const TensorList<T>&, \
                                            EigenOptions);

SADDLE_LANCZOS(float)
SADDLE_LANCZOS(double)

}  // namespace saddle
