// BpeTokenizer: byte-level BPE (GPT-2 style) and SentencePiece BPE (Llama 2 style), tokenizing
// exactly as llama.cpp's llama_tokenize.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/tokenizer/pre_tokenizer.h"
#include "runtime/tokenizer/tokenizer_spec.h"

namespace ingot::tokenizer {

/// BPE over a TokenizerSpec with llama.cpp's special-token partitioning: `model` "gpt2" is
/// byte-level BPE (pre-tokenizer regexes, ranked merges); "llama" is SentencePiece BPE (spaces as
/// U+2581, a leading space where the spec asks, merges by token score or, from a Hugging Face
/// tokenizer.json, by merge rank; byte-token fallback).
/// Immutable after create(); safe to use from several threads.
class BpeTokenizer {
 public:
  /// Validates `spec` (model, pre-tokenizer, lengths, ids, merges) and builds the tokenizer.
  static Result<BpeTokenizer> create(TokenizerSpec spec);

  /// llama_tokenize: BOS/EOS when add_special and the spec asks for them;
  /// control/unknown token texts are recognized only when parse_special.
  std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const;

  /// llama_token_to_piece: the bytes of one token; control and unknown tokens
  /// give "" unless `special`. An out-of-range id gives "".
  std::string token_to_piece(int32_t id, bool special) const;

  /// llama_detokenize (remove_special = false, unparse_special = special),
  /// including clean_up_tokenization_spaces where the pre-tokenizer has it.
  std::string decode(std::span<const int32_t> ids, bool special) const;

  /// Number of tokens in the vocabulary.
  int32_t vocab_size() const { return static_cast<int32_t>(texts_.size()); }
  /// Beginning-of-sequence id, if the spec has one.
  std::optional<int32_t> bos_id() const { return spec_.bos_id; }
  /// End-of-sequence id, if the spec has one.
  std::optional<int32_t> eos_id() const { return spec_.eos_id; }
  /// The token's text as stored in the vocabulary (byte-level encoded); "" when out of range.
  const std::string& token_text(int32_t id) const;
  /// The token's type from the spec (kUndefined when out of range).
  TokenType token_type(int32_t id) const;
  /// True when the token ends generation (llama_vocab_is_eog).
  bool is_end_of_generation(int32_t id) const;
  /// True when the token is a control token after llama.cpp's fix-ups.
  bool is_control(int32_t id) const;
  /// The id of a token text, if the vocabulary has it.
  std::optional<int32_t> token_id(std::string_view text) const;
  /// True when decoding applies clean_up_tokenization_spaces (byte-level BPE whose
  /// pre-tokenizer asks for it; never SentencePiece).
  bool cleans_spaces() const { return !sentencepiece_ && pre_tokenizer_.rules().clean_spaces; }
  /// The pre-tokenizer rules in use.
  const PreTokenizerRules& pre_tokenizer_rules() const { return pre_tokenizer_.rules(); }
  /// The spec this tokenizer was built from.
  const TokenizerSpec& spec() const { return spec_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

  BpeTokenizer(TokenizerSpec spec, PreTokenizer pre_tokenizer)
      : spec_(std::move(spec)), pre_tokenizer_(std::move(pre_tokenizer)) {}

  /// BPE over one raw-text fragment, appending ids.
  void encode_fragment(std::string_view text, std::vector<int32_t>& out) const;
  /// Whether a SentencePiece text fragment at byte `offset` of the text gets a leading space
  /// (spec_.add_space_prefix and spec_.space_prefix).
  bool wants_space_prefix(std::string_view fragment, size_t offset, bool after_special) const;
  /// llama.cpp's SPM tokenize: each text fragment gets a leading space where wants_space_prefix
  /// says; pairs merge by score, or by merge rank where the spec has merges and no scores, across
  /// the fragment or (split_at_spaces) within each U+2581-led word.
  void encode_sentencepiece(std::string_view text, bool parse_special,
                            std::vector<int32_t>& out) const;
  /// Merges one byte-level encoded word and appends its ids.
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
  int32_t merge_rank(std::string_view left, std::string_view right, std::string& scratch) const;
  std::string make_piece(int32_t id) const;

  TokenizerSpec spec_;
  PreTokenizer pre_tokenizer_;
  std::vector<std::string> texts_;      // token texts, empty ones replaced as llama.cpp does
  std::vector<uint32_t> attrs_;         // TokenAttr bits
  std::vector<std::string> pieces_;     // token_to_piece(id, special = true)
  std::vector<int32_t> special_order_;  // tokenizer_st_partition search order
  std::unordered_set<int32_t> eog_ids_;
  StringMap token_ids_;
  StringMap merge_ranks_;  // "left right" -> rank
  bool sentencepiece_ = false;      // model "llama"
  std::vector<int32_t> byte_ids_;   // sentencepiece_: byte -> its fallback token, or -1
};

}  // namespace ingot::tokenizer
