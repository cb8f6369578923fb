// saddle/nn/kernels/image_buffers.hpp — the buffers the direct convolution loops read images from
// (conv_dual.hpp): zero-bordered copies of a batch's images or output gradients, kept by each
// thread from call to call so that the zero borders are written once, on whole cache lines.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

namespace saddle::nn::conv {

// dst[0, n) = src[0, n) for a short run (an image row: tens of entries), in fixed-size blocks that
// compile to vector moves, the last overlapping the one before. Row by row, calls to memmove took
// about 7% of LeNet-5's training step and 13% of the CNN's, mostly in the calls themselves.
template <class T>
[[gnu::always_inline]] inline void copy_row(const T* src, std::size_t n, T* dst) {
  const std::size_t bytes = n * sizeof(T);
  auto* d = reinterpret_cast<char*>(dst);
  const auto* s = reinterpret_cast<const char*>(src);
  auto ends = [&]<std::size_t B>() {  // B ≤ bytes ≤ 2B
    std::memcpy(d, s, B);
    std::memcpy(d + bytes - B, s + bytes - B, B);
  };
  if (bytes > 64) {
    for (std::size_t i = 0; i + 64 < bytes; i += 64) std::memcpy(d + i, s + i, 64);
    std::memcpy(d + bytes - 64, s + bytes - 64, 64);
  } else if (bytes >= 32) {
    ends.template operator()<32>();
  } else if (bytes >= 16) {
    ends.template operator()<16>();
  } else if (bytes >= 8) {
    ends.template operator()<8>();
  } else if (bytes >= 4) {
    ends.template operator()<4>();
  }
}

// Storage on whole cache lines: a vector of the widest build that starts at a multiple of 64 bytes
// is loaded or stored in one access, where one that straddles two lines costs two.
template <class T>
struct LineAligned {
  using value_type = T;
  LineAligned() = default;
  template <class U>
  LineAligned(const LineAligned<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <class U>
  bool operator==(const LineAligned<U>&) const {
    return true;
  }
};
template <class T>
using LineVector = std::vector<T, LineAligned<T>>;

// Where a buffer holds the interiors of a batch of images: image i's channel c, row r at
// i·slot + c·stride + at + r·wp, `cols` entries; every other entry is zero.
struct Interior {
  std::size_t slot, stride, at, wp, channels, rows, cols;
  bool operator==(const Interior&) const = default;

  // images (channels, rows, cols) [0, count) into dst: the interiors alone
  template <class T>
  void place(const T* images, std::size_t count, T* dst) const {
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t r = 0; r < rows; ++r)
          copy_row(images + ((i * channels + c) * rows + r) * cols, cols, dst + i * slot + c * stride + at + r * wp);
  }
};

// A thread's buffers of images, one per Interior layout (the few most recent: a model's layers
// take turns). A buffer is zeroed when it is made for its layout and its borders are never written
// after, so every later image of the layout, of this call or a later one, costs the copy of its
// interior alone (zeroing each image's buffer took a tenth of LeNet-5's training step).
template <class T>
class Bordered {
 public:
  // images [0, count) placed in layout l; valid until the next call
  const T* place(const Interior& l, const T* images, std::size_t count) {
    LineVector<T>& buf = buffer(l);
    if (buf.size() < count * l.slot) buf.resize(count * l.slot);  // the new entries are zero
    l.place(images, count, buf.data());
    return buf.data();
  }

 private:
  struct Slot {
    Interior layout{};
    LineVector<T> buf;
  };
  static constexpr std::size_t kLayouts = 4;
  // l's buffer, its slot moved to the front; a new one in place of the least recently used
  LineVector<T>& buffer(const Interior& l) {
    std::size_t i = 0;
    while (i < used_ && !(slots_[i].layout == l)) ++i;
    if (i == used_) {
      if (used_ < kLayouts) ++used_;
      i = used_ - 1;
      slots_[i].layout = l;
      slots_[i].buf.clear();  // resized with zeros by place
    }
    std::rotate(slots_.begin(), slots_.begin() + std::ptrdiff_t(i), slots_.begin() + std::ptrdiff_t(i) + 1);
    return slots_[0].buf;
  }
  std::array<Slot, kLayouts> slots_;
  std::size_t used_ = 0;
};

}  // namespace saddle::nn::conv
