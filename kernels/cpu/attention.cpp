// Attention over a KV cache: path dispatch, the per-head scalar and AVX2 loops, and the softmax.
#include "kernels/cpu/attention.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/cpu/attention_kernels.h"
#include "kernels/quant/float_convert.h"

namespace ingot::cpu {
namespace {

using detail::load_scalar;

template <typename T>
float dot(bool avx2, const float* q, const T* k, int64_t n) {
  if (avx2) return detail::dot_avx2(q, k, n);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += q[i] * load_scalar(k, i);
  return sum;
}

template <typename T>
void axpy(bool avx2, float a, const T* v, float* out, int64_t n) {
  if (avx2) return detail::axpy_avx2(a, v, out, n);
  for (int64_t i = 0; i < n; ++i) out[i] += a * load_scalar(v, i);
}

/// One head at a time: scores, softmax, then the probability-weighted sum of the values.
template <typename T>
void attend_head(bool avx2, const AttentionShape& shape, const float* qh, const T* keys,
                 const T* values, const KvView& kv, int64_t kv_offset, int64_t count, float* oh,
                 float* scores) {
  const int64_t dim = shape.head_dim;
  for (int64_t j = 0; j < count; ++j)
    scores[j] = dot(avx2, qh, keys + kv.rows[j] * kv.row_elements + kv_offset, dim) * shape.scale;
  detail::softmax_in_place(scores, count);
  std::memset(oh, 0, static_cast<size_t>(dim) * sizeof(float));
  for (int64_t j = 0; j < count; ++j)
    axpy(avx2, scores[j], values + kv.rows[j] * kv.row_elements + kv_offset, oh, dim);
}

template <typename T>
void attend_typed(AttentionPath path, const AttentionShape& shape, const float* q, const KvView& kv,
                  int64_t count, int64_t head_begin, int64_t head_end, float* out, float* scores) {
  const auto* keys = static_cast<const T*>(kv.keys);
  const auto* values = static_cast<const T*>(kv.values);
  const int64_t dim = shape.head_dim;
  const int64_t group = shape.num_heads / shape.num_kv_heads;
  for (int64_t h = head_begin; h < head_end;) {
    // The run of heads from h that read the same KV head.
    const int64_t run_end = std::min(head_end, (h / group + 1) * group);
    const int64_t kv_offset = (h / group) * dim;
    if (path != AttentionPath::kAvx512 ||
        !detail::attend_heads_avx512(q + h * dim, run_end - h, dim, keys, values, kv.rows,
                                     kv.row_elements, kv_offset, count, shape.scale, out + h * dim,
                                     scores)) {
      for (int64_t head = h; head < run_end; ++head)
        attend_head(path != AttentionPath::kScalar, shape, q + head * dim, keys, values, kv,
                    kv_offset, count, out + head * dim, scores);
    }
    h = run_end;
  }
}

}  // namespace

namespace detail {

void softmax_in_place(float* s, int64_t n) {
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) max_score = s[j] > max_score ? s[j] : max_score;
  double sum = 0.0;
  for (int64_t j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - max_score);
    sum += s[j];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t j = 0; j < n; ++j) s[j] *= inv;
}

}  // namespace detail

const char* attention_path_name(AttentionPath path) {
  switch (path) {
    case AttentionPath::kScalar: return "scalar";
    case AttentionPath::kAvx2: return "avx2";
    case AttentionPath::kAvx512: return "avx512";
  }
  return "?";
}

bool attention_path_supported(AttentionPath path) {
  switch (path) {
    case AttentionPath::kScalar: return true;
    case AttentionPath::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case AttentionPath::kAvx512:
      return attention_path_supported(AttentionPath::kAvx2) && __builtin_cpu_supports("avx512f");
  }
  return false;
}

AttentionPath best_attention_path() {
  static const AttentionPath best =
      attention_path_supported(AttentionPath::kAvx512) ? AttentionPath::kAvx512
      : attention_path_supported(AttentionPath::kAvx2) ? AttentionPath::kAvx2
                                                       : AttentionPath::kScalar;
  return best;
}

void attend_with_path(AttentionPath path, const AttentionShape& shape, const float* q,
                      const KvView& kv, int64_t count, int64_t head_begin, int64_t head_end,
                      float* out, std::span<float> scores) {
  assert(count > 0 && scores.size() >= static_cast<size_t>(count * (head_end - head_begin)));
  assert(shape.num_kv_heads > 0 && shape.num_heads % shape.num_kv_heads == 0);
  assert(attention_path_supported(path));
  switch (kv.dtype) {
    case KvDType::kF32:
      return attend_typed<float>(path, shape, q, kv, count, head_begin, head_end, out,
                                 scores.data());
    case KvDType::kF16:
      return attend_typed<uint16_t>(path, shape, q, kv, count, head_begin, head_end, out,
                                    scores.data());
    case KvDType::kBF16:
      return attend_typed<Bf16>(path, shape, q, kv, count, head_begin, head_end, out,
                                scores.data());
  }
}

void attend(const AttentionShape& shape, const float* q, const KvView& kv, int64_t count,
            int64_t head_begin, int64_t head_end, float* out, std::span<float> scores) {
  attend_with_path(best_attention_path(), shape, q, kv, count, head_begin, head_end, out, scores);
}

void kv_store_row(KvDType dtype, void* dst, int64_t row_elements, int64_t row, const float* src) {
  if (dtype == KvDType::kF32) {
    std::memcpy(static_cast<float*>(dst) + row * row_elements, src,
                static_cast<size_t>(row_elements) * sizeof(float));
    return;
  }
  uint16_t* out = static_cast<uint16_t*>(dst) + row * row_elements;
  const bool bf16 = dtype == KvDType::kBF16;
  for (int64_t i = 0; i < row_elements; ++i)
    out[i] = bf16 ? quant::fp32_to_bf16(src[i]) : quant::fp32_to_fp16(src[i]);
}

}  // namespace ingot::cpu
