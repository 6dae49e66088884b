// Internal device helpers of the CUDA kernels: ggml block decoding, warp reductions, checks.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/cuda/cuda_kernels.h"

namespace ingot::cuda::detail {

inline constexpr int kWarp = 32;

/// The launch's error, or the first error already pending on the device.
inline cudaError_t launched() { return cudaGetLastError(); }

/// Launches kernel<<<grid, block, shared_bytes, stream>>>(args...); when programmatic_launch() is
/// on, as a programmatic dependent launch, which lets it be scheduled while the kernel before it on
/// the stream finishes. Such a kernel calls wait_for_inputs() before it touches global memory.
template <typename... Params, typename... Args>
cudaError_t launch_kernel_shared(void (*kernel)(Params...), dim3 grid, dim3 block,
                                 size_t shared_bytes, cudaStream_t stream, Args... args) {
  cudaLaunchAttribute attribute{};
  attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = shared_bytes;
  config.stream = stream;
  config.attrs = &attribute;
  config.numAttrs = programmatic_launch() ? 1 : 0;
  return cudaLaunchKernelEx(&config, kernel, static_cast<Params>(args)...);
}

/// launch_kernel_shared without dynamic shared memory.
template <typename... Params, typename... Args>
cudaError_t launch_kernel(void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream,
                          Args... args) {
  return launch_kernel_shared(kernel, grid, block, 0, stream, args...);
}

/// The first statement of a kernel launched with launch_kernel: waits until the kernels before it
/// on the stream have finished (returns at once without a programmatic launch or below sm_90).
__device__ __forceinline__ void wait_for_inputs() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  cudaGridDependencySynchronize();
#endif
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

__device__ __forceinline__ float half_at(const uint8_t* p) {
  return __half2float(__ushort_as_half(static_cast<unsigned short>(p[0] | (p[1] << 8))));
}

__device__ __forceinline__ float bf16_bits(uint16_t bits) {
  return __uint_as_float(static_cast<uint32_t>(bits) << 16);
}

/// Q4_K/Q5_K's 6-bit scale and min of group j (as kernels/quant/kquant_scales.h).
__device__ __forceinline__ void scale_min_k4(int j, const uint8_t* packed, int& scale, int& min) {
  if (j < 4) {
    scale = packed[j] & 63;
    min = packed[j + 4] & 63;
  } else {
    scale = (packed[j + 4] & 0x0f) | ((packed[j - 4] >> 6) << 4);
    min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

/// Bytes of one ggml row of n values; n must be whole blocks (whole_units checked it).
inline uint64_t row_bytes(GgmlType type, int64_t n) {
  return *quant::row_bytes(type, static_cast<uint64_t>(n));
}

/// The 32 values of unit u (values 32u..32u+31) of a ggml row, as kernels/quant dequantizes them.
template <GgmlType T>
__device__ __forceinline__ void decode_unit(const uint8_t* row, int64_t u, float* out) {
  if constexpr (T == GgmlType::F32) {
    const float4* p = reinterpret_cast<const float4*>(row) + u * 8;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const float4 v = p[i];
      out[4 * i] = v.x, out[4 * i + 1] = v.y, out[4 * i + 2] = v.z, out[4 * i + 3] = v.w;
    }
  } else if constexpr (T == GgmlType::F16 || T == GgmlType::BF16) {
    const uint16_t* p = reinterpret_cast<const uint16_t*>(row) + u * 32;
#pragma unroll
    for (int e = 0; e < 32; ++e) {
      out[e] = T == GgmlType::F16 ? __half2float(__ushort_as_half(p[e])) : bf16_bits(p[e]);
    }
  } else if constexpr (T == GgmlType::Q4_0 || T == GgmlType::Q4_1) {
    const uint8_t* b = row + u * (T == GgmlType::Q4_0 ? 18 : 20);
    const float d = half_at(b);
    const float m = T == GgmlType::Q4_1 ? half_at(b + 2) : 0.0f;
    const uint8_t* qs = b + (T == GgmlType::Q4_0 ? 2 : 4);
#pragma unroll
    for (int e = 0; e < 16; ++e) {
      const int lo = qs[e] & 0x0f, hi = qs[e] >> 4;
      if constexpr (T == GgmlType::Q4_0) {
        out[e] = static_cast<float>(lo - 8) * d;
        out[e + 16] = static_cast<float>(hi - 8) * d;
      } else {  // rounded twice, not fused, as the CPU's dequantize_row (-ffp-contract=off)
        out[e] = __fadd_rn(__fmul_rn(static_cast<float>(lo), d), m);
        out[e + 16] = __fadd_rn(__fmul_rn(static_cast<float>(hi), d), m);
      }
    }
  } else if constexpr (T == GgmlType::Q8_0) {
    const uint8_t* b = row + u * 34;
    const float d = half_at(b);
#pragma unroll
    for (int e = 0; e < 32; ++e) out[e] = static_cast<float>(static_cast<int8_t>(b[2 + e])) * d;
  } else if constexpr (T == GgmlType::Q4_K) {
    const uint8_t* b = row + (u / 8) * 144;
    const int g = static_cast<int>(u % 8);
    int sc = 0, mn = 0;
    scale_min_k4(g, b + 4, sc, mn);
    const float scale = half_at(b) * static_cast<float>(sc);
    const float min = half_at(b + 2) * static_cast<float>(mn);
    const uint8_t* qs = b + 16 + 32 * (g / 2);
#pragma unroll
    for (int l = 0; l < 32; ++l) {
      const int q = g % 2 == 0 ? (qs[l] & 0x0f) : (qs[l] >> 4);
      out[l] = __fsub_rn(__fmul_rn(scale, static_cast<float>(q)), min);  // not fused, as Q4_1
    }
  } else {  // Q6_K
    const uint8_t* b = row + (u / 8) * 210;
    const int g = static_cast<int>(u % 8), half = g / 4, quarter = g % 4;
    const float d = half_at(b + 208);
    const int8_t* scales = reinterpret_cast<const int8_t*>(b + 192);
#pragma unroll
    for (int l = 0; l < 32; ++l) {
      const uint8_t low_byte = b[64 * half + 32 * (quarter % 2) + l];
      const int low = quarter < 2 ? (low_byte & 0x0f) : (low_byte >> 4);
      const int high = (b[128 + 32 * half + l] >> (2 * quarter)) & 3;
      out[l] = d * static_cast<float>(scales[(32 * g + l) / 16]) *
               static_cast<float>((low | (high << 4)) - 32);
    }
  }
}

/// Calls f.template operator()<T>() for a runtime type; false for a type without kernels.
template <typename F>
bool dispatch_type(GgmlType type, F&& f) {
  switch (type) {
    case GgmlType::F32: f.template operator()<GgmlType::F32>(); return true;
    case GgmlType::F16: f.template operator()<GgmlType::F16>(); return true;
    case GgmlType::BF16: f.template operator()<GgmlType::BF16>(); return true;
    case GgmlType::Q4_0: f.template operator()<GgmlType::Q4_0>(); return true;
    case GgmlType::Q4_1: f.template operator()<GgmlType::Q4_1>(); return true;
    case GgmlType::Q8_0: f.template operator()<GgmlType::Q8_0>(); return true;
    case GgmlType::Q4_K: f.template operator()<GgmlType::Q4_K>(); return true;
    case GgmlType::Q6_K: f.template operator()<GgmlType::Q6_K>(); return true;
    default: return false;
  }
}

/// True when `type` has kernels and n values of it make whole blocks and whole units of 32.
inline bool whole_units(GgmlType type, int64_t n) {
  return supports_weight_type(type) && n > 0 && n % 32 == 0 &&
         quant::row_bytes(type, static_cast<uint64_t>(n)).has_value();
}

}  // namespace ingot::cuda::detail
