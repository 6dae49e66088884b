// Quantizers for the K-quants Q2_K .. Q8_K, following ggml's
// quantize_row_*_ref step for step: per-group scale search, quantization of
// the group scales against a super-block scale, then requantization of every
// value with the rounded scales.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/quant/float_convert.h"
#include "kernels/quant/kquant_scales.h"
#include "kernels/quant/kquant_search.h"
#include "kernels/quant/quantize.h"
#include "kernels/quant/rounding.h"

namespace ingot::quant {
namespace {

using detail::nearest_int;

// Packs 256 2-bit quants as Q2_K/Q3_K store them: per half of 128, byte l
// holds elements l, l+32, l+64, l+96 at shifts 0, 2, 4, 6.
template <typename Level>
void pack_2bit(const Level (&levels)[kQK_K], uint8_t (&qs)[kQK_K / 4]) {
  for (size_t half = 0; half < 2; ++half) {
    const Level* l = levels + 128 * half;
    for (size_t i = 0; i < 32; ++i) {
      qs[32 * half + i] =
          static_cast<uint8_t>(l[i] | (l[i + 32] << 2) | (l[i + 64] << 4) | (l[i + 96] << 6));
    }
  }
}

// Q4_K/Q5_K share everything but the quant width and search settings: the
// group scales and mins go to 6 bits against d and dmin, then each value is
// requantized as round((x + dmin*m) / (d*sc)). Fills `levels` and returns the
// block's d, dmin and scale bytes through `block`.
template <typename Block>
void quantize_affine_k(std::span<const float, kQK_K> x, const detail::AffineSearch& search,
                       uint8_t (&levels)[kQK_K], Block& block) {
  float scales[8], mins[8], weights[32];
  float max_scale = 0.0f, max_min = 0.0f;
  for (size_t j = 0; j < 8; ++j) {
    const std::span<const float> group = x.subspan(32 * j, 32);
    float sum_x2 = 0.0f;
    for (float v : group) sum_x2 += v * v;
    const float av_x = std::sqrt(sum_x2 / 32);
    for (size_t l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(group[l]);
    scales[j] = detail::make_qkx2_quants(search, group, weights, std::span(levels + 32 * j, 32), mins[j]);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  const float inv_scale = max_scale > 0.0f ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0.0f ? 63.0f / max_min : 0.0f;
  for (size_t j = 0; j < 8; ++j) {
    const uint8_t ls = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_scale * scales[j])));
    const uint8_t lm = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_min * mins[j])));
    detail::pack_scale_min_k4(j, ls, lm, block.scales);
  }
  block.d = fp32_to_fp16(max_scale / 63.0f);
  block.dmin = fp32_to_fp16(max_min / 63.0f);
  for (size_t j = 0; j < 8; ++j) {
    uint8_t sc = 0, m = 0;
    detail::unpack_scale_min_k4(j, block.scales, sc, m);
    const float d = fp16_to_fp32(block.d) * static_cast<float>(sc);
    if (d == 0.0f) continue;
    const float dm = fp16_to_fp32(block.dmin) * static_cast<float>(m);
    for (size_t i = 0; i < 32; ++i) {
      const int l = nearest_int((x[32 * j + i] + dm) / d);
      levels[32 * j + i] = static_cast<uint8_t>(std::max(0, std::min(search.nmax, l)));
    }
  }
}

}  // namespace

