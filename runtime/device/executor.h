// Executor: what every device (the CPU, CUDA where built) offers the generation code: one step
// of tokens of one sequence through the artifact's plan, with a paged KV cache.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/base/status.h"
#include "runtime/kv_cache/paged_kv_cache.h"
#include "runtime/sampling/sampling.h"

namespace ingot::device {

using kv_cache::KvSequence;
using kv_cache::PagedKvCache;

/// The most CPU threads an executor takes.
inline constexpr int kMaxCpuThreads = 1024;

/// How an executor runs.
struct ExecutorOptions {
  std::string device = "cpu";  ///< "cpu", or "cuda" (GPU 0) where the build has CUDA
  int threads = 0;             ///< CPU threads, at most kMaxCpuThreads; 0: the physical cores
  int64_t max_context = 0;     ///< positions per sequence; 0: the artifact's max_length
  /// Sequences the KV cache holds at full context; 0: as many as the artifact's
  /// device_memory_utilization of the free memory holds (MAX's sizing), at least one.
  int64_t max_sequences = 1;
  /// KV cache element type; "" takes the artifact's cache_dtype (float32, float16/f16,
  /// bfloat16/bf16).
  std::string cache_dtype;
  /// CPU matmul path by name (amx, avx512vnni, avx2, scalar, reference); "" takes the fastest
  /// this CPU supports.
  std::string cpu_matmul;
  /// CUDA: run each step of up to 8 tokens (decode) as a captured CUDA graph, updated in place
  /// from one step to the next, rather than launch by launch.
  bool cuda_graphs = true;
  /// MAX's pdl_level: 0 launches each kernel after the last has finished; 1 or more lets the
  /// CUDA decode kernels be scheduled while the previous one finishes (programmatic dependent
  /// launch, compute capability 9.0 and up). Process-wide: the last CUDA executor made sets it.
  int pdl_level = 1;
};

/// One step: `tokens` of one sequence at consecutive positions from sequence.length on.
struct StepRequest {
  std::span<const int32_t> tokens;
  KvSequence* sequence = nullptr;
  /// Indices into `tokens` (ascending) whose logits are wanted, e.g. {tokens.size() - 1}.
  std::span<const int32_t> output_rows;
  /// output_rows.size() rows of vocab_size() floats, in host memory.
  float* logits = nullptr;
};

/// The tokens of one sequence within a batched step.
struct SequenceChunk {
  std::span<const int32_t> tokens;
  KvSequence* sequence = nullptr;
  /// Indices into `tokens` (ascending) whose logits are wanted.
  std::span<const int32_t> output_rows;
};

/// One step over several sequences (each at most once): their tokens run through the plan
/// together, each attending over its own sequence.
struct BatchRequest {
  std::span<const SequenceChunk> chunks;
  /// One row of vocab_size() floats per output row, chunk after chunk, in host memory.
  float* logits = nullptr;
};

/// Runs an artifact's plan on one device. The plan is checked kernel by kernel when the executor
/// is created, so a step cannot read or write outside its buffers.
class Executor {
 public:
  virtual ~Executor() = default;
  /// Runs the plan on `request.tokens` (1 to max_tokens() of them), appends their keys and values
  /// to the sequence, and writes the requested logits.
  Status step(const StepRequest& request) {
    const SequenceChunk chunk{request.tokens, request.sequence, request.output_rows};
    return step_batch({std::span<const SequenceChunk>(&chunk, 1), request.logits});
  }
  /// As step, for the chunks of several sequences at once (1 to max_tokens() tokens in all;
  /// more than one chunk only where batches_sequences()).
  virtual Status step_batch(const BatchRequest& request) = 0;
  /// True when step_batch takes chunks of several sequences in one step.
  virtual bool batches_sequences() const { return false; }
  /// As step_batch, but output row i is sampled with sampling[i] into ids[i] where the logits
  /// are (a GPU copies back ids, not rows of logits); request.logits is not used. The default
  /// steps into host memory and samples there.
  virtual Status step_and_sample(const BatchRequest& request,
                                 std::span<const sampling::RowSampling> sampling,
                                 std::span<int32_t> ids);
  /// Rows of the logits (the output weight's rows).
  virtual int64_t vocab_size() const = 0;
  /// Most tokens one step takes (the plan's max_tokens).
  virtual int64_t max_tokens() const = 0;
  /// Positions one sequence may hold.
  virtual int64_t max_context() const = 0;
  /// The page bookkeeping of the KV cache the sequences live in.
  virtual PagedKvCache& cache() = 0;
  /// A one-line description: device, kernels, KV cache type and size.
  virtual std::string describe() const = 0;

 private:
  std::vector<float> host_logits_;  // the default step_and_sample's rows
};

/// Checks a batched step's chunks against a plan's limits: token counts and ids, distinct
/// sequences, output rows and the context. Errors are one line.
Status check_chunks(const BatchRequest& request, int64_t max_tokens, int64_t vocab_size,
                    int64_t max_context);

/// check_chunks, and a logits buffer when rows are wanted: step_batch's checks.
Status check_batch(const BatchRequest& request, int64_t max_tokens, int64_t vocab_size,
                   int64_t max_context);

/// One sampling and one id per output row of `request` (step_and_sample, whose logits need no
/// host buffer).
Status check_sampling(const BatchRequest& request, std::span<const sampling::RowSampling> sampling,
                      std::span<const int32_t> ids);

/// The KV cache element type: options.cache_dtype, else the artifact's cache_dtype (float32
/// when it names none); kUnimplemented for a type the devices do not store.
Result<cpu::KvDType> cache_dtype(const artifact::Artifact& artifact,
                                 const ExecutorOptions& options);

/// The artifact's context length, or options.max_context when given; errors when neither is
/// known or the option exceeds the artifact's.
Result<int64_t> context_length(const artifact::Artifact& artifact, const ExecutorOptions& options);

/// The KV cache for `layers` layers of row_elements per token: the artifact's page size
/// (kv_cache_page_size, else 128), and pages for options.max_sequences full contexts, or with
/// max_sequences 0, the pages that fit in device_memory_utilization (the artifact's, else 0.9) of
/// `available_bytes` less the weight segment and the activation arena (at least one context).
kv_cache::KvCacheShape kv_cache_shape(const artifact::Artifact& artifact,
                                      const ExecutorOptions& options, int64_t layers,
                                      int64_t row_elements, int64_t max_context, cpu::KvDType dtype,
                                      uint64_t available_bytes);

/// The device names this build has: "cpu", and "cuda" when it was built with nvcc.
std::string available_devices();

/// GPU 0's measured device-to-device copy bandwidth in bytes/s (read plus written): the decode
/// roofline's bandwidth. An error in builds without CUDA or on machines without a GPU.
Result<double> gpu_copy_bandwidth();

/// Creates the executor options.device names over `artifact` (which must outlive it).
Result<std::unique_ptr<Executor>> create_executor(const artifact::Artifact& artifact,
                                                  const ExecutorOptions& options);

}  // namespace ingot::device
