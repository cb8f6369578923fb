// Inverted dropout (Srivastava et al. 2014, with the 1/(1 − p) scaling at training time so that
// evaluation is the identity): y = x ⊙ m, m = 1[u ≥ p]/(1 − p) drawn once per call. For a fixed
// mask the map is linear: ẏ = ẋ ⊙ m and x̄ = ȳ ⊙ m, both halves through `masked`.
#include "saddle/nn/init.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/nn/ops.hpp"
#include "saddle/nn/ops/instantiate.hpp"

namespace saddle::nn {

template <class T>
Var<T> apply_mask(const Var<T>& x, const Tensor<T>& mask) {
  if (to_shape(mask.shape()) != x.shape())
    throw Error("apply_mask: mask of shape " + shape_str(mask.shape()) + " for an input of shape " +
                shape_str(x.shape()));
  return define_op<T>(
      "dropout", [&mask](const Dual<T>& x) { return masked(x, mask); },
      [mask](const Dual<T>& g, const Dual<T>&, const Dual<T>&, auto& gx) {
        if (gx) gx = masked(g, mask);
      },
      x);
}

template <class T>
Var<T> dropout(const Var<T>& x, double p, std::mt19937_64& rng) {
  if (!(p >= 0 && p < 1)) throw Error("dropout: probability " + std::to_string(p) + " is outside [0, 1)");
  Tensor<T> mask = empty_tensor<T>(x.shape());
  const T keep = T(1 / (1 - p));
  for (auto& m : mask) m = init::unit_uniform(rng) >= p ? keep : T(0);
  return apply_mask(x, mask);
}

#define X(T)                                                   \
  template Var<T> apply_mask(const Var<T>&, const Tensor<T>&); \
  template Var<T> dropout(const Var<T>&, double, std::mt19937_64&);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
