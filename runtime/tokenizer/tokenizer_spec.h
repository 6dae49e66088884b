// TokenizerSpec: everything a tokenizer needs, independent of the file it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

/// SentencePiece: which text fragments get the leading space that add_space_prefix asks for. A
/// fragment is a stretch of text between special tokens.
enum class SpacePrefix : uint8_t {
  /// llama.cpp, and Hugging Face's Prepend normalizer: the text's first fragment and every
  /// fragment after a special token.
  kAfterSpecial = 0,
  /// Hugging Face's Metaspace "always": the same fragments, except those that already start
  /// with a space.
  kMetaspaceAlways = 1,
  /// Hugging Face's Metaspace "first": only a fragment at the very start of the text, unless it
  /// starts with a space.
  kMetaspaceFirst = 2,
};

/// The GGUF key that carries a SpacePrefix by name in the GGUF view of a Hugging Face folder.
inline constexpr std::string_view kSpacePrefixKey = "tokenizer.ingot.space_prefix";
/// The GGUF key that carries split_at_spaces (a bool) there.
inline constexpr std::string_view kSplitAtSpacesKey = "tokenizer.ingot.split_at_spaces";

/// The name of a SpacePrefix as GGUF views and `ingot-inspect` spell it ("after_special", ...).
std::string_view space_prefix_name(SpacePrefix prefix);

/// The SpacePrefix named `name`, or nullopt.
std::optional<SpacePrefix> parse_space_prefix(std::string_view name);

/// The vocabulary and rules of one tokenizer, as read from a GGUF or an artifact.
struct TokenizerSpec {
  std::string model;                    ///< "gpt2" (byte-level BPE) or "llama" (SentencePiece BPE).
  std::string pre;                      ///< Pre-tokenizer name, e.g. "smollm", "llama3".
  std::vector<std::string> tokens;      ///< Token text by id.
  std::vector<TokenType> token_types;   ///< Same length as tokens (empty means all normal).
  std::vector<std::string> merges;      ///< BPE merges, "left right", highest priority first.
  /// "llama": merge priority by token id, highest first. A "llama" spec with merges and no
  /// scores (a Hugging Face tokenizer.json) merges by their rank, as the tokenizers library does.
  std::vector<float> scores;
  std::optional<int32_t> bos_id;        ///< Beginning of sequence.
  std::optional<int32_t> eos_id;        ///< End of sequence.
  std::optional<int32_t> eot_id;        ///< End of turn, where the model has one.
  std::optional<int32_t> unk_id;        ///< Unknown token.
  std::optional<int32_t> pad_id;        ///< Padding token.
  bool add_bos = false;                 ///< Prepend BOS when encoding with special tokens.
  bool add_eos = false;                 ///< Append EOS when encoding with special tokens.
  bool add_space_prefix = false;        ///< "llama": a space before text that starts a fragment.
  SpacePrefix space_prefix = SpacePrefix::kAfterSpecial;  ///< "llama": which fragments get it.
  /// "llama": merge within words only, each starting at a U+2581 (a Hugging Face Metaspace that
  /// splits), not across a whole fragment as SentencePiece does.
  bool split_at_spaces = false;
};

}  // namespace ingot::tokenizer
