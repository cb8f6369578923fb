#include "saddle/optim/optimizer.hpp"

#include "saddle/base/generator_state.hpp"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

namespace saddle {

namespace hyperparameter {

std::string format_number(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

namespace {
void check_finite(const char* method, const char* name, double x) {
  if (std::isnan(x)) throw Error(std::string(method) + ": " + name + " = nan is not a number");
  if (!std::isfinite(x)) throw Error(std::string(method) + ": " + name + " = " + format_number(x) + " is not finite");
}
}  // namespace

void check_unit_interval(const char* method, const char* name, double x) {
  if (std::isnan(x) || x < 0 || x >= 1)
    throw Error(std::string(method) + ": " + name + " = " + format_number(x) + " is outside [0, 1)");
}

void check_positive(const char* method, const char* name, double x) {
  check_finite(method, name, x);
  if (x <= 0) throw Error(std::string(method) + ": " + name + " = " + format_number(x) + " is not positive");
}

void check_nonnegative(const char* method, const char* name, double x) {
  check_finite(method, name, x);
  if (x < 0) throw Error(std::string(method) + ": " + name + " = " + format_number(x) + " is negative");
}

void check_at_least_one(const char* method, const char* name, std::size_t n) {
  if (n < 1) throw Error(std::string(method) + ": " + name + " = 0, at least 1 is needed");
}

}  // namespace hyperparameter

namespace {

template <class T>
Tensor<T> scalar_tensor(T x) {
  Tensor<T> t = Tensor<T>::from_shape(Shape{});
  t.data()[0] = x;
  return t;
}

template <class T>
class StateWriter final : public StateVisitor<T> {
 public:
  explicit StateWriter(const char* method) : method_(method) {}
  NamedTensors<T> out;

  void tensor(const std::string& key, Tensor<T>& t) override { out.emplace_back(key, t); }
  void real(const std::string& key, double& x) override { out.emplace_back(key, scalar_tensor(static_cast<T>(x))); }
  void count(const std::string& key, std::size_t& n) override {
    const T x = static_cast<T>(n);
    if (static_cast<std::size_t>(x) != n)
      throw Error(std::string(method_) + ": state_dict: '" + key + "' = " + std::to_string(n) +
                  " is not exactly representable in this floating-point type");
    out.emplace_back(key, scalar_tensor(x));
  }
  void rng(const std::string& key, std::mt19937_64& g) override { out.emplace_back(key, generator_state<T>(g)); }

 private:
  const char* method_;
};

// Reads a state whose keys and shapes have been checked against the optimizer's own. A first pass
// with assign = false only validates the values, so a bad file leaves the optimizer as it was.
template <class T>
class StateReader final : public StateVisitor<T> {
 public:
  StateReader(const char* method, const std::map<std::string, const Tensor<T>*>& in, bool assign)
      : method_(method), in_(in), assign_(assign) {}

  void tensor(const std::string& key, Tensor<T>& t) override {
    if (!assign_) return;
    const Tensor<T>& src = *in_.at(key);
    std::copy(src.data(), src.data() + src.size(), t.data());
  }
  void real(const std::string& key, double& x) override {
    if (assign_) x = static_cast<double>(in_.at(key)->data()[0]);
  }
  void count(const std::string& key, std::size_t& n) override {
    const double x = static_cast<double>(in_.at(key)->data()[0]);
    if (!(x >= 0) || x != std::floor(x) || x > 9007199254740992.0)
      throw Error(std::string(method_) + ": load_state_dict: '" + key + "' = " + hyperparameter::format_number(x) +
                  " is not a count");
    if (assign_) n = static_cast<std::size_t>(x);
  }
  void rng(const std::string& key, std::mt19937_64& g) override {
    const std::optional<std::mt19937_64> restored = generator_from_state(*in_.at(key));
    if (!restored)
      throw Error(std::string(method_) + ": load_state_dict: '" + key + "' is not a saved generator state");
    if (assign_) g = *restored;
  }

 private:
  const char* method_;
  const std::map<std::string, const Tensor<T>*>& in_;
  bool assign_;
};

}  // namespace

template <class T>
Optimizer<T>::Optimizer(const char* name, std::vector<Var<T>> params, double lr, double weight_decay)
    : params_(std::move(params)), weight_decay_(weight_decay), leaf_steps_(params_.size(), 0), name_(name) {
  hyperparameter::check_nonnegative(name_, "lr", lr);
  hyperparameter::check_nonnegative(name_, "weight_decay", weight_decay);
  if (params_.empty()) throw Error(std::string(name_) + ": the parameter list is empty");
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].is_leaf())
      throw Error(std::string(name_) + ": parameter " + std::to_string(i) + " ('" + params_[i].op() +
                  "') is a recorded result, not a leaf");
    for (std::size_t j = 0; j < i; ++j)
      if (params_[i].same_as(params_[j]))
        throw Error(std::string(name_) + ": parameters " + std::to_string(j) + " and " + std::to_string(i) +
                    " are the same tensor");
  }
  assign_lr(lr);
}

template <class T>
void Optimizer<T>::set_lr(double lr) {
  hyperparameter::check_nonnegative(name_, "lr", lr);
  assign_lr(lr);
}

template <class T>
typename Optimizer<T>::Gradients Optimizer<T>::leaf_gradients() const {
  Gradients g(params_.size(), nullptr);
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (params_[i].has_grad()) g[i] = &params_[i].grad();
  return g;
}

