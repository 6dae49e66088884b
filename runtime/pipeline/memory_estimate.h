// Memory estimates of a compiled model, as MAX's estimate_kv_cache_size and
// PipelineModel.estimate_memory_footprint define them.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/base/status.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::pipeline {

/// The serving shape the estimate is for (MAX's max_batch_size, max_length).
struct ServingShape {
  int64_t max_batch_size = 1;
  int64_t max_length = 0;  ///< 0: the artifact's compiled max_length.
};

/// Byte counts of one estimate.
struct MemoryEstimate {
  uint64_t weights = 0;      ///< The weight segment (MAX's weights_size()).
  uint64_t kv_cache = 0;     ///< Keys and values of every layer for every sequence.
  uint64_t activations = 0;  ///< The planned activation arena.
  uint64_t total = 0;
};

/// Bytes per element of a cache dtype name ("float32", "bfloat16", ...), or 0.
uint64_t cache_dtype_bytes(std::string_view dtype);

/// MAX's estimate_kv_cache_size: 2 (K and V) x layers x kv heads x head dim x
/// dtype bytes per token, for max_batch_size sequences of max_length tokens (paged:
/// rounded up to whole pages). Errors on non-positive sizes or overflow.
Result<uint64_t> estimate_kv_cache_size(const schema::Model& model, const ServingShape& shape);

/// MAX's estimate_memory_footprint: weights + KV cache + activations.
Result<MemoryEstimate> estimate_memory_footprint(const schema::Model& model,
                                                 const ServingShape& shape);

}  // namespace ingot::pipeline
