// CudaExecutor: runs an artifact's plan on GPU 0 with the kernels/cuda kernels.
#pragma once

#include <memory>
#include <string>

#include "runtime/artifact/artifact.h"
#include "runtime/device/executor.h"

namespace ingot::cuda {

/// Uploads the weights the plan reads, allocates the activation arena, the paged KV cache and
/// the scratch on the device, then runs each step as a sequence of launches on one stream. It
/// runs the plan the passes produce with attention fused (fused_attention); plans with attention
/// split into rope, cache and attention kernels are refused at creation, naming the kernel.
class CudaExecutor : public device::Executor {
 public:
  /// Fails with a one-line error when there is no usable GPU, a kernel or weight type has no
  /// CUDA kernel, or the device has too little memory.
  static Result<std::unique_ptr<CudaExecutor>> create(const artifact::Artifact& artifact,
                                                      const device::ExecutorOptions& options);
  ~CudaExecutor() override;

  /// Any number of chunks per step: each token carries its sequence's row table and position.
  Status step_batch(const device::BatchRequest& request) override;
  bool batches_sequences() const override { return true; }
  /// Samples on the GPU (kernels/cuda `sample`) and copies back only the ids.
  Status step_and_sample(const device::BatchRequest& request,
                         std::span<const sampling::RowSampling> sampling,
                         std::span<int32_t> ids) override;
  int64_t vocab_size() const override;
  int64_t max_tokens() const override;
  int64_t max_context() const override;
  device::PagedKvCache& cache() override;
  std::string describe() const override;

 private:
  struct Impl;
  explicit CudaExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ingot::cuda
