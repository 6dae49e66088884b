// StreamingDecoder: turns generated ids into text without splitting UTF-8 characters.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/tokenizer/bpe_tokenizer.h"

namespace ingot::tokenizer {

/// Incremental detokenizer. The concatenation of every push() and the final
/// finish() equals tokenizer.decode(all ids, special). push() returns only whole
/// characters: a trailing sequence that more bytes could still complete is held
/// back, and a byte that cannot start or continue a character goes out as is
/// (raw, as llama.cpp's detokenize gives it).
class StreamingDecoder {
 public:
  /// Decodes with `tokenizer`, which must outlive this object.
  StreamingDecoder(const BpeTokenizer& tokenizer, bool special)
      : tokenizer_(&tokenizer), special_(special) {}

  /// Adds one token and returns the text that is now final.
  std::string push(int32_t id);

  /// Returns everything still held back and resets the decoder.
  std::string finish();

 private:
  const BpeTokenizer* tokenizer_;
  bool special_;
  std::string raw_;     // all pieces so far (only kept whole when spaces are cleaned)
  size_t emitted_ = 0;  // bytes of the (cleaned) text already returned
};

}  // namespace ingot::tokenizer
