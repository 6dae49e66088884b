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
  /// Q8_0 dots the signed quants (sign trick) rather than q + 128, which maddubs would saturate.
  static constexpr bool kUnsignedQ8 = false;
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

#include "kernels/cpu/matmul_simd.inc"

namespace {

using ingot::cpu::detail::packed_layout;
using ingot::cpu::detail::PackedLayout;

/// An empty asm that claims to change a and b: it pins them to registers at this point. Without
/// it GCC hoists a block's maddubs ahead of their adds and spills the 16-bit sums to the stack
/// (Zen 3, nibble_panel_tile at 4 tokens: 77 GMAC/s without, 106 with).
inline void keep_in_registers(__m256i& a, __m256i& b) { __asm__ volatile("" : "+x"(a), "+x"(b)); }

/// Tokens [t0, t0 + kTile) times the 16 rows of one panel of a nibble layout (Q4_0, Q4_1, Q4_K),
/// both 8-row halves at once with the quant groups outermost, so that each activation broadcast
/// feeds two maddubs and a block's 16-bit sums (8 groups: below 8 * 2 * 15 * 127) stay in
/// registers. The integer sums and the float operations are panel_tile's, in its order, so the
/// results are the same bits. `valid` of the 16 rows exist.
template <GgmlType T, int kTile>
[[gnu::noinline]] void nibble_panel_tile(const uint8_t* panel, int64_t nb, const ingot::cpu::Q8Activations& x,
                       int64_t t0, float* y, int64_t y_stride, int valid) {
  constexpr PackedLayout kLayout = packed_layout(T);
  static_assert(kLayout.nibbles && !kLayout.two_scales && Isa::short_run(15) >= 8);
  __m256 acc[2][kTile];
  for (auto& half : acc)
    for (auto& a : half) a = Isa::zero_f();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* block = panel + static_cast<size_t>(b) * kLayout.block_bytes;
    const uint8_t* qs = block + kLayout.header;
    const int8_t* xq[kTile];
    for (int t = 0; t < kTile; ++t) xq[t] = x.qs.data() + static_cast<size_t>((t0 + t) * nb + b) * 32;
    __m256i sums[2][kTile];  // per half and token: the block's 16-bit pair sums
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {  // bytes 64c.. hold groups c (low nibbles) and c + 4 (high)
      const __m256i v0 = Isa::load(qs + 64 * c), v1 = Isa::load(qs + 64 * c + 32);
      const __m256i lo0 = Isa::low_nibbles(v0), hi0 = Isa::high_nibbles(v0);
      const __m256i lo1 = Isa::low_nibbles(v1), hi1 = Isa::high_nibbles(v1);
#pragma GCC unroll 16
      for (int t = 0; t < kTile; ++t) {
        const int32_t xl = load_i32(xq[t] + 4 * c), xh = load_i32(xq[t] + 4 * (c + 4));
        __m256i s0 = Isa::add_pairs(Isa::pairs_u(lo0, xl), Isa::pairs_u(hi0, xh));
        __m256i s1 = Isa::add_pairs(Isa::pairs_u(lo1, xl), Isa::pairs_u(hi1, xh));
        if (c > 0) {
          s0 = Isa::add_pairs(sums[0][t], s0);
          s1 = Isa::add_pairs(sums[1][t], s1);
        }
        sums[0][t] = s0;
        sums[1][t] = s1;
        keep_in_registers(sums[0][t], sums[1][t]);
      }
    }
    __m256 dw[2], minimum[2] = {Isa::zero_f(), Isa::zero_f()};
    for (int h = 0; h < 2; ++h) {
      dw[h] = load_scales<kLayout.f32_scales>(
          block + ingot::cpu::detail::packed_scale_at(kLayout, h * Isa::kRows));
      if constexpr (kLayout.has_min)
        minimum[h] = load_scales<kLayout.f32_scales>(
            block + ingot::cpu::detail::packed_second_at(kLayout, h * Isa::kRows));
    }
#pragma GCC unroll 16
    for (int t = 0; t < kTile; ++t) {
      const size_t tb = static_cast<size_t>((t0 + t) * nb + b);
      const auto start = Isa::set1_i(-kLayout.offset * x.sum[tb]);
      const auto dx = Isa::set1_f(x.d[tb]);
      for (int h = 0; h < 2; ++h) {
        acc[h][t] = Isa::fmadd(Isa::to_float(Isa::widen_add(start, sums[h][t])),
                               Isa::mul(dw[h], dx), acc[h][t]);
        if constexpr (kLayout.has_min)
          acc[h][t] = Isa::fmadd(minimum[h], Isa::set1_f(x.s[tb]), acc[h][t]);
      }
    }
  }
  const int valid_hi = valid - Isa::kRows;
  for (int t = 0; t < kTile; ++t) {
    float* yt = y + (t0 + t) * y_stride;
    Isa::store(yt, acc[0][t], std::min(valid, Isa::kRows));
    if (valid_hi > 0) Isa::store(yt + Isa::kRows, acc[1][t], valid_hi);
  }
}

/// nibble_panel_tile for each tile of Isa::kTile tokens and then the n < kTile tokens left.
template <GgmlType T, int kTile = Isa::kTile>
void nibble_panel_tokens(const uint8_t* panel, int64_t nb, const ingot::cpu::Q8Activations& x,
                         int64_t t0, float* y, int64_t y_stride, int valid) {
  for (; t0 + kTile <= x.tokens; t0 += kTile)
    nibble_panel_tile<T, kTile>(panel, nb, x, t0, y, y_stride, valid);
  if constexpr (kTile > 1)
    if (t0 < x.tokens) nibble_panel_tokens<T, kTile - 1>(panel, nb, x, t0, y, y_stride, valid);
}

/// Panels [panel_begin, panel_end) of a nibble layout times every token of x.
template <GgmlType T>
void nibble_rows(const ingot::cpu::PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                 const ingot::cpu::Q8Activations& x, float* y, int64_t y_stride) {
  using ingot::cpu::kPanelRows;
  for (int64_t p = panel_begin; p < panel_end; ++p) {
    const int valid = static_cast<int>(std::min<int64_t>(kPanelRows, w.rows - p * kPanelRows));
    nibble_panel_tokens<T>(w.panel(p), w.blocks(), x, 0, y + p * kPanelRows, y_stride, valid);
  }
}

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
  switch (w.type) {
    case GgmlType::Q4_0: return nibble_rows<GgmlType::Q4_0>(w, panel_begin, panel_end, x, y, y_stride);
    case GgmlType::Q4_1: return nibble_rows<GgmlType::Q4_1>(w, panel_begin, panel_end, x, y, y_stride);
    case GgmlType::Q4_K: return nibble_rows<GgmlType::Q4_K>(w, panel_begin, panel_end, x, y, y_stride);
    default: return packed_dispatch(w, panel_begin, panel_end, x, y, y_stride);
  }
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
