// The device-neutral parts of an executor: request checks, cache and context settings, and
// sampling on the host for devices that sample nowhere else.
#include "runtime/device/executor.h"

#include <algorithm>
#include <string>

#include "runtime/sampling/sampling.h"

namespace ingot::device {

Status check_chunks(const BatchRequest& request, int64_t max_tokens, int64_t vocab_size,
                    int64_t max_context) {
  int64_t total = 0;
  for (size_t c = 0; c < request.chunks.size(); ++c) {
    const SequenceChunk& chunk = request.chunks[c];
    const int64_t tokens = static_cast<int64_t>(chunk.tokens.size());
    if (tokens == 0) return make_error(StatusCode::kInvalidArgument, "step: a chunk has no tokens");
    if (chunk.sequence == nullptr)
      return make_error(StatusCode::kInvalidArgument, "step: no sequence");
    for (size_t other = 0; other < c; ++other)
      if (request.chunks[other].sequence == chunk.sequence)
        return make_error(StatusCode::kInvalidArgument, "step: a sequence appears twice");
    total += tokens;
    for (int32_t id : chunk.tokens) {
      if (id < 0 || id >= vocab_size)
        return make_error(StatusCode::kInvalidArgument, "step: token id " + std::to_string(id) +
                                                            " is outside the vocabulary of " +
                                                            std::to_string(vocab_size));
    }
    for (size_t i = 0; i < chunk.output_rows.size(); ++i) {
      const int32_t row = chunk.output_rows[i];
      if (row < 0 || row >= tokens || (i > 0 && row <= chunk.output_rows[i - 1]))
        return make_error(StatusCode::kInvalidArgument,
                          "step: output rows must ascend within the chunk");
    }
    const int64_t end = chunk.sequence->length + tokens;
    if (end > max_context)
      return make_error(StatusCode::kResourceExhausted, "step: " + std::to_string(end) +
                                                            " positions exceed the context of " +
                                                            std::to_string(max_context));
  }
  if (total == 0 || total > max_tokens)
    return make_error(StatusCode::kInvalidArgument, "step: " + std::to_string(total) +
                                                        " tokens, the plan takes 1 to " +
                                                        std::to_string(max_tokens));
  return Status::ok_status();
}

namespace {

size_t output_rows(const BatchRequest& request) {
  size_t rows = 0;
  for (const SequenceChunk& chunk : request.chunks) rows += chunk.output_rows.size();
  return rows;
}

}  // namespace

Status check_batch(const BatchRequest& request, int64_t max_tokens, int64_t vocab_size,
                   int64_t max_context) {
  INGOT_RETURN_IF_ERROR(check_chunks(request, max_tokens, vocab_size, max_context));
  if (output_rows(request) > 0 && request.logits == nullptr)
    return make_error(StatusCode::kInvalidArgument, "step: logits requested without a buffer");
  return Status::ok_status();
}

Status check_sampling(const BatchRequest& request, std::span<const sampling::RowSampling> sampling,
                      std::span<const int32_t> ids) {
  const size_t rows = output_rows(request);
  if (sampling.size() != rows || ids.size() != rows)
    return make_error(StatusCode::kInvalidArgument,
                      "step: " + std::to_string(rows) + " output rows, " +
                          std::to_string(sampling.size()) + " samplings, " +
                          std::to_string(ids.size()) + " ids");
  return Status::ok_status();
}

Result<cpu::KvDType> cache_dtype(const artifact::Artifact& artifact,
                                 const ExecutorOptions& options) {
  std::string name = options.cache_dtype;
  const auto* config = artifact.model().config();
  if (name.empty() && config && config->cache_dtype()) name = config->cache_dtype()->str();
  if (name == "float32" || name.empty()) return cpu::KvDType::kF32;
  if (name == "float16" || name == "f16") return cpu::KvDType::kF16;
  if (name == "bfloat16" || name == "bf16") return cpu::KvDType::kBF16;
  return make_error(
      StatusCode::kUnimplemented,
      artifact.path() + ": cache_dtype " + name + " is not supported (float32, float16, bfloat16)");
}

Result<int64_t> context_length(const artifact::Artifact& artifact, const ExecutorOptions& options) {
  const auto* config = artifact.model().config();
  const int64_t artifact_length = config && config->max_length() > 0 ? config->max_length() : 0;
  const int64_t context = options.max_context > 0 ? options.max_context : artifact_length;
  if (context <= 0)
    return make_error(StatusCode::kInvalidArgument,
                      artifact.path() + ": no context length (pass max_context)");
  if (artifact_length > 0 && context > artifact_length)
    return make_error(StatusCode::kInvalidArgument,
                      artifact.path() + ": context " + std::to_string(context) +
                          " is longer than the artifact's max_length " +
                          std::to_string(artifact_length));
  return context;
}

kv_cache::KvCacheShape kv_cache_shape(const artifact::Artifact& artifact,
                                      const ExecutorOptions& options, int64_t layers,
                                      int64_t row_elements, int64_t max_context, cpu::KvDType dtype,
                                      uint64_t available_bytes) {
  const auto* config = artifact.model().config();
  kv_cache::KvCacheShape shape;
  shape.layers = layers;
  shape.row_elements = row_elements;
  shape.dtype = dtype;
  shape.page_size = config && config->kv_cache_page_size() > 0 ? config->kv_cache_page_size() : 128;
  const int64_t pages_per_sequence = (max_context + shape.page_size - 1) / shape.page_size;
  shape.pages = pages_per_sequence * std::max<int64_t>(1, options.max_sequences);
  if (options.max_sequences > 0) return shape;
  const double fraction = config && config->device_memory_utilization() > 0
                              ? std::min(1.0, config->device_memory_utilization())
                              : 0.9;
  const uint64_t page_bytes = static_cast<uint64_t>(layers * 2 * shape.page_size * row_elements) *
                              cpu::kv_element_bytes(dtype);
  const auto* plan = artifact.model().plan();
  const double taken = static_cast<double>(artifact.segment().size()) +
                       static_cast<double>(plan ? plan->arena_bytes() : 0);
  const double room = static_cast<double>(available_bytes) * fraction - taken;
  const int64_t fit = room > 0 ? static_cast<int64_t>(room / static_cast<double>(page_bytes)) : 0;
  shape.pages = std::max(pages_per_sequence, std::min<int64_t>(fit, INT32_MAX / shape.page_size));
  return shape;
}

Status Executor::step_and_sample(const BatchRequest& request,
                                 std::span<const sampling::RowSampling> sampling,
                                 std::span<int32_t> ids) {
  INGOT_RETURN_IF_ERROR(check_sampling(request, sampling, ids));
  const size_t rows = ids.size();
  const size_t vocab = static_cast<size_t>(vocab_size());
  host_logits_.resize(rows * vocab);
  INGOT_RETURN_IF_ERROR(step_batch({request.chunks, host_logits_.data()}));
  for (size_t r = 0; r < rows; ++r)
    ids[r] = sampling::sample_row(std::span<const float>(host_logits_.data() + r * vocab, vocab),
                                  sampling[r]);
  return Status::ok_status();
}

}  // namespace ingot::device
