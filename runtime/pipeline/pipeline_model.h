// PipelineModel: MAX's model layer under the pipeline: inputs prepared from request chunks, one
// batched execution, log probabilities from its logits, and the memory estimate.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/device/executor.h"
#include "runtime/pipeline/memory_estimate.h"

namespace ingot::pipeline {

/// The tokens one request runs in a step, and which of their positions return logits.
struct ChunkInput {
  device::KvSequence* sequence = nullptr;
  std::span<const int32_t> tokens;  ///< the request's tokens from sequence->length on
  bool next_token = false;          ///< the chunk ends the request's tokens: sample after it
  std::vector<int32_t> echo_rows;   ///< positions (in the chunk) whose logits echo needs
};

/// One execute()'s inputs: a chunk per request, in order.
struct ModelInputs {
  std::vector<ChunkInput> chunks;
};

/// MAX's ModelOutputs: the logits of each chunk that reached its request's last token, and the
/// logits of the echo positions, each chunk's rows in order.
struct ModelOutputs {
  std::vector<float> next_token_logits;  ///< a row per chunk with next_token
  std::vector<float> logits;             ///< a row per echo position
};

/// A token's log probability and the top-N alternatives (most probable first).
struct LogProbabilities {
  float token_logprob = 0.0f;
  std::vector<std::pair<int32_t, float>> top;
};

/// Runs the plan for a pipeline through an executor.
class PipelineModel {
 public:
  explicit PipelineModel(device::Executor& executor) : executor_(executor) {}

  /// Inputs for a first step of `chunks` (each a request's next tokens).
  ModelInputs prepare_initial_token_inputs(std::vector<ChunkInput> chunks) const {
    return {std::move(chunks)};
  }
  /// Inputs for the next decode step: each chunk of `previous` that sampled feeds its token.
  /// `next_tokens` hold one token per such chunk, in order, and must outlive the inputs.
  ModelInputs prepare_next_token_inputs(std::span<const int32_t> next_tokens,
                                        const ModelInputs& previous) const;

  /// One batched step (or one step per chunk where the executor takes one sequence at a time).
  Result<ModelOutputs> execute(const ModelInputs& inputs);

  /// As execute for inputs without echo rows, but each chunk with next_token is sampled where
  /// its logits are, with sampling[i] for the i-th such chunk: the ids, in that order.
  Result<std::vector<int32_t>> execute_and_sample(const ModelInputs& inputs,
                                                  std::span<const sampling::RowSampling> sampling);

  /// For each of `tokens` (ids, one per logits row), its log probability under its row and the
  /// row's top `top_n` tokens; nullopt rows when top_n is 0.
  std::vector<std::optional<LogProbabilities>> compute_log_probabilities(
      std::span<const float> logits, std::span<const int32_t> tokens, int32_t top_n) const;

  /// MAX's estimate_memory_footprint for `shape` (weights, KV cache, activations).
  static Result<MemoryEstimate> estimate_memory_footprint(const artifact::Artifact& artifact,
                                                          const ServingShape& shape) {
    return pipeline::estimate_memory_footprint(artifact.model(), shape);
  }

  device::Executor& executor() { return executor_; }

 private:
  device::Executor& executor_;
  std::vector<float> rows_;  // with echo rows: the step's logits as the executor writes them
};

}  // namespace ingot::pipeline
