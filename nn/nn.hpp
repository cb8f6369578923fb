// saddle/nn/nn.hpp — layers, losses, models and weights files on top of the engine.
#pragma once

#include "autodiff/autodiff.hpp"
#include "nn/activations.hpp"
#include "nn/conv2d.hpp"
#include "nn/dropout.hpp"
#include "nn/flatten.hpp"
#include "nn/functional_call.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/losses.hpp"
#include "nn/models/models.hpp"
#include "nn/module.hpp"
#include "nn/ops.hpp"
#include "nn/pooling.hpp"
#include "nn/weights.hpp"
