// CpuExecutor: runs an artifact's plan on the CPU, one step (a chunk of tokens) at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "runtime/artifact/artifact.h"
#include "runtime/base/status.h"
#include "runtime/kv_cache/paged_kv_cache.h"
#include "runtime/device/executor.h"

namespace ingot::cpu {

using kv_cache::KvSequence;
using kv_cache::PagedKvCache;

using device::ExecutorOptions;
using device::StepRequest;

/// Executes the plan's kernels in order against the memory-mapped weights, an activation arena
/// sized by the plan, and a paged KV cache. The plan is checked kernel by kernel when the
/// executor is created, so a step cannot read or write outside its buffers.
class CpuExecutor : public device::Executor {
 public:
  /// Binds every kernel of `artifact`'s plan (which must outlive the executor) and allocates the
  /// arena and the KV cache. Errors name the kernel and the problem.
  static Result<std::unique_ptr<CpuExecutor>> create(const artifact::Artifact& artifact,
                                                     const ExecutorOptions& options);
  ~CpuExecutor() override;

  /// Runs the plan on `request.tokens` (1 to max_tokens() of them), appends their keys and values
  /// to the sequence, and writes the requested logits.
  Status step_batch(const device::BatchRequest& request) override;
  bool batches_sequences() const override { return true; }

  /// Rows of the logits (the output weight's rows).
  int64_t vocab_size() const override;
  /// Most tokens one step takes (the plan's max_tokens).
  int64_t max_tokens() const override;
  /// Positions one sequence may hold.
  int64_t max_context() const override;
  /// Threads that run each step.
  int threads() const;
  /// The KV cache the sequences live in.
  PagedKvCache& cache() override;
  /// A one-line description: threads, matmul path, KV cache type and size.
  std::string describe() const override;

 private:
  struct Impl;
  explicit CpuExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ingot::cpu
