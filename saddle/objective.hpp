// saddle/objective.hpp — the objective f(θ) = (1/N) Σ ℓ_n(θ) over a sample set, and the losses of
// nn models that build one.
#pragma once

#include "saddle/objective/model_loss.hpp"
#include "saddle/objective/objective.hpp"
