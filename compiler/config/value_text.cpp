// Text -> value parsers with one-line error messages.
#include "compiler/config/value_text.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace ingot::config {

bool is_plain_text(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      if ((lead < 0x20 && lead != '\t') || lead == 0x7f) return false;
      ++i;
      continue;
    }
    size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (length == 0 || lead > 0xf4 || i + length > text.size()) return false;
    uint32_t code = lead & (0xff >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
      return false;
    }
    if (code >= 0x80 && code < 0xa0) return false;  // C1 controls
    i += length;
  }
  return true;
}

namespace {

Status bad_value(std::string_view text, std::string_view what) {
  std::string message = "'";
  message.append(text).append("' is not ").append(what);
  return make_error(StatusCode::kInvalidArgument, message);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <typename Enum, typename NameFn>
std::string names_of(const std::vector<Enum>& values, NameFn name) {
  std::string out;
  for (Enum value : values) {
    if (!out.empty()) out += ", ";
    out += name(value);
  }
  return out;
}

}  // namespace

Result<int64_t> parse_int64_text(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) return bad_value(text, "an int64 integer");
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return bad_value(text, "an integer");
  }
  return value;
}

Result<double> parse_double_text(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return bad_value(text, "a finite number");
  }
  return value;
}

Result<bool> parse_bool_text(std::string_view text) {
  std::string word = lower(text);
  if (word == "true" || word == "yes" || word == "on" || word == "1") return true;
  if (word == "false" || word == "no" || word == "off" || word == "0") return false;
  return bad_value(text, "a boolean (true or false)");
}

Result<arch::Encoding> parse_encoding_text(std::string_view text) {
  arch::Encoding value;
  if (arch::parse_encoding(text, value)) return value;
  return bad_value(text, "an encoding (one of: " + encoding_list(arch::all_encodings()) + ")");
}

Result<arch::RopeType> parse_rope_type_text(std::string_view text) {
  arch::RopeType value;
  if (arch::parse_rope_type(text, value)) return value;
  return bad_value(text, "a rope type (one of: " +
                             names_of(arch::all_rope_types(), arch::rope_type_name) + ")");
}

Result<arch::CacheStrategy> parse_cache_strategy_text(std::string_view text) {
  arch::CacheStrategy value;
  if (arch::parse_cache_strategy(text, value)) return value;
  return bad_value(text, "a cache strategy (one of: " +
                             names_of(arch::all_cache_strategies(), arch::cache_strategy_name) +
                             ")");
}

Result<CacheDType> parse_cache_dtype_text(std::string_view text) {
  CacheDType value;
  if (parse_cache_dtype(text, value)) return value;
  return bad_value(text, "a cache dtype (one of: " +
                             names_of(all_cache_dtypes(), cache_dtype_name) + ")");
}

std::string encoding_list(const std::vector<arch::Encoding>& encodings) {
  return names_of(encodings, arch::encoding_name);
}

std::string double_text(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (error != std::errc()) return std::to_string(value);
  return std::string(buffer, end);
}

}  // namespace ingot::config
