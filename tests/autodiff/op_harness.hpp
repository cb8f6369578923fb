// One generic harness for every op of the engine (in the spirit of Stan's expect_ad): a case is
// one line — a name, input shapes, an input domain and the op as a generic lambda — and the
// harness checks, in double:
//   the gradient against finite differences (gradcheck),
//   the Hessian-vector product against finite differences of gradients (hvpcheck),
//   uᵀ(Hv) = vᵀ(Hu) (symmetry_check), the dense Hessian's symmetry,
//   the forward-mode tangent of the op's output against finite differences (jvpcheck),
// and that the float engine agrees with the double one.
// The scalar objective f(x) = Σ c₁⊙y + Σ c₂⊙y⊙y with y = op(x) and random c₁, c₂ gives every op,
// even a linear one, a non-trivial Hessian that flows through its VJP's tangent.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "saddle/autodiff.hpp"

namespace saddle::testing {

enum class Domain { any, positive, away_from_zero };

struct OpCase {
  std::string name;
  std::vector<Shape> shapes;
  Domain domain;
  std::function<Var<double>(const std::vector<Var<double>>&)> op64;
  std::function<Var<float>(const std::vector<Var<float>>&)> op32;
};

template <class L>
OpCase op_case(std::string name, std::vector<Shape> shapes, Domain domain, L op) {
  return {std::move(name), std::move(shapes), domain,
          std::function<Var<double>(const std::vector<Var<double>>&)>(op),
          std::function<Var<float>(const std::vector<Var<float>>&)>(op)};
}

inline Tensor<double> random_tensor(const Shape& s, Domain d, std::mt19937_64& rng) {
  Tensor<double> t = zeros_tensor<double>(s);
  std::normal_distribution<double> normal(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  for (auto& e : t) {
    switch (d) {
      case Domain::any: e = normal(rng); break;
      case Domain::positive: e = 0.5 + 1.5 * unit(rng); break;
      case Domain::away_from_zero: e = (unit(rng) < 0.5 ? -1 : 1) * (0.3 + 1.2 * unit(rng)); break;
    }
  }
  return t;
}

inline TensorList<double> random_like(const TensorList<double>& x, std::mt19937_64& rng) {
  TensorList<double> v;
  for (const auto& t : x) v.push_back(random_tensor(to_shape(t.shape()), Domain::any, rng));
  return v;
}

inline void check_op(const OpCase& c, std::uint64_t seed = 7) {
  CAPTURE(c.name);
  std::mt19937_64 rng(seed);
  TensorList<double> x;
  for (const auto& s : c.shapes) x.push_back(random_tensor(s, c.domain, rng));

  Shape out_shape;
  {
    TapeScope scope;
    out_shape = c.op64(make_leaves(x, false)).shape();
  }
  const Tensor<double> c1 = random_tensor(out_shape, Domain::any, rng);
  const Tensor<double> c2 = random_tensor(out_shape, Domain::any, rng);
  auto f = [&](const std::vector<Var<double>>& xs) {
    const Var<double> y = c.op64(xs);
    return sum(Var<double>(c1) * y) + sum(Var<double>(c2) * y * y);
  };

  const CheckReport g = gradcheck(f, x);
  CHECK_MESSAGE(g.ok, g.message);
  const TensorList<double> u = random_like(x, rng), v = random_like(x, rng);
  const CheckReport h = hvpcheck(f, x, v);
  CHECK_MESSAGE(h.ok, h.message);
  const CheckReport s = symmetry_check(f, x, u, v);
  CHECK_MESSAGE(s.ok, s.message);
  const CheckReport j = jvpcheck(c.op64, x, v);
  CHECK_MESSAGE(j.ok, j.message);

  std::size_t n = 0;
  for (const auto& t : x) n += t.size();
  if (n <= 40) {
    const Tensor<double> H = hessian(f, x);
    double asym = 0, scale = 1e-300;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < n; ++k) {
        asym = std::max(asym, std::abs(H(i, k) - H(k, i)));
        scale = std::max(scale, std::abs(H(i, k)));
      }
    CHECK_MESSAGE(asym <= 1e-12 * scale, "dense Hessian asymmetry " << asym << " of scale " << scale);
  }

  // The float engine computes the same gradient to float precision.
  TensorList<float> x32;
  for (const auto& t : x) x32.push_back(xt::cast<float>(t));
  const Tensor<float> c1f = xt::cast<float>(c1), c2f = xt::cast<float>(c2);
  auto f32 = [&](const std::vector<Var<float>>& xs) {
    const Var<float> y = c.op32(xs);
    return sum(Var<float>(c1f) * y) + sum(Var<float>(c2f) * y * y);
  };
  const TensorList<float> g32 = grad(f32, x32);
  const TensorList<double> g64 = grad(f, x);
  for (std::size_t k = 0; k < x.size(); ++k)
    for (std::size_t i = 0; i < x[k].size(); ++i)
      CHECK_MESSAGE(std::abs(g32[k].data()[i] - g64[k].data()[i]) <= 1e-3 * (1 + std::abs(g64[k].data()[i])),
                    "float gradient of input " << k << " entry " << i << ": " << g32[k].data()[i] << " vs "
                                               << g64[k].data()[i]);
}

}  // namespace saddle::testing
