// saddle/optim/schedule.hpp — learning-rate schedules η_t, composable with every optimizer.
//
// Steps are numbered t = 1, 2, … as in the update equations (θ_t ← θ_{t−1} − η_t g_t):
//   constant        η_t = η₀
//   robbins_monro   η_t = η₀ / (1 + t/τ)                 Σ η_t = ∞, Σ η_t² < ∞ (Robbins & Monro 1951)
//   inverse_time    η_t = η₀ / t
//   inverse_sqrt    η_t = η₀ / √t                        (Reddi et al. 2018's α_t = α/√t)
//   step_decay      η_t = η₀ · γ^⌊(t−1)/k⌋               (γ once every k steps)
//   cosine          η_t = η_min + ½(η₀ − η_min)(1 + cos(π (t−1)/T)) for t ≤ T + 1, then η_min
//                                                         (Loshchilov & Hutter, "SGDR", ICLR 2017,
//                                                         eq. 5, without restarts)
//
// For the hypergradient methods (SGD-HD, Adam-HD) lr is the learned α: a schedule overrides it.
//
//   Schedule s = Schedule::cosine(0.1, 0.0, 1000);
//   for (...) { apply_schedule(s, opt); opt.step(f); }   // sets η_t for the step about to be taken
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "saddle/optim/optimizer.hpp"

namespace saddle {

class Schedule {
 public:
  static Schedule constant(double lr0);
  static Schedule robbins_monro(double lr0, double tau);
  static Schedule inverse_time(double lr0);
  static Schedule inverse_sqrt(double lr0);
  static Schedule step_decay(double lr0, double gamma, std::size_t every);
  static Schedule cosine(double lr0, double lr_min, std::size_t total_steps);
  // Any other rule t ↦ η_t (its values are checked when used: finite and ≥ 0).
  Schedule(std::string name, std::function<double(std::size_t)> rule);

  // η_t for the step t ≥ 1; t = 0 is an Error.
  double lr(std::size_t t) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::function<double(std::size_t)> rule_;
};

// Sets the optimizer's learning rate to η_t for its next step, t = opt.steps() + 1.
template <class T>
void apply_schedule(const Schedule& schedule, Optimizer<T>& opt);

}  // namespace saddle
