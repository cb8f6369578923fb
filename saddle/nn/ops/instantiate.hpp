// Explicit instantiation of an nn op family for float and double.
#pragma once
#define SADDLE_NN_FOR_FLOAT_TYPES(X) \
  X(float)                           \
  X(double)
