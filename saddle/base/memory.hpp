// saddle/base/memory.hpp — keeping freed tensors' memory in the process between steps.
//
// Each training step allocates and frees the same large tensors (a 200×8×28×28 float activation
// is 5 MB). glibc's malloc hands blocks above its mmap threshold straight back to the kernel and
// trims the heap's top beyond its trim threshold, so every step paid the page faults of fetching
// that memory again: ReLU on 200×8×28×28 took 6.3 ms instead of 0.4 ms. keep_freed_memory()
// raises both thresholds (mmap for blocks over 32 MiB only, trimming beyond 1 GiB only), so the
// heap settles at the peak a step needs and is reused, as a caching allocator would.
//
// The engine calls it once, when it creates its first node. It changes malloc's settings for the
// whole process (documented in the README).
#pragma once

namespace saddle {

void keep_freed_memory();

}  // namespace saddle
