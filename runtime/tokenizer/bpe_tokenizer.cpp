#include "runtime/tokenizer/bpe_tokenizer.h"

#include <limits>

#include "runtime/tokenizer/byte_level.h"
#include "runtime/tokenizer/clean_spaces.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"
#include "runtime/tokenizer/special_tokens.h"
#include "runtime/tokenizer/symbol_merge.h"
#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {

namespace {

Status check_id(const char* field, const std::optional<int32_t>& id, size_t vocab_size) {
  if (id && (*id < 0 || static_cast<size_t>(*id) >= vocab_size)) {
    return make_error(StatusCode::kOutOfRange, std::string(field) + ": id " + std::to_string(*id) +
                                                   " is outside the vocabulary of " +
                                                   std::to_string(vocab_size) + " tokens");
  }
  return Status::ok_status();
}

// llama.cpp's token_to_byte for BPE byte tokens: two hex digits after "<0x".
char byte_token_value(const std::string& text) {
  int value = 0;
  for (size_t i = 3; i < text.size() && i < 5; ++i) {
    const char c = text[i];
    const int digit = (c >= '0' && c <= '9')   ? c - '0'
                      : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                      : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                               : -1;
    if (digit < 0) break;
    value = value * 16 + digit;
  }
  return static_cast<char>(value);
}

}  // namespace

Result<BpeTokenizer> BpeTokenizer::create(TokenizerSpec spec) {
  const bool sentencepiece = spec.model == "llama";
  if (spec.model != "gpt2" && !sentencepiece) {
    return make_error(StatusCode::kUnimplemented,
                      "tokenizer.ggml.model: unsupported tokenizer model '" + spec.model +
                          "' (ingot implements 'gpt2', byte-level BPE, and 'llama', "
                          "SentencePiece BPE)");
  }
  // SentencePiece splits no words first: its pre-tokenizer name (llama.cpp's "default") is unused.
  INGOT_ASSIGN_OR_RETURN(PreTokenizer pre_tokenizer,
                         PreTokenizer::create(sentencepiece ? "default" : spec.pre));
  const size_t n = spec.tokens.size();
  if (n == 0)
    return make_error(StatusCode::kInvalidArgument, "tokenizer.ggml.tokens: empty vocabulary");
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return make_error(StatusCode::kOutOfRange, "tokenizer.ggml.tokens: too many tokens");
  }
  if (!spec.token_types.empty() && spec.token_types.size() != n) {
    return make_error(StatusCode::kInvalidArgument,
                      "tokenizer.ggml.token_type: " + std::to_string(spec.token_types.size()) +
                          " entries for " + std::to_string(n) + " tokens");
  }
  INGOT_RETURN_IF_ERROR(check_id("tokenizer.ggml.bos_token_id", spec.bos_id, n));
  INGOT_RETURN_IF_ERROR(check_id("tokenizer.ggml.eos_token_id", spec.eos_id, n));
  INGOT_RETURN_IF_ERROR(check_id("tokenizer.ggml.eot_token_id", spec.eot_id, n));
  INGOT_RETURN_IF_ERROR(check_id("tokenizer.ggml.unknown_token_id", spec.unk_id, n));
  INGOT_RETURN_IF_ERROR(check_id("tokenizer.ggml.padding_token_id", spec.pad_id, n));
  if (!spec.scores.empty() && spec.scores.size() != n) {
    return make_error(StatusCode::kInvalidArgument,
                      "tokenizer.ggml.scores: " + std::to_string(spec.scores.size()) +
                          " entries for " + std::to_string(n) + " tokens");
  }
  if (spec.add_bos && !spec.bos_id) {
    return make_error(StatusCode::kInvalidArgument,
                      "tokenizer.ggml.add_bos_token: set, but there is no bos_token_id");
  }
  if (spec.add_eos && !spec.eos_id) {
    return make_error(StatusCode::kInvalidArgument,
                      "tokenizer.ggml.add_eos_token: set, but there is no eos_token_id");
  }

  BpeTokenizer tok(std::move(spec), std::move(pre_tokenizer));
  const TokenizerSpec& s = tok.spec_;
  tok.texts_ = s.tokens;
  tok.token_ids_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (tok.texts_[i].empty()) tok.texts_[i] = "[EMPTY_" + std::to_string(i) + "]";  // as llama.cpp
    const auto [it, inserted] = tok.token_ids_.emplace(tok.texts_[i], static_cast<int32_t>(i));
    if (!inserted) {
      return make_error(StatusCode::kInvalidArgument,
                        "tokenizer.ggml.tokens[" + std::to_string(i) + "]: '" + tok.texts_[i] +
                            "' repeats token " + std::to_string(it->second));
    }
  }
  tok.merge_ranks_.reserve(s.merges.size());
  for (size_t i = 0; i < s.merges.size(); ++i) {
    const std::string& merge = s.merges[i];
    const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string::npos;
    if (space == std::string::npos || space + 1 >= merge.size()) {
      return make_error(StatusCode::kInvalidArgument, "tokenizer.ggml.merges[" + std::to_string(i) +
                                                          "]: '" + merge + "' is not 'left right'");
    }
    tok.merge_ranks_.emplace(merge, static_cast<int32_t>(i));  // the first of duplicates wins
  }
  DerivedTokenInfo info = derive_token_info(s, tok.texts_);
  tok.attrs_ = std::move(info.attrs);
  tok.eog_ids_ = std::move(info.eog_ids);
  tok.special_order_ = special_token_search_order(tok.texts_, tok.attrs_);
  tok.sentencepiece_ = sentencepiece;
  if (sentencepiece) {
    tok.byte_ids_.assign(256, -1);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int byte = 0; byte < 256; ++byte) {
      const std::string hex = {'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
      const auto it = tok.token_ids_.find(hex);
      if (it != tok.token_ids_.end()) {
        tok.byte_ids_[byte] = it->second;
      } else if (const auto one = tok.token_ids_.find(std::string(1, static_cast<char>(byte)));
                 one != tok.token_ids_.end()) {
        tok.byte_ids_[byte] = one->second;
      }
    }
  }
  tok.pieces_.reserve(n);
  for (size_t i = 0; i < n; ++i) tok.pieces_.push_back(tok.make_piece(static_cast<int32_t>(i)));
  return tok;
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool add_special,
                                          bool parse_special) const {
  std::vector<int32_t> out;
  if (add_special && spec_.add_bos) out.push_back(*spec_.bos_id);
  if (sentencepiece_) {
    encode_sentencepiece(text, parse_special, out);
    if (add_special && spec_.add_eos) out.push_back(*spec_.eos_id);
    return out;
  }
  for (const Fragment& fragment :
       partition_special_tokens(text, parse_special, special_order_, texts_, attrs_)) {
    if (fragment.token >= 0) {
      out.push_back(fragment.token);
    } else {
      encode_fragment(text.substr(fragment.offset, fragment.length), out);
    }
  }
  if (add_special && spec_.add_eos) out.push_back(*spec_.eos_id);
  return out;
}

