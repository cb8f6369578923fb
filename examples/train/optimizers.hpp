// examples/train/optimizers.hpp — the programs' command line for saddle's optimizers, generated from
// the list of saddle/optim/registry.hpp: --optimizer NAME, one flag per hyperparameter (--beta2,
// --t-thres, …), the list --help prints, and the method built from the flags that were given; a flag
// left out keeps the method's own default.
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "examples/common/cli.hpp"
#include "saddle/optim.hpp"

namespace saddle::examples {

struct Hyperparameters {
  std::optional<double> lr;
  double l2 = 0;
  std::uint64_t seed = 0;
  // The method-specific flags that were given, by hyperparameter name ("beta2", "t_thres").
  std::map<std::string, double> given;
};

// Every method's name, in the list's order.
inline const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& m : optimizer_methods()) out.push_back(m.name());
    return out;
  }();
  return names;
}

// The methods of the research's comparison (compare_optimizers' default set), in the list's order.
inline std::vector<std::string> compared_optimizer_names() {
  std::vector<std::string> out;
  for (const auto& m : optimizer_methods())
    if (m.in_comparison()) out.push_back(m.name());
  return out;
}

// A command-line flag for a hyperparameter of one or more methods (methods that share a name share
// the flag), in the order the list first names it.
struct HyperparameterFlag {
  const Hyperparameter* first;       // as the first method that has it declares it
  std::vector<std::string> methods;  // the methods that take it
  std::string flag() const { return first->flag(); }
};

inline const std::vector<HyperparameterFlag>& hyperparameter_flags() {
  static const std::vector<HyperparameterFlag> flags = [] {
    std::vector<HyperparameterFlag> out;
    for (const auto& m : optimizer_methods())
      for (const auto& h : m.hyperparameters()) {
        auto it = std::find_if(out.begin(), out.end(), [&](const auto& f) { return f.first->name == h.name; });
        if (it == out.end()) it = out.insert(out.end(), HyperparameterFlag{&h, {}});
        it->methods.push_back(m.name());
      }
    return out;
  }();
  return flags;
}

// --momentum, --beta1, … for every hyperparameter of the list: finite numbers, or whole numbers ≥ 0
// for counts; the method's constructor checks its own range.
inline void add_hyperparameter_flags(CLI::App& app, Hyperparameters& h) {
  for (const auto& f : hyperparameter_flags()) {
    std::string methods;
    for (const auto& m : f.methods) methods += (methods.empty() ? "" : ", ") + m;
    // One method's words, or those all its methods share (the text before the first comma).
    std::string help = f.first->help;
    for (const auto& m : f.methods)
      if (find_optimizer(m).find(f.first->name)->help != help) help = help.substr(0, help.find(','));
    help += " (" + methods + ")";
    const std::string name = f.first->name;
    if (is_count(f.first->range))
      app.add_option_function<std::size_t>(
             f.flag(), [&h, name](std::size_t n) { h.given[name] = double(n); }, help)
          ->check(count());
    else
      app.add_option_function<double>(
             f.flag(), [&h, name](double x) { h.given[name] = x; }, help)
          ->check(finite());
  }
}

// The list of methods as --help ends with it: each name and description, and with
// `with_hyperparameters` the flags each method takes, with their defaults and ranges.
inline std::string optimizer_help(bool with_hyperparameters) {
  auto number = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return std::string(buf);
  };
  std::string out = "Optimizers:\n";
  for (const auto& m : optimizer_methods()) {
    std::string line = "  " + m.name();
    line.resize(std::max<std::size_t>(line.size() + 1, 22), ' ');
    out += line + m.description() + "\n";
    if (!with_hyperparameters) continue;
    out += std::string(22, ' ') + "--lr " + number(m.default_lr());
    for (const auto& h : m.hyperparameters())
      out += ", " + h.flag() + " " + number(h.default_value) + " in " + range_text(h.range);
    out += "\n";
  }
  return out;
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const std::string& name, std::vector<Var<T>> p, const Hyperparameters& h) {
  const OptimizerMethod& method = find_optimizer(name);
  // A given flag the method does not take is an error, so that a run never silently differs from
  // its command line.
  for (const auto& f : hyperparameter_flags())
    if (h.given.count(f.first->name) && !method.find(f.first->name))
      throw Error(f.flag() + " does not apply to " + name);
  return method.make<T>(std::move(p), {.lr = h.lr, .weight_decay = h.l2, .seed = h.seed, .hyperparameters = h.given});
}

// Builds the method once over a single number and drops it, so that a flag it does not take or a
// value outside its range is refused before any data is read, in the constructor's own words.
inline void check_optimizer(const std::string& name, const Hyperparameters& h) {
  make_optimizer<double>(name, {Var<double>(Tensor<double>{0.0}, true)}, h);
}

// What a saddle-escape method did to leave saddles: PGD, ISO-PGD, CNC-PGD and CNC-SGD count their
// perturbations, NCD its negative-curvature steps; the other methods have no record.
struct EscapeRecord {
  std::size_t count = 0;  // perturbations (NCD: curvature steps) so far
  std::size_t last = 0;   // the step t of the latest, 0 before the first
};

template <class T>
std::optional<EscapeRecord> escape_record(const Optimizer<T>& o) {
  if (const auto* p = dynamic_cast<const PerturbedOptimizer<T>*>(&o))
    return EscapeRecord{p->perturbations(), p->last_perturbation()};
  if (const auto* n = dynamic_cast<const NCD<T>*>(&o))
    return EscapeRecord{n->curvature_steps(), n->last_curvature_step()};
  return std::nullopt;
}

// The line a training run of `method` ends with when it is a saddle-escape method: how often it
// perturbed and when last, or that it never did, and which flags decide when it does.
template <class T>
std::optional<std::string> escape_summary(const Optimizer<T>& o, const std::string& method) {
  const std::optional<EscapeRecord> r = escape_record(o);
  if (!r) return std::nullopt;
  const bool ncd = dynamic_cast<const NCD<T>*>(&o) != nullptr;
  const std::string events = ncd ? "curvature step" : "perturbation";
  const std::string steps = std::to_string(o.steps()) + " step" + (o.steps() == 1 ? "" : "s");
  const auto* pgd = dynamic_cast<const PGD<T>*>(&o);
  if (pgd && pgd->stopped())
    return method + ": stopped by its rule (--f-thres) after " + steps + ": θ is the point perturbed at step " +
           std::to_string(r->last) + ", an approximate second-order stationary point";
  if (r->count > 0)
    return method + ": " + std::to_string(r->count) + " " + events + (r->count == 1 ? "" : "s") + " in " + steps +
           ", the last at step " + std::to_string(r->last);
  if (ncd)
    return method + ": took no curvature step in " + steps +
           ": the gradient stayed above --g-thres or no eigenvalue fell below −(--eps-h)";
  if (dynamic_cast<const CNCSGD<T>*>(&o))
    return method + ": never perturbed in " + steps + ": the run is shorter than --t-thres";
  return method + ": never perturbed in " + steps +
         ": the gradient never passed the small-gradient test (--g-thres, checked every --t-thres steps)";
}

}  // namespace saddle::examples
