// Packing helpers for the 6-bit scales of the K-quants (internal).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ingot::quant::detail {

/// Scale and min (6 bits each) of group j (0..7) from Q4_K/Q5_K's 12 scale bytes.
/// Groups 0-3 keep them in the low 6 bits of bytes j and j+4; groups 4-7 split
/// them into a nibble in byte j+4 and two high bits on top of bytes j-4 and j.
inline void unpack_scale_min_k4(size_t j, const uint8_t* packed, uint8_t& scale, uint8_t& min) {
  if (j < 4) {
    scale = packed[j] & 63;
    min = packed[j + 4] & 63;
  } else {
    scale = static_cast<uint8_t>((packed[j + 4] & 0x0f) | ((packed[j - 4] >> 6) << 4));
    min = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
  }
}

/// Inverse of unpack_scale_min_k4 for group j; `packed` must start zeroed for groups 4-7's high bits.
inline void pack_scale_min_k4(size_t j, uint8_t scale, uint8_t min, uint8_t* packed) {
  if (j < 4) {
    packed[j] = scale;
    packed[j + 4] = min;
  } else {
    packed[j + 4] = static_cast<uint8_t>((scale & 0x0f) | ((min & 0x0f) << 4));
    packed[j - 4] |= static_cast<uint8_t>((scale >> 4) << 6);
    packed[j] |= static_cast<uint8_t>((min >> 4) << 6);
  }
}

/// 6-bit scale j (0..15) of a Q3_K block: a nibble from bytes 0-7 (low nibbles
/// for j < 8, high nibbles for j >= 8) and two high bits from bytes 8-11.
inline int unpack_scale_q3_k(size_t j, const uint8_t* packed) {
  const int low = j < 8 ? (packed[j] & 0x0f) : (packed[j - 8] >> 4);
  const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
  return low | (high << 4);
}

/// Inverse of unpack_scale_q3_k for a 6-bit value; `packed` must start zeroed.
inline void pack_scale_q3_k(size_t j, int value, uint8_t* packed) {
  if (j < 8) {
    packed[j] = static_cast<uint8_t>(value & 0x0f);
  } else {
    packed[j - 8] |= static_cast<uint8_t>((value & 0x0f) << 4);
  }
  packed[8 + j % 4] |= static_cast<uint8_t>((value >> 4) << (2 * (j / 4)));
}

}  // namespace ingot::quant::detail
