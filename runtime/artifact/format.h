// Constants of the .ingot file format shared by the writer and the loader.
#pragma once

#include <cstdint>

namespace ingot::artifact {

/// The format version this build writes and reads: the major must match
/// exactly, and a file's minor may not be newer than this.
inline constexpr uint16_t kFormatMajor = 1;
inline constexpr uint16_t kFormatMinor = 4;  // 1.1: load_format, dummy_seed; 1.2: rope freq_factors;
                                              // 1.3: tokenizer scores, add_space_prefix;
                                              // 1.4: tokenizer space_prefix, split_at_spaces

/// The FlatBuffer file identifier (schema `file_identifier`).
inline constexpr char kFileIdentifier[] = "INGT";

/// The weight segment starts at the first multiple of this after the FlatBuffer.
inline constexpr uint64_t kSegmentAlignment = 4096;
/// Each weight starts at a multiple of this within the segment.
inline constexpr uint64_t kWeightAlignment = 64;

/// Rounds `value` up to a multiple of `alignment` (a power of two); false on overflow.
inline bool align_up(uint64_t value, uint64_t alignment, uint64_t& out) {
  uint64_t sum = 0;
  if (__builtin_add_overflow(value, alignment - 1, &sum)) return false;
  out = sum & ~(alignment - 1);
  return true;
}

}  // namespace ingot::artifact
