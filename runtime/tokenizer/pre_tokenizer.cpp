#include "runtime/tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <cstdint>

#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {

namespace {

// Stand-in for code points PCRE2 refuses in UTF mode (surrogates, which the
// lenient decoder lets through). Like them it is in category C, so it matches
// exactly the same classes in every regex of the table.
constexpr char32_t kSurrogateStandIn = 0xE000;

// llama.cpp collapses \p{Lu}, \p{Ll}, \p{Lt}, \p{Lm} and \p{Lo} into "any letter"
// before it runs std::regex, so a regex written with them means \p{L} there.
std::string collapse_letter_subcategories(std::string_view regex) {
  std::string out(regex);
  for (const char* sub : {"\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}"}) {
    for (size_t at = out.find(sub); at != std::string::npos; at = out.find(sub, at)) {
      out.replace(at, 6, "\\p{L}");
    }
  }
  return out;
}

// PCRE2 in UTF-32 mode refuses surrogates, and without PCRE2_UCP its \s is
// ASCII only. llama.cpp maps every non-ASCII White_Space code point to U+000B
// before matching (its std::regex has the same ASCII-only \s), so this does too.
std::u32string matchable_subject(std::u32string_view cpts) {
  std::u32string subject(cpts);
  for (char32_t& c : subject) {
    if (c >= 0x80 && is_unicode_white_space(c)) {
      c = 0x0B;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = kSurrogateStandIn;
    }
  }
  return subject;
}

// Per-thread JIT stack and match context, so that long runs do not exhaust PCRE2's default 32 KiB.
struct MatchResources {
  pcre2_jit_stack* jit_stack = nullptr;
  pcre2_match_context* context = nullptr;
  MatchResources() {
    context = pcre2_match_context_create(nullptr);
    jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    if (context != nullptr && jit_stack != nullptr)
      pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~MatchResources() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
  }
  MatchResources(const MatchResources&) = delete;
  MatchResources& operator=(const MatchResources&) = delete;
};

MatchResources& match_resources() {
  thread_local MatchResources resources;
  return resources;
}

}  // namespace

struct PreTokenizer::Pattern {
  pcre2_code* code = nullptr;
  explicit Pattern(pcre2_code* c) : code(c) {}
  ~Pattern() { pcre2_code_free(code); }
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;
};

Result<PreTokenizer> PreTokenizer::create(std::string_view pre) {
  const PreTokenizerRules* rules = find_pre_tokenizer_rules(pre);
  if (rules == nullptr) {
    return make_error(StatusCode::kUnimplemented,
                      "tokenizer.ggml.pre: unknown pre-tokenizer '" + std::string(pre) + "'");
  }
  std::vector<std::shared_ptr<const Pattern>> patterns;
  for (std::string_view regex : rules->regexes) {
    const std::string collapsed = collapse_letter_subcategories(regex);
    const std::vector<char32_t> cpts = decode_utf8_lenient(collapsed);
    const std::u32string pattern(cpts.begin(), cpts.end());
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                      PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &error_code, &error_offset, nullptr);
    if (code == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error_code, message, 256);
      std::string text;
      for (PCRE2_UCHAR* p = message; *p != 0; ++p) append_utf8(text, *p);
      return make_error(StatusCode::kInternal, "pre-tokenizer '" + std::string(pre) +
                                                   "': regex does not compile at offset " +
                                                   std::to_string(error_offset) + ": " + text);
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is absent
    patterns.push_back(std::make_shared<const Pattern>(code));
  }
  return PreTokenizer(rules, std::move(patterns));
}

std::vector<size_t> PreTokenizer::split(std::u32string_view cpts) const {
  if (cpts.empty()) return {};
  const std::u32string subject = matchable_subject(cpts);
  MatchResources& resources = match_resources();
  std::vector<size_t> pieces = {subject.size()};
  std::vector<size_t> next;
  for (const auto& pattern : patterns_) {
    pcre2_match_data* match = pcre2_match_data_create_from_pattern(pattern->code, nullptr);
    if (match == nullptr) continue;  // out of memory: leave this regex's split out
    next.clear();
    size_t piece_start = 0;
    for (size_t piece_length : pieces) {
      const auto* piece = reinterpret_cast<PCRE2_SPTR>(subject.data() + piece_start);
      size_t emitted = 0;  // end of the last match, relative to the piece
      size_t search = 0;   // where the next search starts
      uint32_t options = PCRE2_NO_UTF_CHECK;
      while (search <= piece_length) {
        const int rc = pcre2_match(pattern->code, piece, piece_length, search, options, match,
                                   resources.context);
        if (rc < 0) {
          if (options & PCRE2_NOTEMPTY_ATSTART) {  // retry after an empty match: move on
            options = PCRE2_NO_UTF_CHECK;
            ++search;
            continue;
          }
          break;  // no match (or a resource limit): the rest is one gap
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
        const size_t begin = ovector[0];
        const size_t end = ovector[1];
        if (begin > emitted) next.push_back(begin - emitted);
        if (end > begin) {
          next.push_back(end - begin);
          emitted = end;
          search = end;
          options = PCRE2_NO_UTF_CHECK;
        } else {
          emitted = begin;  // an empty match makes no word (llama.cpp's would be an empty one)
          search = begin;
          options = PCRE2_NO_UTF_CHECK | PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED;
        }
      }
      if (emitted < piece_length) next.push_back(piece_length - emitted);
      piece_start += piece_length;
    }
    pcre2_match_data_free(match);
    pieces.swap(next);
  }
  return pieces;
}

}  // namespace ingot::tokenizer