bool BpeTokenizer::wants_space_prefix(std::string_view fragment, size_t offset,
                                      bool after_special) const {
  if (!spec_.add_space_prefix || !after_special) return false;
  const bool starts_with_space =
      fragment.starts_with(' ') || fragment.starts_with(kSentencePieceSpace);
  switch (spec_.space_prefix) {
    case SpacePrefix::kAfterSpecial: return true;
    case SpacePrefix::kMetaspaceAlways: return !starts_with_space;
    case SpacePrefix::kMetaspaceFirst: return offset == 0 && !starts_with_space;
  }
  return false;
}

void BpeTokenizer::encode_sentencepiece(std::string_view text, bool parse_special,
                                        std::vector<int32_t>& out) const {
  std::string scratch;
  SentencePieceVocab vocab{
      .id_of =
          [this](std::string_view piece) {
            const auto it = token_ids_.find(piece);
            return it == token_ids_.end() ? -1 : it->second;
          },
      .scores = spec_.scores,
      .merge_rank = nullptr,
      .byte_ids = byte_ids_,
      .unk_id = spec_.unk_id.value_or(-1)};
  // A GGUF's SentencePiece vocabulary merges by its scores, as llama.cpp does, merges or not.
  if (!merge_ranks_.empty() && spec_.scores.empty()) {
    vocab.merge_rank = [this, &scratch](std::string_view left, std::string_view right) {
      return merge_rank(left, right, scratch);
    };
  }
  bool after_special = true;  // the text's start counts as following a special token
  std::string fragment_text;
  for (const Fragment& fragment :
       partition_special_tokens(text, parse_special, special_order_, texts_, attrs_)) {
    if (fragment.token >= 0) {
      out.push_back(fragment.token);
      after_special = true;
      continue;
    }
    const std::string_view piece = text.substr(fragment.offset, fragment.length);
    fragment_text.clear();
    if (wants_space_prefix(piece, fragment.offset, after_special)) fragment_text.push_back(' ');
    fragment_text.append(piece);
    const std::string escaped = escape_sentencepiece_spaces(fragment_text);
    if (!spec_.split_at_spaces) {
      sentencepiece_encode(escaped, vocab, out);
    } else {
      // Words start at each U+2581 (the text before the first is a word too), merged apart.
      const std::string_view text_view = escaped;
      for (size_t start = 0; start < text_view.size();) {
        size_t end = text_view.find(kSentencePieceSpace, start + 1);
        if (end == std::string_view::npos) end = text_view.size();
        sentencepiece_encode(text_view.substr(start, end - start), vocab, out);
        start = end;
      }
    }
    after_special = false;
  }
}

