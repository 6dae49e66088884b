// Multi-head attention of one query token over cached keys and values (grouped-query), in
// chunks of positions that can run on different threads.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/cpu/simd_path.h"

namespace ingot::cpu {

/// Element type of a KV cache.
enum class KvDType { kF32, kF16, kBF16 };

/// Bytes of one cache element of `dtype`.
constexpr uint64_t kv_element_bytes(KvDType dtype) { return dtype == KvDType::kF32 ? 4 : 2; }

/// A bfloat16 cache element (its bits), a type of its own so kernels can overload on it.
struct Bf16 {
  uint16_t bits;
};

/// Keys and values of one layer, addressed by cache row: position j of the sequence is row
/// rows[j]; each row holds kv_heads * head_dim elements of `dtype`.
struct KvView {
  const void* keys = nullptr;
  const void* values = nullptr;
  KvDType dtype = KvDType::kF32;
  int64_t row_elements = 0;       ///< kv_heads * head_dim
  const int32_t* rows = nullptr;  ///< cache row of each position
};

/// Shape of an attention: num_heads query heads share num_kv_heads key/value heads.
struct AttentionShape {
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  float scale = 1.0f;  ///< applied to q.k (usually 1/sqrt(head_dim))
};

/// Positions per attention chunk. Attention runs over fixed chunks of the positions, each
/// computed alone and then combined in order (split-K, as flash-decoding does), so a token's
/// result is the same whichever threads computed its chunks.
inline constexpr int64_t kAttentionChunk = 64;

/// Chunks of `count` positions.
constexpr int64_t attention_chunks(int64_t count) {
  return (count + kAttentionChunk - 1) / kAttentionChunk;
}

/// Floats of one chunk's partial result: every head's normalized output (head_dim floats a
/// head), then every head's highest score, then every head's sum of exponentials.
constexpr int64_t attention_partial_floats(const AttentionShape& shape) {
  return shape.num_heads * (shape.head_dim + 2);
}

/// Floats of scratch attend needs for `count` positions.
constexpr int64_t attention_scratch_floats(const AttentionShape& shape, int64_t count) {
  return kAttentionChunk * shape.num_heads +
         attention_chunks(count) * attention_partial_floats(shape);
}

/// For query heads h in [head_begin, head_end): out_h = softmax(scale * q_h.K^T) V over positions
/// [0, count) of `kv`, where head h reads kv head h / (num_heads / num_kv_heads). q and out hold
/// num_heads * head_dim floats and must not overlap. `scratch` needs
/// attention_scratch_floats(shape, count) floats. Equals attend_chunk over every chunk followed
/// by combine_chunks, bit for bit.
void attend(const AttentionShape& shape, const float* q, const KvView& kv, int64_t count,
            int64_t head_begin, int64_t head_end, float* out, std::span<float> scratch);

/// As attend, on a chosen path that this CPU supports.
void attend_with_path(SimdPath path, const AttentionShape& shape, const float* q,
                      const KvView& kv, int64_t count, int64_t head_begin, int64_t head_end,
                      float* out, std::span<float> scratch);

/// Most query tokens attend_tile takes at once.
inline constexpr int64_t kAttentionTile = 16;

/// Tokens a tile over up to `longest` positions takes: kAttentionTile, or fewer where their
/// partial results would pass 4 MiB (long contexts: a token alone needs what attend needs).
constexpr int64_t attention_tile_tokens(const AttentionShape& shape, int64_t longest) {
  const int64_t token_floats = attention_chunks(longest) * attention_partial_floats(shape);
  const int64_t fit = token_floats > 0 ? (int64_t{1} << 20) / token_floats : kAttentionTile;
  return fit < 1 ? 1 : fit > kAttentionTile ? kAttentionTile : fit;
}

/// Floats of scratch attend_tile needs for `tokens` tokens, none over `longest` positions.
constexpr int64_t attention_tile_scratch_floats(const AttentionShape& shape, int64_t tokens,
                                                int64_t longest) {
  return kAttentionChunk * shape.num_heads +
         tokens * attention_chunks(longest) * attention_partial_floats(shape);
}

/// All heads of counts.size() (at most kAttentionTile) query tokens over one sequence's `kv`:
/// token i's queries at q + i * num_heads * head_dim attend over counts[i] positions into out
/// likewise. Chunk by chunk and a KV head at a time, every token that reaches a chunk reads it
/// while it is in cache, rather than each token streaming the whole sequence. Equals attend on
/// each token, bit for bit. `scratch` needs attention_tile_scratch_floats floats.
void attend_tile(SimdPath path, const AttentionShape& shape, const float* q, const KvView& kv,
                 std::span<const int64_t> counts, float* out, std::span<float> scratch);

/// Chunk `chunk` of attend, positions [chunk, chunk + 1) * kAttentionChunk below count: writes
/// heads [head_begin, head_end) of `partial` (attention_partial_floats). Scores are float, their
/// sum double; `scores` needs kAttentionChunk * (head_end - head_begin) floats.
void attend_chunk(SimdPath path, const AttentionShape& shape, const float* q, const KvView& kv,
                  int64_t count, int64_t chunk, int64_t head_begin, int64_t head_end,
                  float* partial, std::span<float> scores);

/// Heads [head_begin, head_end) of the attention whose `chunks` consecutive partial results
/// (chunk 0 first) are at `partials`, into out (num_heads * head_dim floats).
void combine_chunks(const AttentionShape& shape, const float* partials, int64_t chunks,
                    int64_t head_begin, int64_t head_end, float* out);

/// Stores one token's keys or values (row_elements floats) as cache row `row` of `dst`.
void kv_store_row(KvDType dtype, void* dst, int64_t row_elements, int64_t row, const float* src);

}  // namespace ingot::cpu
