// Decode products: one warp per weight row decodes each 32-value unit once and dots it with up
// to kMaxGemvTokens activation rows; the warp's partial sums meet in a shuffle reduction.
#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

using detail::kWarp;

constexpr int kWarpsPerBlock = 4;

template <GgmlType T, int kTokens>
__global__ void __launch_bounds__(kWarpsPerBlock* kWarp)
    gemv_kernel(const uint8_t* __restrict__ w, int64_t rows, int64_t n, uint64_t row_bytes,
                const float* __restrict__ x, float* __restrict__ y, int64_t y_stride) {
  detail::wait_for_inputs();
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  if (row >= rows) return;
  const uint8_t* wr = w + static_cast<uint64_t>(row) * row_bytes;
  float acc[kTokens] = {};
  for (int64_t u = lane; u < n / 32; u += kWarp) {
    float wv[32];
    detail::decode_unit<T>(wr, u, wv);
#pragma unroll
    for (int t = 0; t < kTokens; ++t) {
      const float4* xt = reinterpret_cast<const float4*>(x + t * n + u * 32);
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        const float4 v = __ldg(xt + i);
        acc[t] += wv[4 * i] * v.x + wv[4 * i + 1] * v.y + wv[4 * i + 2] * v.z + wv[4 * i + 3] * v.w;
      }
    }
  }
#pragma unroll
  for (int t = 0; t < kTokens; ++t) {
    const float sum = detail::warp_sum(acc[t]);
    if (lane == 0) y[t * y_stride + row] = sum;
  }
}

template <GgmlType T, int kTokens>
void launch(const void* w, int64_t rows, int64_t n, const float* x, float* y, int64_t y_stride,
            cudaStream_t stream) {
  const unsigned blocks = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
  detail::launch_kernel(gemv_kernel<T, kTokens>, blocks, kWarpsPerBlock * kWarp, stream,
                        static_cast<const uint8_t*>(w), rows, n, detail::row_bytes(T, n), x, y,
                        y_stride);
}

}  // namespace

cudaError_t gemv(GgmlType type, const void* w, int64_t rows, int64_t n, const float* x,
                 int64_t tokens, float* y, int64_t y_stride, cudaStream_t stream) {
  static_assert(kMaxGemvTokens == 8, "one instantiation per token count below");
  if (rows < 0 || tokens < 1 || tokens > kMaxGemvTokens || y_stride < rows ||
      !detail::whole_units(type, n))
    return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  const bool known = detail::dispatch_type(type, [&]<GgmlType T>() {
    switch (tokens) {
      case 1: return launch<T, 1>(w, rows, n, x, y, y_stride, stream);
      case 2: return launch<T, 2>(w, rows, n, x, y, y_stride, stream);
      case 3: return launch<T, 3>(w, rows, n, x, y, y_stride, stream);
      case 4: return launch<T, 4>(w, rows, n, x, y, y_stride, stream);
      case 5: return launch<T, 5>(w, rows, n, x, y, y_stride, stream);
      case 6: return launch<T, 6>(w, rows, n, x, y, y_stride, stream);
      case 7: return launch<T, 7>(w, rows, n, x, y, y_stride, stream);
      default: return launch<T, 8>(w, rows, n, x, y, y_stride, stream);
    }
  });
  if (!known) return cudaErrorInvalidValue;
  return detail::launched();
}

}  // namespace ingot::cuda
