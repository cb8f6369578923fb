// saddle/autodiff/thin/thin_products.hpp — matrix products with a thin side, without BLAS's packing:
//
//   nt:  C (m×n) = α·A·Bᵀ + β·C,   A (m×k), B (n×k), n ≤ kThinSide   (a layer's forward X·Wᵀ)
//   tn:  C (m×n) = α·Aᵀ·B + β·C,   A (k×m), B (k×n), m ≤ kThinSide   (its weight adjoint Ȳᵀ·X)
//
// all row-major and contiguous. These are the products of a layer with few outputs — the softmax
// regression's 784 → 10, a classifier's last layer — over a shard's rows: OpenBLAS copies the
// whole long operand into its packed panels before it multiplies (twice a step, once per
// product, for the rows X), and on the 2-core AMD EPYC that copy and its traffic made the pair
// of products 1.6× slower than these loops, which read each operand once, in place, into
// register blocks (47 µs against 29 for a shard of 50 rows, one core; standalone, medians of 21).
// kernels::gemm sends them here; each sum runs in a fixed order, so the bits depend on the
// instruction set (base/simd.hpp) and nothing else.
//
// The loops are written once (thin_products.inc) over GCC's vector types and compiled for each
// instruction set in a file of its own (thin_products_{sse2,avx2,avx512}.cpp).
#pragma once

#include <cstddef>

namespace saddle::kernels::thin {

inline constexpr std::size_t kThinSide = 16;

#define SADDLE_THIN_PRODUCTS(isa)                                                                      \
  namespace isa {                                                                                      \
  template <class T>                                                                                   \
  void nt(std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, const T* b, T beta, T* c); \
  template <class T>                                                                                   \
  void tn(std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, const T* b, T beta, T* c); \
  }
SADDLE_THIN_PRODUCTS(baseline)
SADDLE_THIN_PRODUCTS(avx2)
SADDLE_THIN_PRODUCTS(avx512)
#undef SADDLE_THIN_PRODUCTS

}  // namespace saddle::kernels::thin
