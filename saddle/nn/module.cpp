#include "saddle/nn/module.hpp"

#include <algorithm>
#include <typeinfo>

#include "saddle/nn/activations.hpp"
#include "saddle/nn/pooling.hpp"

namespace saddle::nn {

template <class T>
const ParameterBinding<T>*& active_parameter_binding() {
  thread_local const ParameterBinding<T>* binding = nullptr;
  return binding;
}
template const ParameterBinding<float>*& active_parameter_binding();
template const ParameterBinding<double>*& active_parameter_binding();

template <class T>
std::size_t Module<T>::register_parameter(std::string name, Tensor<T> value) {
  const bool taken = std::any_of(params_.begin(), params_.end(), [&](const auto& p) { return p.first == name; });
  if (name.empty() || name.find('.') != std::string::npos || taken)
    throw Error(describe() + ": parameter name '" + name + "' is empty, dotted or already taken");
  params_.emplace_back(std::move(name), Var<T>(std::move(value), /*requires_grad=*/true));
  return params_.size() - 1;
}

template <class T>
void Module<T>::register_module(std::string name, std::shared_ptr<Module<T>> child) {
  if (!child) throw Error(describe() + ": child '" + name + "' is null");
  const bool taken = std::any_of(children_.begin(), children_.end(), [&](const auto& c) { return c.first == name; }) ||
                     std::any_of(params_.begin(), params_.end(), [&](const auto& p) { return p.first == name; });
  if (name.empty() || name.find('.') != std::string::npos || taken)
    throw Error(describe() + ": module name '" + name + "' is empty, dotted or already taken");
  child->train(training_);
  children_.emplace_back(std::move(name), std::move(child));
}

template <class T>
void Module<T>::collect(const std::string& prefix, NamedParameters<T>& out) const {
  for (const auto& [name, p] : params_) out.emplace_back(prefix + name, bound_parameter(p));
  for (const auto& [name, c] : children_) c->collect(prefix + name + ".", out);
}

template <class T>
NamedParameters<T> Module<T>::named_parameters() const {
  NamedParameters<T> out;
  collect("", out);
  return out;
}

template <class T>
std::vector<Var<T>> Module<T>::parameters() const {
  std::vector<Var<T>> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

template <class T>
std::size_t Module<T>::num_parameters() const {
  std::size_t n = 0;
  for (const auto& [name, p] : named_parameters()) n += p.size();
  return n;
}

template <class T>
void Module<T>::collect_slots(std::vector<Var<T>*>& out) {
  for (auto& [name, p] : params_) out.push_back(&p);
  for (auto& [name, c] : children_) c->collect_slots(out);
}

template <class T>
std::vector<Var<T>*> Module<T>::parameter_slots() {
  std::vector<Var<T>*> out;
  collect_slots(out);
  return out;
}

template <class T>
void Module<T>::train(bool on) {
  training_ = on;
  for (auto& [name, c] : children_) c->train(on);
}

template <class T>
void Module<T>::zero_grad() {
  for (auto* p : parameter_slots()) p->zero_grad();
}

template <class T>
void Module<T>::summarise(const std::string& name, int depth, std::string& out) const {
  out += std::string(2 * depth, ' ') + (name.empty() ? "" : "(" + name + "): ") + describe();
  for (const auto& [pname, p] : params_) out += "  " + pname + " " + shape_str(p.shape());
  out += '\n';
  for (const auto& [cname, c] : children_) c->summarise(cname, depth + 1, out);
}

template <class T>
std::string Module<T>::summary() const {
  std::string out;
  summarise("", 0, out);
  out += std::to_string(num_parameters()) + " parameters\n";
  return out;
}

template <class T>
Sequential<T>& Sequential<T>::add(std::shared_ptr<Module<T>> child) {
  return add(std::to_string(size()), std::move(child));
}

template <class T>
Sequential<T>& Sequential<T>::add(std::string name, std::shared_ptr<Module<T>> child) {
  this->register_module(std::move(name), std::move(child));
  return *this;
}

template <class T>
Var<T> Sequential<T>::forward(const Var<T>& x) {
  return forward_from(0, x);
}

template <class T>
Var<T> Sequential<T>::forward_data(Tensor<T> x) {
  const auto& children = this->children();
  // A subclass that changed forward runs its forward, as it wrote it.
  if (typeid(*this) != typeid(Sequential<T>) || children.empty() || is_relu_then_pool(0))
    return forward(Var<T>(std::move(x)));
  return forward_from(1, children[0].second->forward_data(std::move(x)));
}

template <class T>
bool Sequential<T>::is_relu_then_pool(std::size_t i) const {
  // exactly a ReLU and a MaxPool2d: a subclass may have changed forward
  const auto& children = this->children();
  auto is = [&](std::size_t k, const std::type_info& type) {
    const Module<T>& child = *children[k].second;
    return typeid(child) == type;
  };
  return i + 1 < children.size() && is(i, typeid(ReLU<T>)) && is(i + 1, typeid(MaxPool2d<T>));
}

template <class T>
Var<T> Sequential<T>::forward_from(std::size_t first, Var<T> y) {
  const auto& children = this->children();
  for (std::size_t i = first; i < children.size(); ++i) {
    if (is_relu_then_pool(i)) {
      y = children[i].second->forward(children[i + 1].second->forward(y));  // pool, then ReLU (above)
      ++i;
      continue;
    }
    y = children[i].second->forward(y);
  }
  return y;
}

template <class T>
Module<T>& Sequential<T>::operator[](std::size_t i) const {
  if (i >= size())
    throw Error("Sequential: index " + std::to_string(i) + " out of range for " + std::to_string(size()) + " modules");
  return *this->children()[i].second;
}

template class Module<float>;
template class Module<double>;
template class Sequential<float>;
template class Sequential<double>;

}  // namespace saddle::nn
