// Scheduler: admission, one pipeline call, release.
#include "runtime/pipeline/scheduler.h"

#include <algorithm>

namespace ingot::pipeline {

Status Scheduler::submit(TextRequest request) {
  INGOT_ASSIGN_OR_RETURN(std::unique_ptr<TextContext> context,
                         pipeline_.new_context(std::move(request)));
  waiting_.push_back(std::move(context));
  return Status::ok_status();
}

Result<std::map<std::string, TextResponse>> Scheduler::run_once() {
  const PipelineConfig& config = pipeline_.config();
  while (!waiting_.empty() && static_cast<int64_t>(running_.size()) < config.max_batch_size) {
    running_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  std::vector<TextContext*> batch;
  bool encoding = false;
  for (const auto& c : running_) {
    batch.push_back(c.get());
    encoding = encoding || c->cached() + 1 < static_cast<int64_t>(c->tokens().size());
  }
  const int64_t steps = encoding || config.max_num_steps < 1 ? 1 : config.max_num_steps;
  INGOT_ASSIGN_OR_RETURN(auto responses, pipeline_.next_token(batch, steps));
  for (auto& c : running_)
    if (c->done()) pipeline_.release(*c);
  std::erase_if(running_, [](const std::unique_ptr<TextContext>& c) { return c->done(); });
  return responses;
}

}  // namespace ingot::pipeline
