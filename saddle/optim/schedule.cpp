#include "saddle/optim/schedule.hpp"

#include <cmath>
#include <numbers>
#include <utility>

namespace saddle {

Schedule::Schedule(std::string name, std::function<double(std::size_t)> rule)
    : name_(std::move(name)), rule_(std::move(rule)) {
  if (!rule_) throw Error("Schedule " + name_ + ": the rule is empty");
}

Schedule Schedule::constant(double lr0) {
  hyperparameter::check_nonnegative("Schedule constant", "lr0", lr0);
  return Schedule("constant", [lr0](std::size_t) { return lr0; });
}

Schedule Schedule::robbins_monro(double lr0, double tau) {
  hyperparameter::check_nonnegative("Schedule robbins_monro", "lr0", lr0);
  hyperparameter::check_positive("Schedule robbins_monro", "tau", tau);
  return Schedule("robbins_monro", [lr0, tau](std::size_t t) { return lr0 / (1 + static_cast<double>(t) / tau); });
}

Schedule Schedule::inverse_time(double lr0) {
  hyperparameter::check_nonnegative("Schedule inverse_time", "lr0", lr0);
  return Schedule("inverse_time", [lr0](std::size_t t) { return lr0 / static_cast<double>(t); });
}

Schedule Schedule::inverse_sqrt(double lr0) {
  hyperparameter::check_nonnegative("Schedule inverse_sqrt", "lr0", lr0);
  return Schedule("inverse_sqrt", [lr0](std::size_t t) { return lr0 / std::sqrt(static_cast<double>(t)); });
}

Schedule Schedule::step_decay(double lr0, double gamma, std::size_t every) {
  hyperparameter::check_nonnegative("Schedule step_decay", "lr0", lr0);
  hyperparameter::check_positive("Schedule step_decay", "gamma", gamma);
  if (gamma > 1) throw Error("Schedule step_decay: gamma = " + hyperparameter::format_number(gamma) + " is outside (0, 1]");
  hyperparameter::check_at_least_one("Schedule step_decay", "every", every);
  return Schedule("step_decay", [lr0, gamma, every](std::size_t t) {
    return lr0 * std::pow(gamma, static_cast<double>((t - 1) / every));
  });
}

Schedule Schedule::cosine(double lr0, double lr_min, std::size_t total_steps) {
  hyperparameter::check_nonnegative("Schedule cosine", "lr0", lr0);
  hyperparameter::check_nonnegative("Schedule cosine", "lr_min", lr_min);
  if (lr_min > lr0)
    throw Error("Schedule cosine: lr_min = " + hyperparameter::format_number(lr_min) +
                " exceeds lr0 = " + hyperparameter::format_number(lr0));
  hyperparameter::check_at_least_one("Schedule cosine", "total_steps", total_steps);
  return Schedule("cosine", [lr0, lr_min, total_steps](std::size_t t) {
    if (t - 1 >= total_steps) return lr_min;
    const double progress = static_cast<double>(t - 1) / static_cast<double>(total_steps);
    return lr_min + 0.5 * (lr0 - lr_min) * (1 + std::cos(std::numbers::pi * progress));
  });
}

double Schedule::lr(std::size_t t) const {
  if (t == 0) throw Error("Schedule " + name_ + ": t = 0, steps are numbered from 1");
  const double eta = rule_(t);
  if (!std::isfinite(eta) || eta < 0)
    throw Error("Schedule " + name_ + ": lr(" + std::to_string(t) + ") = " + hyperparameter::format_number(eta) +
                " is not a learning rate");
  return eta;
}

template <class T>
void apply_schedule(const Schedule& schedule, Optimizer<T>& opt) {
  opt.set_lr(schedule.lr(opt.steps() + 1));
}

template void apply_schedule<float>(const Schedule&, Optimizer<float>&);
template void apply_schedule<double>(const Schedule&, Optimizer<double>&);

}  // namespace saddle
