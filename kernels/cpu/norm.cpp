// RMS normalization references.
#include "kernels/cpu/norm.h"

#include <cassert>
#include <cmath>
#include <cstddef>

namespace ingot::cpu {

void rms_norm(std::span<const float> x, std::span<const float> weight, float eps,
              std::span<float> out) {
  const size_t n = weight.size();
  assert(n > 0 && x.size() % n == 0 && out.size() == x.size());
  for (size_t row = 0; row < x.size(); row += n) {
    // ggml_compute_forward_rms_norm_f32: a ggml_float (double) sum of float squares. Eight
    // interleaved partial sums instead of ggml's one chain of dependent adds (four times slower
    // at a decode step's row sizes); the reordering moves the double sum far below float rounding.
    double part[8] = {};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (size_t l = 0; l < 8; ++l)
        part[l] += static_cast<double>(x[row + i + l] * x[row + i + l]);
    for (; i < n; ++i) part[0] += static_cast<double>(x[row + i] * x[row + i]);
    const double sum = ((part[0] + part[1]) + (part[2] + part[3])) +
                       ((part[4] + part[5]) + (part[6] + part[7]));
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    // ggml_vec_scale_f32, then the separate ggml_mul by the norm weight.
    for (size_t i = 0; i < n; ++i) {
      const float scaled = x[row + i] * scale;
      out[row + i] = scaled * weight[i];
    }
  }
}

void add_rms_norm(std::span<const float> a, std::span<const float> b, std::span<const float> weight,
                  float eps, std::span<float> sum, std::span<float> out) {
  assert(a.size() == b.size() && sum.size() == a.size());
  for (size_t i = 0; i < a.size(); ++i) sum[i] = a[i] + b[i];
  rms_norm(sum, weight, eps, out);
}

}  // namespace ingot::cpu
