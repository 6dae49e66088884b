#include "kernels/quant/ggml_type.h"

#include <array>
#include <cstdlib>

namespace ingot::quant {
namespace {

constexpr std::array kTypeTable = {
    TypeTraits{GgmlType::F32, "F32", 1, 4},
    TypeTraits{GgmlType::F16, "F16", 1, 2},
    TypeTraits{GgmlType::Q4_0, "Q4_0", 32, 18},
    TypeTraits{GgmlType::Q4_1, "Q4_1", 32, 20},
    TypeTraits{GgmlType::Q5_0, "Q5_0", 32, 22},
    TypeTraits{GgmlType::Q5_1, "Q5_1", 32, 24},
    TypeTraits{GgmlType::Q8_0, "Q8_0", 32, 34},
    TypeTraits{GgmlType::Q8_1, "Q8_1", 32, 36},
    TypeTraits{GgmlType::Q2_K, "Q2_K", 256, 84},
    TypeTraits{GgmlType::Q3_K, "Q3_K", 256, 110},
    TypeTraits{GgmlType::Q4_K, "Q4_K", 256, 144},
    TypeTraits{GgmlType::Q5_K, "Q5_K", 256, 176},
    TypeTraits{GgmlType::Q6_K, "Q6_K", 256, 210},
    TypeTraits{GgmlType::Q8_K, "Q8_K", 256, 292},
    TypeTraits{GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66},
    TypeTraits{GgmlType::IQ2_XS, "IQ2_XS", 256, 74},
    TypeTraits{GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98},
    TypeTraits{GgmlType::IQ1_S, "IQ1_S", 256, 50},
    TypeTraits{GgmlType::IQ4_NL, "IQ4_NL", 32, 18},
    TypeTraits{GgmlType::IQ3_S, "IQ3_S", 256, 110},
    TypeTraits{GgmlType::IQ2_S, "IQ2_S", 256, 82},
    TypeTraits{GgmlType::IQ4_XS, "IQ4_XS", 256, 136},
    TypeTraits{GgmlType::I8, "I8", 1, 1},
    TypeTraits{GgmlType::I16, "I16", 1, 2},
    TypeTraits{GgmlType::I32, "I32", 1, 4},
    TypeTraits{GgmlType::I64, "I64", 1, 8},
    TypeTraits{GgmlType::F64, "F64", 1, 8},
    TypeTraits{GgmlType::IQ1_M, "IQ1_M", 256, 56},
    TypeTraits{GgmlType::BF16, "BF16", 1, 2},
    TypeTraits{GgmlType::TQ1_0, "TQ1_0", 256, 54},
    TypeTraits{GgmlType::TQ2_0, "TQ2_0", 256, 66},
    TypeTraits{GgmlType::MXFP4, "MXFP4", 32, 17},
    TypeTraits{GgmlType::NVFP4, "NVFP4", 64, 36},
    TypeTraits{GgmlType::Q1_0, "Q1_0", 128, 18},
    TypeTraits{GgmlType::Q2_0, "Q2_0", 64, 18},
};

}  // namespace

std::optional<TypeTraits> type_traits(uint32_t raw_type) {
  for (const TypeTraits& traits : kTypeTable) {
    if (static_cast<uint32_t>(traits.type) == raw_type) return traits;
  }
  return std::nullopt;
}

TypeTraits type_traits(GgmlType type) {
  std::optional<TypeTraits> traits = type_traits(static_cast<uint32_t>(type));
  if (!traits) std::abort();  // Every enumerator is in the table.
  return *traits;
}

std::optional<uint64_t> row_bytes(GgmlType type, uint64_t elems) {
  TypeTraits traits = type_traits(type);
  if (elems % traits.block_elems != 0) return std::nullopt;
  uint64_t blocks = elems / traits.block_elems;
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(blocks, uint64_t{traits.block_bytes}, &bytes)) return std::nullopt;
  return bytes;
}

}  // namespace ingot::quant
