// The derivative checkers of check.hpp: central differences with Richardson extrapolation.
#include "saddle/autodiff/check.hpp"

#include <cmath>
#include <sstream>

#include "saddle/autodiff/kernels.hpp"

namespace saddle {

namespace {

std::string entry_str(std::size_t list_index, const Shape& shape, std::size_t flat) {
  std::ostringstream os;
  os << "input " << list_index << " entry (";
  Shape idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  for (std::size_t d = 0; d < idx.size(); ++d) os << (d ? "," : "") << idx[d];
  os << ")";
  return os.str();
}

// Compares `got` (from the engine) with `ref` (finite differences), entry by entry.
CheckReport compare(const char* name, const TensorList<double>& got, const TensorList<double>& ref,
                    const CheckOptions& opt) {
  CheckReport r;
  for (std::size_t k = 0; k < got.size(); ++k)
    for (std::size_t i = 0; i < got[k].size(); ++i) {
      const double a = got[k].data()[i], b = ref[k].data()[i];
      const double e = std::abs(a - b) / (opt.atol + opt.rtol * std::abs(b));
      if (!(e <= r.max_error) || std::isnan(e)) {
        r.max_error = std::isnan(e) ? INFINITY : e;
        std::ostringstream os;
        os.precision(10);
        os << entry_str(k, to_shape(got[k].shape()), i) << ": engine " << a << ", finite differences " << b;
        r.worst = os.str();
      }
    }
  r.ok = r.max_error <= 1;
  std::ostringstream os;
  os << name << (r.ok ? ": ok" : ": MISMATCH") << " (worst error " << r.max_error << " of tolerance"
     << (r.worst.empty() ? "" : ", at " + r.worst) << ")";
  r.message = os.str();
  return r;
}

double value_of(const CheckedFunction& f, const TensorList<double>& x) {
  TapeScope scope;
  no_grad off;
  const Var<double> y = f(make_leaves(x, false));
  if (y.size() != 1) throw Error("check: f must return a scalar, got shape " + shape_str(y.shape()));
  return y.item();
}

// Richardson-extrapolated central difference of a list-valued function g along direction d.
template <class G>
TensorList<double> richardson(G&& g, const TensorList<double>& x, const TensorList<double>& d, double h) {
  auto shifted = [&](double s) {
    TensorList<double> y = x;
    for (std::size_t k = 0; k < y.size(); ++k) kernels::axpy_broadcast(s, d[k], y[k]);
    return g(y);
  };
  auto central = [&](double step) {
    TensorList<double> p = shifted(step), m = shifted(-step);
    for (std::size_t k = 0; k < p.size(); ++k)
      for (std::size_t i = 0; i < p[k].size(); ++i) p[k].data()[i] = (p[k].data()[i] - m[k].data()[i]) / (2 * step);
    return p;
  };
  TensorList<double> d1 = central(h), d2 = central(h / 2);
  for (std::size_t k = 0; k < d1.size(); ++k)
    for (std::size_t i = 0; i < d1[k].size(); ++i) d1[k].data()[i] = (4 * d2[k].data()[i] - d1[k].data()[i]) / 3;
  return d1;
}

double list_scale(const TensorList<double>& x) {
  double m = 1;
  for (const auto& t : x)
    for (double e : t) m = std::max(m, std::abs(e));
  return m;
}

}  // namespace

CheckReport gradcheck(const CheckedFunction& f, const TensorList<double>& inputs, const CheckOptions& opt) {
  const TensorList<double> got = grad(f, inputs);
  TensorList<double> ref;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    ref.push_back(zeros_tensor<double>(inputs[k].shape()));
    for (std::size_t i = 0; i < inputs[k].size(); ++i) {
      TensorList<double> e;
      for (const auto& t : inputs) e.push_back(zeros_tensor<double>(t.shape()));
      e[k].data()[i] = 1;
      const double h = opt.step * std::max(1.0, std::abs(inputs[k].data()[i]));
      auto g = [&](const TensorList<double>& y) { return TensorList<double>{Tensor<double>(value_of(f, y))}; };
      ref[k].data()[i] = richardson(g, inputs, e, h)[0]();
    }
  }
  return compare("gradcheck", got, ref, opt);
}

CheckReport hvpcheck(const CheckedFunction& f, const TensorList<double>& inputs, const TensorList<double>& v,
                     const CheckOptions& opt) {
  const TensorList<double> got = hvp(f, inputs, v);
  const double h = opt.step * list_scale(inputs) / list_scale(v);
  const TensorList<double> ref = richardson([&](const TensorList<double>& y) { return grad(f, y); }, inputs, v, h);
  return compare("hvpcheck", got, ref, opt);
}

CheckReport jvpcheck(const CheckedFunction& f, const TensorList<double>& inputs, const TensorList<double>& v,
                     const CheckOptions& opt) {
  const Tensor<double> got = jvp(f, inputs, v).second;
  const double h = opt.step * list_scale(inputs) / list_scale(v);
  auto value = [&](const TensorList<double>& y) {
    TapeScope scope;
    no_grad off;
    return TensorList<double>{f(make_leaves(y, false)).value()};
  };
  return compare("jvpcheck", {got}, richardson(value, inputs, v, h), opt);
}

CheckReport symmetry_check(const CheckedFunction& f, const TensorList<double>& inputs, const TensorList<double>& u,
                           const TensorList<double>& v, double rtol) {
  const TensorList<double> hu = hvp(f, inputs, u), hv = hvp(f, inputs, v);
  double uhv = 0, vhu = 0, scale = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k)
    for (std::size_t i = 0; i < inputs[k].size(); ++i) {
      uhv += u[k].data()[i] * hv[k].data()[i];
      vhu += v[k].data()[i] * hu[k].data()[i];
      scale += std::abs(u[k].data()[i] * hv[k].data()[i]) + std::abs(v[k].data()[i] * hu[k].data()[i]);
    }
  CheckReport r;
  r.max_error = std::abs(uhv - vhu) / (rtol * std::max(scale, 1e-300));
  r.ok = r.max_error <= 1;
  std::ostringstream os;
  os.precision(15);
  os << "symmetry_check" << (r.ok ? ": ok" : ": MISMATCH") << " (uᵀHv = " << uhv << ", vᵀHu = " << vhu << ")";
  r.worst = os.str();
  r.message = r.worst;
  return r;
}

}  // namespace saddle
