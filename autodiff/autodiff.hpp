// saddle/autodiff/autodiff.hpp — the whole engine: tensors, Var and the tape, every op,
// the functional API (grad, jvp, hvp, hessian) and the derivative checkers.
#pragma once

#include "autodiff/check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/ops.hpp"
#include "autodiff/tensor.hpp"
#include "autodiff/var.hpp"
