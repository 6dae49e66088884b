// Internal: the per-path kernels behind matmul (one row range, all tokens).
#pragma once

#include <cstdint>

#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/ggml_type.h"

namespace ingot::cpu::detail {

/// Integer kernels for Q8_0/Q4_0/Q4_1 weights: y[t * y_stride + r] for r < rows and every token.
using QuantKernel = void (*)(quant::GgmlType type, const uint8_t* w, int64_t rows,
                             const Q8Activations& x, float* y, int64_t y_stride);
/// Float kernels for F32/F16/BF16 weights, with the same output layout.
using FloatKernel = void (*)(quant::GgmlType type, const uint8_t* w, int64_t rows,
                             int64_t row_length, const float* x, int64_t tokens, float* y,
                             int64_t y_stride);

void quant_kernel_scalar(quant::GgmlType type, const uint8_t* w, int64_t rows,
                         const Q8Activations& x, float* y, int64_t y_stride);
void float_kernel_scalar(quant::GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                         const float* x, int64_t tokens, float* y, int64_t y_stride);
void quant_kernel_avx2(quant::GgmlType type, const uint8_t* w, int64_t rows, const Q8Activations& x,
                       float* y, int64_t y_stride);
void float_kernel_avx2(quant::GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                       const float* x, int64_t tokens, float* y, int64_t y_stride);
void quant_kernel_avx512vnni(quant::GgmlType type, const uint8_t* w, int64_t rows,
                             const Q8Activations& x, float* y, int64_t y_stride);

/// Float lanes of the F32/F16/BF16 kernels: element i goes into lane i % 32 (4 AVX2 registers).
inline constexpr int kFloatLanes = 32;

/// Folds 32 float lanes to 8 as ((a[l] + a[l+8]) + a[l+16]) + a[l+24], the order of the SIMD adds.
inline void fold_float_lanes(const float* a32, float* a8) {
  for (int l = 0; l < 8; ++l) a8[l] = ((a32[l] + a32[l + 8]) + a32[l + 16]) + a32[l + 24];
}

/// Sums the 8 lane accumulators in the one order every path uses.
inline float reduce_lanes(const float* acc) {
  float r = acc[0];
  for (int l = 1; l < 8; ++l) r += acc[l];
  return r;
}

}  // namespace ingot::cpu::detail