template <class T>
typename Optimizer<T>::Gradients Optimizer<T>::pointers(const TensorList<T>& g) {
  Gradients p;
  for (const auto& gi : g) p.push_back(&gi);
  return p;
}

template <class T>
TensorList<T> Optimizer<T>::values() const {
  return values_of(params_);
}

// One fused pass, not scale + axpy: the update's rounding stays that of θ − η(g + λθ) on every processor.
template <class T>
void Optimizer<T>::gradient_step(const Gradients& g, double eta) {
  const T e = static_cast<T>(eta), wd = static_cast<T>(weight_decay_);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    T* theta = data(i);
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = size(i); j < n; ++j) theta[j] -= e * (grad[j] + wd * theta[j]);
  }
}

template <class T>
TensorList<T> Optimizer<T>::zeros_like_params() const {
  TensorList<T> z;
  for (const auto& p : params_) z.push_back(zeros_tensor<T>(p.shape()));
  return z;
}

template <class T>
void Optimizer<T>::visit_list(StateVisitor<T>& v, const std::string& prefix, TensorList<T>& list) {
  for (std::size_t i = 0; i < list.size(); ++i) v.tensor(prefix + "." + std::to_string(i), list[i]);
}

template <class T>
void Optimizer<T>::check_gradients(const char* what, const TensorList<T>& g) const {
  if (g.size() != params_.size())
    throw Error(std::string(name_) + ": " + what + " returned " + std::to_string(g.size()) + " tensors for " +
                std::to_string(params_.size()) + " parameters");
  for (std::size_t i = 0; i < g.size(); ++i)
    if (to_shape(g[i].shape()) != params_[i].shape())
      throw Error(std::string(name_) + ": " + what + " returned shape " + shape_str(g[i].shape()) + " for parameter " +
                  std::to_string(i) + " of shape " + shape_str(params_[i].shape()));
}

template <class T>
void Optimizer<T>::begin_step(const Gradients& g) {
  ++step_;
  for (std::size_t i = 0; i < g.size(); ++i)
    if (g[i]) ++leaf_steps_[i];
}

// A loop, not saddle::norm: g + λθ is formed on the fly and parameters without a gradient are skipped.
template <class T>
double Optimizer<T>::effective_grad_norm_sq(const Gradients& g) const {
  const T wd = static_cast<T>(weight_decay_);
  double s = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const T* gi = g[i]->data();
    const T* th = params_[i].value().data();
    for (std::size_t j = 0, n = params_[i].size(); j < n; ++j) {
      const double e = static_cast<double>(gi[j] + wd * th[j]);
      s += e * e;
    }
  }
  return s;
}

template <class T>
void Optimizer<T>::step() {
  if (needs_objective())
    throw Error(std::string(name_) + ": step() needs the objective; call step(f) with an Objective");
  const Gradients g = leaf_gradients();
  begin_step(g);
  update(g);
}

template <class T>
void Optimizer<T>::step(const Objective<T>& f) {
  const TensorList<T> grad = f.gradient(values());
  check_gradients("gradient", grad);
  const Gradients g = pointers(grad);
  begin_step(g);
  update(g);
}

template <class T>
void Optimizer<T>::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

template <class T>
void Optimizer<T>::visit_state(StateVisitor<T>& v) {
  v.count("step", step_);
  v.real("lr", lr_);
  for (std::size_t i = 0; i < leaf_steps_.size(); ++i) v.count("step." + std::to_string(i), leaf_steps_[i]);
}

template <class T>
NamedTensors<T> Optimizer<T>::state_dict() const {
  StateWriter<T> writer(name_);
  // The walk is shared with loading, hence non-const; the writer only copies.
  const_cast<Optimizer*>(this)->visit_state(writer);
  return std::move(writer.out);
}

template <class T>
void Optimizer<T>::load_state_dict(const NamedTensors<T>& state) {
  const NamedTensors<T> expected = state_dict();
  std::map<std::string, const Tensor<T>*> given;
  for (const auto& [key, t] : state) given.emplace(key, &t);
  const std::string where = std::string(name_) + ": load_state_dict: ";
  for (const auto& [key, t] : expected) {
    const auto it = given.find(key);
    if (it == given.end())
      throw Error(where + std::to_string(state.size()) + " tensors given, " + std::to_string(expected.size()) +
                  " expected; key '" + key + "' of shape " + shape_str(t.shape()) + " is missing");
    if (it->second->shape() != t.shape())
      throw Error(where + "'" + key + "' has shape " + shape_str(it->second->shape()) + ", the optimizer holds " +
                  shape_str(t.shape()));
  }
  if (given.size() != expected.size() || state.size() != expected.size()) {
    std::map<std::string, int> known;
    for (const auto& [key, t] : expected) known.emplace(key, 0);
    std::string extra;
    for (const auto& [key, t] : state)
      if (!known.count(key)) {
        extra = key;
        break;
      }
    throw Error(where + std::to_string(state.size()) + " tensors given, " + std::to_string(expected.size()) +
                " expected" +
                (extra.empty() ? std::string("; a key is repeated") : "; key '" + extra + "' is unexpected"));
  }
  StateReader<T> check(name_, given, /*assign=*/false);
  visit_state(check);
  StateReader<T> reader(name_, given, /*assign=*/true);
  visit_state(reader);
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace saddle
