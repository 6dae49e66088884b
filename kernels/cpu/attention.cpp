// Attention over a KV cache in chunks of positions: path dispatch, the per-head scalar loops (and
// the AVX2 ones for head sizes without a whole-chunk kernel), the softmax and the combination of
// the chunks.
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
                 const T* values, const KvView& kv, const int32_t* rows, int64_t kv_offset,
                 int64_t count, float* oh, float* max_score, float* sum, float* scores) {
  const int64_t dim = shape.head_dim;
  for (int64_t j = 0; j < count; ++j)
    scores[j] = dot(avx2, qh, keys + rows[j] * kv.row_elements + kv_offset, dim) * shape.scale;
  const detail::SoftmaxStats stats = detail::softmax_in_place(scores, count);
  *max_score = stats.max;
  *sum = stats.sum;
  std::memset(oh, 0, static_cast<size_t>(dim) * sizeof(float));
  for (int64_t j = 0; j < count; ++j)
    axpy(avx2, scores[j], values + rows[j] * kv.row_elements + kv_offset, oh, dim);
}

/// One chunk: the heads of each KV head in turn, so the chunk's cache rows stay in cache while
/// every group reads its part of them.
template <typename T>
void attend_chunk_typed(SimdPath path, const AttentionShape& shape, const float* q,
                        const KvView& kv, int64_t count, int64_t chunk, int64_t head_begin,
                        int64_t head_end, float* partial, float* scores) {
  const auto* keys = static_cast<const T*>(kv.keys);
  const auto* values = static_cast<const T*>(kv.values);
  const int64_t dim = shape.head_dim;
  const int64_t group = shape.num_heads / shape.num_kv_heads;
  const int64_t first = chunk * kAttentionChunk;
  const int64_t length = std::min(kAttentionChunk, count - first);
  const int32_t* rows = kv.rows + first;
  float* max_scores = partial + shape.num_heads * dim;
  float* sums = max_scores + shape.num_heads;
  for (int64_t h = head_begin; h < head_end;) {
    // The run of heads from h that read the same KV head.
    const int64_t run_end = std::min(head_end, (h / group + 1) * group);
    const int64_t kv_offset = (h / group) * dim;
    // The whole-chunk kernels: false for a head_dim they lack, which the per-head loops take.
    bool done = false;
    if (path == SimdPath::kAvx512)
      done = detail::attend_heads_avx512(q + h * dim, run_end - h, dim, keys, values, rows,
                                         kv.row_elements, kv_offset, length, shape.scale,
                                         partial + h * dim, max_scores + h, sums + h, scores);
    else if (path == SimdPath::kAvx2)
      done = detail::attend_heads_avx2(q + h * dim, run_end - h, dim, keys, values, rows,
                                       kv.row_elements, kv_offset, length, shape.scale,
                                       partial + h * dim, max_scores + h, sums + h, scores);
    if (!done) {
      for (int64_t head = h; head < run_end; ++head)
        attend_head(path != SimdPath::kScalar, shape, q + head * dim, keys, values, kv, rows,
                    kv_offset, length, partial + head * dim, max_scores + head, sums + head,
                    scores);
    }
    h = run_end;
  }
}

}  // namespace

namespace detail {

SoftmaxStats softmax_in_place(float* s, int64_t n) {
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) max_score = s[j] > max_score ? s[j] : max_score;
  double sum = 0.0;
  for (int64_t j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - max_score);
    sum += s[j];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t j = 0; j < n; ++j) s[j] *= inv;
  return {max_score, static_cast<float>(sum)};
}

}  // namespace detail

void attend_chunk(SimdPath path, const AttentionShape& shape, const float* q, const KvView& kv,
                  int64_t count, int64_t chunk, int64_t head_begin, int64_t head_end,
                  float* partial, std::span<float> scores) {
  assert(chunk >= 0 && chunk < attention_chunks(count));
  assert(scores.size() >= static_cast<size_t>(kAttentionChunk * (head_end - head_begin)));
  assert(shape.num_kv_heads > 0 && shape.num_heads % shape.num_kv_heads == 0);
  assert(simd_path_supported(path));
  switch (kv.dtype) {
    case KvDType::kF32:
      return attend_chunk_typed<float>(path, shape, q, kv, count, chunk, head_begin, head_end,
                                       partial, scores.data());
    case KvDType::kF16:
      return attend_chunk_typed<uint16_t>(path, shape, q, kv, count, chunk, head_begin, head_end,
                                          partial, scores.data());
    case KvDType::kBF16:
      return attend_chunk_typed<Bf16>(path, shape, q, kv, count, chunk, head_begin, head_end,
                                      partial, scores.data());
  }
}

