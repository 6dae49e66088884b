// AVX-512 VNNI matmul kernels (vpdpbusd on 256-bit vectors, EVEX/AVX512VL); built with a target
// pragma, called only when the CPU has avx512f, avx512vl and avx512vnni.
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/matmul_kernels.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/float_convert.h"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")
#endif

#define INGOT_SIMD_VNNI 1
#include "kernels/cpu/matmul_simd.inc"

namespace ingot::cpu::detail {

void quant_kernel_avx512vnni(GgmlType type, const uint8_t* w, int64_t rows, const Q8Activations& x,
                             float* y, int64_t y_stride) {
  quant_dispatch(type, w, rows, x, y, y_stride);
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
