#include "runtime/tokenizer/sentencepiece_bpe.h"

#include <algorithm>
#include <optional>

#include "runtime/tokenizer/symbol_merge.h"

namespace ingot::tokenizer {
namespace {

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i, from.size()) == from) {
      out.append(to);
      i += from.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace

std::string escape_sentencepiece_spaces(std::string_view text) {
  return replace_all(text, " ", kSentencePieceSpace);
}

std::string unescape_sentencepiece_spaces(std::string_view text) {
  return replace_all(text, kSentencePieceSpace, " ");
}

void sentencepiece_encode(std::string_view text, const SentencePieceVocab& vocab,
                          std::vector<int32_t>& out) {
  const std::vector<MergeSymbol> symbols =
      merge_symbols(text, [&](std::string_view left, std::string_view right) {
        // Adjacent symbols are adjacent in `text`: the pair's text is one view.
        const int32_t id = vocab.id_of(std::string_view(left.data(), left.size() + right.size()));
        if (id < 0) return std::optional<double>();
        if (vocab.merge_rank) {
          const int32_t rank = vocab.merge_rank(left, right);
          return rank < 0 ? std::optional<double>() : std::optional<double>(-rank);
        }
        return std::optional<double>(
            static_cast<size_t>(id) < vocab.scores.size() ? vocab.scores[id] : 0.0f);
      });
  // Every merged symbol is a token; an unmerged character may not be, and falls back to bytes.
  for (const MergeSymbol& symbol : symbols) {
    if (symbol.length == 0) continue;
    const std::string_view piece = text.substr(symbol.start, symbol.length);
    if (const int32_t id = vocab.id_of(piece); id >= 0) {
      out.push_back(id);
      continue;
    }
    const auto byte_id = [&](char c) {
      const auto byte = static_cast<uint8_t>(c);
      return byte < vocab.byte_ids.size() ? vocab.byte_ids[byte] : -1;
    };
    const bool has_bytes =
        std::all_of(piece.begin(), piece.end(), [&](char c) { return byte_id(c) >= 0; });
    if (has_bytes) {
      for (char c : piece) out.push_back(byte_id(c));
    } else if (vocab.unk_id >= 0) {
      out.push_back(vocab.unk_id);
    }
  }
}

}  // namespace ingot::tokenizer
