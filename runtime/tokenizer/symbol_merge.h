// The merge loop that byte-level and SentencePiece BPE share: adjacent symbols are merged, the
// best pair first, until no pair may merge.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {

/// One symbol during a merge: a byte range of the text, linked to its neighbours; `length` is 0
/// once the symbol has been merged into its left neighbour.
struct MergeSymbol {
  uint32_t start;
  uint32_t length;
  int32_t prev;
  int32_t next;
};

/// Splits `text` into its UTF-8 characters (a truncated one keeps the bytes that are there) and
/// merges adjacent symbols: `priority(left, right)` gives a pair's priority (higher merges
/// first), or nullopt where the pair may not merge; on equal priorities the leftmost pair goes
/// first, as llama.cpp's bigram queues order them. Returns the symbols; those of non-zero
/// length, in order, are the result.
template <typename Priority>
std::vector<MergeSymbol> merge_symbols(std::string_view text, Priority&& priority) {
  std::vector<MergeSymbol> symbols;
  for (uint32_t offset = 0; offset < text.size();) {
    const auto length = static_cast<uint32_t>(std::min<size_t>(
        text.size() - offset, utf8_length_from_lead(static_cast<uint8_t>(text[offset]))));
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back(MergeSymbol{offset, length, index - 1, -1});
    if (index > 0) symbols[index - 1].next = index;
    offset += length;
  }
  // A candidate merge of two adjacent symbols; stale once either side has changed.
  struct Bigram {
    double priority;
    int32_t left;
    int32_t right;
    uint32_t left_length;
    uint32_t right_length;
  };
  const auto worse = [](const Bigram& a, const Bigram& b) {
    return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
  const auto text_of = [&](const MergeSymbol& s) { return text.substr(s.start, s.length); };
  const auto add_bigram = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const MergeSymbol& l = symbols[left];
    const MergeSymbol& r = symbols[right];
    if (const std::optional<double> p = priority(text_of(l), text_of(r)))
      queue.push(Bigram{*p, left, right, l.length, r.length});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) add_bigram(i - 1, i);
  while (!queue.empty()) {
    const Bigram bigram = queue.top();
    queue.pop();
    MergeSymbol& left = symbols[bigram.left];
    MergeSymbol& right = symbols[bigram.right];
    if (left.length != bigram.left_length || right.length != bigram.right_length ||
        left.length == 0 || right.length == 0) {
      continue;  // one side has changed since this pair was queued
    }
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    add_bigram(left.prev, bigram.left);
    add_bigram(bigram.left, left.next);
  }
  return symbols;
}

}  // namespace ingot::tokenizer
