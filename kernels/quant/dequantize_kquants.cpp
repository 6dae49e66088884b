// Dequantization of the 256-value K-quants Q2_K .. Q8_K.
//
// The element order and the float operation order follow ggml's
// dequantize_row_*: a group's scale is formed first (d * sc), then applied to
// the quant, then the group's min is subtracted.
#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/kquant_scales.h"

namespace ingot::quant {

// Q2_K and Q3_K store quants in two halves of 128; within a half, 2-bit field
// `j` (shift 2j) of byte qs[32*half + l] is element 128*half + 32*j + l, and
// each run of 16 elements has its own scale.
void dequantize_block(const BlockQ2_K& block, std::span<float, kQK_K> out) {
  const float d = fp16_to_fp32(block.d);
  const float dmin = fp16_to_fp32(block.dmin);
  for (size_t e = 0; e < kQK_K; ++e) {
    const size_t half = e / 128, j = (e % 128) / 32, l = e % 32;
    const uint8_t sc = block.scales[e / 16];
    const float group_scale = d * static_cast<float>(sc & 0x0f);
    const float group_min = dmin * static_cast<float>(sc >> 4);
    const int q = (block.qs[32 * half + l] >> (2 * j)) & 3;
    out[e] = group_scale * static_cast<float>(q) - group_min;
  }
}

void dequantize_block(const BlockQ3_K& block, std::span<float, kQK_K> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t e = 0; e < kQK_K; ++e) {
    const size_t half = e / 128, j = (e % 128) / 32, l = e % 32;
    const float group_scale = d * static_cast<float>(detail::unpack_scale_q3_k(e / 16, block.scales) - 32);
    const int low = (block.qs[32 * half + l] >> (2 * j)) & 3;
    const bool high = (block.hmask[l] >> (4 * half + j)) & 1;
    out[e] = group_scale * static_cast<float>(low - (high ? 0 : 4));
  }
}

// Q4_K and Q5_K: each 64 values share 32 bytes; the low nibbles are the first
// 32 values (group 2c), the high nibbles the next 32 (group 2c+1).
void dequantize_block(const BlockQ4_K& block, std::span<float, kQK_K> out) {
  const float d = fp16_to_fp32(block.d);
  const float dmin = fp16_to_fp32(block.dmin);
  for (size_t e = 0; e < kQK_K; ++e) {
    const size_t group = e / 32, l = e % 32;
    uint8_t sc = 0, m = 0;
    detail::unpack_scale_min_k4(group, block.scales, sc, m);
    const float group_scale = d * static_cast<float>(sc);
    const float group_min = dmin * static_cast<float>(m);
    const uint8_t byte = block.qs[32 * (group / 2) + l];
    const int q = (group % 2 == 0) ? (byte & 0x0f) : (byte >> 4);
    out[e] = group_scale * static_cast<float>(q) - group_min;
  }
}

void dequantize_block(const BlockQ5_K& block, std::span<float, kQK_K> out) {
  const float d = fp16_to_fp32(block.d);
  const float dmin = fp16_to_fp32(block.dmin);
  for (size_t e = 0; e < kQK_K; ++e) {
    const size_t group = e / 32, l = e % 32;
    uint8_t sc = 0, m = 0;
    detail::unpack_scale_min_k4(group, block.scales, sc, m);
    const float group_scale = d * static_cast<float>(sc);
    const float group_min = dmin * static_cast<float>(m);
    const uint8_t byte = block.qs[32 * (group / 2) + l];
    const int low = (group % 2 == 0) ? (byte & 0x0f) : (byte >> 4);
    const int high = (block.qh[l] >> group) & 1;  // bit `group` of qh[l]
    out[e] = group_scale * static_cast<float>(low + 16 * high) - group_min;
  }
}

// Q6_K: per half of 128, ql[64*half + l] holds elements l (low nibble) and
// l+64 (high nibble), ql[64*half + 32 + l] holds l+32 and l+96, and qh[32*half
// + l] holds their 2-bit tops at shifts 0, 4, 2, 6 respectively.
void dequantize_block(const BlockQ6_K& block, std::span<float, kQK_K> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t e = 0; e < kQK_K; ++e) {
    const size_t half = e / 128, quarter = (e % 128) / 32, l = e % 32;
    const uint8_t low_byte = block.ql[64 * half + 32 * (quarter % 2) + l];
    const int low = (quarter < 2) ? (low_byte & 0x0f) : (low_byte >> 4);
    const int high = (block.qh[32 * half + l] >> (2 * quarter)) & 3;
    const float group_scale = d * static_cast<float>(block.scales[e / 16]);
    out[e] = group_scale * static_cast<float>((low | (high << 4)) - 32);
  }
}

void dequantize_block(const BlockQ8_K& block, std::span<float, kQK_K> out) {
  for (size_t e = 0; e < kQK_K; ++e) out[e] = block.d * static_cast<float>(block.qs[e]);
}

}  // namespace ingot::quant
