// The ggml tensor element types that GGUF files carry, with their block geometry.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ingot::quant {

/// ggml's type ids, as stored in GGUF tensor infos. Gaps are ids ggml retired.
enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
  Q2_0 = 42,
};

/// Block geometry of one type: `block_bytes` bytes hold `block_elems` values.
struct TypeTraits {
  GgmlType type;
  std::string_view name;  ///< ggml's spelling, e.g. "Q4_K".
  uint32_t block_elems;
  uint32_t block_bytes;
};

/// The traits of a raw type id, or nullopt when the id is not a ggml type.
std::optional<TypeTraits> type_traits(uint32_t raw_type);

/// The traits of a known type.
TypeTraits type_traits(GgmlType type);

/// Bytes needed for `elems` values of `type`, or nullopt when `elems` is not a
/// whole number of blocks or the byte count overflows 64 bits.
std::optional<uint64_t> row_bytes(GgmlType type, uint64_t elems);

}  // namespace ingot::quant
