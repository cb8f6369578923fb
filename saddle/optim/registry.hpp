// saddle/optim/registry.hpp — saddle's optimizers as one list of data that the programs and the
// tests iterate: each method by the name a command line gives it, a line of description, its
// hyperparameters (default, range, help) and a factory for float and double parameters.
//
//   for (const OptimizerMethod& m : optimizer_methods()) std::printf("%s: %s\n", m.name.c_str(),
//   m.description.c_str()); const OptimizerMethod& adam = find_optimizer("adam");   // an unknown name is an Error
//   listing the names std::unique_ptr<Optimizer<float>> opt = adam.make<float>(params, {.lr = 1e-3, .hyperparameters =
//   {{"beta2", 0.99}}});
//
// Methods that need the objective (Nesterov's look-ahead form, CNC-PGD, CNC-SGD, NCD) are built the
// same way and receive it at each step, opt->step(f).
//
// Adding a method: saddle/optim/<file>.hpp (the class, its options, the update equations and the
// paper) and saddle/optim/<file>.cpp, which ends with the method's entry,
//
//   std::vector<OptimizerMethod> <file>_methods() {
//     return {optimizer_method<MyMethod>({.name = "my-method", .description = "one line for --help"},
//                                        {{"beta", &MyMethodOptions::beta, HyperparameterRange::unit_interval,
//                                          "β, what it does"}})};
//   }
//
// and the line SADDLE_OPTIMIZER(<file>) in saddle/optim/methods.def. The build (optim/meson.build
// reads methods.def), this list, the programs' --optimizer, their flags and --help, and the tests
// that iterate the list (tests/optim/test_registry.cpp) then include it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "saddle/optim/optimizer.hpp"

namespace saddle {

// The values a hyperparameter may take, as its method's constructor checks them.
enum class HyperparameterRange {
  unit_interval,   // [0, 1)
  positive,        // (0, ∞), finite
  nonnegative,     // [0, ∞), finite
  count,           // a whole number ≥ 0
  positive_count,  // a whole number ≥ 1
};

// "[0, 1)", "(0, inf)", "[0, inf)", "{0, 1, 2, ...}", "{1, 2, 3, ...}": the range as --help prints it.
const char* range_text(HyperparameterRange range);
bool in_range(HyperparameterRange range, double x);
bool is_count(HyperparameterRange range);

struct Hyperparameter {
  std::string name;  // the options field, "beta2", "t_thres"; the command line's flag is "--t-thres"
  double default_value;
  HyperparameterRange range;
  std::string help;  // what it is, in a few words: "β₂, decay of the second-moment average"

  // "--" and the name with '-' for '_'.
  std::string flag() const;
};

// What a factory builds a method from; every field has a default, so {} gives the method's own.
struct OptimizerSettings {
  std::optional<double> lr = std::nullopt;  // η (α₀ of the hypergradient methods); the method's default when absent
  double weight_decay = 0;                  // the L2 weight decay λ every method takes
  std::uint64_t seed = 0;                   // the generator of the methods that draw at random (the others ignore it)
  // The method's own hyperparameters by name; absent ones keep their defaults. A name the method
  // does not have, or a count that is not a whole number ≥ 0, is an Error.
  std::map<std::string, double> hyperparameters = {};
};

// What the entry of a method says of it besides its hyperparameters.
struct OptimizerInfo {
  std::string name;            // as a command line writes it: lower case, words joined by '-', "adam-hd"
  std::string description;     // one line: what it does, and the paper
  bool in_comparison = false;  // in the research's comparison, compare_optimizers' default set
};

class OptimizerMethod {
 public:
  template <class T>
  using Factory = std::function<std::unique_ptr<Optimizer<T>>(std::vector<Var<T>>, const OptimizerSettings&)>;

  OptimizerMethod(OptimizerInfo info, double default_lr, std::vector<Hyperparameter> hyperparameters,
                  Factory<float> make_float, Factory<double> make_double)
      : info_(std::move(info)),
        default_lr_(default_lr),
        hyperparameters_(std::move(hyperparameters)),
        make_float_(std::move(make_float)),
        make_double_(std::move(make_double)) {}

