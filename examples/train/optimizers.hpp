// examples/train/optimizers.hpp — every optimizer of optim/ by its command-line name, built from
// the flags that were given; a flag left out keeps the method's own default.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "saddle/optim.hpp"

namespace saddle::examples {

struct Hyperparameters {
  std::optional<double> lr, momentum, beta1, beta2, eps, hypergrad_lr, g_thres, radius, r, rho, eps_h, alpha;
  std::optional<std::size_t> t_thres;
  double l2 = 0;
  std::uint64_t seed = 0;

  // The method-specific flags that were given, by name.
  std::vector<std::string> given() const {
    std::vector<std::string> names;
    const std::pair<const char*, bool> flags[] = {
        {"--momentum", bool(momentum)}, {"--beta1", bool(beta1)},   {"--beta2", bool(beta2)},
        {"--eps", bool(eps)},           {"--alpha", bool(alpha)},   {"--hypergrad-lr", bool(hypergrad_lr)},
        {"--g-thres", bool(g_thres)},   {"--t-thres", bool(t_thres)}, {"--radius", bool(radius)},
        {"--r", bool(r)},               {"--rho", bool(rho)},       {"--eps-h", bool(eps_h)}};
    for (const auto& [name, on] : flags)
      if (on) names.push_back(name);
    return names;
  }
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

// The method's options from the flags: each field the options struct has and the command line gave
// is set; the others keep the method's defaults. A given flag the method has no field for is an
// error, so that a run never silently differs from its command line.
template <class O>
O options_from(const Hyperparameters& h, const std::string& method) {
  O o;
  std::vector<std::string> accepted;
  auto accepts = [&](const char* flag) { accepted.push_back(flag); };
  if constexpr (requires { o.momentum; }) accepts("--momentum");
  if constexpr (requires { o.beta1; }) accepts("--beta1");
  if constexpr (requires { o.beta2; }) accepts("--beta2");
  if constexpr (requires { o.eps; }) accepts("--eps");
  if constexpr (requires { o.alpha; }) accepts("--alpha");
  if constexpr (requires { o.hypergrad_lr; }) accepts("--hypergrad-lr");
  if constexpr (requires { o.g_thres; }) accepts("--g-thres");
  if constexpr (requires { o.t_thres; }) accepts("--t-thres");
  if constexpr (requires { o.radius; }) accepts("--radius");
  if constexpr (requires { o.r; }) accepts("--r");
  if constexpr (requires { o.rho; }) accepts("--rho");
  if constexpr (requires { o.eps_h; }) accepts("--eps-h");
  for (const auto& flag : h.given())
    if (std::find(accepted.begin(), accepted.end(), flag) == accepted.end())
      throw Error(flag + " does not apply to " + method);
  set(o.lr, h.lr);
  o.weight_decay = h.l2;
  if constexpr (requires { o.momentum; }) set(o.momentum, h.momentum);
  if constexpr (requires { o.beta1; }) set(o.beta1, h.beta1);
  if constexpr (requires { o.beta2; }) set(o.beta2, h.beta2);
  if constexpr (requires { o.eps; }) set(o.eps, h.eps);
  if constexpr (requires { o.alpha; }) set(o.alpha, h.alpha);
  if constexpr (requires { o.hypergrad_lr; }) set(o.hypergrad_lr, h.hypergrad_lr);
  if constexpr (requires { o.g_thres; }) set(o.g_thres, h.g_thres);
  if constexpr (requires { o.t_thres; }) set(o.t_thres, h.t_thres);
  if constexpr (requires { o.radius; }) set(o.radius, h.radius);
  if constexpr (requires { o.r; }) set(o.r, h.r);
  if constexpr (requires { o.rho; }) set(o.rho, h.rho);
  if constexpr (requires { o.eps_h; }) set(o.eps_h, h.eps_h);
  if constexpr (requires { o.seed; }) o.seed = h.seed;
  return o;
}

template <template <class> class Method, class O, class T>
std::unique_ptr<Optimizer<T>> build(std::vector<Var<T>> params, O options) {
  return std::make_unique<Method<T>>(std::move(params), std::move(options));
}
}  // namespace detail

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const std::string& name, std::vector<Var<T>> p, const Hyperparameters& h) {
  using detail::build;
  using detail::options_from;
  if (name == "sgd") return build<SGD>(std::move(p), options_from<SGDOptions>(h, name));
  if (name == "momentum") return build<Momentum>(std::move(p), options_from<MomentumOptions>(h, name));
  if (name == "nesterov" || name == "nesterov-lookahead") {
    NesterovOptions o = options_from<NesterovOptions>(h, name);
    o.form = name == "nesterov" ? NesterovForm::reformulated : NesterovForm::look_ahead;
    return build<Nesterov>(std::move(p), o);
  }
  if (name == "adam") return build<Adam>(std::move(p), options_from<AdamOptions>(h, name));
  if (name == "adamw") return build<AdamW>(std::move(p), options_from<AdamWOptions>(h, name));
  if (name == "nadam") return build<Nadam>(std::move(p), options_from<NadamOptions>(h, name));
  if (name == "amsgrad") return build<AMSGrad>(std::move(p), options_from<AMSGradOptions>(h, name));
  if (name == "namsgrad") return build<NAMSGrad>(std::move(p), options_from<NAMSGradOptions>(h, name));
  if (name == "adagrad") return build<Adagrad>(std::move(p), options_from<AdagradOptions>(h, name));
  if (name == "rmsprop") return build<RMSProp>(std::move(p), options_from<RMSPropOptions>(h, name));
  if (name == "sgd-hd") return build<SGDHD>(std::move(p), options_from<SGDHDOptions>(h, name));
  if (name == "adam-hd") return build<AdamHD>(std::move(p), options_from<AdamHDOptions>(h, name));
  if (name == "pgd") return build<PGD>(std::move(p), options_from<PGDOptions>(h, name));
  if (name == "iso-pgd") return build<IsoPGD>(std::move(p), options_from<IsoPGDOptions>(h, name));
  if (name == "cnc-pgd") return build<CNCPGD>(std::move(p), options_from<CNCPGDOptions>(h, name));
  if (name == "cnc-sgd") return build<CNCSGD>(std::move(p), options_from<CNCSGDOptions>(h, name));
  if (name == "ncd") return build<NCD>(std::move(p), options_from<NCDOptions>(h, name));
  std::string known;
  for (const auto& n : optimizer_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown optimizer '" + name + "' (one of: " + known + ")");
}

}  // namespace saddle::examples
