#include "saddle/optim/perturbation.hpp"

#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
void perturb_uniform_ball(std::vector<Var<T>>& params, const std::vector<bool>& active, double r,
                          std::mt19937_64& rng) {
  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (active[i]) shapes.push_back(params[i].shape());
  const TensorList<T> xi = random_uniform_ball<T>(shapes, r, rng);
  std::size_t k = 0;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (active[i]) axpy(1.0, xi[k++], params[i].mutable_value());
}

std::size_t uniform_sample(std::size_t n, std::mt19937_64& rng) {
  if (n == 0) throw Error("uniform_sample: the objective has no samples");
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  return pick(rng);
}

template <class T>
GradientTest<T> gradient_test(const Objective<T>& f, const TensorList<T>& theta, double weight_decay) {
  const std::size_t n = f.num_samples(), n1 = n / 2;
  if (n < 2 || n >= f.data().size()) {
    ValueAndGrad<T> vg = f.value_and_grad(theta);
    GradientTest<T> out{std::move(vg.grad), 0, vg.value};
    for (std::size_t i = 0; i < theta.size(); ++i)
      for (std::size_t k = 0, m = theta[i].size(); k < m; ++k) {
        const double g = double(out.grad[i].data()[k]) + weight_decay * double(theta[i].data()[k]);
        out.norm_sq += g * g;
      }
    return out;
  }
  const SampleSet& all = f.samples();
  SampleSet first{{all.indices.begin(), all.indices.begin() + static_cast<std::ptrdiff_t>(n1)},
                  std::min(all.batch_size, n1)};
  const TensorList<T> g1 = f.over(std::move(first)).gradient(theta);
  ValueAndGrad<T> vg = f.value_and_grad(theta);
  GradientTest<T> out{std::move(vg.grad), 0, vg.value};
  // ∇f₂ = (n ∇f − n₁ ∇f₁) / n₂, and the sum ∇f₁ᵀ∇f₂ (each with λθ added), element by element in
  // double: one fused loop rather than three temporaries the size of θ.
  const double a = double(n) / double(n - n1), b = double(n1) / double(n - n1);
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const T* g = out.grad[i].data();
    const T* h = g1[i].data();
    const T* w = theta[i].data();
    for (std::size_t k = 0, m = theta[i].size(); k < m; ++k) {
      const double decay = weight_decay * double(w[k]);
      out.norm_sq += (double(h[k]) + decay) * (a * double(g[k]) - b * double(h[k]) + decay);
    }
  }
  return out;
}

template GradientTest<float> gradient_test<float>(const Objective<float>&, const TensorList<float>&, double);
template GradientTest<double> gradient_test<double>(const Objective<double>&, const TensorList<double>&, double);
template void perturb_uniform_ball<float>(std::vector<Var<float>>&, const std::vector<bool>&, double, std::mt19937_64&);
template void perturb_uniform_ball<double>(std::vector<Var<double>>&, const std::vector<bool>&, double,
                                           std::mt19937_64&);

}  // namespace saddle
