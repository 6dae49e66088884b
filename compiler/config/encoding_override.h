// Per-tensor encoding overrides: "PATTERN=ENCODING", PATTERN a glob over tensor names.
#pragma once

#include <string>
#include <string_view>

#include "compiler/arch/supported_architecture.h"
#include "runtime/base/status.h"

namespace ingot::config {

/// Tensors whose name matches `pattern` are encoded as `encoding`.
struct EncodingOverride {
  std::string pattern;  ///< A glob, e.g. "blk.*.ffn_down.weight".
  arch::Encoding encoding = arch::Encoding::kFloat32;

  bool operator==(const EncodingOverride&) const = default;
};

/// Parses "PATTERN=ENCODING" (split at the last '='); the message says what is wrong.
Result<EncodingOverride> parse_encoding_override(std::string_view text);

/// "PATTERN=ENCODING", the spelling parse_encoding_override reads.
std::string encoding_override_text(const EncodingOverride& override_spec);

/// Whole-name glob match: '*' matches any run of characters (dots too), '?' one character.
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace ingot::config
