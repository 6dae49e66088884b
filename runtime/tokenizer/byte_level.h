// GPT-2 byte-level mapping: every byte gets a printable code point.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ingot::tokenizer {

/// GPT-2's bytes_to_unicode table and its inverse.
class ByteLevelMap {
 public:
  /// The one shared instance.
  static const ByteLevelMap& get();

  /// The code point that stands for `byte` (printable bytes map to themselves).
  char32_t byte_to_cpt(uint8_t byte) const { return byte_to_cpt_[byte]; }
  /// The UTF-8 text that stands for `byte`.
  const std::string& byte_to_text(uint8_t byte) const { return byte_to_text_[byte]; }
  /// The byte a code point stands for, or -1 when it is not in the table.
  int cpt_to_byte(char32_t cpt) const;

  /// Maps every byte of `bytes` to its stand-in and appends the UTF-8 result.
  void encode_append(std::string_view bytes, std::string& out) const;

  /// llama.cpp's llama_decode_text: maps each code point of a byte-level token
  /// back to its byte; a code point outside the table becomes
  /// "[UNK_BYTE_0x<hex of its UTF-8>" + token_text + "]", as llama.cpp writes it.
  std::string decode_token_text(std::string_view token_text) const;

 private:
  ByteLevelMap();

  std::array<char32_t, 256> byte_to_cpt_{};
  std::array<std::string, 256> byte_to_text_{};
  std::array<int16_t, 324> cpt_to_byte_{};  // code points 0..323 cover the whole table
};

}  // namespace ingot::tokenizer
