// Element-wise activation and softmax references, and swiglu's path dispatch.
#include "kernels/cpu/activation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/quant/float_convert.h"

namespace ingot::cpu {

float silu(float x) { return x / (1.0f + std::exp(-x)); }

namespace detail {
void swiglu_avx2(const float* gate, const float* up, float* out, size_t n);
void swiglu_avx512(const float* gate, const float* up, float* out, size_t n);
}  // namespace detail

void swiglu_with_path(SimdPath path, std::span<const float> gate, std::span<const float> up,
                      std::span<float> out) {
  assert(gate.size() == up.size() && out.size() == gate.size());
  assert(simd_path_supported(path));
  switch (path) {
    case SimdPath::kAvx512:
      return detail::swiglu_avx512(gate.data(), up.data(), out.data(), gate.size());
    case SimdPath::kAvx2:
      return detail::swiglu_avx2(gate.data(), up.data(), out.data(), gate.size());
    case SimdPath::kScalar:
      for (size_t i = 0; i < gate.size(); ++i) out[i] = silu(gate[i]) * up[i];
      return;
  }
}

void swiglu(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  swiglu_with_path(best_simd_path(), gate, up, out);
}

float gelu_tanh(float x) {
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoefA = 0.044715f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoefA * x * x)));
}

namespace {

// ggml's GELU table: gelu_tanh at every fp16 value, rounded to fp16, by the fp16 bits.
const std::vector<float>& gelu_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (size_t bits = 0; bits < t.size(); ++bits) {
      const float x = quant::fp16_to_fp32(static_cast<uint16_t>(bits));
      t[bits] = quant::fp16_to_fp32(quant::fp32_to_fp16(gelu_tanh(x)));
    }
    return t;
  }();
  return table;
}

}  // namespace

void geglu(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  assert(gate.size() == up.size() && out.size() == gate.size());
  const std::vector<float>& table = gelu_table();
  for (size_t i = 0; i < gate.size(); ++i) {
    const float x = gate[i];
    const float g = x <= -10.0f ? 0.0f : x >= 10.0f ? x : table[quant::fp32_to_fp16(x)];
    out[i] = g * up[i];
  }
}

void softmax(std::span<float> x) {
  if (x.empty()) return;
  const float max = *std::max_element(x.begin(), x.end());
  double sum = 0.0;
  for (float& v : x) {
    v = std::exp(v - max);
    sum += static_cast<double>(v);
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (float& v : x) v *= inv;
}

}  // namespace ingot::cpu
