// examples/train/optimizers.hpp — every optimizer of optim/ by its command-line name, built from
// the flags that were given; a flag left out keeps the method's own default.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "optim/optim.hpp"

namespace saddle::examples {

struct Hyperparameters {
  std::optional<double> lr, momentum, beta1, beta2, eps, hypergrad_lr, g_thres, radius, r, rho, eps_h, alpha;
  std::optional<std::size_t> t_thres;
  double l2 = 0;
  std::uint64_t seed = 0;
};

inline const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names = {
      "sgd",     "momentum", "nesterov", "nesterov-lookahead", "adam", "adamw", "nadam",   "amsgrad", "namsgrad",
      "adagrad", "rmsprop",  "sgd-hd",   "adam-hd",            "pgd",  "iso-pgd", "cnc-pgd", "cnc-sgd", "ncd"};
  return names;
}

namespace detail {
template <class V>
void set(V& field, const std::optional<V>& flag) {
  if (flag) field = *flag;
}
template <class O>
void set_adam_like(O& o, const Hyperparameters& h) {
  set(o.lr, h.lr);
  set(o.beta1, h.beta1);
  set(o.beta2, h.beta2);
  set(o.eps, h.eps);
  o.weight_decay = h.l2;
}
}  // namespace detail

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const std::string& name, std::vector<Var<T>> p, const Hyperparameters& h) {
  using detail::set;
  if (name == "sgd") {
    SGDOptions o;
    set(o.lr, h.lr);
    o.weight_decay = h.l2;
    return std::make_unique<SGD<T>>(std::move(p), o);
  }
  if (name == "momentum") {
    MomentumOptions o;
    set(o.lr, h.lr);
    set(o.momentum, h.momentum);
    o.weight_decay = h.l2;
    return std::make_unique<Momentum<T>>(std::move(p), o);
  }
  if (name == "nesterov" || name == "nesterov-lookahead") {
    NesterovOptions o;
    set(o.lr, h.lr);
    set(o.momentum, h.momentum);
    o.form = name == "nesterov" ? NesterovForm::reformulated : NesterovForm::look_ahead;
    o.weight_decay = h.l2;
    return std::make_unique<Nesterov<T>>(std::move(p), o);
  }
  if (name == "adam") {
    AdamOptions o;
    detail::set_adam_like(o, h);
    return std::make_unique<Adam<T>>(std::move(p), o);
  }
  if (name == "adamw") {
    AdamWOptions o;
    detail::set_adam_like(o, h);
    return std::make_unique<AdamW<T>>(std::move(p), o);
  }
  if (name == "nadam") {
    NadamOptions o;
    detail::set_adam_like(o, h);
    return std::make_unique<Nadam<T>>(std::move(p), o);
  }
  if (name == "amsgrad") {
    AMSGradOptions o;
    detail::set_adam_like(o, h);
    return std::make_unique<AMSGrad<T>>(std::move(p), o);
  }
  if (name == "namsgrad") {
    NAMSGradOptions o;
    detail::set_adam_like(o, h);
    return std::make_unique<NAMSGrad<T>>(std::move(p), o);
  }
  if (name == "adagrad") {
    AdagradOptions o;
    set(o.lr, h.lr);
    set(o.eps, h.eps);
    o.weight_decay = h.l2;
    return std::make_unique<Adagrad<T>>(std::move(p), o);
  }
  if (name == "rmsprop") {
    RMSPropOptions o;
    set(o.lr, h.lr);
    set(o.eps, h.eps);
    set(o.alpha, h.alpha);
    o.weight_decay = h.l2;
    return std::make_unique<RMSProp<T>>(std::move(p), o);
  }
  if (name == "sgd-hd") {
    SGDHDOptions o;
    set(o.lr, h.lr);
    set(o.hypergrad_lr, h.hypergrad_lr);
    o.weight_decay = h.l2;
    return std::make_unique<SGDHD<T>>(std::move(p), o);
  }
  if (name == "adam-hd") {
    AdamHDOptions o;
    detail::set_adam_like(o, h);
    set(o.hypergrad_lr, h.hypergrad_lr);
    return std::make_unique<AdamHD<T>>(std::move(p), o);
  }
  if (name == "pgd") {
    PGDOptions o;
    set(o.lr, h.lr);
    set(o.g_thres, h.g_thres);
    set(o.t_thres, h.t_thres);
    set(o.radius, h.radius);
    o.seed = h.seed;
    o.weight_decay = h.l2;
    return std::make_unique<PGD<T>>(std::move(p), o);
  }
  if (name == "iso-pgd") {
    IsoPGDOptions o;
    set(o.lr, h.lr);
    set(o.g_thres, h.g_thres);
    set(o.t_thres, h.t_thres);
    set(o.radius, h.radius);
    o.seed = h.seed;
    o.weight_decay = h.l2;
    return std::make_unique<IsoPGD<T>>(std::move(p), o);
  }
  if (name == "cnc-pgd") {
    CNCPGDOptions o;
    set(o.lr, h.lr);
    set(o.g_thres, h.g_thres);
    set(o.t_thres, h.t_thres);
    set(o.r, h.r);
    o.seed = h.seed;
    o.weight_decay = h.l2;
    return std::make_unique<CNCPGD<T>>(std::move(p), o);
  }
  if (name == "cnc-sgd") {
    CNCSGDOptions o;
    set(o.lr, h.lr);
    set(o.t_thres, h.t_thres);
    set(o.r, h.r);
    o.seed = h.seed;
    o.weight_decay = h.l2;
    return std::make_unique<CNCSGD<T>>(std::move(p), o);
  }
  if (name == "ncd") {
    NCDOptions o;
    set(o.lr, h.lr);
    set(o.g_thres, h.g_thres);
    set(o.rho, h.rho);
    set(o.eps_h, h.eps_h);
    o.seed = h.seed;
    o.weight_decay = h.l2;
    return std::make_unique<NCD<T>>(std::move(p), o);
  }
  std::string known;
  for (const auto& n : optimizer_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown optimizer '" + name + "' (one of: " + known + ")");
}

}  // namespace saddle::examples
