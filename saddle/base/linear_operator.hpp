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
  int max_iter = 300;      // Lanczos: steps (Hv products) a run; power iteration: steps per eigenpair
  double tol = 1e-8;       // Lanczos: residual ‖Hy − θy‖ relative to max(|θ|, 1e-3·max|θ_all|),
                           // which bounds |θ − λ_true|; power iteration: residual ‖Hv − λv‖
                           // relative to |λ| (Parlett §4.5); see lanczos.hpp, power_iteration.hpp
  std::uint64_t seed = 0;  // seeds the random start vectors
  bool which_smallest = false;  // lanczos_eigen: the k smallest instead of the k largest
  bool verify = true;           // Lanczos: a verification pass for skipped eigenvalues (lanczos.hpp)
};

template <class T>
struct EigenResult {
  std::vector<double> eigenvalues;          // in the order each solver documents
  std::vector<TensorList<T>> eigenvectors;  // unit norm, shapes of the parameter list
  std::vector<double> residuals;            // ‖Hy − λy‖ (Lanczos: the recurrence's estimate)
  std::vector<double> tolerances;           // Lanczos: the residual each pair had to meet
  int iterations = 0;                       // Hv products spent, the verification's included
  bool converged = false;                   // every wanted pair met the tolerance (Lanczos with
                                            // verify: and the verification pass found none skipped)
  bool verified = false;                    // Lanczos: the verification pass passed, or the
                                            // Krylov space spanned R^n (exact pairs)
  int missed = 0;                           // Lanczos: eigenvalues the first run had skipped,
                                            // found and put in place by the verification pass
};

}  // namespace saddle
