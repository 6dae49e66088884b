// create_executor: the device an ExecutorOptions names, among those this build has.
#include "runtime/device/cpu/executor.h"
#include "runtime/device/executor.h"
#if INGOT_HAVE_CUDA
#include "kernels/cuda/cuda_kernels.h"
#include "runtime/device/cuda/cuda_executor.h"
#endif

namespace ingot::device {

std::string available_devices() {
#if INGOT_HAVE_CUDA
  return "cpu, cuda";
#else
  return "cpu";
#endif
}

Result<double> gpu_copy_bandwidth() {
#if INGOT_HAVE_CUDA
  std::string why;
  const double bandwidth = cuda::copy_bandwidth(&why);
  if (bandwidth > 0) return bandwidth;
  return make_error(StatusCode::kUnimplemented, "cuda: " + why);
#else
  return make_error(StatusCode::kInvalidArgument, "this build has no CUDA device");
#endif
}

Result<std::unique_ptr<Executor>> create_executor(const artifact::Artifact& artifact,
                                                  const ExecutorOptions& options) {
  if (options.device == "cpu") {
    INGOT_ASSIGN_OR_RETURN(std::unique_ptr<cpu::CpuExecutor> executor,
                           cpu::CpuExecutor::create(artifact, options));
    return std::unique_ptr<Executor>(std::move(executor));
  }
#if INGOT_HAVE_CUDA
  if (options.device == "cuda") {
    INGOT_ASSIGN_OR_RETURN(std::unique_ptr<cuda::CudaExecutor> executor,
                           cuda::CudaExecutor::create(artifact, options));
    return std::unique_ptr<Executor>(std::move(executor));
  }
#endif
  return make_error(StatusCode::kInvalidArgument, "device '" + options.device +
                                                      "' is not one this build has (" +
                                                      available_devices() + ")");
}

}  // namespace ingot::device
