#include "saddle/optim/perturbation.hpp"

#include <cmath>

namespace saddle {

template <class T>
TensorList<T> uniform_ball(const std::vector<Shape>& shapes, double r, std::mt19937_64& rng) {
  std::vector<double> z;
  for (const auto& s : shapes) z.resize(z.size() + shape_size(s));
  if (z.empty()) throw Error("uniform_ball: the dimension is 0");
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
void perturb_uniform_ball(std::vector<Var<T>>& params, const std::vector<bool>& active, double r,
                          std::mt19937_64& rng) {
  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (active[i]) shapes.push_back(params[i].shape());
  const TensorList<T> xi = uniform_ball<T>(shapes, r, rng);
  std::size_t k = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!active[i]) continue;
    T* theta = params[i].mutable_value().data();
    const T* x = xi[k++].data();
    for (std::size_t j = 0, n = params[i].size(); j < n; ++j) theta[j] += x[j];
  }
}

std::size_t uniform_sample(std::size_t n, std::mt19937_64& rng) {
  if (n == 0) throw Error("uniform_sample: the objective has no samples");
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  return pick(rng);
}

template TensorList<float> uniform_ball<float>(const std::vector<Shape>&, double, std::mt19937_64&);
template TensorList<double> uniform_ball<double>(const std::vector<Shape>&, double, std::mt19937_64&);
template void perturb_uniform_ball<float>(std::vector<Var<float>>&, const std::vector<bool>&, double, std::mt19937_64&);
template void perturb_uniform_ball<double>(std::vector<Var<double>>&, const std::vector<bool>&, double,
                                           std::mt19937_64&);

}  // namespace saddle
