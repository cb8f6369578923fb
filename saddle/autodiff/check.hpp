// saddle/autodiff/check.hpp — checking derivatives, for users' own functions and for ours.
//
//   gradcheck(f, inputs)          the tape's gradient against central differences
//   hvpcheck(f, inputs, v)        hvp against central differences of gradients along v
//   symmetry_check(f, inputs, u, v)  uᵀ(Hv) = vᵀ(Hu), which any exact Hessian satisfies
//   jvpcheck(f, inputs, v)        forward mode against central differences of f along v
//
// f takes `const std::vector<Var<double>>&` and returns a scalar Var<double> (jvpcheck: any
// shape). Differences are taken in double with Richardson extrapolation,
//   D(h) = (f(x+h) − f(x−h))/2h,  D* = (4·D(h/2) − D(h))/3,   error O(h⁴),
// so the reference is accurate to ~1e-10 and the tolerances can be tight.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "saddle/autodiff/functional.hpp"

namespace saddle {

struct CheckOptions {
  double step = 1e-3;   // h, relative to max(1, |x|) per entry
  double rtol = 1e-6;   // |a − r| ≤ atol + rtol·|r| passes
  double atol = 1e-8;
};

struct CheckReport {
  bool ok = true;
  double max_error = 0;  // the worst |a − r| / (atol + rtol·|r|); ≤ 1 passes
  std::string worst;     // where it happened, with both values
  std::string message;   // one line: verdict and the worst entry
  explicit operator bool() const { return ok; }
};

// What the checkers take: f(inputs) → a Var<double> (a scalar, except for jvpcheck).
using CheckedFunction = std::function<Var<double>(const std::vector<Var<double>>&)>;

CheckReport gradcheck(const CheckedFunction& f, const TensorList<double>& inputs, const CheckOptions& opt = {});
CheckReport hvpcheck(const CheckedFunction& f, const TensorList<double>& inputs, const TensorList<double>& v,
                     const CheckOptions& opt = {});
CheckReport jvpcheck(const CheckedFunction& f, const TensorList<double>& inputs, const TensorList<double>& v,
                     const CheckOptions& opt = {});
CheckReport symmetry_check(const CheckedFunction& f, const TensorList<double>& inputs, const TensorList<double>& u,
                           const TensorList<double>& v, double rtol = 1e-10);

}  // namespace saddle
