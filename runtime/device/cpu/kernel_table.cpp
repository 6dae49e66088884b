// The CPU device's kernel functions: each runs one thread's share of a plan kernel.
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "kernels/cpu/activation.h"
#include "kernels/cpu/norm.h"
#include "kernels/quant/dequantize.h"
#include "runtime/device/cpu/bound_kernel.h"

namespace ingot::cpu::detail {
namespace {

/// Rows [begin, end) of this thread's share of `count` rows.
std::pair<int64_t, int64_t> share(const StepState& s, int64_t count, int thread,
                                  int64_t align = 1) {
  return split_range(count, s.threads, thread, align);
}

void run_embedding(StepState& s, const BoundKernel& k, int thread) {
  const WeightRef& table = k.weights[0];
  const uint64_t row_bytes = *quant::row_bytes(table.type, static_cast<uint64_t>(table.row_length));
  const auto [begin, end] = share(s, s.tokens, thread);
  for (int64_t t = begin; t < end; ++t) {
    const uint8_t* row = table.data + static_cast<uint64_t>(s.ids[t]) * row_bytes;
    float* out = k.outputs[0].data + t * table.row_length;
    const Status status = quant::dequantize_row(table.type, {row, row_bytes},
                                                {out, static_cast<size_t>(table.row_length)});
    if (!status.ok()) s.fail(status);
    if (k.embedding_scale != 1.0f)
      for (int64_t i = 0; i < table.row_length; ++i) out[i] *= k.embedding_scale;
  }
}

// Each group of the weight's width on its own: a token's whole row, or one head (QK-norm).
void run_rms_norm(StepState& s, const BoundKernel& k, int thread) {
  const int64_t n = k.weights[0].row_length;
  const auto [begin, end] = share(s, s.tokens * (k.outputs[0].features / n), thread);
  const std::span<const float> weight(reinterpret_cast<const float*>(k.weights[0].data),
                                      static_cast<size_t>(n));
  if (begin >= end) return;
  const size_t count = static_cast<size_t>((end - begin) * n);
  rms_norm({k.inputs[0].data + begin * n, count}, weight, k.epsilon,
           {k.outputs[0].data + begin * n, count});
}

void run_add_rms_norm(StepState& s, const BoundKernel& k, int thread) {
  const int64_t n = k.outputs[0].features;
  const auto [begin, end] = share(s, s.tokens, thread);
  if (begin >= end) return;
  const size_t count = static_cast<size_t>((end - begin) * n);
  const std::span<const float> weight(reinterpret_cast<const float*>(k.weights[0].data),
                                      static_cast<size_t>(n));
  add_rms_norm({k.inputs[0].data + begin * n, count}, {k.inputs[1].data + begin * n, count}, weight,
               k.epsilon, {k.outputs[0].data + begin * n, count},
               {k.outputs[1].data + begin * n, count});
}

void run_add(StepState& s, const BoundKernel& k, int thread) {
  const int64_t n = k.outputs[0].features;
  const auto [begin, end] = share(s, s.tokens * n, thread, 16);
  for (int64_t i = begin; i < end; ++i)
    k.outputs[0].data[i] = k.inputs[0].data[i] + k.inputs[1].data[i];
}

/// The element-wise `activation` of a gated FFN's gate and up rows (swiglu, geglu).
template <void (*activation)(std::span<const float>, std::span<const float>, std::span<float>)>
void run_gated(StepState& s, const BoundKernel& k, int thread) {
  const int64_t n = k.outputs[0].features;
  const auto [begin, end] = share(s, s.tokens * n, thread, 16);
  if (begin >= end) return;
  const size_t count = static_cast<size_t>(end - begin);
  activation({k.inputs[0].data + begin, count}, {k.inputs[1].data + begin, count},
             {k.outputs[0].data + begin, count});
}

void run_split(StepState& s, const BoundKernel& k, int thread) {
  const int64_t width = k.inputs[0].features;
  const auto [begin, end] = share(s, s.tokens, thread);
  for (int64_t t = begin; t < end; ++t) {
    int64_t column = 0;
    for (const Activation& out : k.outputs) {
      std::memcpy(out.data + t * out.features, k.inputs[0].data + t * width + column,
                  static_cast<size_t>(out.features) * sizeof(float));
      column += out.features;
    }
  }
}

/// Prepares `x` for the weight type: thread 0 sizes the shared input, then the threads quantize
/// shares of the tokens (thread 0 all of them when there are too few to split).
void prepare_shared_input(StepState& s, const WeightRef& w, const float* x, int64_t tokens,
                          int thread) {
  const bool split = tokens >= 4 * s.threads;
  if (thread == 0) {
    const Status status =
        prepare_matmul_deferred(s.path, w.type, w.row_length, x, tokens, *s.matmul_input);
    if (!status.ok())
      s.fail(status);
    else if (!split)
      quantize_matmul_input(*s.matmul_input, 0, tokens);
  }
  s.barrier->wait();
  if (!split || !s.error.ok()) return;
  const auto [begin, end] = share(s, tokens, thread);
  quantize_matmul_input(*s.matmul_input, begin, end);
  s.barrier->wait();
}

void run_matmul(StepState& s, const BoundKernel& k, int thread) {
  const WeightRef& w = k.weights[0];
  prepare_shared_input(s, w, k.inputs[0].data, s.tokens, thread);
  if (!s.error.ok()) return;
  const auto [begin, end] = share(s, w.rows, thread, 16);
  const Status status =
      matmul_rows(*s.matmul_input, w.matmul(), begin, end, k.outputs[0].data, w.rows);
  if (!status.ok()) s.fail(status);
}

/// The gate and up projections of a gated FFN, then `activation` of them into the output.
template <void (*activation)(std::span<const float>, std::span<const float>, std::span<float>)>
void run_gate_up(StepState& s, const BoundKernel& k, int thread) {
  const WeightRef& gate = k.weights[0];
  const WeightRef& up = k.weights[1];
  prepare_shared_input(s, gate, k.inputs[0].data, s.tokens, thread);
  if (!s.error.ok()) return;
  const auto [begin, end] = share(s, gate.rows, thread, 16);
  if (begin >= end) return;
  // Gate rows go straight to the output, up rows to scratch with the same stride.
  float* out = k.outputs[0].data;
  float* up_rows = s.scratch(thread, static_cast<size_t>(s.tokens * gate.rows));
  Status status = matmul_rows(*s.matmul_input, gate.matmul(), begin, end, out, gate.rows);
  if (status.ok())
    status = matmul_rows(*s.matmul_input, up.matmul(), begin, end, up_rows, gate.rows);
  if (!status.ok()) return s.fail(status);
  const size_t count = static_cast<size_t>(end - begin);
  for (int64_t t = 0; t < s.tokens; ++t) {
    float* o = out + t * gate.rows + begin;
    activation({o, count}, {up_rows + t * gate.rows + begin, count}, {o, count});
  }
}

void run_logits(StepState& s, const BoundKernel& k, int thread) {
  const WeightRef& w = k.weights[0];
  const int64_t n = k.inputs[0].features;
  const int64_t rows = static_cast<int64_t>(s.output_rows.size());
  if (thread == 0) {
    // Gather the wanted rows of the hidden state, then prepare them.
    for (int64_t i = 0; i < rows; ++i)
      std::memcpy(s.shared_scratch + i * n, k.inputs[0].data + s.output_rows[i] * n,
                  static_cast<size_t>(n) * sizeof(float));
  }
  prepare_shared_input(s, w, s.shared_scratch, rows, thread);
  if (!s.error.ok()) return;
  const auto [begin, end] = share(s, w.rows, thread, 16);
  const Status status = matmul_rows(*s.matmul_input, w.matmul(), begin, end, s.logits, w.rows);
  if (!status.ok()) s.fail(status);
}

/// Rotates `heads` heads of one token in place for its position, with this thread's angle table.
void rotate(StepState& s, const BoundKernel& k, int thread, int64_t position, float* x,
            int64_t heads) {
  float* angles = s.scratch(thread, static_cast<size_t>(k.rope.dims));
  rope_angles(k.rope, position, {angles, static_cast<size_t>(k.rope.dims)});
  rope_apply(k.rope, {angles, static_cast<size_t>(k.rope.dims)}, x, heads, k.attention.head_dim);
}

void run_rope(StepState& s, const BoundKernel& k, int thread) {
  const int64_t n = k.outputs[0].features;
  const auto [begin, end] = share(s, s.tokens, thread);
  for (int64_t t = begin; t < end; ++t) {
    float* row = k.outputs[0].data + t * n;
    std::memcpy(row, k.inputs[0].data + t * n, static_cast<size_t>(n) * sizeof(float));
    rotate(s, k, thread, s.positions[t], row, n / k.attention.head_dim);
  }
}

/// Stores tokens [begin, end) of this step's keys and values in the cache.
void store_tokens(StepState& s, const BoundKernel& k, const float* keys, const float* values,
                  int64_t begin, int64_t end) {
  const int64_t n = s.cache->shape().row_elements;
  for (int64_t t = begin; t < end; ++t)
    s.cache->store(k.layer, *s.sequences[t], s.positions[t], keys + t * n, values + t * n);
}

void run_kv_cache_write(StepState& s, const BoundKernel& k, int thread) {
  const auto [begin, end] = share(s, s.tokens, thread);
  store_tokens(s, k, k.inputs[0].data, k.inputs[1].data, begin, end);
}

// The cache read is a view: the attention that consumes it reads the paged cache in place.
void run_kv_cache_read(StepState&, const BoundKernel&, int) {}

/// Thread `thread`'s tokens [begin, end) when token t costs the positions it attends over: the
/// shares' costs differ by at most one token's.
std::pair<int64_t, int64_t> causal_share(const StepState& s, const AttentionSchedule& schedule,
                                         int thread) {
  const auto& cost_before = schedule.cost;  // cost_before[t]: the cost of tokens [0, t)
  const auto boundary = [&](int i) {  // the first token whose cumulative cost reaches share i
    const int64_t target = cost_before[static_cast<size_t>(s.tokens)] * i / s.threads;
    return static_cast<int64_t>(
        std::lower_bound(cost_before.begin(), cost_before.begin() + s.tokens, target) -
        cost_before.begin());
  };
  return {boundary(thread), boundary(thread + 1)};
}

/// Thread `thread`'s attention chunks [begin, end) (chunk c of token t is chunk
/// first_chunk[t] + c), by positions: the shares' costs differ by at most one chunk's.
std::pair<int64_t, int64_t> chunk_share(const StepState& s, const AttentionSchedule& schedule,
                                        int thread) {
  const auto& cost_before = schedule.cost;
  const auto boundary = [&](int i) {  // the first chunk that starts at or after share i's start
    const int64_t target = cost_before[static_cast<size_t>(s.tokens)] * i / s.threads;
    const int64_t t =
        std::upper_bound(cost_before.begin(), cost_before.begin() + s.tokens + 1, target) -
        cost_before.begin() - 1;
    if (t >= s.tokens) return schedule.first_chunk[static_cast<size_t>(s.tokens)];
    const int64_t into = target - cost_before[static_cast<size_t>(t)];
    return schedule.first_chunk[static_cast<size_t>(t)] +
           (into + kAttentionChunk - 1) / kAttentionChunk;
  };
  return {boundary(thread), boundary(thread + 1)};
}

/// Each token attends over positions [first, its position] of its sequence (first is 0, or
/// past the sliding window): a view of the cache from `first` on. With enough tokens each
/// thread takes whole tokens, weighted by their lengths, in tiles of one sequence's consecutive
/// tokens with the same first position that read each chunk of the cache together
/// (attend_tile); otherwise (decode of a few sequences) the threads share the tokens' chunks of
/// positions, so each reads whole cache rows of its positions once, then combine them by
/// (token, head). Either way a token's result is the same.
void attend_tokens(StepState& s, const BoundKernel& k, const float* queries, float* out,
                   int thread) {
  const AttentionShape& shape = k.attention;
  const AttentionSchedule& schedule = s.attention[k.window != 0 ? 1 : 0];
  const int64_t heads = shape.num_heads;
  const int64_t q_features = heads * shape.head_dim;
  const auto first = [&](int64_t t) { return schedule.first[static_cast<size_t>(t)]; };
  const auto count = [&](int64_t t) { return s.positions[t] + 1 - first(t); };
  const auto view = [&](int64_t t) {
    KvView v = s.cache->view(k.layer, *s.sequences[t]);
    v.rows += first(t);
    return v;
  };
  if (!s.split_attention) {
    const auto [begin, end] = causal_share(s, schedule, thread);
    const int64_t tile = attention_tile_tokens(shape, schedule.longest);
    const size_t floats =
        static_cast<size_t>(attention_tile_scratch_floats(shape, tile, schedule.longest));
    const std::span<float> scratch(s.scratch(thread, floats), floats);
    int64_t counts[kAttentionTile];
    for (int64_t t = begin; t < end;) {  // tiles of consecutive tokens of one sequence
      int64_t tokens = 0;
      do {
        counts[tokens] = count(t + tokens);
      } while (++tokens < tile && t + tokens < end && s.sequences[t + tokens] == s.sequences[t] &&
               first(t + tokens) == first(t));
      attend_tile(best_simd_path(), shape, queries + t * q_features, view(t),
                  {counts, static_cast<size_t>(tokens)}, out + t * q_features, scratch);
      t += tokens;
    }
    return;
  }
  const int64_t stride = attention_partial_floats(shape);
  const auto& first_chunk = schedule.first_chunk;
  const size_t score_floats = static_cast<size_t>(kAttentionChunk * heads);
  const std::span<float> scores(s.scratch(thread, score_floats), score_floats);
  const auto [begin, end] = chunk_share(s, schedule, thread);
  int64_t t =
      std::upper_bound(first_chunk.begin(), first_chunk.end(), begin) - first_chunk.begin() - 1;
  for (int64_t chunk = begin; chunk < end; ++chunk) {
    while (chunk >= first_chunk[static_cast<size_t>(t) + 1]) ++t;
    attend_chunk(best_simd_path(), shape, queries + t * q_features, view(t), count(t),
                 chunk - first_chunk[static_cast<size_t>(t)], 0, heads,
                 schedule.partials + chunk * stride, scores);
  }
  s.barrier->wait();
  const auto [pair_begin, pair_end] = share(s, s.tokens * heads, thread);
  for (int64_t pair = pair_begin; pair < pair_end;) {
    const int64_t token = pair / heads, head = pair % heads;
    const int64_t head_end = std::min(heads, head + (pair_end - pair));
    const int64_t first_of_token = first_chunk[static_cast<size_t>(token)];
    combine_chunks(shape, schedule.partials + first_of_token * stride,
                   first_chunk[static_cast<size_t>(token) + 1] - first_of_token, head, head_end,
                   out + token * q_features);
    pair += head_end - head;
  }
}

void run_attention(StepState& s, const BoundKernel& k, int thread) {
  attend_tokens(s, k, k.inputs[0].data, k.outputs[0].data, thread);
}

void run_fused_attention(StepState& s, const BoundKernel& k, int thread) {
  const AttentionShape& shape = k.attention;
  const int64_t q_features = shape.num_heads * shape.head_dim;
  const int64_t kv_features = shape.num_kv_heads * shape.head_dim;
  // Rows of three activations, or columns of one (read_qkv_in_place).
  const int64_t q_stride = k.qkv_stride ? k.qkv_stride : q_features;
  const int64_t kv_stride = k.qkv_stride ? k.qkv_stride : kv_features;
  float* queries = s.shared_scratch;
  const auto [begin, end] = share(s, s.tokens, thread);
  for (int64_t t = begin; t < end; ++t) {
    const int64_t position = s.positions[t];
    float* q = queries + t * q_features;
    std::memcpy(q, k.inputs[0].data + t * q_stride, static_cast<size_t>(q_features) * 4);
    rotate(s, k, thread, position, q, shape.num_heads);
    float* key = s.scratch(thread, static_cast<size_t>(k.rope.dims + kv_features)) + k.rope.dims;
    std::memcpy(key, k.inputs[1].data + t * kv_stride, static_cast<size_t>(kv_features) * 4);
    rotate(s, k, thread, position, key, shape.num_kv_heads);
    s.cache->store(k.layer, *s.sequences[t], position, key, k.inputs[2].data + t * kv_stride);
  }
  s.barrier->wait();
  attend_tokens(s, k, queries, k.outputs[0].data, thread);
}

}  // namespace

KernelFn find_kernel(const std::string& base_name) {
  static const std::unordered_map<std::string, KernelFn> table = {
      {"embedding", run_embedding},
      {"rms_norm", run_rms_norm},
      {"add_rms_norm", run_add_rms_norm},
      {"add", run_add},
      {"swiglu", run_gated<swiglu>},
      {"geglu", run_gated<geglu>},
      {"split", run_split},
      {"matmul", run_matmul},
      {"gate_up_swiglu", run_gate_up<swiglu>},
      {"gate_up_geglu", run_gate_up<geglu>},
      {"logits", run_logits},
      {"rope", run_rope},
      {"kv_cache_write", run_kv_cache_write},
      {"kv_cache_read", run_kv_cache_read},
      {"attention", run_attention},
      {"fused_attention", run_fused_attention},
  };
  const auto it = table.find(base_name);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace ingot::cpu::detail
