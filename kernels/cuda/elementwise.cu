// Element-wise kernels: SwiGLU, the residual add and the embedding lookup.
#include "kernels/cuda/common.cuh"

namespace ingot::cuda {
namespace {

// No __restrict__ on the activations: the executor runs SwiGLU in place (out == gate), and the
// planner may reuse an input's buffer for an add's output. Each element is read before written.
__global__ void swiglu_kernel(const float* gate, const float* up, int64_t count, float* out) {
  detail::wait_for_inputs();
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const float g = gate[i];
  out[i] = g / (1.0f + expf(-g)) * up[i];
}

__global__ void add_kernel(const float* a, const float* b, int64_t count, float* out) {
  detail::wait_for_inputs();
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) out[i] = a[i] + b[i];
}

template <GgmlType T>
__global__ void embedding_kernel(const uint8_t* __restrict__ table, int64_t n, uint64_t row_bytes,
                                 const int32_t* __restrict__ ids, int64_t tokens,
                                 float* __restrict__ out) {
  detail::wait_for_inputs();
  const int64_t units = n / 32;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= tokens * units) return;
  const int64_t t = i / units, u = i % units;
  float v[32];
  detail::decode_unit<T>(table + static_cast<uint64_t>(ids[t]) * row_bytes, u, v);
#pragma unroll
  for (int e = 0; e < 32; ++e) out[t * n + u * 32 + e] = v[e];
}

}  // namespace

cudaError_t swiglu(const float* gate, const float* up, int64_t count, float* out,
                   cudaStream_t stream) {
  if (count < 0) return cudaErrorInvalidValue;
  if (count == 0) return cudaSuccess;
  detail::launch_kernel(swiglu_kernel, static_cast<unsigned>((count + 255) / 256), 256, stream,
                        gate, up, count, out);
  return detail::launched();  // taken, so that no later call reports it as its own
}

cudaError_t add(const float* a, const float* b, int64_t count, float* out, cudaStream_t stream) {
  if (count < 0) return cudaErrorInvalidValue;
  if (count == 0) return cudaSuccess;
  detail::launch_kernel(add_kernel, static_cast<unsigned>((count + 255) / 256), 256, stream, a,
                        b, count, out);
  return detail::launched();
}

cudaError_t embedding(GgmlType type, const void* table, int64_t n, const int32_t* ids,
                      int64_t tokens, float* out, cudaStream_t stream) {
  if (tokens < 0 || !detail::whole_units(type, n)) return cudaErrorInvalidValue;
  if (tokens == 0) return cudaSuccess;
  const int64_t work = tokens * (n / 32);
  const bool known = detail::dispatch_type(type, [&]<GgmlType T>() {
    detail::launch_kernel(embedding_kernel<T>, static_cast<unsigned>((work + 127) / 128), 128,
                          stream, static_cast<const uint8_t*>(table), n, detail::row_bytes(T, n),
                          ids, tokens, out);
  });
  return known ? detail::launched() : cudaErrorInvalidValue;
}

}  // namespace ingot::cuda
