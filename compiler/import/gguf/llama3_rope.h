// Llama 3's rope scaling as per-pair factors: what convert_hf_to_gguf.py stores in a GGUF's
// rope_freqs.weight, from a config.json's rope_scaling of rope_type "llama3".
#pragma once

#include <cstdint>
#include <vector>

namespace ingot::gguf {

/// A config.json's "llama3" rope_scaling (transformers' defaults).
struct Llama3RopeScaling {
  double factor = 8.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;          ///< must exceed low_freq_factor
  double original_context = 8192.0;       ///< original_max_position_embeddings
};

/// The divisor of each of the dim/2 rope angles: 1 where the wavelength is under
/// original_context / high_freq_factor, `factor` where it is over original_context /
/// low_freq_factor, and a smooth blend between (transformers' _compute_llama3_parameters).
std::vector<float> llama3_rope_factors(const Llama3RopeScaling& scaling, double theta,
                                       uint64_t dim);

}  // namespace ingot::gguf
