// UTF-8 helpers with llama.cpp's lenient decoding rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ingot::tokenizer {

/// U+FFFD, what an undecodable byte turns into.
inline constexpr char32_t kReplacementChar = 0xFFFD;

/// Sequence length implied by a lead byte's high nibble, as llama.cpp's
/// unicode_len_utf8: 1 for 0x00-0xBF, 2 for 0xC0-0xDF, 3 for 0xE0-0xEF, 4 for 0xF0-0xFF.
size_t utf8_length_from_lead(uint8_t lead);

/// Decodes one code point at `offset` and advances it, or returns false (offset unchanged)
/// when the bytes there do not form a sequence llama.cpp accepts. Lenient like
/// llama.cpp: overlong forms and surrogates decode to their arithmetic value.
/// Unlike llama.cpp, a 4-byte form above U+10FFFF is rejected (llama.cpp aborts on it).
bool decode_utf8_at(std::string_view text, size_t& offset, char32_t& cpt);

/// Decodes all of `text`; each byte that does not start an acceptable sequence
/// becomes U+FFFD and decoding resumes at the next byte (llama.cpp's unicode_cpts_from_utf8).
std::vector<char32_t> decode_utf8_lenient(std::string_view text);

/// Appends the UTF-8 form of `cpt` (which must be <= U+10FFFF; surrogates are
/// encoded arithmetically, as llama.cpp does).
void append_utf8(std::string& out, char32_t cpt);

/// Returns true for the Unicode White_Space property (llama.cpp's `\s`).
bool is_unicode_white_space(char32_t cpt);

/// Length of the longest prefix of `bytes` that ends on a character boundary
/// under the lenient decoding: only a trailing lead byte whose sequence could
/// still be completed by more bytes is excluded.
size_t complete_utf8_prefix_length(std::string_view bytes);

/// Returns true when `text` is well-formed UTF-8 (no overlongs, surrogates or
/// values above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace ingot::tokenizer
