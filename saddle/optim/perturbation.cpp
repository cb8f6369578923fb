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

template void perturb_uniform_ball<float>(std::vector<Var<float>>&, const std::vector<bool>&, double, std::mt19937_64&);
template void perturb_uniform_ball<double>(std::vector<Var<double>>&, const std::vector<bool>&, double,
                                           std::mt19937_64&);

}  // namespace saddle
