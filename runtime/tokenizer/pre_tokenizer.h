// Pre-tokenizers: the regex splits llama.cpp applies before byte-level BPE.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"

namespace ingot::tokenizer {

/// One llama.cpp pre-tokenizer type: its regexes and the flags that come with it.
struct PreTokenizerRules {
  std::string_view kind;                  ///< llama.cpp's pre-type, e.g. "llama3", "smollm".
  std::vector<std::string_view> names;    ///< `tokenizer.ggml.pre` values that select it.
  std::vector<std::string_view> regexes;  ///< Applied in sequence, each within the previous pieces.
  bool ignore_merges = false;             ///< A word that is a whole token skips BPE.
  bool clean_spaces = true;               ///< Detokenize applies clean_up_tokenization_spaces.
  bool add_bos_default = false;           ///< llama.cpp's add_bos when the file does not say.
};

/// Returns the rules selected by a `tokenizer.ggml.pre` value ("" means "default"),
/// or nullptr when this build does not implement it.
const PreTokenizerRules* find_pre_tokenizer_rules(std::string_view pre);

/// Every table entry, in table order.
const std::vector<PreTokenizerRules>& all_pre_tokenizer_rules();

/// Splits code points into words with one pre-tokenizer's regexes (PCRE2, UTF-32).
class PreTokenizer {
 public:
  /// Compiles the regexes for `pre`; an unknown name is an error that names it.
  static Result<PreTokenizer> create(std::string_view pre);

  /// The rules this pre-tokenizer applies.
  const PreTokenizerRules& rules() const { return *rules_; }

  /// Splits `cpts` into consecutive words and returns their lengths in code
  /// points. Matches and the gaps between them both become words, and each
  /// regex only looks within one piece of the previous split.
  std::vector<size_t> split(std::u32string_view cpts) const;

 private:
  struct Pattern;
  PreTokenizer(const PreTokenizerRules* rules, std::vector<std::shared_ptr<const Pattern>> patterns)
      : rules_(rules), patterns_(std::move(patterns)) {}

  const PreTokenizerRules* rules_;
  std::vector<std::shared_ptr<const Pattern>> patterns_;
};

}  // namespace ingot::tokenizer
