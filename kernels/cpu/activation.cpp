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
