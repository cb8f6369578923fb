// What several test files need of tensors: standard-normal entries, and bitwise equality of lists
// (the determinism checks).
#pragma once

#include <cstring>
#include <random>

#include "saddle/base/tensor.hpp"
#include "saddle/base/tensor_list.hpp"

namespace saddle::testing {

inline Tensor<double> randn(const Shape& s, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  Tensor<double> t = zeros_tensor<double>(s);
  for (auto& e : t) e = n(rng);
  return t;
}

template <class T>
bool same_bits(const TensorList<T>& a, const TensorList<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].shape() != b[k].shape() || std::memcmp(a[k].data(), b[k].data(), a[k].size() * sizeof(T)) != 0)
      return false;
  return true;
}

}  // namespace saddle::testing
