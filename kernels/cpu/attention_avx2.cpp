// AVX2 + FMA + F16C attention: the inner loops of one head (q.k and p*v) and, for the common
// head sizes, one query token over one chunk of positions with eight keys scored at a time, the
// softmax vectorized and the output rows kept in registers. Built with a target pragma and
// called only when the CPU has them.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/cpu/attention_kernels.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

#include "kernels/cpu/simd_exp_avx2.inc"

namespace ingot::cpu::detail {
namespace {

inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
inline __m256 load8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8(const Bf16* p) {  // bfloat16 is the top half of a float
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

inline float hsum8(__m256 v) {
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  float sum = 0.0f;
  for (float lane : lanes) sum += lane;
  return sum;
}

template <typename T>
float dot(const float* q, const T* k, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(k + i), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), load8(k + i + 8), a1);
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(k + i), a0);
  float sum = hsum8(_mm256_add_ps(a0, a1));
  for (; i < n; ++i) sum += q[i] * load_scalar(k, i);
  return sum;
}

template <typename T>
void axpy(float a, const T* v, float* out, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_fmadd_ps(av, load8(v + i), _mm256_loadu_ps(out + i)));
  for (; i < n; ++i) out[i] += a * load_scalar(v, i);
}

/// softmax_in_place with the exponentials 8 at a time (exp8); the sum is still in double.
SoftmaxStats softmax8(float* s, int64_t n) {
  __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(s + j));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, vmax);
  float max_score = lanes[0];
  for (float lane : lanes) max_score = lane > max_score ? lane : max_score;
  for (; j < n; ++j) max_score = s[j] > max_score ? s[j] : max_score;
  const __m256 m = _mm256_set1_ps(max_score);
  __m256d sum_lo = _mm256_setzero_pd(), sum_hi = _mm256_setzero_pd();
  j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + j), m));
    _mm256_storeu_ps(s + j, e);
    sum_lo = _mm256_add_pd(sum_lo, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    sum_hi = _mm256_add_pd(sum_hi, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  }
  alignas(32) double halves[4];
  _mm256_store_pd(halves, _mm256_add_pd(sum_lo, sum_hi));
  double sum = (halves[0] + halves[1]) + (halves[2] + halves[3]);
  for (; j < n; ++j) sum += s[j] = std::exp(s[j] - max_score);
  const float inv = static_cast<float>(1.0 / sum);
  const __m256 vinv = _mm256_set1_ps(inv);
  j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(s + j, _mm256_mul_ps(_mm256_loadu_ps(s + j), vinv));
  for (; j < n; ++j) s[j] *= inv;
  return {max_score, static_cast<float>(sum)};
}

/// The lane sums of a[0..8), as the 8 lanes of one vector.
inline __m256 reduce8(const __m256 (&a)[8]) {
  // hadd pairs lanes within each 128-bit half: after two rounds, lane i of abcd holds the sum of
  // the low (i < 4) or high half of vector i % 4.
  const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
  const __m256 efgh = _mm256_hadd_ps(_mm256_hadd_ps(a[4], a[5]), _mm256_hadd_ps(a[6], a[7]));
  return _mm256_add_ps(_mm256_permute2f128_ps(abcd, efgh, 0x20),
                       _mm256_permute2f128_ps(abcd, efgh, 0x31));
}

/// Scaled scores of one query head (head_dim 8 * kD8) against `count` keys, eight at a time.
template <typename T, int kD8>
void score_keys(const float* q, const T* keys, const int32_t* rows, int64_t row_elements,
                int64_t kv_offset, int64_t count, float scale, float* scores) {
  const __m256 vscale = _mm256_set1_ps(scale);
  int64_t j = 0;
  for (; j + 8 <= count; j += 8) {
    const T* k[8];
    for (int i = 0; i < 8; ++i) k[i] = keys + rows[j + i] * row_elements + kv_offset;
    __m256 acc[8];
    const __m256 q0 = _mm256_loadu_ps(q);
    for (int i = 0; i < 8; ++i) acc[i] = _mm256_mul_ps(q0, load8(k[i]));
    for (int d = 1; d < kD8; ++d) {
      const __m256 qd = _mm256_loadu_ps(q + 8 * d);
      for (int i = 0; i < 8; ++i) acc[i] = _mm256_fmadd_ps(qd, load8(k[i] + 8 * d), acc[i]);
    }
    _mm256_storeu_ps(scores + j, _mm256_mul_ps(reduce8(acc), vscale));
  }
  for (; j < count; ++j) {
    const T* k = keys + rows[j] * row_elements + kv_offset;
    __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(q), load8(k));
    for (int d = 1; d < kD8; ++d)
      acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + 8 * d), load8(k + 8 * d), acc);
    scores[j] = hsum8(acc) * scale;
  }
}

