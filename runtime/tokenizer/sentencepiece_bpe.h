// SentencePiece BPE (GGUF `tokenizer.ggml.model = llama`): merges by token score, as llama.cpp's
// llm_tokenizer_spm does, with byte-token fallback.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ingot::tokenizer {

/// SentencePiece's word-boundary mark, U+2581 LOWER ONE EIGHTH BLOCK, in UTF-8.
inline constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";

/// `text` with every ' ' replaced by kSentencePieceSpace (llama_escape_whitespace).
std::string escape_sentencepiece_spaces(std::string_view text);

/// `text` with every kSentencePieceSpace replaced by ' ' (llama_unescape_whitespace).
std::string unescape_sentencepiece_spaces(std::string_view text);

/// The vocabulary as the merge needs it: a token's id by text (-1 when none), each id's score or
/// (a Hugging Face tokenizer.json) each pair's merge rank, each byte's fallback token (its
/// "<0xXX>" token, else the one-byte token, else -1), and the unknown token (-1 when none).
struct SentencePieceVocab {
  std::function<int32_t(std::string_view)> id_of;
  std::span<const float> scores;
  /// When set, a pair merges by its rank, the lowest first (-1: it does not merge), not by score.
  std::function<int32_t(std::string_view left, std::string_view right)> merge_rank;
  std::span<const int32_t> byte_ids;  ///< 256 entries
  int32_t unk_id = -1;
};

/// Appends the ids of one escaped text fragment: starting from its UTF-8 characters, the adjacent
/// pair whose concatenation is the highest-scoring token (or, with merge_rank, the lowest-ranked
/// merge whose result is a token) is merged, the leftmost on a tie, until no pair can merge; a
/// character that is no token becomes its bytes' fallback tokens, or the unknown token where a
/// byte has none (SentencePiece without byte fallback), or nothing.
void sentencepiece_encode(std::string_view text, const SentencePieceVocab& vocab,
                          std::vector<int32_t>& out);

}  // namespace ingot::tokenizer
