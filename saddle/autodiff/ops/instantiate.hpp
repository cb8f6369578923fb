// Explicit instantiation of an op family for the two number types the engine supports.
#pragma once
#define SADDLE_FOR_FLOAT_TYPES(X) \
  X(float)                        \
  X(double)
