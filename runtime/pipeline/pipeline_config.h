// PipelineConfig: MAX's serving knobs (max.pipelines.lib.config), names and defaults as MAX's.
#pragma once

#include <cstdint>
#include <optional>

#include "runtime/base/status.h"

namespace ingot::pipeline {

/// How the pipeline batches and schedules requests.
struct PipelineConfig {
  /// Requests decoded together (MAX: None, which means 1).
  int64_t max_batch_size = 1;
  /// Requests in one context-encoding batch; the limit is the lesser of this and max_batch_size.
  int64_t max_ce_batch_size = 192;
  /// Split prompts into chunks of target_num_new_tokens across steps.
  bool enable_chunked_prefill = true;
  /// Un-encoded tokens per step; unset: the plan's max_tokens.
  std::optional<int64_t> target_num_new_tokens;
  /// Batch decode tokens with prefill chunks in one step (decode first); off: a step either
  /// encodes prompts or decodes.
  bool enable_in_flight_batching = false;
  /// Decode steps per next_token call; -1: 1 on the CPU.
  int64_t max_num_steps = -1;
  /// Shape padding for devices with static shapes; the CPU device runs exact token counts, so it
  /// only has to be positive.
  int64_t pad_to_multiple_of = 2;
  /// Share full KV pages between requests with the same token prefix.
  bool enable_prefix_caching = false;
  /// Return the prompt tokens (with log probabilities when asked) in the first response.
  bool enable_echo = false;

  /// Checks the values; errors name the field and the rule, as MAX's do.
  Status validate() const;
};

}  // namespace ingot::pipeline