/// out = sum over the positions of p[j] * value row j, 64 output lanes (8 registers) at a time.
template <typename T, int kD8>
void weigh_values(const float* p, const T* values, const int32_t* rows, int64_t row_elements,
                  int64_t kv_offset, int64_t count, float* out) {
  constexpr int kBlock = kD8 < 8 ? kD8 : 8;
  static_assert(kD8 % kBlock == 0);
  for (int d0 = 0; d0 < kD8; d0 += kBlock) {
    __m256 acc[kBlock];
    for (auto& a : acc) a = _mm256_setzero_ps();
    for (int64_t j = 0; j < count; ++j) {
      const T* v = values + rows[j] * row_elements + kv_offset + 8 * d0;
      const __m256 pj = _mm256_set1_ps(p[j]);
      for (int d = 0; d < kBlock; ++d) acc[d] = _mm256_fmadd_ps(pj, load8(v + 8 * d), acc[d]);
    }
    for (int d = 0; d < kBlock; ++d) _mm256_storeu_ps(out + 8 * (d0 + d), acc[d]);
  }
}

template <typename T, int kD8>
void attend_heads_fixed(const float* q, int64_t heads, const T* keys, const T* values,
                        const int32_t* rows, int64_t row_elements, int64_t kv_offset, int64_t count,
                        float scale, float* out, float* max_scores, float* sums, float* scores) {
  constexpr int64_t kDim = 8 * kD8;
  for (int64_t h = 0; h < heads; ++h) {
    score_keys<T, kD8>(q + h * kDim, keys, rows, row_elements, kv_offset, count, scale, scores);
    const SoftmaxStats stats = softmax8(scores, count);
    max_scores[h] = stats.max;
    sums[h] = stats.sum;
    weigh_values<T, kD8>(scores, values, rows, row_elements, kv_offset, count, out + h * kDim);
  }
}

template <typename T>
bool attend_heads_dispatch(const float* q, int64_t heads, int64_t dim, const T* keys,
                           const T* values, const int32_t* rows, int64_t row_elements,
                           int64_t kv_offset, int64_t count, float scale, float* out,
                           float* max_scores, float* sums, float* scores) {
  const auto run = [&]<int kD8>() {
    attend_heads_fixed<T, kD8>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale,
                               out, max_scores, sums, scores);
    return true;
  };
  switch (dim) {
    case 32: return run.template operator()<4>();
    case 64: return run.template operator()<8>();
    case 128: return run.template operator()<16>();
    default: return false;
  }
}

}  // namespace

float dot_avx2(const float* q, const float* k, int64_t n) { return dot(q, k, n); }
float dot_avx2(const float* q, const uint16_t* k, int64_t n) { return dot(q, k, n); }
void axpy_avx2(float a, const float* v, float* out, int64_t n) { axpy(a, v, out, n); }
void axpy_avx2(float a, const uint16_t* v, float* out, int64_t n) { axpy(a, v, out, n); }
float dot_avx2(const float* q, const Bf16* k, int64_t n) { return dot(q, k, n); }
void axpy_avx2(float a, const Bf16* v, float* out, int64_t n) { axpy(a, v, out, n); }

bool attend_heads_avx2(const float* q, int64_t heads, int64_t dim, const float* keys,
                       const float* values, const int32_t* rows, int64_t row_elements,
                       int64_t kv_offset, int64_t count, float scale, float* out, float* max_scores,
                       float* sums, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, max_scores, sums, scores);
}

bool attend_heads_avx2(const float* q, int64_t heads, int64_t dim, const uint16_t* keys,
                       const uint16_t* values, const int32_t* rows, int64_t row_elements,
                       int64_t kv_offset, int64_t count, float scale, float* out, float* max_scores,
                       float* sums, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, max_scores, sums, scores);
}

bool attend_heads_avx2(const float* q, int64_t heads, int64_t dim, const Bf16* keys,
                       const Bf16* values, const int32_t* rows, int64_t row_elements,
                       int64_t kv_offset, int64_t count, float scale, float* out, float* max_scores,
                       float* sums, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, max_scores, sums, scores);
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
