// saddle/base/tensor_list.hpp — vector algebra on lists of tensors.
//
// A TensorList is one vector of R^n stored in pieces of any shapes (the parameters of a model); the
// solvers of analysis/ see it only through these operations. The flat order is the concatenation of
// the tensors' row-major elements in list order. Inner products and norms accumulate in double for
// float lists too. Two lists combined must have the same shapes, tensor by tensor; otherwise
// saddle::Error names the function and both shape lists.
//
// Call these qualified (saddle::flatten, saddle::norm): argument-dependent lookup also brings in
// xtensor's namespace, whose flatten and norm templates do not accept a list.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle {

// Total number of elements n.
template <class T>
std::size_t numel(const TensorList<T>& x);

// The shapes of the tensors, in list order.
template <class T>
std::vector<Shape> shapes_of(const TensorList<T>& x);

// "[(3,4),(5,)]": a shape list as error messages print it.
std::string shape_list_str(const std::vector<Shape>& shapes);

// Throws saddle::Error "<function>: shape lists [...] and [...] differ" unless x and y match.
template <class T>
void check_same_shapes(const char* function, const TensorList<T>& x, const TensorList<T>& y);

// xᵀy.
template <class T>
double dot(const TensorList<T>& x, const TensorList<T>& y);

// ‖x‖₂.
template <class T>
double norm(const TensorList<T>& x);

// y ← y + a·x (BLAS axpy).
template <class T>
void axpy(double a, const TensorList<T>& x, TensorList<T>& y);
// The same for one tensor of the list (a parameter held elsewhere than in a list).
template <class T>
void axpy(double a, const Tensor<T>& x, Tensor<T>& y);

// x + a·y as a new list (x and y unchanged).
template <class T>
TensorList<T> add_scaled(const TensorList<T>& x, double a, const TensorList<T>& y);

// x ← a·x.
template <class T>
void scale(TensorList<T>& x, double a);

// A list of zeros of the shapes of `like`.
template <class T>
TensorList<T> zeros_like(const TensorList<T>& like);

// Independent standard normal entries, shapes of `like`.
template <class T>
TensorList<T> random_normal_like(const TensorList<T>& like, std::mt19937_64& rng);

// Independent ±1 entries with probability ½ each (Rademacher), shapes of `like`.
template <class T>
TensorList<T> random_rademacher_like(const TensorList<T>& like, std::mt19937_64& rng);

// ξ uniform in the ball B(0, r) of R^d, d the total number of elements of `shapes`: a Gaussian
// vector's direction z/‖z‖ (uniform on the sphere), drawn in double, scaled by r·U^{1/d}, U uniform
// on [0, 1), since the volume inside radius ρ grows as ρ^d. M. E. Muller, "A note on a method for
// generating points uniformly on n-dimensional spheres", Comm. ACM 2(4), 1959. The distributions
// are built afresh for every draw, so the generator's state alone determines what comes next.
// Error: d = 0.
template <class T>
TensorList<T> random_uniform_ball(const std::vector<Shape>& shapes, double r, std::mt19937_64& rng);

// x ← x/‖x‖; returns ‖x‖ before scaling. A zero (or non-finite) norm is an error.
template <class T>
double normalize(TensorList<T>& x);

// The n elements of x as one 1-D tensor.
template <class T>
Tensor<T> flatten(const TensorList<T>& x);

// The inverse of flatten: `flat` holds exactly the elements of the given shapes.
template <class T>
TensorList<T> unflatten(const Tensor<T>& flat, const std::vector<Shape>& shapes);

}  // namespace saddle
