// Internal: the per-path kernels behind matmul and the packed weight layout they share.
#pragma once

#include <cstdint>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/ggml_type.h"

namespace ingot::cpu::detail {

/// Where things are in one panel block of PackedWeights (see matmul.h).
struct PackedLayout {
  uint64_t header = 0;       ///< bytes before the quants: the scales, then minimums or hi scales
  uint64_t block_bytes = 0;  ///< header plus quants
  int32_t offset = 0;        ///< stored quant minus offset is the signed quant (0 with minimums)
  bool nibbles = false;      ///< two 4-bit quants per byte
  bool has_min = false;      ///< a per-block term added as min * s_x (Q4_1; Q4_K's is negated)
  bool f32_scales = false;   ///< 16 float scales (and minimums) instead of fp16 ones
  bool two_scales = false;   ///< elements 0-15 and 16-31 have their own scale (Q6_K)
};

/// The layout of a matmul_packs type.
constexpr PackedLayout packed_layout(quant::GgmlType type) {
  switch (type) {
    case quant::GgmlType::Q4_0: return {32, 32 + 256, 8, true, false, false, false};
    case quant::GgmlType::Q4_1: return {64, 64 + 256, 0, true, true, false, false};
    case quant::GgmlType::Q4_K: return {128, 128 + 256, 0, true, true, true, false};
    case quant::GgmlType::Q6_K: return {128, 128 + 512, 32, false, false, true, true};
    default: return {32, 32 + 512, 128, false, false, false, false};  // Q8_0
  }
}

/// Calls f.template operator()<T>() for the matmul_packs type `type` (Q4_1 for any other), so
/// that each kernel instantiates itself per packed layout from one switch.
template <typename F>
decltype(auto) with_packed_type(quant::GgmlType type, F&& f) {
  switch (type) {
    case quant::GgmlType::Q8_0: return f.template operator()<quant::GgmlType::Q8_0>();
    case quant::GgmlType::Q4_0: return f.template operator()<quant::GgmlType::Q4_0>();
    case quant::GgmlType::Q4_K: return f.template operator()<quant::GgmlType::Q4_K>();
    case quant::GgmlType::Q6_K: return f.template operator()<quant::GgmlType::Q6_K>();
    default: return f.template operator()<quant::GgmlType::Q4_1>();
  }
}

/// Byte offsets in a panel block of row j's scale, and of its minimum or high-half scale.
constexpr uint64_t packed_scale_at(const PackedLayout& layout, int64_t j) {
  return static_cast<uint64_t>(j) * (layout.f32_scales ? 4 : 2);
}
constexpr uint64_t packed_second_at(const PackedLayout& layout, int64_t j) {
  return (layout.f32_scales ? 64 : 32) + packed_scale_at(layout, j);
}

/// Integer kernels: panels [panel_begin, panel_end) of `w` times every token of `x`, writing
/// y[t * y_stride + r] for the panels' rows r < w.rows.
using PackedKernel = void (*)(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                              const Q8Activations& x, float* y, int64_t y_stride);
/// Float kernels for F32/F16/BF16 weights, with the same output layout.
using FloatKernel = void (*)(quant::GgmlType type, const uint8_t* w, int64_t rows,
                             int64_t row_length, const float* x, int64_t tokens, float* y,
                             int64_t y_stride);

void packed_kernel_scalar(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                          const Q8Activations& x, float* y, int64_t y_stride);
void float_kernel_scalar(quant::GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                         const float* x, int64_t tokens, float* y, int64_t y_stride);
void packed_kernel_avx2(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                        const Q8Activations& x, float* y, int64_t y_stride);
void float_kernel_avx2(quant::GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                       const float* x, int64_t tokens, float* y, int64_t y_stride);
void packed_kernel_avx512vnni(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                              const Q8Activations& x, float* y, int64_t y_stride);
void packed_kernel_amx(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                       const Q8Activations& x, float* y, int64_t y_stride);

/// True when the CPU has AMX-TILE and AMX-INT8 and the OS grants this process the tile state
/// (asked once, on the first call, for every thread).
bool amx_available();

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
