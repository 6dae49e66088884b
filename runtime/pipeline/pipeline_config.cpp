// PipelineConfig::validate.
#include "runtime/pipeline/pipeline_config.h"

#include <string>

namespace ingot::pipeline {

Status PipelineConfig::validate() const {
  const auto invalid = [](const std::string& message) {
    return make_error(StatusCode::kInvalidArgument, "PipelineConfig: " + message);
  };
  if (max_batch_size < 1) return invalid("max_batch_size must be >= 1");
  if (max_ce_batch_size < 1) return invalid("max_ce_batch_size must be >= 1");
  if (target_num_new_tokens && *target_num_new_tokens < 1)
    return invalid("target_num_new_tokens must be >= 1");
  if (max_num_steps == 0 || max_num_steps < -1) return invalid("max_num_steps must be -1 or >= 1");
  if (pad_to_multiple_of < 1) return invalid("pad_to_multiple_of must be >= 1");
  return Status::ok_status();
}

}  // namespace ingot::pipeline
