#include "runtime/pipeline/memory_estimate.h"

#include <string>

namespace ingot::pipeline {
namespace {

Status estimate_error(const std::string& problem) {
  return make_error(StatusCode::kInvalidArgument, problem);
}

// a * b, or false on overflow.
bool multiply(uint64_t& a, uint64_t b) { return !__builtin_mul_overflow(a, b, &a); }

}  // namespace

uint64_t cache_dtype_bytes(std::string_view dtype) {
  if (dtype == "float32") return 4;
  if (dtype == "bfloat16" || dtype == "float16") return 2;
  if (dtype == "float8_e4m3fn") return 1;
  return 0;
}

Result<uint64_t> estimate_kv_cache_size(const schema::Model& model, const ServingShape& shape) {
  const schema::HyperParameters* hp = model.hyper_parameters();
  const schema::CompileConfig* config = model.config();
  if (hp == nullptr || config == nullptr)
    return estimate_error("the artifact has no hyper-parameters");
  int64_t max_length = shape.max_length > 0 ? shape.max_length : config->max_length();
  if (shape.max_batch_size <= 0) return estimate_error("--max-batch-size must be positive");
  if (max_length <= 0) return estimate_error("--max-length must be positive");
  if (config->max_length() > 0 && max_length > config->max_length())
    return estimate_error("max_length " + std::to_string(max_length) +
                          " is longer than the artifact's " +
                          std::to_string(config->max_length()));
  uint64_t dtype =
      cache_dtype_bytes(config->cache_dtype() ? config->cache_dtype()->string_view() : "");
  if (dtype == 0) return estimate_error("unknown cache dtype");
  uint64_t tokens = static_cast<uint64_t>(max_length);
  uint64_t page = config->kv_cache_page_size();
  if (config->cache_strategy() == schema::CacheStrategy::paged && page > 0) {
    tokens = (tokens + page - 1) / page * page;
  }
  uint64_t bytes = 2;
  if (!multiply(bytes, hp->block_count()) || !multiply(bytes, hp->head_count_kv()) ||
      !multiply(bytes, hp->head_dim()) || !multiply(bytes, dtype) || !multiply(bytes, tokens) ||
      !multiply(bytes, static_cast<uint64_t>(shape.max_batch_size))) {
    return estimate_error("the KV cache size overflows 64 bits");
  }
  return bytes;
}

Result<MemoryEstimate> estimate_memory_footprint(const schema::Model& model,
                                                 const ServingShape& shape) {
  MemoryEstimate estimate;
  INGOT_ASSIGN_OR_RETURN(estimate.kv_cache, estimate_kv_cache_size(model, shape));
  estimate.weights = model.weight_segment_size();
  estimate.activations = model.plan() ? model.plan()->arena_bytes() : 0;
  if (__builtin_add_overflow(estimate.weights, estimate.kv_cache, &estimate.total) ||
      __builtin_add_overflow(estimate.total, estimate.activations, &estimate.total)) {
    return estimate_error("the memory estimate overflows");
  }
  return estimate;
}

}  // namespace ingot::pipeline
