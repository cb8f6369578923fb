// saddle/base/tensor_list.cpp — BLAS level-1 on lists of tensors (see the header).
#include "saddle/base/tensor_list.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <sstream>

#include "saddle/base/parallel.hpp"

namespace saddle {
namespace {

// cblas takes int lengths: long tensors are processed in chunks of at most INT_MAX elements.
constexpr std::size_t kChunk = static_cast<std::size_t>(INT_MAX);

// Each call holds OpenBLAS to one thread (SingleThreadedBlas, base/parallel.hpp). Above 10,000
// entries OpenBLAS splits a level-1 call over its own threads, which then spin for a while after
// it, on the cores saddle's workers need: the SGD update after each training step (LeNet-5's
// 48,000-weight layer) left saddle's second worker starting a millisecond late, or never, in 15%
// of the steps, and the step took 2.82 ms on 2 cores instead of 2.49. A dot product split over
// threads also rounds by their count; on one thread it does not.

double blas_dot(std::size_t n, const float* x, const float* y) {
  const SingleThreadedBlas one;
  double s = 0;
  for (std::size_t i = 0; i < n; i += kChunk)
    s += cblas_dsdot(static_cast<int>(std::min(kChunk, n - i)), x + i, 1, y + i, 1);
  return s;
}
double blas_dot(std::size_t n, const double* x, const double* y) {
  const SingleThreadedBlas one;
  double s = 0;
  for (std::size_t i = 0; i < n; i += kChunk)
    s += cblas_ddot(static_cast<int>(std::min(kChunk, n - i)), x + i, 1, y + i, 1);
  return s;
}
void blas_axpy(std::size_t n, double a, const float* x, float* y) {
  const SingleThreadedBlas one;
  for (std::size_t i = 0; i < n; i += kChunk)
    cblas_saxpy(static_cast<int>(std::min(kChunk, n - i)), static_cast<float>(a), x + i, 1, y + i,
                1);
}
void blas_axpy(std::size_t n, double a, const double* x, double* y) {
  const SingleThreadedBlas one;
  for (std::size_t i = 0; i < n; i += kChunk)
    cblas_daxpy(static_cast<int>(std::min(kChunk, n - i)), a, x + i, 1, y + i, 1);
}
void blas_scal(std::size_t n, double a, float* x) {
  const SingleThreadedBlas one;
  for (std::size_t i = 0; i < n; i += kChunk)
    cblas_sscal(static_cast<int>(std::min(kChunk, n - i)), static_cast<float>(a), x + i, 1);
}
void blas_scal(std::size_t n, double a, double* x) {
  const SingleThreadedBlas one;
  for (std::size_t i = 0; i < n; i += kChunk)
    cblas_dscal(static_cast<int>(std::min(kChunk, n - i)), a, x + i, 1);
}

template <class T>
bool same_shapes(const TensorList<T>& x, const TensorList<T>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto& a = x[i].shape();
    const auto& b = y[i].shape();
    if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) return false;
  }
  return true;
}

}  // namespace

template <class T>
std::size_t numel(const TensorList<T>& x) {
  std::size_t n = 0;
  for (const auto& t : x) n += t.size();
  return n;
}

template <class T>
std::vector<Shape> shapes_of(const TensorList<T>& x) {
  std::vector<Shape> s;
  s.reserve(x.size());
  for (const auto& t : x) s.push_back(to_shape(t.shape()));
  return s;
}

std::string shape_list_str(const std::vector<Shape>& shapes) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < shapes.size(); ++i) os << (i ? "," : "") << shape_str(shapes[i]);
  os << ']';
  return os.str();
}

template <class T>
void check_same_shapes(const char* function, const TensorList<T>& x, const TensorList<T>& y) {
  if (same_shapes(x, y)) return;
  throw Error(std::string(function) + ": shape lists " + shape_list_str(shapes_of(x)) + " and " +
              shape_list_str(shapes_of(y)) + " differ");
}

template <class T>
double dot(const TensorList<T>& x, const TensorList<T>& y) {
  check_same_shapes("dot", x, y);
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += blas_dot(x[i].size(), x[i].data(), y[i].data());
  return s;
}

template <class T>
double norm(const TensorList<T>& x) {
  double s = 0;
  for (const auto& t : x) s += blas_dot(t.size(), t.data(), t.data());
  return std::sqrt(s);
}

template <class T>
void axpy(double a, const TensorList<T>& x, TensorList<T>& y) {
  check_same_shapes("axpy", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) blas_axpy(x[i].size(), a, x[i].data(), y[i].data());
}

template <class T>
void axpy(double a, const Tensor<T>& x, Tensor<T>& y) {
  if (x.shape() != y.shape())
    throw Error("axpy: shapes " + shape_str(x.shape()) + " and " + shape_str(y.shape()) + " differ");
  blas_axpy(x.size(), a, x.data(), y.data());
}

template <class T>
TensorList<T> add_scaled(const TensorList<T>& x, double a, const TensorList<T>& y) {
  check_same_shapes("add_scaled", x, y);
  TensorList<T> z = x;
  for (std::size_t i = 0; i < z.size(); ++i) blas_axpy(z[i].size(), a, y[i].data(), z[i].data());
  return z;
}

template <class T>
void scale(TensorList<T>& x, double a) {
  for (auto& t : x) blas_scal(t.size(), a, t.data());
}

