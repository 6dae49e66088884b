// Token attributes, end-of-generation ids and special-token partitioning, as llama.cpp derives
// them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "runtime/tokenizer/tokenizer_spec.h"

namespace ingot::tokenizer {

/// Attribute bits, numbered as llama.cpp's llama_token_attr.
enum TokenAttr : uint32_t {
  kAttrUndefined = 0,
  kAttrUnknown = 1u << 0,
  kAttrUnused = 1u << 1,
  kAttrNormal = 1u << 2,
  kAttrControl = 1u << 3,
  kAttrUserDefined = 1u << 4,
  kAttrByte = 1u << 5,
};

/// Attributes and end-of-generation ids after llama.cpp's text-based fix-ups.
struct DerivedTokenInfo {
  std::vector<uint32_t> attrs;          ///< One TokenAttr bit set per token.
  std::unordered_set<int32_t> eog_ids;  ///< Tokens that end generation.
};

/// Maps GGUF token types to attributes, then applies llama.cpp's rules that go by
/// token text: end-of-turn / FIM / end-of-generation tokens become control
/// tokens, "unused" control tokens are marked unused, gpt-oss channel tokens
/// become user-defined, and the <|end|> and </s> exceptions. `texts` must be
/// the final token texts (empty ones already replaced).
DerivedTokenInfo derive_token_info(const TokenizerSpec& spec,
                                   const std::vector<std::string>& texts);

/// The ids that tokenizer_st_partition looks for (control, user-defined and
/// unknown tokens), in llama.cpp's order: std::sort by descending text length.
std::vector<int32_t> special_token_search_order(const std::vector<std::string>& texts,
                                                const std::vector<uint32_t>& attrs);

/// A piece of the input: a special token, or a byte range of raw text.
struct Fragment {
  int32_t token = -1;  ///< The token id, or -1 for raw text.
  size_t offset = 0;   ///< Raw text: first byte.
  size_t length = 0;   ///< Raw text: byte count.
};

/// llama.cpp's tokenizer_st_partition: for each special token in order, splits
/// every raw fragment at each of its non-overlapping occurrences, left to right.
/// With parse_special false, control and unknown tokens are not looked for, but
/// user-defined ones still are.
std::vector<Fragment> partition_special_tokens(std::string_view text, bool parse_special,
                                               const std::vector<int32_t>& search_order,
                                               const std::vector<std::string>& texts,
                                               const std::vector<uint32_t>& attrs);

}  // namespace ingot::tokenizer
