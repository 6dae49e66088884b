// AVX-512 attention for one query token over heads that share a KV head: the keys and values
// are loaded once for all of those heads, and the output rows stay in registers across the
// positions. Built with a target pragma and called only when the CPU has AVX-512F.
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/attention_kernels.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f")
// GCC 12's avx512fintrin.h starts some conversions from _mm512_undefined_*, which
// -Wmaybe-uninitialized reports at every use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace ingot::cpu::detail {
namespace {

inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

/// kHeads heads of head_dim 16 * kD16, all reading the KV head at kv_offset of each cache row.
template <typename T, int kD16, int kHeads>
void attend_chunk(const float* q, const T* keys, const T* values, const int32_t* rows,
                  int64_t row_elements, int64_t kv_offset, int64_t count, float scale, float* out,
                  float* scores) {
  constexpr int64_t kDim = 16 * kD16;
  __m512 qv[kHeads][kD16];
  for (int h = 0; h < kHeads; ++h)
    for (int d = 0; d < kD16; ++d) qv[h][d] = _mm512_loadu_ps(q + h * kDim + 16 * d);
  for (int64_t j = 0; j < count; ++j) {
    const T* k = keys + rows[j] * row_elements + kv_offset;
    __m512 kv[kD16];
    for (int d = 0; d < kD16; ++d) kv[d] = load16(k + 16 * d);
    for (int h = 0; h < kHeads; ++h) {
      __m512 acc = _mm512_mul_ps(qv[h][0], kv[0]);
      for (int d = 1; d < kD16; ++d) acc = _mm512_fmadd_ps(qv[h][d], kv[d], acc);
      scores[h * count + j] = _mm512_reduce_add_ps(acc) * scale;
    }
  }
  for (int h = 0; h < kHeads; ++h) softmax_in_place(scores + h * count, count);
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

/// Splits `heads` into chunks of at most 16 / kD16 (the registers the output rows take).
template <typename T, int kD16>
void attend_heads(const float* q, int64_t heads, const T* keys, const T* values,
                  const int32_t* rows, int64_t row_elements, int64_t kv_offset, int64_t count,
                  float scale, float* out, float* scores) {
  constexpr int64_t kDim = 16 * kD16;
  constexpr int kMax = 16 / kD16;
  for (int64_t h = 0; h < heads;) {
    const int n = static_cast<int>(heads - h < kMax ? heads - h : kMax);
    const float* qh = q + h * kDim;
    float* oh = out + h * kDim;
    const auto run = [&]<int kHeads>() {
      attend_chunk<T, kD16, kHeads>(qh, keys, values, rows, row_elements, kv_offset, count, scale,
                                    oh, scores);
    };
    switch (n) {
      case 1: run.template operator()<1>(); break;
      case 2: if constexpr (kMax >= 2) run.template operator()<2>(); break;
      case 3: if constexpr (kMax >= 3) run.template operator()<3>(); break;
      default: if constexpr (kMax >= 4) run.template operator()<4>(); break;
    }
    h += n;
  }
}

template <typename T>
bool attend_heads_dispatch(const float* q, int64_t heads, int64_t dim, const T* keys,
                           const T* values, const int32_t* rows, int64_t row_elements,
                           int64_t kv_offset, int64_t count, float scale, float* out,
                           float* scores) {
  switch (dim) {
    case 32: attend_heads<T, 2>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale, out, scores); return true;
    case 64: attend_heads<T, 4>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale, out, scores); return true;
    case 128: attend_heads<T, 8>(q, heads, keys, values, rows, row_elements, kv_offset, count, scale, out, scores); return true;
    default: return false;
  }
}

}  // namespace

bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const float* keys,
                         const float* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out, float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, scores);
}

bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const uint16_t* keys,
                         const uint16_t* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* scores) {
  return attend_heads_dispatch(q, heads, dim, keys, values, rows, row_elements, kv_offset, count,
                               scale, out, scores);
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
