// Parsers from option text to values, shared by the YAML reader and the flags. Each
// error message is the part after "KEY: ", e.g. "'abc' is not an integer".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/arch/supported_architecture.h"
#include "compiler/config/cache_dtype.h"
#include "runtime/base/status.h"

namespace ingot::config {

/// True for well-formed UTF-8 without control characters (tab allowed): what a
/// config value may hold, so that it writes back to YAML unchanged.
bool is_plain_text(std::string_view text);

/// A whole decimal integer that fits int64_t.
Result<int64_t> parse_int64_text(std::string_view text);
/// A whole finite decimal number.
Result<double> parse_double_text(std::string_view text);
/// true/false, yes/no, on/off, 1/0 (any case), as YAML 1.1 and MAX's CLI read them.
Result<bool> parse_bool_text(std::string_view text);
/// A MAX encoding name; the error lists every name.
Result<arch::Encoding> parse_encoding_text(std::string_view text);
/// A MAX rope type name; the error lists every name.
Result<arch::RopeType> parse_rope_type_text(std::string_view text);
/// A MAX cache strategy name; the error lists every name.
Result<arch::CacheStrategy> parse_cache_strategy_text(std::string_view text);
/// A cache dtype name (any case); the error lists every name.
Result<CacheDType> parse_cache_dtype_text(std::string_view text);

/// "float32, bfloat16, q4_k": the encodings' names joined by ", ".
std::string encoding_list(const std::vector<arch::Encoding>& encodings);
/// The shortest text that reads back as `value` ("0.9", not "0.90000000000000002").
std::string double_text(double value);

}  // namespace ingot::config
