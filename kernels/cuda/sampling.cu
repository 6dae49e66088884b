// Greedy sampling on the device: a block-wide argmax per logits row.
#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

constexpr int kThreads = 256;

/// (value, index) that wins: larger value, then lower index.
__device__ __forceinline__ bool beats(float v, int32_t i, float best, int32_t best_i) {
  return v > best || (v == best && i < best_i);
}

__global__ void __launch_bounds__(kThreads)
    argmax_kernel(const float* __restrict__ logits, int64_t vocab, int32_t* __restrict__ out) {
  const float* row = logits + static_cast<int64_t>(blockIdx.x) * vocab;
  float best = -INFINITY;
  int32_t best_i = INT32_MAX;
  for (int64_t i = threadIdx.x; i < vocab; i += kThreads) {
    if (beats(row[i], static_cast<int32_t>(i), best, best_i))
      best = row[i], best_i = static_cast<int32_t>(i);
  }
  for (int offset = detail::kWarp / 2; offset > 0; offset /= 2) {
    const float v = __shfl_xor_sync(0xffffffffu, best, offset);
    const int32_t i = __shfl_xor_sync(0xffffffffu, best_i, offset);
    if (beats(v, i, best, best_i)) best = v, best_i = i;
  }
  __shared__ float values[kThreads / detail::kWarp];
  __shared__ int32_t indices[kThreads / detail::kWarp];
  if (threadIdx.x % detail::kWarp == 0) {
    values[threadIdx.x / detail::kWarp] = best;
    indices[threadIdx.x / detail::kWarp] = best_i;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kThreads / detail::kWarp; ++w)
      if (beats(values[w], indices[w], best, best_i)) best = values[w], best_i = indices[w];
    out[blockIdx.x] = best_i == INT32_MAX ? 0 : best_i;  // all NaN: token 0
  }
}

}  // namespace

cudaError_t argmax(const float* logits, int64_t rows, int64_t vocab, int32_t* out,
                   cudaStream_t stream) {
  if (rows < 0 || vocab <= 0 || vocab > INT32_MAX) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  argmax_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(logits, vocab, out);
  return detail::launched();
}

}  // namespace ingot::cuda
