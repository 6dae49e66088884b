// Quantizers for the 32-value formats Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0, with
// ggml's float operation order and C cast semantics (see rounding.h).
#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/quant/float_convert.h"
#include "kernels/quant/quantize.h"
#include "kernels/quant/rounding.h"

namespace ingot::quant {
namespace {

constexpr size_t kHalf = kQK / 2;

// The value of largest magnitude (the first one on ties), keeping its sign.
float signed_absmax(std::span<const float, kQK> x) {
  float amax = 0.0f, max = 0.0f;
  for (float v : x) {
    if (amax < std::fabs(v)) {
      amax = std::fabs(v);
      max = v;
    }
  }
  return max;
}

struct MinMax {
  float min = FLT_MAX;
  float max = -FLT_MAX;
};

MinMax min_max(std::span<const float, kQK> x) {
  MinMax r;
  for (float v : x) {
    if (v < r.min) r.min = v;
    if (v > r.max) r.max = v;
  }
  return r;
}

// (int8_t)(value) in C, then MIN(limit, that): the 4-bit quantizers' clamp.
int truncate_int8_capped(float value, int limit) {
  const int q = static_cast<int8_t>(detail::truncate_to_int(value));
  return q < limit ? q : limit;
}

// Packs 32 five-bit quants: low nibbles as in Q4, bit 4 of element j into bit j of qh.
void pack_q5(const uint8_t (&q)[kQK], uint8_t (&qs)[kHalf], uint8_t (&qh)[4]) {
  uint32_t high = 0;
  for (size_t j = 0; j < kHalf; ++j) {
    qs[j] = static_cast<uint8_t>((q[j] & 0x0f) | ((q[j + kHalf] & 0x0f) << 4));
    high |= static_cast<uint32_t>((q[j] & 0x10u) >> 4) << j;
    high |= static_cast<uint32_t>((q[j + kHalf] & 0x10u) >> 4) << (j + kHalf);
  }
  std::memcpy(qh, &high, sizeof(high));
}

}  // namespace

BlockQ4_0 quantize_q4_0(std::span<const float, kQK> x) {
  const float d = signed_absmax(x) / -8;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ4_0 block{};
  block.d = fp32_to_fp16(d);
  for (size_t j = 0; j < kHalf; ++j) {
    const uint8_t lo = static_cast<uint8_t>(truncate_int8_capped(x[j] * id + 8.5f, 15));
    const uint8_t hi = static_cast<uint8_t>(truncate_int8_capped(x[j + kHalf] * id + 8.5f, 15));
    block.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
  return block;
}

BlockQ4_1 quantize_q4_1(std::span<const float, kQK> x) {
  const MinMax range = min_max(x);
  const float d = (range.max - range.min) / 15;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ4_1 block{};
  block.d = fp32_to_fp16(d);
  block.m = fp32_to_fp16(range.min);
  for (size_t j = 0; j < kHalf; ++j) {
    const uint8_t lo = static_cast<uint8_t>(truncate_int8_capped((x[j] - range.min) * id + 0.5f, 15));
    const uint8_t hi = static_cast<uint8_t>(truncate_int8_capped((x[j + kHalf] - range.min) * id + 0.5f, 15));
    block.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
  return block;
}

BlockQ5_0 quantize_q5_0(std::span<const float, kQK> x) {
  const float d = signed_absmax(x) / -16;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ5_0 block{};
  block.d = fp32_to_fp16(d);
  uint8_t q[kQK];
  for (size_t j = 0; j < kQK; ++j) q[j] = static_cast<uint8_t>(truncate_int8_capped(x[j] * id + 16.5f, 31));
  pack_q5(q, block.qs, block.qh);
  return block;
}

BlockQ5_1 quantize_q5_1(std::span<const float, kQK> x) {
  const MinMax range = min_max(x);
  const float d = (range.max - range.min) / 31;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ5_1 block{};
  block.d = fp32_to_fp16(d);
  block.m = fp32_to_fp16(range.min);
  uint8_t q[kQK];
  // ggml converts straight to uint8_t here, with no clamp.
  for (size_t j = 0; j < kQK; ++j) {
    q[j] = static_cast<uint8_t>(detail::truncate_to_int((x[j] - range.min) * id + 0.5f));
  }
  pack_q5(q, block.qs, block.qh);
  return block;
}

BlockQ8_0 quantize_q8_0(std::span<const float, kQK> x) {
  float amax = 0.0f;
  for (float v : x) amax = amax > std::fabs(v) ? amax : std::fabs(v);
  const float d = amax / 127;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ8_0 block{};
  block.d = fp32_to_fp16(d);
  for (size_t j = 0; j < kQK; ++j) {
    block.qs[j] = static_cast<int8_t>(detail::truncate_to_int(std::round(x[j] * id)));
  }
  return block;
}

}  // namespace ingot::quant
