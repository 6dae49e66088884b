// llama3_rope_factors: Meta's frequency-dependent rope scaling, one factor per pair.
#include "compiler/import/gguf/llama3_rope.h"

#include <cmath>
#include <numbers>

namespace ingot::gguf {

std::vector<float> llama3_rope_factors(const Llama3RopeScaling& s, double theta, uint64_t dim) {
  const double low_freq_wavelen = s.original_context / s.low_freq_factor;
  const double high_freq_wavelen = s.original_context / s.high_freq_factor;
  std::vector<float> factors;
  for (uint64_t i = 0; i < dim; i += 2) {
    const double wavelen =
        2.0 * std::numbers::pi * std::pow(theta, static_cast<double>(i) / static_cast<double>(dim));
    if (wavelen < high_freq_wavelen) {
      factors.push_back(1.0f);
    } else if (wavelen > low_freq_wavelen) {
      factors.push_back(static_cast<float>(s.factor));
    } else {
      const double smooth = (s.original_context / wavelen - s.low_freq_factor) /
                            (s.high_freq_factor - s.low_freq_factor);
      factors.push_back(static_cast<float>(1.0 / ((1.0 - smooth) / s.factor + smooth)));
    }
  }
  return factors;
}

}  // namespace ingot::gguf
