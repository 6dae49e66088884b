// AVX-512 attention of one query token over one chunk of positions, for heads that share a KV
// head: the keys and values are loaded once for all of those heads, and the output rows stay in
// registers across the positions. Built with a target pragma and called only when the CPU has
// AVX-512F.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/cpu/attention_kernels.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f")
// GCC 12's avx512fintrin.h starts some conversions from _mm512_undefined_*, which
// -W(maybe-)uninitialized reports at every use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "kernels/cpu/simd_exp.inc"

namespace ingot::cpu::detail {
namespace {

inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 load16(const Bf16* p) {  // bfloat16 is the top half of a float
  const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/// softmax_in_place with the exponentials 16 at a time; the sum is still in double.
SoftmaxStats softmax16(float* s, int64_t n) {
  __m512 vmax = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(s + j));
  float max_score = _mm512_reduce_max_ps(vmax);
  for (; j < n; ++j) max_score = s[j] > max_score ? s[j] : max_score;
  const __m512 m = _mm512_set1_ps(max_score);
  __m512d sum_lo = _mm512_setzero_pd(), sum_hi = _mm512_setzero_pd();
  j = 0;
  for (; j + 16 <= n; j += 16) {
    const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(s + j), m));
    _mm512_storeu_ps(s + j, e);
    sum_lo = _mm512_add_pd(sum_lo, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
    sum_hi = _mm512_add_pd(
        sum_hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
  }
  double sum = _mm512_reduce_add_pd(_mm512_add_pd(sum_lo, sum_hi));
  for (; j < n; ++j) sum += s[j] = std::exp(s[j] - max_score);
  const __m512 inv = _mm512_set1_ps(static_cast<float>(1.0 / sum));
  j = 0;
  for (; j + 16 <= n; j += 16) _mm512_storeu_ps(s + j, _mm512_mul_ps(_mm512_loadu_ps(s + j), inv));
  const float inv1 = static_cast<float>(1.0 / sum);
  for (; j < n; ++j) s[j] *= inv1;
  return {max_score, static_cast<float>(sum)};
}

/// The sums of the 16 lanes of a, b, c and d, as lanes 0-3.
inline __m256 halve(__m512 v) {
  return _mm256_add_ps(_mm512_castps512_ps256(v),
                       _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

inline __m128 reduce4(__m512 a, __m512 b, __m512 c, __m512 d) {
  const __m256 ab = _mm256_hadd_ps(halve(a), halve(b));
  const __m256 cd = _mm256_hadd_ps(halve(c), halve(d));
  const __m256 abcd = _mm256_hadd_ps(ab, cd);
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

/// Lane-wise products of one query head and a key row, summed over the head's 16-lane blocks.
template <typename T, int kD16>
inline __m512 dot16(const __m512 (&q)[kD16], const T* k) {
  __m512 acc = _mm512_mul_ps(q[0], load16(k));
  for (int d = 1; d < kD16; ++d) acc = _mm512_fmadd_ps(q[d], load16(k + 16 * d), acc);
  return acc;
}

/// kHeads heads of head_dim 16 * kD16, all reading the KV head at kv_offset of each cache row.
template <typename T, int kD16, int kHeads>
void attend_run(const float* q, const T* keys, const T* values, const int32_t* rows,
                int64_t row_elements, int64_t kv_offset, int64_t count, float scale, float* out,
                float* max_scores, float* sums, float* scores) {
  constexpr int64_t kDim = 16 * kD16;
  __m512 qv[kHeads][kD16];
  for (int h = 0; h < kHeads; ++h)
    for (int d = 0; d < kD16; ++d) qv[h][d] = _mm512_loadu_ps(q + h * kDim + 16 * d);
  // Scores four keys at a time, so one transposing reduction serves four dot products.
  int64_t j = 0;
  for (; j + 4 <= count; j += 4) {
    const T* k[4];
    for (int i = 0; i < 4; ++i) k[i] = keys + rows[j + i] * row_elements + kv_offset;
    for (int h = 0; h < kHeads; ++h) {
      const __m128 sums = reduce4(dot16<T, kD16>(qv[h], k[0]), dot16<T, kD16>(qv[h], k[1]),
                                  dot16<T, kD16>(qv[h], k[2]), dot16<T, kD16>(qv[h], k[3]));
      _mm_storeu_ps(scores + h * count + j, _mm_mul_ps(sums, _mm_set1_ps(scale)));
    }
  }
  for (; j < count; ++j) {
    const T* k = keys + rows[j] * row_elements + kv_offset;
    for (int h = 0; h < kHeads; ++h)
      scores[h * count + j] = _mm512_reduce_add_ps(dot16<T, kD16>(qv[h], k)) * scale;
  }
  for (int h = 0; h < kHeads; ++h) {
    const SoftmaxStats stats = softmax16(scores + h * count, count);
    max_scores[h] = stats.max;
    sums[h] = stats.sum;
  }
  __m512 acc[kHeads][kD16];
  for (auto& head : acc)
    for (auto& a : head) a = _mm512_setzero_ps();
  for (int64_t j = 0; j < count; ++j) {
    const T* v = values + rows[j] * row_elements + kv_offset;
    __m512 vv[kD16];
    for (int d = 0; d < kD16; ++d) vv[d] = load16(v + 16 * d);
    for (int h = 0; h < kHeads; ++h) {
      const __m512 p = _mm512_set1_ps(scores[h * count + j]);
      for (int d = 0; d < kD16; ++d) acc[h][d] = _mm512_fmadd_ps(p, vv[d], acc[h][d]);
    }
  }
  for (int h = 0; h < kHeads; ++h)
    for (int d = 0; d < kD16; ++d) _mm512_storeu_ps(out + h * kDim + 16 * d, acc[h][d]);
}

/// Splits `heads` into runs of at most 16 / kD16 (the registers the output rows take).
template <typename T, int kD16>
void attend_heads(const float* q, int64_t heads, const T* keys, const T* values,
                  const int32_t* rows, int64_t row_elements, int64_t kv_offset, int64_t count,
                  float scale, float* out, float* max_scores, float* sums, float* scores) {
  constexpr int64_t kDim = 16 * kD16;
  constexpr int kMax = 16 / kD16;
  for (int64_t h = 0; h < heads;) {
    const int n = static_cast<int>(heads - h < kMax ? heads - h : kMax);
    const float* qh = q + h * kDim;
    float* oh = out + h * kDim;
    const auto run = [&]<int kHeads>() {
      attend_run<T, kD16, kHeads>(qh, keys, values, rows, row_elements, kv_offset, count, scale, oh,
                                  max_scores + h, sums + h, scores);
    };
    switch (n) {
      case 1: run.template operator()<1>(); break;
      case 2:
        if constexpr (kMax >= 2) run.template operator()<2>();
        break;
      case 3:
        if constexpr (kMax >= 3) run.template operator()<3>();
        break;
      default:
        if constexpr (kMax >= 4) run.template operator()<4>();
        break;
    }
    h += n;
  }
}

template <typename T>
bool attend_heads_dispatch(const float* q, int64_t heads, int64_t dim, const T* keys,
                           const T* values, const int32_t* rows, int64_t row_elements,
                           int64_t kv_offset, int64_t count, float scale, float* out,
                           float* max_scores, float* sums, float* scores) {
  switch (dim) {
    case 32:
      attend_heads<T, 2>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale, out,
                         max_scores, sums, scores);
      return true;
    case 64:
      attend_heads<T, 4>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale, out,
                         max_scores, sums, scores);
      return true;
    case 128:
      attend_heads<T, 8>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale, out,
                         max_scores, sums, scores);
      return true;
    default: return false;
  }
}

}  // namespace

bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const float* keys,
                         const float* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* max_scores, float* sums, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, max_scores, sums, scores);
}

bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const uint16_t* keys,
                         const uint16_t* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* max_scores, float* sums, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, max_scores, sums, scores);
}

bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const Bf16* keys,
                         const Bf16* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* max_scores, float* sums, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, max_scores, sums, scores);
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
