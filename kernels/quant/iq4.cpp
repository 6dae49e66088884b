// IQ4_NL and IQ4_XS: 4-bit quants on ggml's non-linear grid (kIq4Values), as ggml's
// dequantize_row_iq4_* and quantize_row_iq4_*_ref (no importance matrix) compute them: the same
// float operations in the same order, so both directions match bit for bit.
#include <cmath>
#include <cstring>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/quantize.h"
#include "kernels/quant/rounding.h"

namespace ingot::quant {
namespace {

constexpr size_t kGroup = 32;  // values per scale
constexpr size_t kHalf = kGroup / 2;
constexpr int kGrid = 16;
// Scale searches try kSearchSteps scales either side of the first guess.
constexpr int kSearchSteps = 7;
// A group whose largest magnitude is below this is all zeros.
constexpr float kGroupMaxEps = 1e-15f;

// 32 values of one group: element j from the low nibble of qs[j], element j+16 from the high.
void dequantize_group(float d, const uint8_t* qs, float* out) {
  for (size_t j = 0; j < kHalf; ++j) {
    out[j] = d * static_cast<float>(kIq4Values[qs[j] & 0x0f]);
    out[j + kHalf] = d * static_cast<float>(kIq4Values[qs[j] >> 4]);
  }
}

// The grid index nearest x (the higher one on a tie), by bisection.
uint8_t nearest_grid_index(float x) {
  if (x <= kIq4Values[0]) return 0;
  if (x >= kIq4Values[kGrid - 1]) return kGrid - 1;
  int lo = 0, hi = kGrid - 1;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (x < kIq4Values[mid])
      hi = mid;
    else
      lo = mid;
  }
  return static_cast<uint8_t>(x - kIq4Values[hi - 1] < kIq4Values[hi] - x ? hi - 1 : hi);
}

// Weighted sums of one group quantized at inverse scale `id`: sum(w q x) and sum(w q^2), with
// w = x^2.
struct GroupFit {
  float sumqx = 0.0f;
  float sumq2 = 0.0f;
};
GroupFit fit_group(const float* x, float id) {
  GroupFit fit;
  for (size_t j = 0; j < kGroup; ++j) {
    const float q = kIq4Values[nearest_grid_index(id * x[j])];
    const float w = x[j] * x[j];
    fit.sumqx += w * q * x[j];
    fit.sumq2 += w * q * q;
  }
  return fit;
}

// The least-squares scale of one group: from the scale that maps its largest magnitude onto the
// grid's end, and from each of the 2 * kSearchSteps + 1 scales around that, the best fit.
float group_scale(const float* x) {
  float amax = 0.0f, max = 0.0f;
  for (size_t j = 0; j < kGroup; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  if (amax < kGroupMaxEps) return 0.0f;
  GroupFit fit = fit_group(x, 1.0f / (-max / kIq4Values[0]));
  float d = fit.sumqx / fit.sumq2;
  float best = d * fit.sumqx;
  for (int step = -kSearchSteps; step <= kSearchSteps; ++step) {
    fit = fit_group(x, static_cast<float>(step + kIq4Values[0]) / max);
    if (fit.sumq2 > 0 && fit.sumqx * fit.sumqx > best * fit.sumq2) {
      d = fit.sumqx / fit.sumq2;
      best = d * fit.sumqx;
    }
  }
  return d;
}

// Grid indices of a group at scale d (index 8, the grid's 1, for d = 0), packed as Q4_0's.
void pack_group(const float* x, float d, uint8_t* qs) {
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  uint8_t l[kGroup];
  for (size_t j = 0; j < kGroup; ++j) l[j] = nearest_grid_index(id * x[j]);
  for (size_t j = 0; j < kHalf; ++j) qs[j] = static_cast<uint8_t>(l[j] | (l[j + kHalf] << 4));
}

// A group as a Q8_0 block: fp16 scale d, each grid value (-127 .. 113) as its quant.
BlockQ8_0 group_as_q8_0(uint16_t d, const uint8_t* qs) {
  BlockQ8_0 out{};
  out.d = d;
  for (size_t j = 0; j < kHalf; ++j) {
    out.qs[j] = kIq4Values[qs[j] & 0x0f];
    out.qs[j + kHalf] = kIq4Values[qs[j] >> 4];
  }
  return out;
}

// The 6-bit scale of group g of an IQ4_XS super-block (32 stands for 0).
int group_scale_bits(const BlockIQ4_XS& block, size_t g) {
  const int low = (block.scales_l[g / 2] >> (4 * (g % 2))) & 0x0f;
  const int high = (block.scales_h >> (2 * g)) & 3;
  return low | (high << 4);
}

}  // namespace

void dequantize_block(const BlockIQ4_NL& block, std::span<float, kQK> out) {
  dequantize_group(fp16_to_fp32(block.d), block.qs, out.data());
}

void dequantize_block(const BlockIQ4_XS& block, std::span<float, kQK_K> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t g = 0; g < kQK_K / kGroup; ++g) {
    dequantize_group(d * static_cast<float>(group_scale_bits(block, g) - 32), block.qs + g * kHalf,
                     out.data() + g * kGroup);
  }
}

void iq4_nl_as_q8_0(const BlockIQ4_NL& block, std::span<BlockQ8_0, 1> out) {
  out[0] = group_as_q8_0(block.d, block.qs);
}

void iq4_xs_as_q8_0(const BlockIQ4_XS& block, std::span<BlockQ8_0, kQK_K / kQK> out) {
  const float d = fp16_to_fp32(block.d);
  for (size_t g = 0; g < out.size(); ++g)
    out[g] = group_as_q8_0(fp32_to_fp16(d * static_cast<float>(group_scale_bits(block, g) - 32)),
                           block.qs + g * kHalf);
}

BlockIQ4_NL quantize_iq4_nl(std::span<const float, kQK> x) {
  BlockIQ4_NL block{};
  const float d = group_scale(x.data());
  block.d = fp32_to_fp16(d);
  pack_group(x.data(), d, block.qs);
  return block;
}

BlockIQ4_XS quantize_iq4_xs(std::span<const float, kQK_K> x) {
  constexpr size_t kGroups = kQK_K / kGroup;
  float scales[kGroups];
  float max_scale = 0.0f, amax_scale = 0.0f;
  for (size_t g = 0; g < kGroups; ++g) {
    scales[g] = group_scale(x.data() + g * kGroup);
    if (std::fabs(scales[g]) > amax_scale) {
      amax_scale = std::fabs(scales[g]);
      max_scale = scales[g];
    }
  }
  // The group scales become 6-bit multiples of d; the largest one maps to -32.
  BlockIQ4_XS block{};
  const float d = -max_scale / 32;
  block.d = fp32_to_fp16(d);
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  for (size_t g = 0; g < kGroups; ++g) {
    int l = detail::nearest_int(id * scales[g]);
    l = l < -32 ? -32 : (l > 31 ? 31 : l);
    pack_group(x.data() + g * kGroup, d * static_cast<float>(l), block.qs + g * kHalf);
    l += 32;
    block.scales_l[g / 2] |= static_cast<uint8_t>((l & 0x0f) << (4 * (g % 2)));
    block.scales_h |= static_cast<uint16_t>((l >> 4) << (2 * g));
  }
  return block;
}

}  // namespace ingot::quant
