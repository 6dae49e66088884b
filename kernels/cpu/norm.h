// RMS normalization, scalar references with llama.cpp (ggml) semantics.
#pragma once

#include <span>

namespace ingot::cpu {

/// Normalizes each row of x (rows of weight.size() floats) as ggml's rms_norm then mul:
/// out = (x * (1 / sqrt(mean(x^2) + eps))) * weight; squares are float, their sum double.
/// x.size() must be a multiple of weight.size() and out.size() == x.size(); out may alias x.
void rms_norm(std::span<const float> x, std::span<const float> weight, float eps,
              std::span<float> out);

/// Writes sum = a + b (the new residual stream), then out = rms_norm(sum, weight, eps).
/// All of a, b, sum, out have the same size, a multiple of weight.size(); sum may alias a or b.
void add_rms_norm(std::span<const float> a, std::span<const float> b, std::span<const float> weight,
                  float eps, std::span<float> sum, std::span<float> out);

}  // namespace ingot::cpu
