// Element-wise activation and softmax references, and swiglu's path dispatch.
#include "kernels/cpu/activation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>

namespace ingot::cpu {

float silu(float x) { return x / (1.0f + std::exp(-x)); }

namespace detail {
void swiglu_avx2(const float* gate, const float* up, float* out, size_t n);
void swiglu_avx512(const float* gate, const float* up, float* out, size_t n);
}  // namespace detail

bool activation_path_supported(ActivationPath path) {
  switch (path) {
    case ActivationPath::kScalar: return true;
    case ActivationPath::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case ActivationPath::kAvx512: return __builtin_cpu_supports("avx512f");
  }
  return false;
}

void swiglu_with_path(ActivationPath path, std::span<const float> gate, std::span<const float> up,
                      std::span<float> out) {
  assert(gate.size() == up.size() && out.size() == gate.size());
  assert(activation_path_supported(path));
  switch (path) {
    case ActivationPath::kAvx512:
      return detail::swiglu_avx512(gate.data(), up.data(), out.data(), gate.size());
    case ActivationPath::kAvx2:
      return detail::swiglu_avx2(gate.data(), up.data(), out.data(), gate.size());
    case ActivationPath::kScalar:
      for (size_t i = 0; i < gate.size(); ++i) out[i] = silu(gate[i]) * up[i];
      return;
  }
}

void swiglu(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  static const ActivationPath best =
      activation_path_supported(ActivationPath::kAvx512) ? ActivationPath::kAvx512
      : activation_path_supported(ActivationPath::kAvx2) ? ActivationPath::kAvx2
                                                         : ActivationPath::kScalar;
  swiglu_with_path(best, gate, up, out);
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
