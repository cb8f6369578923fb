// saddle/nn/weights.hpp — a model's parameters to and from NumPy's .npz, one array per named
// parameter (`fc1.weight`, …), so `numpy.load(path)["fc1.weight"]` reads them and a PyTorch
// state_dict built from the same names loads them.
#pragma once

#include <string>

#include "saddle/nn/module.hpp"

namespace saddle::nn {

// Writes every parameter under its name (atomically: a temporary file renamed over `path`).
template <class T>
void save_weights(const Module<T>& model, const std::string& path);

// Reads `path` into the model's parameters in place (optimizers holding the Vars see the new
// values). Checks everything before changing anything: throws saddle::Error naming the file for a
// parameter missing from the file, an array whose shape differs from the parameter's (both
// shapes named), an array that names no parameter, a value that is NaN or infinite (the parameter,
// the first such value and its index named), or a file that is not a valid .npz.
// Arrays stored as float64 load into float models and the other way round.
template <class T>
void load_weights(Module<T>& model, const std::string& path);

}  // namespace saddle::nn
