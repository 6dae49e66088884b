#include "kernels/quant/row_checks.h"

#include <string>

namespace ingot::quant {

bool has_scalar_reference(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::Q8_K:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS: return true;
    default: return false;
  }
}

Result<TypeTraits> check_row(std::string_view op, GgmlType type, uint64_t values, uint64_t bytes) {
  const uint32_t raw = static_cast<uint32_t>(type);
  const std::optional<TypeTraits> traits = type_traits(raw);
  if (!traits || !has_scalar_reference(type)) {
    const std::string name = traits ? std::string(traits->name) : "id " + std::to_string(raw);
    return make_error(StatusCode::kUnimplemented,
                      std::string(op) + ": type " + name + " is not supported");
  }
  const std::string where = std::string(op) + "(" + std::string(traits->name) + "): ";
  if (values % traits->block_elems != 0) {
    return make_error(StatusCode::kInvalidArgument,
                      where + std::to_string(values) + " values are not a whole number of " +
                          std::to_string(traits->block_elems) + "-value blocks");
  }
  const uint64_t expected = values / traits->block_elems * traits->block_bytes;
  if (bytes != expected) {
    return make_error(StatusCode::kInvalidArgument,
                      where + std::to_string(values) + " values encode to " +
                          std::to_string(expected) + " bytes, not " + std::to_string(bytes));
  }
  return *traits;
}

}  // namespace ingot::quant
