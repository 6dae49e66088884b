// Internal: the inner loops of attention, scalar, AVX2 and AVX-512.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/cpu/attention.h"
#include "kernels/quant/float_convert.h"

namespace ingot::cpu::detail {

/// Element i of a float, fp16 (uint16_t) or bfloat16 (Bf16) cache row, as a float.
template <typename T>
inline float load_scalar(const T* p, int64_t i) {
  if constexpr (std::is_same_v<T, float>)
    return p[i];
  else if constexpr (std::is_same_v<T, Bf16>)
    return quant::bf16_to_fp32(p[i].bits);
  else
    return quant::fp16_to_fp32(p[i]);
}

/// The highest score of a softmax and the sum of exp(score - highest).
struct SoftmaxStats {
  float max;
  float sum;
};

/// Softmax of s[0..n) in place, as ggml_vec_soft_max: exp(s - max), summed in double.
SoftmaxStats softmax_in_place(float* s, int64_t n);

/// Attention of one query token over `count` positions (one chunk) for `heads` consecutive heads
/// that all read the KV head at kv_offset (see attend_chunk_typed in attention.cpp): each head's
/// normalized output goes to out (head_dim floats a head), its highest score to max_scores and its
/// sum of exponentials to sums.
/// `scores` needs heads * count floats. Returns false, doing nothing, for a head_dim without a
/// kernel (32, 64 and 128 have one).
bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const float* keys,
                         const float* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* max_scores, float* sums, float* scores);
bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const uint16_t* keys,
                         const uint16_t* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* max_scores, float* sums, float* scores);
bool attend_heads_avx512(const float* q, int64_t heads, int64_t dim, const Bf16* keys,
                         const Bf16* values, const int32_t* rows, int64_t row_elements,
                         int64_t kv_offset, int64_t count, float scale, float* out,
                         float* max_scores, float* sums, float* scores);

/// attend_heads_avx512 on AVX2 (head_dim 32, 64 and 128), a head at a time with eight keys
/// scored at a time; `scores` needs count floats.
bool attend_heads_avx2(const float* q, int64_t heads, int64_t dim, const float* keys,
                       const float* values, const int32_t* rows, int64_t row_elements,
                       int64_t kv_offset, int64_t count, float scale, float* out,
                       float* max_scores, float* sums, float* scores);
bool attend_heads_avx2(const float* q, int64_t heads, int64_t dim, const uint16_t* keys,
                       const uint16_t* values, const int32_t* rows, int64_t row_elements,
                       int64_t kv_offset, int64_t count, float scale, float* out,
                       float* max_scores, float* sums, float* scores);
bool attend_heads_avx2(const float* q, int64_t heads, int64_t dim, const Bf16* keys,
                       const Bf16* values, const int32_t* rows, int64_t row_elements,
                       int64_t kv_offset, int64_t count, float scale, float* out,
                       float* max_scores, float* sums, float* scores);

/// One head's q.k and p*v inner loops, for the head sizes without an attend_heads kernel.
float dot_avx2(const float* q, const float* k, int64_t n);
float dot_avx2(const float* q, const uint16_t* k, int64_t n);
void axpy_avx2(float a, const float* v, float* out, int64_t n);
void axpy_avx2(float a, const uint16_t* v, float* out, int64_t n);
float dot_avx2(const float* q, const Bf16* k, int64_t n);
void axpy_avx2(float a, const Bf16* v, float* out, int64_t n);

}  // namespace ingot::cpu::detail
