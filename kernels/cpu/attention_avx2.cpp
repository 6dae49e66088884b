// AVX2 + FMA + F16C inner loops of attention (q.k and p*v over one head); built with a target
// pragma and called only when the CPU has them.
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/attention_kernels.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

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

template <typename T>
float dot(const float* q, const T* k, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(k + i), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), load8(k + i + 8), a1);
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(k + i), a0);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(a0, a1));
  float sum = 0.0f;
  for (float lane : lanes) sum += lane;
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

}  // namespace

float dot_avx2(const float* q, const float* k, int64_t n) { return dot(q, k, n); }
float dot_avx2(const float* q, const uint16_t* k, int64_t n) { return dot(q, k, n); }
void axpy_avx2(float a, const float* v, float* out, int64_t n) { axpy(a, v, out, n); }
void axpy_avx2(float a, const uint16_t* v, float* out, int64_t n) { axpy(a, v, out, n); }
float dot_avx2(const float* q, const Bf16* k, int64_t n) { return dot(q, k, n); }
void axpy_avx2(float a, const Bf16* v, float* out, int64_t n) { axpy(a, v, out, n); }

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
