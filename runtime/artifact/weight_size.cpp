#include "runtime/artifact/weight_size.h"

#include <string>

namespace ingot::artifact {

std::optional<quant::GgmlType> ggml_type_for(schema::Encoding encoding) {
  using schema::Encoding;
  switch (encoding) {
    case Encoding::float32: return quant::GgmlType::F32;
    case Encoding::bfloat16: return quant::GgmlType::BF16;
    case Encoding::f16: return quant::GgmlType::F16;
    case Encoding::q4_k: return quant::GgmlType::Q4_K;
    case Encoding::q4_0: return quant::GgmlType::Q4_0;
    case Encoding::q4_1: return quant::GgmlType::Q4_1;
    case Encoding::q6_k: return quant::GgmlType::Q6_K;
    case Encoding::q8_0: return quant::GgmlType::Q8_0;
    default: return std::nullopt;
  }
}

Result<uint64_t> encoded_weight_bytes(schema::Encoding encoding, uint64_t rows, uint64_t row_length) {
  const auto raw = static_cast<uint32_t>(encoding);
  if (raw > static_cast<uint32_t>(schema::Encoding::MAX)) {
    return make_error(StatusCode::kDataLoss, "unknown encoding " + std::to_string(raw));
  }
  const std::string name = schema::EnumNameEncoding(encoding);
  if (encoding == schema::Encoding::float4_e2m1fnx2 || encoding == schema::Encoding::gptq) {
    return make_error(StatusCode::kUnimplemented,
                      "encoding " + name + " is not supported by this build");
  }
  uint64_t per_row = 0;
  if (std::optional<quant::GgmlType> type = ggml_type_for(encoding)) {
    quant::TypeTraits traits = quant::type_traits(*type);
    if (row_length % traits.block_elems != 0) {
      return make_error(StatusCode::kDataLoss,
                        "row length " + std::to_string(row_length) + " is not a whole number of " +
                            name + " blocks (" + std::to_string(traits.block_elems) + " values)");
    }
    std::optional<uint64_t> bytes = quant::row_bytes(*type, row_length);
    if (!bytes) {
      return make_error(StatusCode::kDataLoss, "a row of " + std::to_string(row_length) + " " +
                                                   name + " values overflows 64 bits");
    }
    per_row = *bytes;
  } else {  // float8_e4m3fn: one byte per value.
    per_row = row_length;
  }
  uint64_t total = 0;
  if (__builtin_mul_overflow(per_row, rows, &total)) {
    return make_error(StatusCode::kDataLoss, std::to_string(rows) + " rows of " +
                                                 std::to_string(per_row) +
                                                 " bytes overflow 64 bits");
  }
  return total;
}

}  // namespace ingot::artifact
