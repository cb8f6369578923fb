#include "saddle/base/generator_state.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

namespace saddle {

template <class T>
Tensor<T> generator_state(const std::mt19937_64& g) {
  std::ostringstream os;
  os << g;
  std::istringstream is(os.str());
  std::vector<std::uint64_t> words;
  for (std::uint64_t w; is >> w;) words.push_back(w);
  Tensor<T> t = Tensor<T>::from_shape(Shape{words.size(), 4});
  for (std::size_t i = 0; i < words.size(); ++i)
    for (std::size_t j = 0; j < 4; ++j) t.data()[4 * i + j] = static_cast<T>((words[i] >> (16 * j)) & 0xffffu);
  return t;
}

template <class T>
std::optional<std::mt19937_64> generator_from_state(const Tensor<T>& t) {
  // mt19937_64 has 312 words of state and one position.
  if (t.dimension() != 2 || t.shape()[0] != std::mt19937_64::state_size + 1 || t.shape()[1] != 4) return std::nullopt;
  std::ostringstream os;
  for (std::size_t i = 0; i < t.shape()[0]; ++i) {
    std::uint64_t w = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const double piece = static_cast<double>(t.data()[4 * i + j]);
      if (!(piece >= 0) || piece > 65535 || piece != std::floor(piece)) return std::nullopt;
      w |= static_cast<std::uint64_t>(piece) << (16 * j);
    }
    os << w << ' ';
  }
  std::istringstream is(os.str());
  std::mt19937_64 g;
  is >> g;
  if (is.fail()) return std::nullopt;
  return g;
}

template Tensor<float> generator_state<float>(const std::mt19937_64&);
template Tensor<double> generator_state<double>(const std::mt19937_64&);
template std::optional<std::mt19937_64> generator_from_state<float>(const Tensor<float>&);
template std::optional<std::mt19937_64> generator_from_state<double>(const Tensor<double>&);

}  // namespace saddle
