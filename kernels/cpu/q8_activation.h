// Activations quantized to 8-bit blocks of 32 for the integer matmul paths.
#pragma once

#include <cstdint>
#include <vector>

namespace ingot::cpu {

/// x of `tokens` rows of blocks*32 floats, as llama.cpp's quantize_row_q8_0/q8_1 (fp16-rounded
/// scales, kept as floats), stored structure-of-arrays. Index t * blocks + b.
struct Q8Activations {
  int64_t tokens = 0;
  int64_t blocks = 0;       ///< blocks of 32 per token
  std::vector<float> d;     ///< scale: x ~= d * q, d = max|x| / 127
  std::vector<float> s;     ///< d * sum(q), for the offset term of Q4_1
  std::vector<int32_t> sum; ///< sum(q), for the integer offset of the packed weights
  std::vector<int32_t> sum_lo;  ///< sum of q over elements 0-15, for Q6_K's half-block scales
  std::vector<int8_t> qs;   ///< 32 quants per block, each in [-127, 127]
};

/// Sizes `out` for tokens * blocks blocks, reusing its storage.
void resize_activations(int64_t tokens, int64_t blocks, Q8Activations& out);

/// Quantizes tokens [begin, end) of x (out.tokens rows of out.blocks * 32 floats) into `out`,
/// already sized by resize_activations. Disjoint token ranges may run on different threads.
void quantize_activation_rows(const float* x, int64_t begin, int64_t end, Q8Activations& out);

/// quantize_activation_rows without SIMD (the SIMD version gives identical bytes).
void quantize_activation_rows_scalar(const float* x, int64_t begin, int64_t end,
                                     Q8Activations& out);

/// Sizes `out` and quantizes all of x (tokens * blocks * 32 floats) into it.
void quantize_activations(const float* x, int64_t tokens, int64_t blocks, Q8Activations& out);

}  // namespace ingot::cpu
