// saddle/base/simd.hpp — which build of the vector kernels runs.
//
// The project is compiled for baseline x86-64 (SSE2), so its programs run on any x86-64
// processor. The kernels that gain from wider vectors (the direct convolution loops, 2×2 max
// pooling) are compiled a second and third time for AVX2 with FMA and for AVX-512, each in a file
// of its own built for that target, and the widest build the processor and OS support is chosen
// at run time. SADDLE_SIMD caps the choice: "avx512" (the default), "avx2", or "baseline" (alias
// "sse2") for the portable code — to compare the builds, or to test one on hardware that has more.
#pragma once

#include <string_view>

namespace saddle::simd {

// Instruction sets with a build of the kernels, narrowest first.
enum class Isa { baseline, avx2, avx512 };

// "baseline", "avx2" or "avx512".
const char* name(Isa isa);

// The build a value of SADDLE_SIMD caps the choice at: "avx512", "avx2", "baseline" or "sse2"
// (the same as "baseline"). Throws saddle::Error naming any other value.
Isa parse(std::string_view value);

// Whether the processor and OS can run the build for `isa` (AVX2 counts only with FMA).
bool supported(Isa isa);

// The build in use: the widest supported one, capped by SADDLE_SIMD, unless a Force is alive.
// Throws saddle::Error when SADDLE_SIMD is set to a value parse refuses.
Isa active();

// Runs the kernels of `isa` while it lives (tests use it to check every build against the others).
// Throws saddle::Error when the processor does not support `isa`. Not for concurrent use: set it
// while no kernel runs.
class Force {
 public:
  explicit Force(Isa isa);
  ~Force();
  Force(const Force&) = delete;
  Force& operator=(const Force&) = delete;

 private:
  int saved_;
};

}  // namespace saddle::simd
