// Checks shared by quantize_row and dequantize_row: which types have scalar
// references, and whether a row's value count and byte count agree.
#pragma once

#include <cstdint>
#include <string_view>

#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::quant {

/// True for the types with a scalar reference in both directions.
bool has_scalar_reference(GgmlType type);

/// The traits of `type` when `op` ("quantize_row", ...) supports it and `values`
/// values encode to exactly `bytes` bytes; otherwise kUnimplemented or
/// kInvalidArgument with a message naming `op` and the type.
Result<TypeTraits> check_row(std::string_view op, GgmlType type, uint64_t values, uint64_t bytes);

}  // namespace ingot::quant
