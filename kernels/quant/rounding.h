// Float-to-int conversions used by the quantizers (internal).
//
// ggml converts with plain C casts, which are undefined behaviour for NaN or
// out-of-range values. These helpers give the same result as those casts for
// every in-range input and a defined one otherwise, so garbage input (NaN, inf)
// produces a garbage block instead of undefined behaviour.
#pragma once

#include <bit>
#include <cstdint>

namespace ingot::quant::detail {

/// ggml's nearest_int: round to nearest, ties to even, by adding 1.5 * 2^23 and
/// reading the low mantissa bits. Exact for |value| <= 2^22 - 1; outside that
/// range it returns the same bits ggml does.
inline int nearest_int(float value) {
  const float biased = value + 12582912.0f;
  const uint32_t bits = std::bit_cast<uint32_t>(biased);
  return static_cast<int>(bits & 0x007fffffu) - 0x00400000;
}

/// C's float-to-integer conversion (truncation toward zero) for values in int
/// range; NaN gives 0 and out-of-range values saturate.
inline int truncate_to_int(float value) {
  if (!(value == value)) return 0;
  if (value >= 2147483648.0f) return INT32_MAX;
  if (value <= -2147483648.0f) return INT32_MIN;
  return static_cast<int>(value);
}

}  // namespace ingot::quant::detail
