#include "saddle/optim/nesterov.hpp"

#include "saddle/base/tensor_list.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
Nesterov<T>::Nesterov(std::vector<Var<T>> params, NesterovOptions opt)
    : Momentum<T>("Nesterov", std::move(params),
                  {.lr = opt.lr, .momentum = opt.momentum, .weight_decay = opt.weight_decay},
                  opt.form == NesterovForm::reformulated),
      opt_(opt) {}

template <class T>
void Nesterov<T>::step(const Objective<T>& f) {
  if (opt_.form == NesterovForm::reformulated) return Optimizer<T>::step(f);
  const T eta = static_cast<T>(this->lr()), mu = static_cast<T>(opt_.momentum);
  // φ = θ − ημv, the point the momentum carries θ to (Sutskever et al. 2013, eq. 3).
  const TensorList<T> phi = add_scaled(this->values(), -static_cast<double>(eta * mu), this->velocity_);
  TensorList<T> g = f.gradient(phi);
  this->check_gradients("gradient", g);
  axpy(static_cast<double>(static_cast<T>(this->weight_decay_)), phi, g);  // g + λφ
  const auto grads = this->pointers(g);
  this->begin_step(grads);
  // Sutskever et al. 2013, eq. 3–4: v ← μv + ∇f(φ) (decay taken at φ above), θ ← θ − ηv.
  this->momentum_update(grads, 0, false);
}

template class Nesterov<float>;
template class Nesterov<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> nesterov_methods() {
  return {optimizer_method<Nesterov>(
              {.name = "nesterov",
               .description = "Nesterov's accelerated gradient, reformulated: θ ← θ − η(g + μv) (Nesterov 1983)",
               .in_comparison = true},
              {{"momentum", &NesterovOptions::momentum, HyperparameterRange::unit_interval, "momentum μ"}}),
          optimizer_method<Nesterov>(
              {.name = "nesterov-lookahead",
               .description =
                   "Nesterov's accelerated gradient taken at the look-ahead point θ − ημv (Sutskever et al. 2013)"},
              {{"momentum", &NesterovOptions::momentum, HyperparameterRange::unit_interval, "momentum μ"}},
              NesterovOptions{.form = NesterovForm::look_ahead})};
}

}  // namespace saddle
