#include "saddle/optim/registry.hpp"

#include <cmath>

namespace saddle {

const char* range_text(HyperparameterRange range) {
  switch (range) {
    case HyperparameterRange::unit_interval:
      return "[0, 1)";
    case HyperparameterRange::positive:
      return "(0, inf)";
    case HyperparameterRange::nonnegative:
      return "[0, inf)";
    case HyperparameterRange::count:
      return "{0, 1, 2, ...}";
    case HyperparameterRange::positive_count:
      return "{1, 2, 3, ...}";
  }
  return "";
}

bool is_count(HyperparameterRange range) {
  return range == HyperparameterRange::count || range == HyperparameterRange::positive_count;
}

bool in_range(HyperparameterRange range, double x) {
  if (!std::isfinite(x)) return false;
  if (is_count(range) && x != std::floor(x)) return false;
  switch (range) {
    case HyperparameterRange::unit_interval:
      return x >= 0 && x < 1;
    case HyperparameterRange::positive:
      return x > 0;
    case HyperparameterRange::nonnegative:
    case HyperparameterRange::count:
      return x >= 0;
    case HyperparameterRange::positive_count:
      return x >= 1;
  }
  return false;
}

std::string Hyperparameter::flag() const {
  std::string f = "--" + name;
  for (char& c : f)
    if (c == '_') c = '-';
  return f;
}

const Hyperparameter* OptimizerMethod::find(const std::string& name) const {
  for (const auto& h : hyperparameters_)
    if (h.name == name) return &h;
  return nullptr;
}

namespace registry_entry {

std::size_t to_count(const std::string& method, const std::string& name, double x) {
  // Whole numbers up to 2^53 are exact in a double.
  if (!(x >= 0 && x == std::floor(x) && x <= 9007199254740992.0))
    throw Error(method + ": " + name + " = " + hyperparameter::format_number(x) +
                " is not a whole number in [0, 2^53]");
  return static_cast<std::size_t>(x);
}

void unknown_hyperparameter(const std::string& method, const std::string& name,
                            const std::vector<Hyperparameter>& known) {
  std::string list;
  for (const auto& h : known) list += (list.empty() ? "" : ", ") + h.name;
  throw Error(method + " has no hyperparameter '" + name + "' (" +
              (list.empty() ? std::string("it has none besides lr and weight_decay") : "it has: " + list) + ")");
}

}  // namespace registry_entry

const std::vector<OptimizerMethod>& optimizer_methods() {
  static const std::vector<OptimizerMethod> methods = [] {
    std::vector<OptimizerMethod> all;
    auto add = [&all](std::vector<OptimizerMethod> of_file) {
      for (auto& m : of_file) all.push_back(std::move(m));
    };
#define SADDLE_OPTIMIZER(file) add(file##_methods());
#include "saddle/optim/methods.def"
#undef SADDLE_OPTIMIZER
    return all;
  }();
  return methods;
}

const OptimizerMethod& find_optimizer(const std::string& name) {
  std::string known;
  for (const auto& m : optimizer_methods()) {
    if (m.name() == name) return m;
    known += (known.empty() ? "" : ", ") + m.name();
  }
  throw Error("unknown optimizer '" + name + "' (one of: " + known + ")");
}

}  // namespace saddle
