// Whether a GPU can run the kernels, and which weight types they read.
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
