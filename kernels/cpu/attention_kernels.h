// Internal: the per-head inner loops of attention, scalar and AVX2.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/quant/float_convert.h"

namespace ingot::cpu::detail {

template <typename T>
inline float load_scalar(const T* p, int64_t i) {
  if constexpr (std::is_same_v<T, float>)
    return p[i];
  else
    return quant::fp16_to_fp32(p[i]);
}

float dot_avx2(const float* q, const float* k, int64_t n);
float dot_avx2(const float* q, const uint16_t* k, int64_t n);
void axpy_avx2(float a, const float* v, float* out, int64_t n);
void axpy_avx2(float a, const uint16_t* v, float* out, int64_t n);

}  // namespace ingot::cpu::detail