BlockQ2_K quantize_q2_K(std::span<const float, kQK_K> x) {
  constexpr float kScaleLevels = 15.0f;  // scales and mins get 4 bits
  const detail::AffineSearch search{3, -0.5f, 0.1f, 15, true};
  uint8_t levels[kQK_K];
  float scales[16], mins[16], weights[16];
  float max_scale = 0.0f, max_min = 0.0f;
  for (size_t j = 0; j < 16; ++j) {
    const std::span<const float> group = x.subspan(16 * j, 16);
    for (size_t l = 0; l < 16; ++l) weights[l] = std::fabs(group[l]);
    scales[j] = detail::make_qkx2_quants(search, group, weights, std::span(levels + 16 * j, 16), mins[j]);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  BlockQ2_K block{};
  if (max_scale > 0.0f) {
    const float iscale = kScaleLevels / max_scale;
    for (size_t j = 0; j < 16; ++j) block.scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
    block.d = fp32_to_fp16(max_scale / kScaleLevels);
  } else {
    block.d = fp32_to_fp16(0.0f);
  }
  if (max_min > 0.0f) {
    const float iscale = kScaleLevels / max_min;
    for (size_t j = 0; j < 16; ++j) {
      block.scales[j] = static_cast<uint8_t>(block.scales[j] | (nearest_int(iscale * mins[j]) << 4));
    }
    block.dmin = fp32_to_fp16(max_min / kScaleLevels);
  } else {
    block.dmin = fp32_to_fp16(0.0f);
  }
  for (size_t j = 0; j < 16; ++j) {
    const float d = fp16_to_fp32(block.d) * static_cast<float>(block.scales[j] & 0x0f);
    if (d == 0.0f) continue;
    const float dm = fp16_to_fp32(block.dmin) * static_cast<float>(block.scales[j] >> 4);
    for (size_t i = 0; i < 16; ++i) {
      const int l = nearest_int((x[16 * j + i] + dm) / d);
      levels[16 * j + i] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
    }
  }
  pack_2bit(levels, block.qs);
  return block;
}

BlockQ3_K quantize_q3_K(std::span<const float, kQK_K> x) {
  int8_t levels[kQK_K];
  float scales[16];
  float max_scale = 0.0f, amax = 0.0f;
  for (size_t j = 0; j < 16; ++j) {
    scales[j] = detail::make_q3_quants(4, x.subspan(16 * j, 16), std::span(levels + 16 * j, 16));
    const float a = std::fabs(scales[j]);
    if (a > amax) {
      amax = a;
      max_scale = scales[j];
    }
  }
  BlockQ3_K block{};
  if (max_scale != 0.0f) {
    const float iscale = -32.0f / max_scale;
    for (size_t j = 0; j < 16; ++j) {
      const int8_t l = static_cast<int8_t>(nearest_int(iscale * scales[j]));
      detail::pack_scale_q3_k(j, std::max<int>(-32, std::min<int>(31, l)) + 32, block.scales);
    }
    block.d = fp32_to_fp16(1.0f / iscale);
  } else {
    block.d = fp32_to_fp16(0.0f);
  }
  for (size_t j = 0; j < 16; ++j) {
    const int sc = detail::unpack_scale_q3_k(j, block.scales) - 32;
    const float d = fp16_to_fp32(block.d) * static_cast<float>(sc);
    if (d == 0.0f) continue;
    for (size_t i = 0; i < 16; ++i) {
      const int l = nearest_int(x[16 * j + i] / d);
      levels[16 * j + i] = static_cast<int8_t>(std::max(-4, std::min(3, l)) + 4);
    }
  }
  // Bit 2 of element e goes to bit e/32 of hmask[e%32]; the low 2 bits stay.
  for (size_t e = 0; e < kQK_K; ++e) {
    if (levels[e] > 3) {
      block.hmask[e % 32] = static_cast<uint8_t>(block.hmask[e % 32] | (1u << (e / 32)));
      levels[e] = static_cast<int8_t>(levels[e] - 4);
    }
  }
  pack_2bit(levels, block.qs);
  return block;
}

BlockQ4_K quantize_q4_K(std::span<const float, kQK_K> x) {
  uint8_t levels[kQK_K];
  BlockQ4_K block{};
  quantize_affine_k(x, detail::AffineSearch{15, -1.0f, 0.1f, 20, false}, levels, block);
  for (size_t c = 0; c < 4; ++c) {
    for (size_t l = 0; l < 32; ++l) {
      block.qs[32 * c + l] = static_cast<uint8_t>(levels[64 * c + l] | (levels[64 * c + 32 + l] << 4));
    }
  }
  return block;
}

BlockQ5_K quantize_q5_K(std::span<const float, kQK_K> x) {
  uint8_t levels[kQK_K];
  BlockQ5_K block{};
  quantize_affine_k(x, detail::AffineSearch{31, -0.5f, 0.1f, 15, false}, levels, block);
  // Group g's bit 4 goes to bit g of qh[l]; the low nibbles pack as in Q4_K.
  for (size_t e = 0; e < kQK_K; ++e) {
    if (levels[e] > 15) block.qh[e % 32] = static_cast<uint8_t>(block.qh[e % 32] | (1u << (e / 32)));
  }
  for (size_t c = 0; c < 4; ++c) {
    for (size_t l = 0; l < 32; ++l) {
      const int lo = levels[64 * c + l] & 0x0f;
      const int hi = levels[64 * c + 32 + l] & 0x0f;
      block.qs[32 * c + l] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
  return block;
}

BlockQ6_K quantize_q6_K(std::span<const float, kQK_K> x) {
  int8_t levels[kQK_K];
  float scales[16];
  float max_scale = 0.0f, max_abs_scale = 0.0f;
  for (size_t j = 0; j < 16; ++j) {
    scales[j] = detail::make_qx_quants(32, x.subspan(16 * j, 16), std::span(levels + 16 * j, 16));
    const float a = std::fabs(scales[j]);
    if (a > max_abs_scale) {
      max_abs_scale = a;
      max_scale = scales[j];
    }
  }
  BlockQ6_K block{};
  if (max_abs_scale < detail::kGroupMaxEps) return block;  // all zeros, d = +0
  const float iscale = -128.0f / max_scale;
  block.d = fp32_to_fp16(1.0f / iscale);
  for (size_t j = 0; j < 16; ++j) {
    block.scales[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[j])));
  }
  for (size_t j = 0; j < 16; ++j) {
    const float d = fp16_to_fp32(block.d) * static_cast<float>(block.scales[j]);
    if (d == 0.0f) continue;
    for (size_t i = 0; i < 16; ++i) {
      const int l = nearest_int(x[16 * j + i] / d);
      levels[16 * j + i] = static_cast<int8_t>(std::max(-32, std::min(31, l)) + 32);
    }
  }
  // See dequantize_block(BlockQ6_K) for the layout.
  for (size_t half = 0; half < 2; ++half) {
    const int8_t* l = levels + 128 * half;
    for (size_t i = 0; i < 32; ++i) {
      block.ql[64 * half + i] = static_cast<uint8_t>((l[i] & 0x0f) | ((l[i + 64] & 0x0f) << 4));
      block.ql[64 * half + 32 + i] = static_cast<uint8_t>((l[i + 32] & 0x0f) | ((l[i + 96] & 0x0f) << 4));
      block.qh[32 * half + i] = static_cast<uint8_t>((l[i] >> 4) | ((l[i + 32] >> 4) << 2) |
                                                     ((l[i + 64] >> 4) << 4) | ((l[i + 96] >> 4) << 6));
    }
  }
  return block;
}

BlockQ8_K quantize_q8_K(std::span<const float, kQK_K> x) {
  float amax = 0.0f, max = 0.0f;
  for (float v : x) {
    if (std::fabs(v) > amax) {
      amax = std::fabs(v);
      max = v;
    }
  }
  BlockQ8_K block{};
  if (amax == 0.0f) return block;
  const float iscale = -127.0f / max;
  for (size_t e = 0; e < kQK_K; ++e) {
    block.qs[e] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[e])));
  }
  for (size_t g = 0; g < kQK_K / 16; ++g) {
    int sum = 0;
    for (size_t i = 0; i < 16; ++i) sum += block.qs[16 * g + i];
    block.bsums[g] = static_cast<int16_t>(sum);
  }
  block.d = 1.0f / iscale;
  return block;
}

}  // namespace ingot::quant
