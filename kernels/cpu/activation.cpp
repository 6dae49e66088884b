// Element-wise activation and softmax references.
#include "kernels/cpu/activation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>

namespace ingot::cpu {

float silu(float x) { return x / (1.0f + std::exp(-x)); }

void swiglu(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  assert(gate.size() == up.size() && out.size() == gate.size());
  for (size_t i = 0; i < gate.size(); ++i) out[i] = silu(gate[i]) * up[i];
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
