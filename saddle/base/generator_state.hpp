// saddle/base/generator_state.hpp — a random generator's state as a tensor, so it travels in
// an .npz file beside the parameters (optimizer state, checkpoints) and resumes bit for bit.
//
// std::mt19937_64 writes its state as decimal words (the standard's textual representation,
// [rand.req.eng]); each 64-bit word is kept as four 16-bit pieces, which float and double both
// hold exactly. The tensor has shape (words, 4).
#pragma once

#include <optional>
#include <random>

#include "saddle/base/tensor.hpp"

namespace saddle {

template <class T>
Tensor<T> generator_state(const std::mt19937_64& g);

// The generator a tensor of generator_state holds, or nothing when it is not such a tensor
// (wrong shape, a piece that is not a whole number in [0, 65535], a state the engine refuses).
template <class T>
std::optional<std::mt19937_64> generator_from_state(const Tensor<T>& t);

}  // namespace saddle