void BpeTokenizer::encode_fragment(std::string_view text, std::vector<int32_t>& out) const {
  const std::vector<char32_t> cpts = decode_utf8_lenient(text);
  const std::u32string_view view(cpts.data(), cpts.size());
  const ByteLevelMap& bytes = ByteLevelMap::get();
  std::string word, utf8;
  size_t start = 0;
  for (size_t length : pre_tokenizer_.split(view)) {
    word.clear();
    for (size_t i = start; i < start + length; ++i) {
      utf8.clear();
      append_utf8(utf8, cpts[i]);
      bytes.encode_append(utf8, word);
    }
    encode_word(word, out);
    start += length;
  }
}

int32_t BpeTokenizer::merge_rank(std::string_view left, std::string_view right,
                                 std::string& scratch) const {
  scratch.assign(left);
  scratch.push_back(' ');
  scratch.append(right);
  const auto it = merge_ranks_.find(std::string_view(scratch));
  return it == merge_ranks_.end() ? -1 : it->second;
}

void BpeTokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (pre_tokenizer_.rules().ignore_merges) {
    if (const auto it = token_ids_.find(word); it != token_ids_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::string scratch;
  const std::vector<MergeSymbol> symbols =
      merge_symbols(word, [&](std::string_view left, std::string_view right) {
        const int32_t rank = merge_rank(left, right, scratch);
        return rank < 0 ? std::nullopt : std::optional<double>(-rank);  // lowest rank first
      });
  for (const MergeSymbol& sym : symbols) {
    if (sym.length == 0) continue;
    const std::string_view text = word.substr(sym.start, sym.length);
    if (const auto it = token_ids_.find(text); it != token_ids_.end()) {
      out.push_back(it->second);
      continue;
    }
    for (char c : text) {  // llama.cpp's fallback: single bytes that happen to be tokens
      if (const auto it = token_ids_.find(std::string_view(&c, 1)); it != token_ids_.end()) {
        out.push_back(it->second);
      }
    }
  }
}

std::string BpeTokenizer::make_piece(int32_t id) const {
  const uint32_t attr = attrs_[id];
  const std::string& text = texts_[id];
  if (attr & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return text;
  if (attr & kAttrNormal) {
    return sentencepiece_ ? unescape_sentencepiece_spaces(text)
                          : ByteLevelMap::get().decode_token_text(text);
  }
  if (attr & kAttrByte) return std::string(1, byte_token_value(text));
  return {};  // unused and undefined tokens print nothing
}

std::string BpeTokenizer::token_to_piece(int32_t id, bool special) const {
  if (id < 0 || id >= vocab_size()) return {};
  if (!special && (attrs_[id] & (kAttrUnknown | kAttrControl))) return {};
  return pieces_[id];
}

std::string BpeTokenizer::decode(std::span<const int32_t> ids, bool special) const {
  std::string out;
  for (int32_t id : ids) out += token_to_piece(id, special);
  // SentencePiece: the leading space encode added goes again, from the first token only.
  if (sentencepiece_ && spec_.add_space_prefix && !ids.empty() &&
      !token_to_piece(ids[0], special).empty() && out.front() == ' ') {
    out.erase(0, 1);
  }
  if (cleans_spaces()) clean_up_tokenization_spaces(out);
  return out;
}

const std::string& BpeTokenizer::token_text(int32_t id) const {
  static const std::string kEmpty;
  return id >= 0 && id < vocab_size() ? texts_[id] : kEmpty;
}

TokenType BpeTokenizer::token_type(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return TokenType::kUndefined;
  return spec_.token_types.empty() ? TokenType::kNormal : spec_.token_types[id];
}

bool BpeTokenizer::is_end_of_generation(int32_t id) const { return eog_ids_.count(id) > 0; }

bool BpeTokenizer::is_control(int32_t id) const {
  return id >= 0 && id < vocab_size() && (attrs_[id] & kAttrControl);
}

std::optional<int32_t> BpeTokenizer::token_id(std::string_view text) const {
  const auto it = token_ids_.find(text);
  if (it == token_ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ingot::tokenizer
