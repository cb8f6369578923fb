// saddle/optim.hpp — every optimizer and the schedules (the objective they step through:
// saddle/objective.hpp).
#pragma once

#include "saddle/objective.hpp"
#include "saddle/optim/adagrad.hpp"
#include "saddle/optim/adam.hpp"
#include "saddle/optim/adam_hd.hpp"
#include "saddle/optim/adamw.hpp"
#include "saddle/optim/amsgrad.hpp"
#include "saddle/optim/cnc_pgd.hpp"
#include "saddle/optim/cnc_sgd.hpp"
#include "saddle/optim/iso_pgd.hpp"
#include "saddle/optim/momentum.hpp"
#include "saddle/optim/nadam.hpp"
#include "saddle/optim/namsgrad.hpp"
#include "saddle/optim/ncd.hpp"
#include "saddle/optim/nesterov.hpp"
#include "saddle/optim/optimizer.hpp"
#include "saddle/optim/pgd.hpp"
#include "saddle/optim/rmsprop.hpp"
#include "saddle/optim/schedule.hpp"
#include "saddle/optim/sgd.hpp"
#include "saddle/optim/sgd_hd.hpp"
