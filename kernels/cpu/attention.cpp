// Attention over a KV cache: scalar code the compiler vectorizes; softmax as ggml_vec_soft_max.
#include "kernels/cpu/attention.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/quant/float_convert.h"

namespace ingot::cpu {
namespace {

template <typename T>
inline float load(const T* p, int64_t i) {
  if constexpr (std::is_same_v<T, float>)
    return p[i];
  else
    return quant::fp16_to_fp32(p[i]);
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
      float dot = 0.0f;
      for (int64_t i = 0; i < dim; ++i) dot += qh[i] * load(k, i);
      scores[j] = dot * shape.scale;
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
      for (int64_t i = 0; i < dim; ++i) oh[i] += p * load(v, i);
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
