// saddle/autodiff.hpp — the whole engine: tensors, Var and the tape, every op,
// the functional API (grad, jvp, hvp, hessian, sums over shards) and the derivative checkers. To define an op of your
// own, include saddle/autodiff/rule.hpp as well.
#pragma once

#include "saddle/autodiff/check.hpp"
#include "saddle/autodiff/functional.hpp"
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/shards.hpp"
#include "saddle/base/tensor.hpp"
#include "saddle/autodiff/var.hpp"
