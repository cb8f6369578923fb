// saddle/analysis.hpp — curvature through matrix-vector products: Hessian operators, Lanczos and
// power iteration, spectra and gaps, traces, spectral density, CNC correlations, landscapes.
#pragma once

#include "saddle/nn.hpp"
#include "saddle/objective.hpp"
#include "saddle/analysis/cnc.hpp"
#include "saddle/analysis/curvature.hpp"
#include "saddle/analysis/density.hpp"
#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/analysis/landscape.hpp"
#include "saddle/base/linear_operator.hpp"
#include "saddle/analysis/per_sample.hpp"
#include "saddle/analysis/power_iteration.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/analysis/trace.hpp"
