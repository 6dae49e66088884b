#include "runtime/tokenizer/streaming_decoder.h"

#include <algorithm>

#include "runtime/tokenizer/clean_spaces.h"
#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {

namespace {

// clean_up_tokenization_spaces decides each byte from at most a few bytes
// after it, so all but the last few output bytes are final.
constexpr size_t kCleanLookahead = 16;

}  // namespace

std::string StreamingDecoder::push(int32_t id) {
  raw_ += tokenizer_->token_to_piece(id, special_);
  if (!tokenizer_->cleans_spaces()) {
    const size_t ready = complete_utf8_prefix_length(raw_);
    std::string out = raw_.substr(0, ready);
    raw_.erase(0, ready);
    return out;
  }
  std::string cleaned = raw_;
  clean_up_tokenization_spaces(cleaned);
  if (cleaned.size() <= emitted_ + kCleanLookahead) return {};
  const std::string_view candidate =
      std::string_view(cleaned).substr(emitted_, cleaned.size() - kCleanLookahead - emitted_);
  const size_t ready = complete_utf8_prefix_length(candidate);
  emitted_ += ready;
  return std::string(candidate.substr(0, ready));
}

std::string StreamingDecoder::finish() {
  std::string out;
  if (tokenizer_->cleans_spaces()) {
    std::string cleaned = raw_;
    clean_up_tokenization_spaces(cleaned);
    out = cleaned.substr(std::min(emitted_, cleaned.size()));
  } else {
    out = raw_;
  }
  raw_.clear();
  emitted_ = 0;
  return out;
}

}  // namespace ingot::tokenizer
