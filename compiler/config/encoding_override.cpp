// Parsing and glob matching of per-tensor encoding overrides.
#include "compiler/config/encoding_override.h"

#include "compiler/config/value_text.h"

namespace ingot::config {

Result<EncodingOverride> parse_encoding_override(std::string_view text) {
  std::string quoted = "'";
  quoted.append(text).append("'");
  size_t equals = text.rfind('=');
  if (equals == std::string_view::npos) {
    return make_error(StatusCode::kInvalidArgument, quoted + " is not PATTERN=ENCODING");
  }
  std::string_view pattern = text.substr(0, equals);
  if (pattern.empty()) {
    return make_error(StatusCode::kInvalidArgument, quoted + " has an empty tensor name pattern");
  }
  INGOT_ASSIGN_OR_RETURN(arch::Encoding encoding, parse_encoding_text(text.substr(equals + 1)));
  return EncodingOverride{std::string(pattern), encoding};
}

std::string encoding_override_text(const EncodingOverride& override_spec) {
  return override_spec.pattern + "=" + std::string(arch::encoding_name(override_spec.encoding));
}

bool glob_match(std::string_view pattern, std::string_view name) {
  // Iterative matcher with one backtrack point: the most recent '*'.
  size_t p = 0, n = 0;
  size_t star = std::string_view::npos, star_name = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_name = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++star_name;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace ingot::config
