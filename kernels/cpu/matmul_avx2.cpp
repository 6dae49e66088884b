// AVX2 + FMA + F16C matmul kernels; built with a target pragma, called only when the CPU has them.
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/matmul_kernels.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/float_convert.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

#define INGOT_SIMD_VNNI 0
#include "kernels/cpu/matmul_simd.inc"

namespace {

/// 8 weights from element i of a F32, F16 or BF16 row.
inline __m256 load8(GgmlType type, const uint8_t* row, int64_t i) {
  if (type == GgmlType::F32) return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + i);
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + i * 2));
  if (type == GgmlType::F16) return _mm256_cvtph_ps(h);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

inline float load1(GgmlType type, const uint8_t* row, int64_t i) {
  if (type == GgmlType::F32) {
    float v;
    std::memcpy(&v, row + i * 4, 4);
    return v;
  }
  const uint16_t h = load_u16(row + i * 2);
  return type == GgmlType::F16 ? ingot::quant::fp16_to_fp32(h) : ingot::quant::bf16_to_fp32(h);
}

}  // namespace

namespace ingot::cpu::detail {

void quant_kernel_avx2(GgmlType type, const uint8_t* w, int64_t rows, const Q8Activations& x,
                       float* y, int64_t y_stride) {
  quant_dispatch(type, w, rows, x, y, y_stride);
}

// Element i goes into float lane i % 32 with one fma, as float_kernel_scalar.
void float_kernel_avx2(GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                       const float* x, int64_t tokens, float* y, int64_t y_stride) {
  const size_t elem = type == GgmlType::F32 ? 4 : 2;
  const int64_t n32 = row_length / kFloatLanes * kFloatLanes;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* wr = w + static_cast<size_t>(r * row_length) * elem;
    for (int64_t t = 0; t < tokens; ++t) {
      const float* xt = x + t * row_length;
      // Four independent chains hide the fma latency.
      __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                       _mm256_setzero_ps()};
      for (int64_t i = 0; i < n32; i += kFloatLanes)
        for (int k = 0; k < 4; ++k)
          acc[k] =
              _mm256_fmadd_ps(load8(type, wr, i + 8 * k), _mm256_loadu_ps(xt + i + 8 * k), acc[k]);
      float lanes[kFloatLanes];
      for (int k = 0; k < 4; ++k) _mm256_storeu_ps(lanes + 8 * k, acc[k]);
      for (int64_t i = n32; i < row_length; ++i)
        lanes[i % kFloatLanes] = std::fma(load1(type, wr, i), xt[i], lanes[i % kFloatLanes]);
      float folded[8];
      fold_float_lanes(lanes, folded);
      y[t * y_stride + r] = reduce_lanes(folded);
    }
  }
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
