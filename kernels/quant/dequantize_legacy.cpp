// Dequantization of the 32-value formats Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0.
//
// Each value is computed with the same float operations, in the same order, as
// ggml's dequantize_row_* (an int quant converted to float, times the scale,
// plus the offset), so the results match bit for bit.
#include <cstring>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"

namespace ingot::quant {
namespace {

constexpr size_t kHalf = kQK / 2;

// The 5th bit of element j (0..31) from a Q5 block's qh word.
uint32_t high_bit(const uint8_t (&qh)[4], size_t j) {
  uint32_t word = 0;
  std::memcpy(&word, qh, sizeof(word));
  return (word >> j) & 1u;
}

}  // namespace

void dequantize_block(const BlockQ4_0& block, std::span<float, kQK> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t j = 0; j < kHalf; ++j) {
    const int lo = (block.qs[j] & 0x0f) - 8;
    const int hi = (block.qs[j] >> 4) - 8;
    out[j] = static_cast<float>(lo) * d;
    out[j + kHalf] = static_cast<float>(hi) * d;
  }
}

void dequantize_block(const BlockQ4_1& block, std::span<float, kQK> out) {
  const float d = fp16_to_fp32(block.d);
  const float m = fp16_to_fp32(block.m);
  for (size_t j = 0; j < kHalf; ++j) {
    const int lo = block.qs[j] & 0x0f;
    const int hi = block.qs[j] >> 4;
    out[j] = static_cast<float>(lo) * d + m;
    out[j + kHalf] = static_cast<float>(hi) * d + m;
  }
}

void dequantize_block(const BlockQ5_0& block, std::span<float, kQK> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t j = 0; j < kHalf; ++j) {
    const int lo = static_cast<int>((block.qs[j] & 0x0f) | (high_bit(block.qh, j) << 4)) - 16;
    const int hi = static_cast<int>((block.qs[j] >> 4) | (high_bit(block.qh, j + kHalf) << 4)) - 16;
    out[j] = static_cast<float>(lo) * d;
    out[j + kHalf] = static_cast<float>(hi) * d;
  }
}

void dequantize_block(const BlockQ5_1& block, std::span<float, kQK> out) {
  const float d = fp16_to_fp32(block.d);
  const float m = fp16_to_fp32(block.m);
  for (size_t j = 0; j < kHalf; ++j) {
    const int lo = static_cast<int>((block.qs[j] & 0x0f) | (high_bit(block.qh, j) << 4));
    const int hi = static_cast<int>((block.qs[j] >> 4) | (high_bit(block.qh, j + kHalf) << 4));
    out[j] = static_cast<float>(lo) * d + m;
    out[j + kHalf] = static_cast<float>(hi) * d + m;
  }
}

void dequantize_block(const BlockQ8_0& block, std::span<float, kQK> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t j = 0; j < kQK; ++j) out[j] = static_cast<float>(block.qs[j]) * d;
}

}  // namespace ingot::quant
