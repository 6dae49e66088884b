// Activations quantized to 8-bit blocks of 32 for the integer matmul paths.
#pragma once

#include <cstdint>
#include <vector>

namespace ingot::cpu {

/// x of `tokens` rows of blocks*32 floats, as llama.cpp's quantize_row_q8_0/q8_1 but with fp32
/// scales, stored structure-of-arrays so SIMD code loads 8 scales at once. Index t * blocks + b.
struct Q8Activations {
  int64_t tokens = 0;
  int64_t blocks = 0;      ///< blocks of 32 per token
  std::vector<float> d;    ///< scale: x ~= d * q, d = max|x| / 127
  std::vector<float> s;    ///< d * sum(q), for the offset term of Q4_1
  std::vector<int8_t> qs;  ///< 32 quants per block, each in [-127, 127]
};

/// Quantizes x (tokens * blocks * 32 floats) into `out`, reusing its storage.
void quantize_activations(const float* x, int64_t tokens, int64_t blocks, Q8Activations& out);

}  // namespace ingot::cpu
