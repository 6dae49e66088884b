// The KV cache element type and MAX's rule that derives it from the weight encoding.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "compiler/arch/supported_architecture.h"

namespace ingot::config {

/// KV cache element types: MAX's kv_cache_format values plus float16.
enum class CacheDType { kFloat32, kBfloat16, kFloat16, kFloat8E4M3FN };

/// "float32", "bfloat16", "float16", "float8_e4m3fn".
std::string_view cache_dtype_name(CacheDType dtype);
/// Parses a name case-insensitively, as MAX parses kv_cache_format; false otherwise.
bool parse_cache_dtype(std::string_view name, CacheDType& out);
/// Every cache dtype, in declaration order.
const std::vector<CacheDType>& all_cache_dtypes();

/// MAX's set_cache_dtype_given_quantization_encoding: float32 without an encoding;
/// float32 for float32 and the GGUF block formats (q4_k, q4_0, q4_1, q6_k, q8_0);
/// float16 for float16; bfloat16 for bfloat16, float8_e4m3fn, float4_e2m1fnx2, gptq.
CacheDType cache_dtype_for_encoding(std::optional<arch::Encoding> encoding);

}  // namespace ingot::config
