// AVX2 + FMA + F16C matmul kernels; built with a target pragma, called only when the CPU has them.
#include <immintrin.h>

#include <algorithm>
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

namespace {

/// AVX2 without VNNI: 8 rows per vector; maddubs + madd dot 4 byte pairs into each int32 lane.
struct Isa {
  static constexpr int kRows = 8;
  static constexpr int kTile = 4;
  using VecI = __m256i;
  using VecF = __m256;
  static VecF zero_f() { return _mm256_setzero_ps(); }
  static VecF set1_f(float v) { return _mm256_set1_ps(v); }
  static VecI set1_i(int32_t v) { return _mm256_set1_epi32(v); }
  static VecF halves(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static VecF load_f(const uint8_t* p) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  }
  static VecI load(const uint8_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static VecI low_nibbles(VecI v) { return _mm256_and_si256(v, _mm256_set1_epi8(0x0f)); }
  static VecI high_nibbles(VecI v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
  }
  /// Unsigned quants below 64 (nibbles, Q6_K) times 4 signed activation quants, as two 16-bit
  /// pair sums a lane: below 2 * 63 * 127, so maddubs never saturates.
  static VecI pairs_u(VecI w, int32_t x4) { return _mm256_maddubs_epi16(w, _mm256_set1_epi32(x4)); }
  static VecI add_pairs(VecI a, VecI b) { return _mm256_add_epi16(a, b); }
  /// acc plus each lane's two pair sums.
  static VecI widen_add(VecI acc, VecI pairs) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
  /// How many pairs_u results an int16 lane holds when stored quants reach max_quant and the
  /// activation quants 127: 8 for nibbles, 2 for Q6_K.
  static constexpr int short_run(int max_quant) { return 32767 / (2 * max_quant * 127); }
  /// Stored q + 128 back to signed, then |q| times x with q's sign: pairs below 2 * 128 * 127.
  static VecI dot_q8(VecI acc, VecI w, int32_t x4) {
    const VecI q = _mm256_xor_si256(w, _mm256_set1_epi8(static_cast<char>(0x80)));
    const VecI pairs =
        _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(_mm256_set1_epi32(x4), q));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
  static VecF to_float(VecI v) { return _mm256_cvtepi32_ps(v); }
  static VecF mul(VecF a, VecF b) { return _mm256_mul_ps(a, b); }
  static VecF fmadd(VecF a, VecF b, VecF c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* y, VecF v, int valid) {
    if (valid == kRows) return _mm256_storeu_ps(y, v);
    alignas(32) float lanes[kRows];
    _mm256_store_ps(lanes, v);
    std::memcpy(y, lanes, static_cast<size_t>(valid) * sizeof(float));
  }
};

}  // namespace

#include "kernels/cpu/matmul_avx2_panel.inc"

namespace {

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

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

void packed_kernel_avx2(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                        const Q8Activations& x, float* y, int64_t y_stride) {
  ingot::cpu::detail::with_packed_type(w.type, [&]<GgmlType T>() {
    whole_panel_rows<T>(w, panel_begin, panel_end, x, y, y_stride);
  });
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
