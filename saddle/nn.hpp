// saddle/nn.hpp — layers, losses, models and weights files on top of the engine.
#pragma once

#include "saddle/autodiff.hpp"
#include "saddle/nn/activations.hpp"
#include "saddle/nn/conv2d.hpp"
#include "saddle/nn/dropout.hpp"
#include "saddle/nn/flatten.hpp"
#include "saddle/nn/functional_call.hpp"
#include "saddle/nn/init.hpp"
#include "saddle/nn/linear.hpp"
#include "saddle/nn/losses.hpp"
#include "saddle/nn/models/models.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/nn/ops.hpp"
#include "saddle/nn/pooling.hpp"
#include "saddle/nn/weights.hpp"
