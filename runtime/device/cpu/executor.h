// CpuExecutor: runs an artifact's plan on the CPU, one step (a chunk of tokens) at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "runtime/artifact/artifact.h"
#include "runtime/base/status.h"
#include "runtime/device/cpu/kv_cache.h"

namespace ingot::cpu {

/// How the executor runs.
struct ExecutorOptions {
  int threads = 0;            ///< 0: the machine's physical cores
  int64_t max_context = 0;    ///< positions per sequence; 0: the artifact's max_length
  int64_t max_sequences = 1;  ///< sequences the KV cache holds at full context
  /// KV cache element type; "" takes the artifact's cache_dtype (float32, float16/f16,
  /// bfloat16/bf16).
  std::string cache_dtype;
};

/// One step: `tokens` of one sequence at consecutive positions from sequence.length on.
struct StepRequest {
  std::span<const int32_t> tokens;
  KvSequence* sequence = nullptr;
  /// Indices into `tokens` (ascending) whose logits are wanted, e.g. {tokens.size() - 1}.
  std::span<const int32_t> output_rows;
  /// output_rows.size() rows of vocab_size() floats.
  float* logits = nullptr;
};

/// Executes the plan's kernels in order against the memory-mapped weights, an activation arena
/// sized by the plan, and a paged KV cache. The plan is checked kernel by kernel when the
/// executor is created, so a step cannot read or write outside its buffers.
class CpuExecutor {
 public:
  /// Binds every kernel of `artifact`'s plan (which must outlive the executor) and allocates the
  /// arena and the KV cache. Errors name the kernel and the problem.
  static Result<std::unique_ptr<CpuExecutor>> create(const artifact::Artifact& artifact,
                                                     const ExecutorOptions& options);
  ~CpuExecutor();

  /// Runs the plan on `request.tokens` (1 to max_tokens() of them), appends their keys and values
  /// to the sequence, and writes the requested logits.
  Status step(const StepRequest& request);

  /// Rows of the logits (the output weight's rows).
  int64_t vocab_size() const;
  /// Most tokens one step takes (the plan's max_tokens).
  int64_t max_tokens() const;
  /// Positions one sequence may hold.
  int64_t max_context() const;
  /// Threads that run each step.
  int threads() const;
  /// The KV cache the sequences live in.
  PagedKvCache& cache();
  /// A one-line description: threads, matmul path, KV cache type and size.
  std::string describe() const;

 private:
  struct Impl;
  explicit CpuExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ingot::cpu
