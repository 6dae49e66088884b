// AVX2 activation quantization, bit for bit quantize_activation_rows: the same amax, the same
// float products, and cvtps_epi32's round-to-nearest-even is nearbyint's in the default mode.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/float_convert.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

namespace ingot::cpu::detail {
namespace {

inline int32_t hsum(__m256i v) {
  const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i t = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  return _mm_cvtsi128_si32(_mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1)));
}

}  // namespace

void quantize_activation_rows_avx2(const float* x, int64_t begin, int64_t end, Q8Activations& out) {
  const size_t first = static_cast<size_t>(begin * out.blocks);
  const size_t last = static_cast<size_t>(end * out.blocks);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (size_t b = first; b < last; ++b) {
    const float* src = x + b * 32;
    __m256 v[4];
    for (int i = 0; i < 4; ++i) v[i] = _mm256_loadu_ps(src + 8 * i);
    __m256 m =
        _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                      _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    const __m256 scale = _mm256_set1_ps(id);
    __m256i q[4];
    for (int i = 0; i < 4; ++i) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], scale));
    const int32_t sum_lo = hsum(_mm256_add_epi32(q[0], q[1]));
    const int32_t sum = sum_lo + hsum(_mm256_add_epi32(q[2], q[3]));
    // Narrow to bytes (no saturation: |q| <= 127); packs interleaves 128-bit lanes, undone
    // by the final permute.
    const __m256i w01 = _mm256_packs_epi32(q[0], q[1]);
    const __m256i w23 = _mm256_packs_epi32(q[2], q[3]);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w01, w23),
                                                      _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.qs.data() + b * 32), bytes);
    out.d[b] = quant::fp16_to_fp32(quant::fp32_to_fp16(d));
    out.s[b] = quant::fp16_to_fp32(quant::fp32_to_fp16(d * static_cast<float>(sum)));
    out.sum[b] = sum;
    out.sum_lo[b] = sum_lo;
  }
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
