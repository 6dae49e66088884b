// AVX-512 VNNI matmul kernels (vpdpbusd on 512-bit vectors); built with a target pragma, called
// only when the CPU has avx512f, avx512bw, avx512vl and avx512vnni.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/matmul_kernels.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/float_convert.h"

#if defined(__clang__)
#pragma clang attribute push(                                                      \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), \
    apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")
// GCC 12's avx512fintrin.h starts some conversions from _mm512_undefined_*, which
// -Wmaybe-uninitialized reports at every use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace {

/// AVX-512 VNNI: a whole 16-row panel per vector; vpdpbusd dots 4 byte pairs into each lane.
struct Isa {
  static constexpr int kRows = 16;
  static constexpr int kTile = 8;
  using VecI = __m512i;
  using VecF = __m512;
  static VecF zero_f() { return _mm512_setzero_ps(); }
  static VecF set1_f(float v) { return _mm512_set1_ps(v); }
  static VecI set1_i(int32_t v) { return _mm512_set1_epi32(v); }
  static VecF halves(const uint8_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static VecF load_f(const uint8_t* p) { return _mm512_loadu_ps(p); }
  static VecI load(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static VecI low_nibbles(VecI v) { return _mm512_and_si512(v, _mm512_set1_epi8(0x0f)); }
  static VecI high_nibbles(VecI v) {
    return _mm512_and_si512(_mm512_srli_epi16(v, 4), _mm512_set1_epi8(0x0f));
  }
  static VecI dot_u(VecI acc, VecI w, int32_t x4) {
    return _mm512_dpbusd_epi32(acc, w, _mm512_set1_epi32(x4));
  }
  static VecF to_float(VecI v) { return _mm512_cvtepi32_ps(v); }
  static VecF mul(VecF a, VecF b) { return _mm512_mul_ps(a, b); }
  static VecF fmadd(VecF a, VecF b, VecF c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* y, VecF v, int valid) {
    _mm512_mask_storeu_ps(y, static_cast<__mmask16>((1u << valid) - 1), v);
  }
};

}  // namespace

#include "kernels/cpu/matmul_simd.inc"

namespace ingot::cpu::detail {

void packed_kernel_avx512vnni(const PackedWeights& w, int64_t panel_begin, int64_t panel_end,
                              const Q8Activations& x, float* y, int64_t y_stride) {
  packed_dispatch(w, panel_begin, panel_end, x, y, y_stride);
}

}  // namespace ingot::cpu::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
