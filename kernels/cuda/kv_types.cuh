// Internal: loads and stores of KV cache elements by KvType.
#pragma once

#include "kernels/cuda/common.cuh"

namespace ingot::cuda::detail {

template <KvType K>
struct KvElement;
template <>
struct KvElement<KvType::kF32> {
  using type = float;
  __device__ static float load(const float* p) { return *p; }
  __device__ static float store(float v) { return v; }
};
template <>
struct KvElement<KvType::kF16> {
  using type = __half;
  __device__ static float load(const __half* p) { return __half2float(*p); }
  __device__ static __half store(float v) { return __float2half_rn(v); }
};
template <>
struct KvElement<KvType::kBF16> {
  using type = __nv_bfloat16;
  __device__ static float load(const __nv_bfloat16* p) { return __bfloat162float(*p); }
  __device__ static __nv_bfloat16 store(float v) { return __float2bfloat16_rn(v); }
};

/// Element d of one head x rotated by cos_sin (cos, sin per pair): neox pairs i and
/// i + rope_dims/2, else 2i and 2i+1; elements past rope_dims are as they are.
__device__ __forceinline__ float rope_element(const float* x, const float* cos_sin, int64_t d,
                                              int64_t rope_dims, bool neox) {
  if (d >= rope_dims) return x[d];
  const int64_t half = rope_dims / 2;
  const bool first = neox ? d < half : d % 2 == 0;
  const int64_t p = neox ? d % half : d / 2;
  const float x0 = x[neox ? p : 2 * p], x1 = x[neox ? p + half : 2 * p + 1];
  const float c = cos_sin[2 * p], s = cos_sin[2 * p + 1];
  return first ? x0 * c - x1 * s : x0 * s + x1 * c;
}

/// Calls f.template operator()<K>() for a runtime KvType.
template <typename F>
void dispatch_kv(KvType type, F&& f) {
  switch (type) {
    case KvType::kF32: return f.template operator()<KvType::kF32>();
    case KvType::kF16: return f.template operator()<KvType::kF16>();
    case KvType::kBF16: return f.template operator()<KvType::kBF16>();
  }
}

}  // namespace ingot::cuda::detail
