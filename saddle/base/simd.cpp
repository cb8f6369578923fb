#include "saddle/base/simd.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

#include "saddle/base/tensor.hpp"

namespace saddle::simd {
namespace {

// −1, or the Isa a Force has set.
std::atomic<int> forced{-1};

Isa probe() {
  __builtin_cpu_init();  // needed when this runs before main, from a static initialiser
  // AVX-512 processors all have AVX2 and FMA; the AVX-512 build is compiled with them too.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
  return Isa::baseline;
}

Isa widest_supported() {
  static const Isa widest = probe();
  return widest;
}

Isa from_environment() {
  const char* env = std::getenv("SADDLE_SIMD");
  const Isa cap = env && *env ? parse(env) : Isa::avx512;
  return std::min(cap, widest_supported());
}

}  // namespace

Isa parse(std::string_view value) {
  if (value == "avx512") return Isa::avx512;
  if (value == "avx2") return Isa::avx2;
  if (value == "baseline" || value == "sse2") return Isa::baseline;
  throw Error("SADDLE_SIMD=" + std::string(value) + ": expected avx512, avx2, baseline or sse2");
}

const char* name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::baseline: break;
  }
  return "baseline";
}

bool supported(Isa isa) { return isa <= widest_supported(); }

Isa active() {
  static const Isa chosen = from_environment();  // a throw leaves it to be tried again
  const int f = forced.load(std::memory_order_relaxed);
  return f >= 0 ? Isa(f) : chosen;
}

Force::Force(Isa isa) : saved_(forced.load()) {
  if (!supported(isa)) throw Error(std::string("simd::Force: this processor cannot run the ") + name(isa) + " build");
  forced.store(int(isa));
}

Force::~Force() { forced.store(saved_); }

}  // namespace saddle::simd
