#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {

namespace {

bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

size_t utf8_length_from_lead(uint8_t lead) {
  static constexpr uint8_t kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[lead >> 4];
}

bool decode_utf8_at(std::string_view text, size_t& offset, char32_t& cpt) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[offset + i]); };
  const size_t left = text.size() - offset;
  const uint8_t lead = byte(0);
  if (lead < 0x80) {
    cpt = lead;
    offset += 1;
    return true;
  }
  if ((lead & 0x40) == 0) return false;  // a continuation byte cannot start a sequence
  if ((lead & 0x20) == 0) {
    if (left < 2 || !is_continuation(byte(1))) return false;
    cpt = (char32_t(lead & 0x1F) << 6) | (byte(1) & 0x3F);
    offset += 2;
    return true;
  }
  if ((lead & 0x10) == 0) {
    if (left < 3 || !is_continuation(byte(1)) || !is_continuation(byte(2))) return false;
    cpt = (char32_t(lead & 0x0F) << 12) | (char32_t(byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    offset += 3;
    return true;
  }
  if ((lead & 0x08) == 0) {
    if (left < 4 || !is_continuation(byte(1)) || !is_continuation(byte(2)) ||
        !is_continuation(byte(3))) {
      return false;
    }
    const char32_t value = (char32_t(lead & 0x07) << 18) | (char32_t(byte(1) & 0x3F) << 12) |
                           (char32_t(byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    if (value > 0x10FFFF) return false;  // llama.cpp throws (and aborts) here
    cpt = value;
    offset += 4;
    return true;
  }
  return false;  // 0xF8..0xFF
}

std::vector<char32_t> decode_utf8_lenient(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) {
    char32_t cpt = 0;
    if (decode_utf8_at(text, offset, cpt)) {
      out.push_back(cpt);
    } else {
      out.push_back(kReplacementChar);
      ++offset;
    }
  }
  return out;
}

void append_utf8(std::string& out, char32_t cpt) {
  if (cpt <= 0x7F) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt <= 0x7FF) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt <= 0xFFFF) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | ((cpt >> 18) & 0x07)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

bool is_unicode_white_space(char32_t cpt) {
  // PropList.txt White_Space: the list llama.cpp's unicode tables use for `\s`.
  if (cpt >= 0x09 && cpt <= 0x0D) return true;
  if (cpt >= 0x2000 && cpt <= 0x200A) return true;
  switch (cpt) {
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return false;
  }
}

size_t complete_utf8_prefix_length(std::string_view bytes) {
  size_t offset = 0;
  while (offset < bytes.size()) {
    char32_t cpt = 0;
    if (decode_utf8_at(bytes, offset, cpt)) continue;
    const auto lead = static_cast<uint8_t>(bytes[offset]);
    const size_t need = utf8_length_from_lead(lead);
    if (lead >= 0xC0 && lead < 0xF8 && offset + need > bytes.size()) {
      bool all_continuations = true;
      for (size_t i = offset + 1; i < bytes.size(); ++i) {
        all_continuations = all_continuations && is_continuation(static_cast<uint8_t>(bytes[i]));
      }
      if (all_continuations) return offset;  // more bytes may complete it
    }
    ++offset;  // an invalid byte stands alone
  }
  return offset;
}

bool is_valid_utf8(std::string_view text) {
  size_t offset = 0;
  while (offset < text.size()) {
    const size_t start = offset;
    char32_t cpt = 0;
    if (!decode_utf8_at(text, offset, cpt)) return false;
    const size_t length = offset - start;
    const bool overlong = (length == 2 && cpt < 0x80) || (length == 3 && cpt < 0x800) ||
                          (length == 4 && cpt < 0x10000);
    if (overlong || (cpt >= 0xD800 && cpt <= 0xDFFF)) return false;
  }
  return true;
}

}  // namespace ingot::tokenizer
