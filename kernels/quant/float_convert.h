// Scalar fp32 <-> fp16 and fp32 <-> bf16 conversions, bit-exact with ggml.
//
// Everything here is integer arithmetic on bit patterns, so the results do not
// depend on the floating-point environment or on compiler flags such as
// -ffast-math in the including translation unit.
#pragma once

#include <bit>
#include <cstdint>

namespace ingot::quant {

/// Widens an IEEE binary16 bit pattern to fp32 exactly; a NaN keeps its sign and payload and comes back quiet (as ggml and F16C do).
constexpr float fp16_to_fp32(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  const uint32_t mantissa = half & 0x3ffu;
  uint32_t bits = 0;
  if (exponent == 0x1f) {
    // Inf keeps a zero mantissa; a NaN gets the quiet bit set.
    bits = sign | 0x7f800000u | (mantissa << 13) | (mantissa != 0 ? 0x00400000u : 0u);
  } else if (exponent != 0) {
    bits = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;  // +-0
  } else {
    // Subnormal: mantissa * 2^-24. Its leading one at bit p gives 2^(p-24).
    const int p = 31 - std::countl_zero(mantissa);
    const uint32_t biased = static_cast<uint32_t>(p - 24 + 127);
    bits = sign | (biased << 23) | ((mantissa << (23 - p)) & 0x007fffffu);
  }
  return std::bit_cast<float>(bits);
}

/// Rounds fp32 to the nearest binary16, ties to even, with subnormals, overflow to inf, and any NaN becoming 0x7E00 with the input's sign (ggml's scalar path).
constexpr uint16_t fp32_to_fp16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return sign | 0x7e00u;  // NaN
  // 65520 is the midpoint between 65504 (the largest half) and 65536; the tie
  // goes to the even neighbour, which is infinity.
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;
  if (magnitude >= 0x38800000u) {
    // Normal half: drop 13 mantissa bits with round-to-nearest-even; a carry
    // out of the mantissa correctly bumps the exponent.
    const uint32_t rounded = magnitude + 0x0fffu + ((magnitude >> 13) & 1u);
    return sign | static_cast<uint16_t>((rounded >> 13) - ((127u - 15u) << 10));
  }
  // Subnormal half (or zero): count units of 2^-24.
  const uint32_t exponent = magnitude >> 23;
  if (exponent < 102) return sign;  // below 2^-25: rounds to zero
  const uint32_t mantissa = (magnitude & 0x007fffffu) | 0x00800000u;
  const uint32_t shift = 126 - exponent;  // 14..24
  uint32_t units = mantissa >> shift;
  const uint32_t remainder = mantissa & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1);
  if (remainder > halfway || (remainder == halfway && (units & 1u) != 0)) ++units;
  return sign | static_cast<uint16_t>(units);  // 0x400 here is the smallest normal
}

/// Widens a bfloat16 bit pattern to fp32 exactly (bf16 is the top half of fp32).
constexpr float bf16_to_fp32(uint16_t bf16) {
  return std::bit_cast<float>(static_cast<uint32_t>(bf16) << 16);
}

/// Rounds fp32 to the nearest bfloat16, ties to even, subnormals kept; a NaN is truncated and made quiet (ggml_compute_fp32_to_bf16).
constexpr uint16_t fp32_to_bf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  const uint32_t rounded = bits + 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

}  // namespace ingot::quant
