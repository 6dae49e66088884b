// Activation quantization, as llama.cpp's quantize_row_q8_0_ref with an fp32 scale.
#include "kernels/cpu/q8_activation.h"

#include <cmath>
#include <cstddef>

#include "kernels/quant/float_convert.h"

namespace ingot::cpu {

void resize_activations(int64_t tokens, int64_t blocks, Q8Activations& out) {
  const size_t count = static_cast<size_t>(tokens * blocks);
  out.tokens = tokens;
  out.blocks = blocks;
  out.d.resize(count);
  out.s.resize(count);
  out.sum.resize(count);
  out.sum_lo.resize(count);
  out.qs.resize(count * 32);
}

namespace detail {
void quantize_activation_rows_avx2(const float* x, int64_t begin, int64_t end,
                                   Q8Activations& out);
}  // namespace detail

void quantize_activation_rows(const float* x, int64_t begin, int64_t end, Q8Activations& out) {
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) return detail::quantize_activation_rows_avx2(x, begin, end, out);
  quantize_activation_rows_scalar(x, begin, end, out);
}

void quantize_activation_rows_scalar(const float* x, int64_t begin, int64_t end,
                                     Q8Activations& out) {
  const size_t first = static_cast<size_t>(begin * out.blocks);
  const size_t last = static_cast<size_t>(end * out.blocks);
  for (size_t b = first; b < last; ++b) {
    const float* src = x + b * 32;
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) {
      const float a = std::fabs(src[j]);
      amax = a > amax ? a : amax;
    }
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int sum = 0, sum_lo = 0;
    for (int j = 0; j < 32; ++j) {
      const int q = static_cast<int>(std::nearbyint(src[j] * id));
      out.qs[b * 32 + static_cast<size_t>(j)] = static_cast<int8_t>(q);
      sum += q;
      if (j == 15) sum_lo = sum;
    }
    out.d[b] = quant::fp16_to_fp32(quant::fp32_to_fp16(d));
    out.s[b] = quant::fp16_to_fp32(quant::fp32_to_fp16(d * static_cast<float>(sum)));
    out.sum[b] = sum;
    out.sum_lo[b] = sum_lo;
  }
}

void quantize_activations(const float* x, int64_t tokens, int64_t blocks, Q8Activations& out) {
  resize_activations(tokens, blocks, out);
  quantize_activation_rows(x, 0, tokens, out);
}

}  // namespace ingot::cpu
