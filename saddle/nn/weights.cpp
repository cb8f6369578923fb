#include "saddle/nn/weights.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include "saddle/base/npz.hpp"

namespace saddle::nn {
namespace {

// A NaN or infinity in a weight file would spread through every forward pass silently; refuse the
// file naming the first one (in row-major order) by its index into the parameter.
template <class T>
void check_finite(const Tensor<T>& t, const std::string& name, const std::string& path) {
  const T* data = t.data();
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (std::isfinite(data[i])) continue;
    Shape index(t.dimension());
    std::size_t rest = i;
    for (std::size_t k = t.dimension(); k-- > 0;) {
      index[k] = rest % t.shape()[k];
      rest /= t.shape()[k];
    }
    std::ostringstream value;
    value << data[i];
    throw Error("load_weights: '" + path + "' holds '" + name + "' with " + value.str() + " at index " +
                shape_str(index) + ", the first of its values that is not finite");
  }
}

}  // namespace

template <class T>
void save_weights(const Module<T>& model, const std::string& path) {
  NamedTensors<T> arrays;
  for (const auto& [name, p] : model.named_parameters()) arrays.emplace_back(name, p.value());
  save_npz(path, arrays);
}

template <class T>
void load_weights(Module<T>& model, const std::string& path) {
  NamedTensors<T> arrays;
  try {
    arrays = load_npz<T>(path);
  } catch (const Error& e) {
    throw Error(std::string("load_weights: ") + e.what());
  }
  std::map<std::string, Tensor<T>*> by_name;
  for (auto& [name, t] : arrays) by_name[name] = &t;
  const auto params = model.named_parameters();
  for (const auto& [name, p] : params) {
    const auto it = by_name.find(name);
    if (it == by_name.end())
      throw Error("load_weights: '" + path + "' has no array '" + name + "' for " + model.describe() +
                  "'s parameter of shape " + shape_str(p.shape()));
    if (to_shape(it->second->shape()) != p.shape())
      throw Error("load_weights: '" + path + "' holds '" + name + "' of shape " + shape_str(it->second->shape()) +
                  ", the model's parameter has shape " + shape_str(p.shape()));
  }
  if (arrays.size() != params.size())
    for (const auto& [name, t] : arrays) {
      bool known = false;
      for (const auto& [pname, p] : params) known = known || pname == name;
      if (!known)
        throw Error("load_weights: '" + path + "' holds an array '" + name + "' of shape " + shape_str(t.shape()) +
                    " that is no parameter of " + model.describe());
    }
  for (const auto& [name, p] : params) check_finite(*by_name[name], name, path);
  for (const auto& [name, p] : params) {
    Var<T> handle = p;
    handle.mutable_value() = std::move(*by_name[name]);
  }
}

template void save_weights(const Module<float>&, const std::string&);
template void save_weights(const Module<double>&, const std::string&);
template void load_weights(Module<float>&, const std::string&);
template void load_weights(Module<double>&, const std::string&);

}  // namespace saddle::nn