template <class T>
TensorList<T> zeros_like(const TensorList<T>& like) {
  TensorList<T> z;
  z.reserve(like.size());
  for (const auto& t : like) z.push_back(zeros_tensor<T>(t.shape()));
  return z;
}

template <class T>
TensorList<T> random_normal_like(const TensorList<T>& like, std::mt19937_64& rng) {
  std::normal_distribution<T> normal(T(0), T(1));
  TensorList<T> z;
  z.reserve(like.size());
  for (const auto& t : like) {
    Tensor<T> r = empty_tensor<T>(t.shape());
    for (auto& e : r) e = normal(rng);
    z.push_back(std::move(r));
  }
  return z;
}

template <class T>
TensorList<T> random_rademacher_like(const TensorList<T>& like, std::mt19937_64& rng) {
  TensorList<T> z;
  z.reserve(like.size());
  std::uint64_t bits = 0;
  int left = 0;  // one 64-bit draw gives 64 signs
  for (const auto& t : like) {
    Tensor<T> r = empty_tensor<T>(t.shape());
    for (auto& e : r) {
      if (left == 0) {
        bits = rng();
        left = 64;
      }
      e = (bits & 1u) ? T(1) : T(-1);
      bits >>= 1;
      --left;
    }
    z.push_back(std::move(r));
  }
  return z;
}

template <class T>
TensorList<T> random_uniform_ball(const std::vector<Shape>& shapes, double r, std::mt19937_64& rng) {
  std::vector<double> z;
  for (const auto& s : shapes) z.resize(z.size() + shape_size(s));
  if (z.empty()) throw Error("random_uniform_ball: the dimension is 0");
  double norm2 = 0;
  do {  // a zero Gaussian vector has probability 0; draw again rather than divide by it
    std::normal_distribution<double> normal(0.0, 1.0);
    norm2 = 0;
    for (double& e : z) {
      e = normal(rng);
      norm2 += e * e;
    }
  } while (norm2 == 0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double scale = r * std::pow(uniform(rng), 1.0 / static_cast<double>(z.size())) / std::sqrt(norm2);
  TensorList<T> xi;
  std::size_t k = 0;
  for (const auto& s : shapes) {
    Tensor<T> t = empty_tensor<T>(s);
    for (std::size_t j = 0; j < t.size(); ++j) t.data()[j] = static_cast<T>(scale * z[k++]);
    xi.push_back(std::move(t));
  }
  return xi;
}

template <class T>
double normalize(TensorList<T>& x) {
  const double n = norm(x);
  if (!(n > 0) || !std::isfinite(n)) {
    std::ostringstream os;
    os << "normalize: cannot normalise a list of norm " << n << " and shapes "
       << shape_list_str(shapes_of(x));
    throw Error(os.str());
  }
  scale(x, 1.0 / n);
  return n;
}

template <class T>
Tensor<T> flatten(const TensorList<T>& x) {
  Tensor<T> flat = empty_tensor<T>(Shape{numel(x)});
  T* out = flat.data();
  for (const auto& t : x) out = std::copy(t.data(), t.data() + t.size(), out);
  return flat;
}

template <class T>
TensorList<T> unflatten(const Tensor<T>& flat, const std::vector<Shape>& shapes) {
  std::size_t n = 0;
  for (const auto& s : shapes) n += shape_size(s);
  if (flat.size() != n) {
    std::ostringstream os;
    os << "unflatten: a tensor of shape " << shape_str(flat.shape()) << " (" << flat.size()
       << " elements) cannot fill shapes " << shape_list_str(shapes) << " (" << n << " elements)";
    throw Error(os.str());
  }
  TensorList<T> x;
  x.reserve(shapes.size());
  const T* in = flat.data();
  for (const auto& s : shapes) {
    Tensor<T> t = empty_tensor<T>(s);
    std::copy(in, in + t.size(), t.data());
    in += t.size();
    x.push_back(std::move(t));
  }
  return x;
}

#define SADDLE_TENSOR_LIST_OPS(T)                                                                  \
  template std::size_t numel(const TensorList<T>&);                                                \
  template std::vector<Shape> shapes_of(const TensorList<T>&);                                     \
  template void check_same_shapes(const char*, const TensorList<T>&, const TensorList<T>&);        \
  template double dot(const TensorList<T>&, const TensorList<T>&);                                 \
  template double norm(const TensorList<T>&);                                                      \
  template void axpy(double, const TensorList<T>&, TensorList<T>&);                                \
  template void axpy(double, const Tensor<T>&, Tensor<T>&);                                        \
  template TensorList<T> add_scaled(const TensorList<T>&, double, const TensorList<T>&);           \
  template TensorList<T> random_uniform_ball(const std::vector<Shape>&, double, std::mt19937_64&); \
  template void scale(TensorList<T>&, double);                                                     \
  template TensorList<T> zeros_like(const TensorList<T>&);                                         \
  template TensorList<T> random_normal_like(const TensorList<T>&, std::mt19937_64&);               \
  template TensorList<T> random_rademacher_like(const TensorList<T>&, std::mt19937_64&);           \
  template double normalize(TensorList<T>&);                                                       \
  template Tensor<T> flatten(const TensorList<T>&);                                                \
  template TensorList<T> unflatten(const Tensor<T>&, const std::vector<Shape>&);

SADDLE_TENSOR_LIST_OPS(float)
SADDLE_TENSOR_LIST_OPS(double)

}  // namespace saddle
