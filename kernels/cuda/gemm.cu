// Prefill products on the tensor cores: weights widened to bfloat16 (each thread one 32-value
// unit), activations rounded to bfloat16, then one cuBLAS GEMM with float accumulation.
#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

constexpr uint64_t kAlign = 256;

uint64_t aligned(uint64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

template <GgmlType T>
__global__ void widen_kernel(const uint8_t* __restrict__ w, int64_t rows, int64_t n,
                             uint64_t row_bytes, __nv_bfloat16* __restrict__ out) {
  const int64_t units = n / 32;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * units) return;
  const int64_t row = i / units, u = i % units;
  float v[32];
  detail::decode_unit<T>(w + static_cast<uint64_t>(row) * row_bytes, u, v);
  __nv_bfloat16* o = out + row * n + u * 32;
#pragma unroll
  for (int e = 0; e < 32; ++e) o[e] = __float2bfloat16_rn(v[e]);
}

__global__ void round_kernel(const float* __restrict__ x, int64_t count,
                             __nv_bfloat16* __restrict__ out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) out[i] = __float2bfloat16_rn(x[i]);
}

unsigned grid(int64_t count, int threads) {
  return static_cast<unsigned>((count + threads - 1) / threads);
}

}  // namespace

uint64_t gemm_scratch_bytes(int64_t rows, int64_t n, int64_t tokens) {
  return aligned(static_cast<uint64_t>(rows * n) * 2) +
         aligned(static_cast<uint64_t>(tokens * n) * 2);
}

cudaError_t gemm(cublasHandle_t handle, GgmlType type, const void* w, int64_t rows, int64_t n,
                 const float* x, int64_t tokens, float* y, int64_t y_stride, void* scratch,
                 cudaStream_t stream) {
  if (rows < 0 || tokens < 0 || y_stride < rows || !detail::whole_units(type, n) ||
      scratch == nullptr)
    return cudaErrorInvalidValue;
  if (rows == 0 || tokens == 0) return cudaSuccess;
  auto* widened = static_cast<__nv_bfloat16*>(scratch);
  auto* xb = reinterpret_cast<__nv_bfloat16*>(static_cast<uint8_t*>(scratch) +
                                              aligned(static_cast<uint64_t>(rows * n) * 2));
  const void* a = w;
  if (type != GgmlType::BF16) {
    const bool known = detail::dispatch_type(type, [&]<GgmlType T>() {
      widen_kernel<T><<<grid(rows * (n / 32), 128), 128, 0, stream>>>(
          static_cast<const uint8_t*>(w), rows, n, detail::row_bytes(T, n), widened);
    });
    if (!known) return cudaErrorInvalidValue;
    a = widened;
  }
  round_kernel<<<grid(tokens * n, 256), 256, 0, stream>>>(x, tokens * n, xb);
  if (const cudaError_t status = detail::launched(); status != cudaSuccess) return status;
  // Column-major view: Y (rows x tokens, ld y_stride) = W^T' * X', with W and X row-major.
  const float alpha = 1.0f, beta = 0.0f;
  if (cublasSetStream(handle, stream) != CUBLAS_STATUS_SUCCESS) return cudaErrorUnknown;
  const cublasStatus_t status =
      cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(rows),
                   static_cast<int>(tokens), static_cast<int>(n), &alpha, a, CUDA_R_16BF,
                   static_cast<int>(n), xb, CUDA_R_16BF, static_cast<int>(n), &beta, y, CUDA_R_32F,
                   static_cast<int>(y_stride), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  return status == CUBLAS_STATUS_SUCCESS ? cudaSuccess : cudaErrorUnknown;
}

}  // namespace ingot::cuda
