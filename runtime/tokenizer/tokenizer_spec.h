// TokenizerSpec: everything a tokenizer needs, independent of the file it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ingot::tokenizer {

/// Token attributes, numbered as GGUF's `tokenizer.ggml.token_type` stores them.
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

/// The vocabulary and rules of one tokenizer, as read from a GGUF or an artifact.
struct TokenizerSpec {
  std::string model;                    ///< "gpt2" (byte-level BPE) or "llama" (SentencePiece BPE).
  std::string pre;                      ///< Pre-tokenizer name, e.g. "smollm", "llama3".
  std::vector<std::string> tokens;      ///< Token text by id.
  std::vector<TokenType> token_types;   ///< Same length as tokens (empty means all normal).
  std::vector<std::string> merges;      ///< BPE merges, "left right", highest priority first.
  std::vector<float> scores;            ///< "llama": merge priority by token id, highest first.
  std::optional<int32_t> bos_id;        ///< Beginning of sequence.
  std::optional<int32_t> eos_id;        ///< End of sequence.
  std::optional<int32_t> eot_id;        ///< End of turn, where the model has one.
  std::optional<int32_t> unk_id;        ///< Unknown token.
  std::optional<int32_t> pad_id;        ///< Padding token.
  bool add_bos = false;                 ///< Prepend BOS when encoding with special tokens.
  bool add_eos = false;                 ///< Append EOS when encoding with special tokens.
  bool add_space_prefix = false;        ///< "llama": a space before text that starts a fragment.
};

}  // namespace ingot::tokenizer
