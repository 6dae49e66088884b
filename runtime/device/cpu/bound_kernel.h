// Internal: a plan kernel resolved against the arena, the weights and its parameters.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/rope.h"
#include "runtime/base/status.h"
#include "runtime/device/cpu/thread_pool.h"
#include "runtime/kv_cache/paged_kv_cache.h"

namespace ingot::cpu::detail {

using kv_cache::KvSequence;
using kv_cache::PagedKvCache;

/// A weight operand: rows of row_length values in a ggml block format.
struct WeightRef {
  const uint8_t* data = nullptr;
  quant::GgmlType type = quant::GgmlType::F32;
  int64_t rows = 0;
  int64_t row_length = 0;
  const PackedWeights* packed = nullptr;  ///< set for matmul weights of a matmul_packs type

  /// The weight as matmul_rows reads it.
  MatmulWeights matmul() const { return {data, packed}; }
};

/// An activation operand: `features` floats per row, rows at a fixed place in the arena.
struct Activation {
  float* data = nullptr;
  int64_t features = 0;
};

struct StepState;
struct BoundKernel;

/// Runs thread `thread`'s share of a kernel; every thread of the step calls it.
using KernelFn = void (*)(StepState& state, const BoundKernel& kernel, int thread);

struct BoundKernel {
  KernelFn run = nullptr;
  std::string name;
  std::vector<Activation> inputs;  // activation inputs, in operand order
  std::vector<Activation> outputs;
  std::vector<WeightRef> weights;  // weight inputs, in operand order
  float epsilon = 0.0f;
  float embedding_scale = 1.0f;  // embedding: every looked-up value times this (Gemma)
  int64_t layer = -1;            // KV cache layer (attention, cache reads and writes)
  AttentionShape attention;
  // attention: sliding window (positions attended, the query's included); 0: all
  int64_t window = 0;
  RopeSpec rope;
  bool has_rope = false;
  std::vector<int64_t> split_sizes;
  /// fused_attention: floats from one token's q, k and v to the next when they are the columns
  /// of one activation (read_qkv_in_place); 0 when they are three dense activations.
  int64_t qkv_stride = 0;
  /// A split whose results the attention after it reads in place: nothing to run.
  bool skipped = false;
};

/// Which positions each token of a step attends over, and how the threads share that work.
struct AttentionSchedule {
  std::vector<int64_t> first;  // [t]: token t attends over positions first[t] .. positions[t]
  std::vector<int64_t> cost;   // [t]: positions attended by the tokens before t; [tokens]: all
  int64_t longest = 0;         // most positions any token attends over
  std::vector<int64_t> first_chunk;  // split: [t] chunks of the tokens before t; [tokens]: all
  float* partials = nullptr;         // split: first_chunk[tokens] chunks' partial results
};

/// Everything a step's kernels share.
struct StepState {
  int threads = 1;
  SpinBarrier* barrier = nullptr;
  int64_t tokens = 0;
  const int32_t* ids = nullptr;
  const int64_t* positions = nullptr;  // token t is at positions[t] of sequences[t]
  const KvSequence* const* sequences = nullptr;
  /// Few tokens (decode): the threads share the attention's chunks instead of whole tokens.
  bool split_attention = false;
  /// How the step's tokens attend: [0] over every position, [1] within the plan's sliding
  /// window (filled when the plan has one).
  AttentionSchedule attention[2];
  PagedKvCache* cache = nullptr;
  std::span<const int32_t> output_rows;
  float* logits = nullptr;
  MatmulPath path = MatmulPath::kScalar;
  MatmulInput* matmul_input = nullptr;  // prepared by thread 0 for the threads
  float* shared_scratch = nullptr;      // max_tokens * widest activation floats
  std::vector<std::vector<float>>* thread_scratch = nullptr;  // per thread

  std::mutex error_mutex;
  Status error;
  /// Records the first failure of the step.
  void fail(Status status) {
    std::lock_guard<std::mutex> lock(error_mutex);
    if (error.ok()) error = std::move(status);
  }
  /// Thread `thread`'s scratch with at least `floats` floats.
  float* scratch(int thread, size_t floats) {
    auto& buffer = (*thread_scratch)[static_cast<size_t>(thread)];
    if (buffer.size() < floats) buffer.resize(floats);
    return buffer.data();
  }
};

/// The kernel function for a plan kernel name without its encoding suffix ("matmul" for
/// "matmul.q4_1"), or nullptr when the CPU device has none.
KernelFn find_kernel(const std::string& base_name);

}  // namespace ingot::cpu::detail