void combine_chunks(const AttentionShape& shape, const float* partials, int64_t chunks,
                    int64_t head_begin, int64_t head_end, float* out) {
  const int64_t dim = shape.head_dim;
  const int64_t stride = attention_partial_floats(shape);
  const int64_t max_at = shape.num_heads * dim, sum_at = max_at + shape.num_heads;
  for (int64_t h = head_begin; h < head_end; ++h) {
    float* o = out + h * dim;
    if (chunks == 1) {  // already normalized
      std::memcpy(o, partials + h * dim, static_cast<size_t>(dim) * sizeof(float));
      continue;
    }
    // Chunk c's softmax counts as sum_c * exp(max_c - max) of the whole one.
    float highest = -std::numeric_limits<float>::infinity();
    for (int64_t c = 0; c < chunks; ++c)
      highest = std::max(highest, partials[c * stride + max_at + h]);
    const auto weight = [&](int64_t c) {
      return double{partials[c * stride + sum_at + h]} *
             std::exp(double{partials[c * stride + max_at + h]} - highest);
    };
    double total = 0.0;
    for (int64_t c = 0; c < chunks; ++c) total += weight(c);
    std::memset(o, 0, static_cast<size_t>(dim) * sizeof(float));
    for (int64_t c = 0; c < chunks; ++c) {
      const float w = static_cast<float>(weight(c) / total);
      const float* oc = partials + c * stride + h * dim;
      for (int64_t i = 0; i < dim; ++i) o[i] += w * oc[i];
    }
  }
}

void attend_with_path(SimdPath path, const AttentionShape& shape, const float* q,
                      const KvView& kv, int64_t count, int64_t head_begin, int64_t head_end,
                      float* out, std::span<float> scratch) {
  assert(count > 0 &&
         scratch.size() >= static_cast<size_t>(attention_scratch_floats(shape, count)));
  const int64_t chunks = attention_chunks(count);
  const std::span<float> scores =
      scratch.first(static_cast<size_t>(kAttentionChunk * shape.num_heads));
  float* partials = scratch.data() + scores.size();
  const int64_t stride = attention_partial_floats(shape);
  for (int64_t c = 0; c < chunks; ++c)
    attend_chunk(path, shape, q, kv, count, c, head_begin, head_end, partials + c * stride, scores);
  combine_chunks(shape, partials, chunks, head_begin, head_end, out);
}

void attend(const AttentionShape& shape, const float* q, const KvView& kv, int64_t count,
            int64_t head_begin, int64_t head_end, float* out, std::span<float> scratch) {
  attend_with_path(best_simd_path(), shape, q, kv, count, head_begin, head_end, out, scratch);
}

void attend_tile(SimdPath path, const AttentionShape& shape, const float* q, const KvView& kv,
                 std::span<const int64_t> counts, float* out, std::span<float> scratch) {
  const auto tokens = static_cast<int64_t>(counts.size());
  assert(tokens <= kAttentionTile);
  int64_t longest = 0;
  for (int64_t count : counts) longest = std::max(longest, count);
  assert(scratch.size() >=
         static_cast<size_t>(attention_tile_scratch_floats(shape, tokens, longest)));
  const int64_t q_features = shape.num_heads * shape.head_dim;
  const int64_t group = shape.num_heads / shape.num_kv_heads;
  const int64_t stride = attention_partial_floats(shape);
  const int64_t most_chunks = attention_chunks(longest);
  const std::span<float> scores =
      scratch.first(static_cast<size_t>(kAttentionChunk * shape.num_heads));
  // Token i's partials: most_chunks of them from partials + i * most_chunks * stride.
  float* partials = scratch.data() + scores.size();
  for (int64_t c = 0; c < most_chunks; ++c)
    for (int64_t h = 0; h < shape.num_heads; h += group)
      for (int64_t i = 0; i < tokens; ++i)
        if (c < attention_chunks(counts[i]))
          attend_chunk(path, shape, q + i * q_features, kv, counts[i], c, h, h + group,
                       partials + (i * most_chunks + c) * stride, scores);
  for (int64_t i = 0; i < tokens; ++i)
    combine_chunks(shape, partials + i * most_chunks * stride, attention_chunks(counts[i]), 0,
                   shape.num_heads, out + i * q_features);
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
