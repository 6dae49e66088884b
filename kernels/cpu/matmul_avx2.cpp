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

using ingot::cpu::detail::fold_float_lanes;
using ingot::cpu::detail::kFloatLanes;
using ingot::cpu::detail::reduce_lanes;

/// The dot of row wr and token xt from its 32 lanes of whole 32-element runs: the elements past
/// the last run into their lanes, then the lanes folded and summed in float_kernel_scalar's order.
inline float finish_lanes(GgmlType type, const uint8_t* wr, int64_t row_length, const float* xt,
                          float* lanes) {
  for (int64_t i = row_length / kFloatLanes * kFloatLanes; i < row_length; ++i)
    lanes[i % kFloatLanes] = std::fma(load1(type, wr, i), xt[i], lanes[i % kFloatLanes]);
  float folded[8];
  fold_float_lanes(lanes, folded);
  return reduce_lanes(folded);
}

/// kRows rows from wr (row_bytes apart) dotted with kTokens tokens from x, element i into float
/// lane i % 32 with one fma, as float_kernel_scalar: each of the 4 vectors of lanes is a pass
/// over the rows with one accumulator a row and token, so a weight vector serves every token and
/// an activation vector every row. Results go to y[t * y_stride + r].
template <int kRows, int kTokens>
void float_tile(GgmlType type, const uint8_t* wr, size_t row_bytes, int64_t row_length,
                const float* x, float* y, int64_t y_stride) {
  const int64_t n32 = row_length / kFloatLanes * kFloatLanes;
  float lanes[kRows][kTokens][kFloatLanes];
  for (int k = 0; k < kFloatLanes / 8; ++k) {
    __m256 acc[kRows][kTokens];
    for (auto& row : acc)
      for (auto& a : row) a = _mm256_setzero_ps();
    for (int64_t i = 8 * k; i < n32; i += kFloatLanes) {
      __m256 xv[kTokens];
      for (int t = 0; t < kTokens; ++t) xv[t] = _mm256_loadu_ps(x + t * row_length + i);
      for (int r = 0; r < kRows; ++r) {
        const __m256 wv = load8(type, wr + r * row_bytes, i);
        for (int t = 0; t < kTokens; ++t) acc[r][t] = _mm256_fmadd_ps(wv, xv[t], acc[r][t]);
      }
    }
    for (int r = 0; r < kRows; ++r)
      for (int t = 0; t < kTokens; ++t) _mm256_storeu_ps(&lanes[r][t][8 * k], acc[r][t]);
  }
  for (int r = 0; r < kRows; ++r)
    for (int t = 0; t < kTokens; ++t)
      y[t * y_stride + r] =
          finish_lanes(type, wr + r * row_bytes, row_length, x + t * row_length, lanes[r][t]);
}

/// Rows [0, rows) times 4 tokens, in float_tiles of 2 rows: 8 accumulators and 4 activation
/// vectors.
void float_rows_4_tokens(GgmlType type, const uint8_t* w, size_t row_bytes, int64_t rows,
                         int64_t row_length, const float* x, float* y, int64_t y_stride) {
  int64_t r = 0;
  for (; r + 2 <= rows; r += 2)
    float_tile<2, 4>(type, w + r * row_bytes, row_bytes, row_length, x, y + r, y_stride);
  if (r < rows)
    float_tile<1, 4>(type, w + r * row_bytes, row_bytes, row_length, x, y + r, y_stride);
}

/// Rows [0, rows) times `tokens` (< 4) tokens, a row at a time with four accumulators: one
/// sequential stream of weights, which is what decoding a token wants (float_tile's passes,
/// several rows at once, read DRAM 30% slower).
void float_rows_few_tokens(GgmlType type, const uint8_t* w, size_t row_bytes, int64_t rows,
                           int64_t row_length, const float* x, int64_t tokens, float* y,
                           int64_t y_stride) {
  const int64_t n32 = row_length / kFloatLanes * kFloatLanes;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* wr = w + r * row_bytes;
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
      y[t * y_stride + r] = finish_lanes(type, wr, row_length, xt, lanes);
    }
  }
}

}  // namespace

namespace ingot::cpu::detail {

void packed_kernel_avx2(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                        const Q8Activations& x, float* y, int64_t y_stride) {
  ingot::cpu::detail::with_packed_type(w.type, [&]<GgmlType T>() {
    whole_panel_rows<T>(w, panel_begin, panel_end, x, y, y_stride);
  });
}

// Element i goes into float lane i % 32 with one fma, as float_kernel_scalar. Tokens go in blocks
// whose activations stay in L2 while every row passes over them, 4 at a time (float_tile).
void float_kernel_avx2(GgmlType type, const uint8_t* w, int64_t rows, int64_t row_length,
                       const float* x, int64_t tokens, float* y, int64_t y_stride) {
  constexpr int64_t kBlockBytes = 192 << 10;
  const size_t row_bytes = static_cast<size_t>(row_length) * (type == GgmlType::F32 ? 4 : 2);
  const int64_t block = std::max<int64_t>(4, kBlockBytes / (row_length * 4) / 4 * 4);
  for (int64_t t0 = 0; t0 < tokens; t0 += block) {
    const int64_t t_end = std::min(tokens, t0 + block);
    int64_t t = t0;
    for (; t + 4 <= t_end; t += 4)
      float_rows_4_tokens(type, w, row_bytes, rows, row_length, x + t * row_length,
                          y + t * y_stride, y_stride);
    if (t < t_end)
      float_rows_few_tokens(type, w, row_bytes, rows, row_length, x + t * row_length, t_end - t,
                            y + t * y_stride, y_stride);
  }
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
