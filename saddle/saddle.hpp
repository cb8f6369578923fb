// saddle/saddle.hpp — everything a user of saddle calls: the engine (saddle/autodiff.hpp), layers,
// losses and models (saddle/nn.hpp), the objective over a sample set (saddle/objective.hpp),
// curvature analysis (saddle/analysis.hpp) and optimizers (saddle/optim.hpp).
#pragma once

#include "saddle/analysis.hpp"
#include "saddle/autodiff.hpp"
#include "saddle/nn.hpp"
#include "saddle/objective.hpp"
#include "saddle/optim.hpp"
