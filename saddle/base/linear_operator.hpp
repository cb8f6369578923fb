// saddle/base/linear_operator.hpp — the vocabulary every curvature solver shares: a symmetric
// linear operator v ↦ Hv on lists of tensors, the options of an eigen-solver and its answer.
#pragma once

#include <cstdint>
#include <functional>
#include <type_traits>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle {

// A symmetric linear operator on lists of tensors: v ↦ Hv, where v and Hv have the shapes of the
// parameter list. The Hessian of a loss over any set of samples is one (through hvp); so is a dense
// symmetric matrix. The solvers take it by reference and never copy it.
template <class T>
using LinearOperator = std::function<TensorList<T>(const TensorList<T>&)>;

// The solvers' parameters spell the operator as a non-deduced context, so that a lambda can be
// passed directly and T is deduced from the tensor list alone.
template <class T>
using LinearOperatorArg = std::type_identity_t<LinearOperator<T>>;

struct EigenOptions {
  int k = 1;               // number of eigenpairs wanted
  int max_iter = 100;      // Lanczos: steps (Hv products); power iteration: steps per eigenpair
  double tol = 1e-6;       // Lanczos: residual ‖Hy − θy‖ relative to max|θ|;
                           // power iteration: residual ‖Hv − λv‖ relative to |λ|, which
                           // bounds |λ − λ_true| (Parlett §4.5); see power_iteration.hpp
  std::uint64_t seed = 0;  // seeds the random start vectors
  bool which_smallest = false;  // lanczos_eigen: the k smallest instead of the k largest
};

template <class T>
struct EigenResult {
  std::vector<double> eigenvalues;          // in the order each solver documents
  std::vector<TensorList<T>> eigenvectors;  // unit norm, shapes of the parameter list
  std::vector<double> residuals;            // ‖Hy − λy‖ (Lanczos: the recurrence's estimate)
  int iterations = 0;                       // Hv products spent
  bool converged = false;                   // every wanted pair met the tolerance
};

}  // namespace saddle
