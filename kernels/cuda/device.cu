// Whether a GPU can run the kernels, and which weight types they read.
#include <atomic>

#include "kernels/cuda/common.cuh"

namespace ingot::cuda {

bool device_available(std::string* why) {
  int count = 0;  // cudaGetDeviceCount leaves it untouched when there is no driver
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    if (why) *why = status != cudaSuccess ? cudaGetErrorString(status) : "no CUDA device";
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return false;
  }
  return true;
}

namespace {
std::atomic<bool> programmatic{false};
}  // namespace

void set_programmatic_launch(bool on) { programmatic.store(on, std::memory_order_relaxed); }
bool programmatic_launch() { return programmatic.load(std::memory_order_relaxed); }

namespace {
/// Built as every kernel is: the PTX it runs from says whether wait_for_inputs waits.
__global__ void probe_kernel() { detail::wait_for_inputs(); }
}  // namespace

bool programmatic_launch_compiled() {
  cudaFuncAttributes attributes{};
  if (cudaFuncGetAttributes(&attributes, probe_kernel) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return attributes.ptxVersion >= 90;
}

double copy_bandwidth(std::string* why) {
  const size_t bytes = size_t{1} << 30;
  void *a = nullptr, *b = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  double best_ms = 0;
  cudaError_t status = cudaMalloc(&a, bytes);
  if (status == cudaSuccess) status = cudaMalloc(&b, bytes);
  if (status == cudaSuccess) status = cudaEventCreate(&start);
  if (status == cudaSuccess) status = cudaEventCreate(&stop);
  for (int rep = 0; rep < 13 && status == cudaSuccess; ++rep) {  // 3 warm-ups, best of 10
    cudaEventRecord(start);
    cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice);
    cudaEventRecord(stop);
    status = cudaEventSynchronize(stop);
    float ms = 0;
    if (status == cudaSuccess) status = cudaEventElapsedTime(&ms, start, stop);
    if (rep >= 3 && (best_ms == 0 || ms < best_ms)) best_ms = ms;
  }
  if (why && status != cudaSuccess) *why = cudaGetErrorString(status);
  cudaFree(a);
  cudaFree(b);
  if (start) cudaEventDestroy(start);
  if (stop) cudaEventDestroy(stop);
  cudaGetLastError();
  return status == cudaSuccess && best_ms > 0 ? 2.0 * bytes / (best_ms * 1e-3) : 0.0;
}

bool supports_weight_type(GgmlType type) {
  switch (type) {  // the types detail::dispatch_type instantiates kernels for
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q8_0:
    case GgmlType::Q4_K:
    case GgmlType::Q6_K: return true;
    default: return false;
  }
}

}  // namespace ingot::cuda
