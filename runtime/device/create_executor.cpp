// create_executor: the device an ExecutorOptions names, among those this build has.
#include "runtime/device/cpu/executor.h"
#include "runtime/device/executor.h"
#if INGOT_HAVE_CUDA
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
