// Attention over a KV cache: scalar code the compiler vectorizes; softmax as ggml_vec_soft_max.
#include "kernels/cpu/attention.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/cpu/attention_kernels.h"
#include "kernels/quant/float_convert.h"

namespace ingot::cpu {
namespace {

using detail::load_scalar;

/// True when the AVX2 inner loops can run here.
bool use_avx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return avx2;
}

template <typename T>
float dot(const float* q, const T* k, int64_t n) {
  if (use_avx2()) return detail::dot_avx2(q, k, n);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += q[i] * load_scalar(k, i);
  return sum;
}

template <typename T>
void axpy(float a, const T* v, float* out, int64_t n) {
  if (use_avx2()) return detail::axpy_avx2(a, v, out, n);
  for (int64_t i = 0; i < n; ++i) out[i] += a * load_scalar(v, i);
}

template <typename T>
void attend_typed(const AttentionShape& shape, const float* q, const KvView& kv, int64_t count,
                  int64_t head_begin, int64_t head_end, float* out, float* scores) {
  const auto* keys = static_cast<const T*>(kv.keys);
  const auto* values = static_cast<const T*>(kv.values);
  const int64_t dim = shape.head_dim;
  const int64_t group = shape.num_heads / shape.num_kv_heads;
  for (int64_t h = head_begin; h < head_end; ++h) {
    const float* qh = q + h * dim;
    const int64_t kv_offset = (h / group) * dim;
    float max_score = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < count; ++j) {
      const T* k = keys + kv.rows[j] * kv.row_elements + kv_offset;
      scores[j] = dot(qh, k, dim) * shape.scale;
      max_score = scores[j] > max_score ? scores[j] : max_score;
    }
    double sum = 0.0;
    for (int64_t j = 0; j < count; ++j) {
      scores[j] = std::exp(scores[j] - max_score);
      sum += scores[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    float* oh = out + h * dim;
    std::memset(oh, 0, static_cast<size_t>(dim) * sizeof(float));
    for (int64_t j = 0; j < count; ++j) {
      const T* v = values + kv.rows[j] * kv.row_elements + kv_offset;
      const float p = scores[j] * inv;
      axpy(p, v, oh, dim);
    }
  }
}

}  // namespace

void attend(const AttentionShape& shape, const float* q, const KvView& kv, int64_t count,
            int64_t head_begin, int64_t head_end, float* out, std::span<float> scores) {
  assert(count > 0 && scores.size() >= static_cast<size_t>(count));
  assert(shape.num_kv_heads > 0 && shape.num_heads % shape.num_kv_heads == 0);
  if (kv.dtype == KvDType::kF32)
    attend_typed<float>(shape, q, kv, count, head_begin, head_end, out, scores.data());
  else
    attend_typed<uint16_t>(shape, q, kv, count, head_begin, head_end, out, scores.data());
}

void kv_store_row(KvDType dtype, void* dst, int64_t row_elements, int64_t row, const float* src) {
  if (dtype == KvDType::kF32) {
    std::memcpy(static_cast<float*>(dst) + row * row_elements, src,
                static_cast<size_t>(row_elements) * sizeof(float));
    return;
  }
  uint16_t* out = static_cast<uint16_t*>(dst) + row * row_elements;
  for (int64_t i = 0; i < row_elements; ++i) out[i] = quant::fp32_to_fp16(src[i]);
}

}  // namespace ingot::cpu
