// Dummy weights made on the device: the host fill's blocks (kernels/quant/dummy_weights.h), one
// block per thread, so a dummy model reaches the GPU without crossing PCIe.
#include "kernels/cuda/common.cuh"
#include "kernels/quant/dummy_weights.h"

namespace ingot::cuda {
namespace {

__global__ void fill_dummy_kernel(quant::dummy::FillParams p, uint64_t blocks, uint8_t* out) {
  const uint64_t b = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (b < blocks) quant::dummy::fill_block(p, b, out + b * p.block_bytes);
}

}  // namespace

cudaError_t fill_dummy(const quant::dummy::FillParams& params, uint64_t blocks, void* out,
                       cudaStream_t stream) {
  if (blocks == 0) return cudaSuccess;
  constexpr unsigned kThreads = 256;
  const uint64_t grid = (blocks + kThreads - 1) / kThreads;
  if (grid > 0x7fffffffu) return cudaErrorInvalidValue;
  fill_dummy_kernel<<<static_cast<unsigned>(grid), kThreads, 0, stream>>>(
      params, blocks, static_cast<uint8_t*>(out));
  return cudaGetLastError();
}

}  // namespace ingot::cuda