  const std::string& name() const { return info_.name; }
  const std::string& description() const { return info_.description; }
  bool in_comparison() const { return info_.in_comparison; }
  double default_lr() const { return default_lr_; }
  // Besides lr and weight_decay, which every method takes; in the order --help lists them.
  const std::vector<Hyperparameter>& hyperparameters() const { return hyperparameters_; }
  // The hyperparameter of that name, or nullptr.
  const Hyperparameter* find(const std::string& name) const;

  // The method over `params`; the constructor checks the values (saddle::Error naming the method,
  // the parameter and the value).
  template <class T>
  std::unique_ptr<Optimizer<T>> make(std::vector<Var<T>> params, const OptimizerSettings& settings = {}) const {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "optimizers are built for float or double");
    if constexpr (std::is_same_v<T, float>)
      return make_float_(std::move(params), settings);
    else
      return make_double_(std::move(params), settings);
  }

 private:
  OptimizerInfo info_;
  double default_lr_;
  std::vector<Hyperparameter> hyperparameters_;
  Factory<float> make_float_;
  Factory<double> make_double_;
};

// Every method, in the order of saddle/optim/methods.def.
const std::vector<OptimizerMethod>& optimizer_methods();
// The method of that name; an unknown name is an Error listing the known ones.
const OptimizerMethod& find_optimizer(const std::string& name);

// One hyperparameter as a method's entry declares it: the field of the method's options it sets.
template <class Options>
struct HyperparameterField {
  const char* name;
  std::variant<double Options::*, std::size_t Options::*> field;
  HyperparameterRange range;
  const char* help;
};

namespace registry_entry {
// The number a whole-number hyperparameter holds, or an Error naming the method and the value.
std::size_t to_count(const std::string& method, const std::string& name, double x);
// Throws saddle::Error: "<method> has no hyperparameter '<name>' (it has: a, b)".
[[noreturn]] void unknown_hyperparameter(const std::string& method, const std::string& name,
                                         const std::vector<Hyperparameter>& known);
}  // namespace registry_entry

// The entry of Method<T> (a class template over float and double taking (params, options)):
// `fields` are the hyperparameters besides lr and weight_decay; `base` the options it starts from,
// whose values are the defaults (Nesterov's look-ahead form is Nesterov with another base).
template <template <class> class Method,
          class Options = std::remove_cvref_t<decltype(std::declval<const Method<double>&>().options())>>
OptimizerMethod optimizer_method(OptimizerInfo info, std::vector<HyperparameterField<Options>> fields,
                                 Options base = {}) {
  std::vector<Hyperparameter> hyperparameters;
  for (const auto& f : fields) {
    const double value = std::visit([&](auto member) { return static_cast<double>(base.*member); }, f.field);
    hyperparameters.push_back({f.name, value, f.range, f.help});
  }
  auto factory = [=, name = info.name, known = hyperparameters]<class T>(std::vector<Var<T>> params,
                                                                         const OptimizerSettings& s) {
    Options o = base;
    if (s.lr) o.lr = *s.lr;
    o.weight_decay = s.weight_decay;
    if constexpr (requires { o.seed; }) o.seed = s.seed;
    for (const auto& entry : s.hyperparameters) {
      const std::string& key = entry.first;  // not a structured binding: clang 14 cannot capture those
      const double value = entry.second;
      const auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return key == f.name; });
      if (it == fields.end()) registry_entry::unknown_hyperparameter(name, key, known);
      std::visit(
          [&](auto member) {
            using V = std::remove_cvref_t<decltype(o.*member)>;
            if constexpr (std::is_same_v<V, std::size_t>)
              o.*member = registry_entry::to_count(name, key, value);
            else
              o.*member = value;
          },
          it->field);
    }
    return std::unique_ptr<Optimizer<T>>(std::make_unique<Method<T>>(std::move(params), o));
  };
  return OptimizerMethod(
      std::move(info), base.lr, std::move(hyperparameters),
      [factory](std::vector<Var<float>> p, const OptimizerSettings& s) { return factory(std::move(p), s); },
      [factory](std::vector<Var<double>> p, const OptimizerSettings& s) { return factory(std::move(p), s); });
}

// The entry functions of the method files that methods.def lists: <file>_methods().
#define SADDLE_OPTIMIZER(file) std::vector<OptimizerMethod> file##_methods();
#include "saddle/optim/methods.def"
#undef SADDLE_OPTIMIZER

}  // namespace saddle
