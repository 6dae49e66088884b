// Scheduler: continuous batching over a TextGenerationPipeline: requests wait in arrival order,
// join the running batch as slots free up, and leave it as they finish.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/pipeline/text_generation_pipeline.h"

namespace ingot::pipeline {

/// Feeds a pipeline from a queue, up to max_batch_size requests at a time.
class Scheduler {
 public:
  explicit Scheduler(TextGenerationPipeline& pipeline) : pipeline_(pipeline) {}

  /// Queues a request; a bad one is refused here with its one-line error and the others go on.
  Status submit(TextRequest request);
  /// True when nothing is queued or running.
  bool idle() const { return waiting_.empty() && running_.empty(); }
  /// Requests queued, and running.
  size_t waiting() const { return waiting_.size(); }
  size_t running() const { return running_.size(); }

  /// Admits waiting requests into free slots, runs one next_token call (max_num_steps steps
  /// when every running request is decoding, else one), and releases the requests that
  /// finished. Returns the call's responses by request id.
  Result<std::map<std::string, TextResponse>> run_once();

 private:
  TextGenerationPipeline& pipeline_;
  std::deque<std::unique_ptr<TextContext>> waiting_;
  std::vector<std::unique_ptr<TextContext>> running_;
};

}  // namespace ingot::pipeline
