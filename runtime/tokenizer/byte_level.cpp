#include "runtime/tokenizer/byte_level.h"

#include <cstdio>

#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {

namespace {

bool maps_to_itself(int byte) {
  return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) ||
         (byte >= 0xAE && byte <= 0xFF);
}

}  // namespace

ByteLevelMap::ByteLevelMap() {
  cpt_to_byte_.fill(-1);
  char32_t next_extra = 256;  // bytes that are not printable take 256, 257, ... in byte order
  for (int byte = 0; byte < 256; ++byte) {
    const char32_t cpt = maps_to_itself(byte) ? char32_t(byte) : next_extra++;
    byte_to_cpt_[byte] = cpt;
    append_utf8(byte_to_text_[byte], cpt);
    cpt_to_byte_[cpt] = static_cast<int16_t>(byte);
  }
}

const ByteLevelMap& ByteLevelMap::get() {
  static const ByteLevelMap instance;
  return instance;
}

int ByteLevelMap::cpt_to_byte(char32_t cpt) const {
  return cpt < cpt_to_byte_.size() ? cpt_to_byte_[cpt] : -1;
}

void ByteLevelMap::encode_append(std::string_view bytes, std::string& out) const {
  for (char c : bytes) out += byte_to_text_[static_cast<uint8_t>(c)];
}

std::string ByteLevelMap::decode_token_text(std::string_view token_text) const {
  std::string out;
  out.reserve(token_text.size());
  for (char32_t cpt : decode_utf8_lenient(token_text)) {
    const int byte = cpt_to_byte(cpt);
    if (byte >= 0) {
      out.push_back(static_cast<char>(byte));
      continue;
    }
    std::string utf8;
    append_utf8(utf8, cpt);
    out += "[UNK_BYTE_0x";
    for (char c : utf8) {
      char hex[3];
      std::snprintf(hex, sizeof(hex), "%02x", static_cast<unsigned>(static_cast<uint8_t>(c)));
      out += hex;
    }
    out.append(token_text);
    out += "]";
  }
  return out;
}

}  // namespace ingot::tokenizer
