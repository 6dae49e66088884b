// RMS norm with the residual add fused: one block per token row.
#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

constexpr int kThreads = 256;

// x, residual, sum and out without __restrict__: the memory planner may give an output an
// input's buffer, and each thread reads its elements before it writes them.
__global__ void __launch_bounds__(kThreads)
    rms_norm_kernel(const float* x, const float* residual, const float* __restrict__ weight,
                    float eps, int64_t n, float* sum, float* out) {
  detail::wait_for_inputs();
  const int64_t row = blockIdx.x;
  const float* xr = x + row * n;
  const float* rr = residual ? residual + row * n : nullptr;
  float squares = 0.0f;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const float v = rr ? xr[i] + rr[i] : xr[i];
    if (rr) sum[row * n + i] = v;
    squares += v * v;
  }
  __shared__ float partial[kThreads / detail::kWarp];
  squares = detail::warp_sum(squares);
  if (threadIdx.x % detail::kWarp == 0) partial[threadIdx.x / detail::kWarp] = squares;
  __syncthreads();
  if (threadIdx.x < detail::kWarp) {
    float total = threadIdx.x < kThreads / detail::kWarp ? partial[threadIdx.x] : 0.0f;
    total = detail::warp_sum(total);
    if (threadIdx.x == 0) partial[0] = total;
  }
  __syncthreads();
  const float scale = 1.0f / sqrtf(partial[0] / static_cast<float>(n) + eps);
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const float v = rr ? sum[row * n + i] : xr[i];
    out[row * n + i] = (v * scale) * weight[i];
  }
}

}  // namespace

cudaError_t rms_norm(const float* x, const float* residual, const float* weight, float eps,
                     int64_t tokens, int64_t n, float* sum, float* out, cudaStream_t stream) {
  if (tokens < 0 || n <= 0 || (residual && !sum)) return cudaErrorInvalidValue;
  if (tokens == 0) return cudaSuccess;
  detail::launch_kernel(rms_norm_kernel, static_cast<unsigned>(tokens), kThreads, stream, x,
                        residual, weight, eps, n, sum, out);
  return detail::launched();  // taken, so that no later call reports it as its own
}

}  // namespace ingot::cuda
