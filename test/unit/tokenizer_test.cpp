// runtime/tokenizer on small hand-built vocabularies: byte-level map, UTF-8
// leniency, special-token partitioning, BPE merges, bad specs, streaming.
// The real-model goldens are in tokenizer_golden_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/byte_level.h"
#include "runtime/tokenizer/clean_spaces.h"
#include "runtime/tokenizer/pre_tokenizer.h"
#include "runtime/tokenizer/streaming_decoder.h"
#include "runtime/tokenizer/utf8.h"

namespace ingot::tokenizer {
namespace {

using Ids = std::vector<int32_t>;

std::string byte_text(const std::string& bytes) {
  std::string out;
  ByteLevelMap::get().encode_append(bytes, out);
  return out;
}

// Ids 0-3 are special, then the 256 byte-level tokens (id 4 + byte), then merges' results.
TokenizerSpec tiny_spec() {
  TokenizerSpec spec;
  spec.model = "gpt2";
  spec.pre = "gpt-2";
  spec.tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool>"};
  spec.token_types = {TokenType::kControl, TokenType::kControl, TokenType::kControl,
                      TokenType::kUserDefined};
  for (int b = 0; b < 256; ++b) {
    spec.tokens.push_back(ByteLevelMap::get().byte_to_text(uint8_t(b)));
    spec.token_types.push_back(TokenType::kNormal);
  }
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"}, {"l", "l"},          {"he", "ll"}, {"hell", "o"},         {"\xC4\xA0", "w"},
      {"o", "r"}, {"\xC4\xA0w", "or"}, {"l", "d"},   {"\xC4\xA0wor", "ld"},
  };
  for (const auto& [left, right] : merges) {
    spec.merges.push_back(left + " " + right);
    spec.tokens.push_back(left + right);
    spec.token_types.push_back(TokenType::kNormal);
  }
  spec.bos_id = 1;
  spec.eos_id = 0;
  return spec;
}

BpeTokenizer make(const TokenizerSpec& spec) {
  Result<BpeTokenizer> tok = BpeTokenizer::create(spec);
  EXPECT_TRUE(tok.ok()) << tok.status().message();
  return std::move(tok).value();
}

int32_t id_of(const BpeTokenizer& tok, const std::string& text) {
  const auto id = tok.token_id(text);
  EXPECT_TRUE(id.has_value()) << text;
  return id.value_or(-1);
}

TEST(ByteLevelMap, MatchesGpt2BytesToUnicode) {
  const ByteLevelMap& map = ByteLevelMap::get();
  std::set<char32_t> seen;
  for (int b = 0; b < 256; ++b) {
    const char32_t cpt = map.byte_to_cpt(uint8_t(b));
    seen.insert(cpt);
    EXPECT_EQ(map.cpt_to_byte(cpt), b);
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    if (printable) {
      EXPECT_EQ(cpt, char32_t(b));
    }
  }
  EXPECT_EQ(seen.size(), 256u);
  EXPECT_EQ(map.byte_to_cpt(0x00), char32_t(0x100));  // Ā
  EXPECT_EQ(map.byte_to_cpt(0x20), char32_t(0x120));  // Ġ
  EXPECT_EQ(map.byte_to_cpt(0x0A), char32_t(0x10A));  // Ċ
  EXPECT_EQ(map.byte_to_cpt(0x7F), char32_t(0x121));
  EXPECT_EQ(map.byte_to_cpt(0xAD), char32_t(0x143));
  EXPECT_EQ(map.cpt_to_byte(0x144), -1);
}

TEST(ByteLevelMap, DecodeRoundTripsEveryByteAndMarksUnknownCodePoints) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(char(b));
  EXPECT_EQ(ByteLevelMap::get().decode_token_text(byte_text(all)), all);
  // A code point outside the table is spelled out as llama.cpp's llama_decode_text does.
  EXPECT_EQ(ByteLevelMap::get().decode_token_text("a\xE2\x82\xAC"),
            "a[UNK_BYTE_0xe282aca\xE2\x82\xAC]");
}

TEST(Utf8, DecodesLenientlyLikeLlamaCpp) {
  using V = std::vector<char32_t>;
  EXPECT_EQ(decode_utf8_lenient("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
            (V{'a', 0xE9, 0x20AC, 0x1F600}));
  EXPECT_EQ(decode_utf8_lenient("\xC0\x80"), (V{0}));           // overlong NUL decodes
  EXPECT_EQ(decode_utf8_lenient("\xE0\x80\xAF"), (V{'/'}));     // overlong '/'
  EXPECT_EQ(decode_utf8_lenient("\xED\xA0\x80"), (V{0xD800}));  // surrogate decodes
  EXPECT_EQ(decode_utf8_lenient("a\x80"
                                "b"),
            (V{'a', 0xFFFD, 'b'}));                                 // stray continuation
  EXPECT_EQ(decode_utf8_lenient("\xE2\x82"), (V{0xFFFD, 0xFFFD}));  // truncated: one per byte
  EXPECT_EQ(decode_utf8_lenient("\xE2\x28\xA1"), (V{0xFFFD, '(', 0xFFFD}));
  EXPECT_EQ(decode_utf8_lenient("\xF8\x88\x80\x80\x80"), (V(5, 0xFFFD)));
  EXPECT_EQ(decode_utf8_lenient("\xFF\xFE"), (V{0xFFFD, 0xFFFD}));
  // Above U+10FFFF llama.cpp aborts; here the lead byte is invalid and decoding goes on.
  EXPECT_EQ(decode_utf8_lenient("\xF4\x90\x80\x80"), (V(4, 0xFFFD)));
}

TEST(Utf8, CompletePrefixHoldsBackOnlyCompletableSequences) {
  EXPECT_EQ(complete_utf8_prefix_length("ab"), 2u);
  EXPECT_EQ(complete_utf8_prefix_length("ab\xE2\x82"), 2u);
  EXPECT_EQ(complete_utf8_prefix_length("ab\xE2\x82\xAC"), 5u);
  EXPECT_EQ(complete_utf8_prefix_length("\xF0\x9F\x98"), 0u);
  EXPECT_EQ(complete_utf8_prefix_length("\xE2x"), 2u);     // cannot complete any more
  EXPECT_EQ(complete_utf8_prefix_length("\x80\x80"), 2u);  // stray continuations go out
  EXPECT_EQ(complete_utf8_prefix_length("\xFF"), 1u);
  EXPECT_TRUE(is_valid_utf8("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
}

TEST(Utf8, WhiteSpaceIsTheUnicodeProperty) {
  for (char32_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028,
                     0x2029, 0x202F, 0x205F, 0x3000}) {
    EXPECT_TRUE(is_unicode_white_space(c)) << std::hex << uint32_t(c);
  }
  for (char32_t c : {0x1C, 0x1F, 0x200B, 0x180E, 0xFEFF, 0x41}) {
    EXPECT_FALSE(is_unicode_white_space(c)) << std::hex << uint32_t(c);
  }
}

TEST(PreTokenizer, SmollmSplitsDigitsThenGpt2) {
  Result<PreTokenizer> pre = PreTokenizer::create("smollm");
  ASSERT_TRUE(pre.ok()) << pre.status().message();
  const std::vector<char32_t> cpts = decode_utf8_lenient("Hello world's 123  x\t\n");
  const std::vector<size_t> pieces = pre->split(std::u32string_view(cpts.data(), cpts.size()));
  std::vector<std::string> words;
  size_t at = 0;
  for (size_t length : pieces) {
    std::string word;
    for (size_t i = at; i < at + length; ++i) append_utf8(word, cpts[i]);
    words.push_back(word);
    at += length;
  }
  EXPECT_EQ(words, (std::vector<std::string>{"Hello", " world", "'s", " ", "1", "2", "3", " ", " x",
                                             "\t\n"}));
}

TEST(PreTokenizer, EveryTableEntryCompiles) {
  for (const PreTokenizerRules& rules : all_pre_tokenizer_rules()) {
    for (std::string_view name : rules.names) {
      Result<PreTokenizer> pre = PreTokenizer::create(name);
      EXPECT_TRUE(pre.ok()) << name << ": " << pre.status().message();
    }
  }
  EXPECT_NE(find_pre_tokenizer_rules("llama-bpe"), nullptr);
  EXPECT_TRUE(find_pre_tokenizer_rules("llama-bpe")->ignore_merges);
  EXPECT_EQ(find_pre_tokenizer_rules(""), find_pre_tokenizer_rules("default"));
  EXPECT_EQ(find_pre_tokenizer_rules("kimi-k2"), nullptr);
}

TEST(BpeTokenizer, MergesByRankAndFallsBackToBytes) {
  const BpeTokenizer tok = make(tiny_spec());
  EXPECT_EQ(tok.encode("hello world", false, false),
            (Ids{id_of(tok, "hello"), id_of(tok, "\xC4\xA0world")}));
  // "helo": h+e merge, then "l", "o" stay single bytes.
  EXPECT_EQ(tok.encode("helo", false, false),
            (Ids{id_of(tok, "he"), id_of(tok, "l"), id_of(tok, "o")}));
  EXPECT_EQ(tok.decode(tok.encode("hello world", false, false), false), "hello world");
  // Every byte has a token, so arbitrary bytes round-trip (invalid ones as U+FFFD).
  EXPECT_EQ(tok.decode(tok.encode("\x01\x7F \xC3\xA9", false, false), false), "\x01\x7F \xC3\xA9");
  EXPECT_EQ(tok.decode(tok.encode("a\xFF"
                                  "b",
                                  false, false),
                       false),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(BpeTokenizer, SymbolOutsideVocabularyKeepsOnlySingleByteTokens) {
  TokenizerSpec spec = tiny_spec();
  spec.merges.push_back("x y");  // "xy" is not a token: llama.cpp falls back per byte
  const BpeTokenizer tok = make(spec);
  EXPECT_EQ(tok.encode("xy", false, false), (Ids{id_of(tok, "x"), id_of(tok, "y")}));
}

TEST(BpeTokenizer, AddsBosAndEosOnlyWhenAskedAndConfigured) {
  TokenizerSpec spec = tiny_spec();
  spec.add_bos = true;
  spec.add_eos = true;
  const BpeTokenizer tok = make(spec);
  EXPECT_EQ(tok.encode("hello", true, false), (Ids{1, id_of(tok, "hello"), 0}));
  EXPECT_EQ(tok.encode("hello", false, false), (Ids{id_of(tok, "hello")}));
  EXPECT_EQ(tok.encode("", true, false), (Ids{1, 0}));
}

TEST(SpecialTokens, ControlTokensOnlyWithParseSpecial) {
  const BpeTokenizer tok = make(tiny_spec());
  const Ids special = tok.encode("<|im_start|>hello<|im_end|>", false, true);
  EXPECT_EQ(special, (Ids{1, id_of(tok, "hello"), 2}));
  const Ids plain = tok.encode("<|im_start|>hello<|im_end|>", false, false);
  EXPECT_GT(plain.size(), 3u);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 1), 0);
  EXPECT_EQ(tok.decode(plain, false), "<|im_start|>hello<|im_end|>");
  EXPECT_EQ(tok.decode(special, false), "hello");  // control tokens print only when special
  EXPECT_EQ(tok.decode(special, true), "<|im_start|>hello<|im_end|>");
  // A partial special token is plain text.
  EXPECT_EQ(tok.encode("<|im_st", false, true), tok.encode("<|im_st", false, false));
}

TEST(SpecialTokens, UserDefinedTokensSplitEvenWithoutParseSpecial) {
  const BpeTokenizer tok = make(tiny_spec());
  EXPECT_EQ(tok.encode("hello<tool>hello", false, false),
            (Ids{id_of(tok, "hello"), 3, id_of(tok, "hello")}));
  EXPECT_EQ(tok.decode(Ids{3}, false), "<tool>");  // user-defined tokens always print
}

TEST(SpecialTokens, LongestTokenFirstAndAllOccurrences) {
  TokenizerSpec spec = tiny_spec();
  spec.tokens.push_back("<ab>");
  spec.tokens.push_back("<ab><cd>");
  spec.token_types.push_back(TokenType::kUserDefined);
  spec.token_types.push_back(TokenType::kUserDefined);
  const BpeTokenizer tok = make(spec);
  const int32_t ab = id_of(tok, "<ab>"), abcd = id_of(tok, "<ab><cd>");
  EXPECT_EQ(tok.encode("<ab><cd><ab><ab><cd>", false, false), (Ids{abcd, ab, abcd}));
}

TEST(SpecialTokens, EndOfGenerationFollowsLlamaCppTextRules) {
  const BpeTokenizer tok = make(tiny_spec());
  EXPECT_TRUE(tok.is_end_of_generation(0));   // eos, and <|endoftext|>
  EXPECT_TRUE(tok.is_end_of_generation(2));   // <|im_end|>
  EXPECT_FALSE(tok.is_end_of_generation(1));  // <|im_start|>
  EXPECT_FALSE(tok.is_end_of_generation(id_of(tok, "hello")));
  EXPECT_TRUE(tok.is_control(1));
  EXPECT_FALSE(tok.is_control(3));
}

TEST(BadSpec, IsRejectedWithTheFieldNamed) {
  const auto error_of = [](const TokenizerSpec& spec) {
    Result<BpeTokenizer> tok = BpeTokenizer::create(spec);
    return tok.ok() ? std::string("ok") : tok.status().message();
  };
  TokenizerSpec spec = tiny_spec();
  spec.pre = "no-such-pre";
  EXPECT_NE(error_of(spec).find("'no-such-pre'"), std::string::npos) << error_of(spec);
  EXPECT_EQ(BpeTokenizer::create(spec).status().code(), StatusCode::kUnimplemented);

  spec = tiny_spec();
  spec.model = "bert";  // WordPiece: not implemented
  EXPECT_NE(error_of(spec).find("'bert'"), std::string::npos) << error_of(spec);
  EXPECT_EQ(BpeTokenizer::create(spec).status().code(), StatusCode::kUnimplemented);

  spec = tiny_spec();
  spec.model = "llama";
  spec.scores.assign(spec.tokens.size() - 1, 0.0f);
  EXPECT_NE(error_of(spec).find("tokenizer.ggml.scores"), std::string::npos) << error_of(spec);

  spec = tiny_spec();
  spec.bos_id = static_cast<int32_t>(spec.tokens.size());
  EXPECT_NE(error_of(spec).find("bos_token_id"), std::string::npos) << error_of(spec);
  EXPECT_EQ(BpeTokenizer::create(spec).status().code(), StatusCode::kOutOfRange);

  spec = tiny_spec();
  spec.eos_id = -1;
  EXPECT_NE(error_of(spec).find("eos_token_id"), std::string::npos) << error_of(spec);

  spec = tiny_spec();
  spec.token_types.pop_back();
  EXPECT_NE(error_of(spec).find("token_type"), std::string::npos) << error_of(spec);

  spec = tiny_spec();
  spec.tokens.push_back("hello");
  spec.token_types.push_back(TokenType::kNormal);
  EXPECT_NE(error_of(spec).find("repeats"), std::string::npos) << error_of(spec);

  spec = tiny_spec();
  spec.merges.push_back("nospace");
  EXPECT_NE(error_of(spec).find("merges["), std::string::npos) << error_of(spec);

  spec = tiny_spec();
  spec.bos_id.reset();
  spec.add_bos = true;
  EXPECT_NE(error_of(spec).find("add_bos_token"), std::string::npos) << error_of(spec);

  spec = tiny_spec();
  spec.tokens.clear();
  spec.token_types.clear();
  EXPECT_NE(error_of(spec), "ok");
}

TEST(CleanSpaces, MatchesLlamaCppPasses) {
  const auto clean = [](std::string s) {
    clean_up_tokenization_spaces(s);
    return s;
  };
  EXPECT_EQ(clean("Hello , world . Yes ? No !"), "Hello, world. Yes? No!");
  EXPECT_EQ(clean("a ' b"), "a'b");
  EXPECT_EQ(clean("it 's he 'm we 're you 've"), "it's he'm we're you've");
  EXPECT_EQ(clean("don 't I 'd we 'll"), "don 't I 'd we 'll");
  EXPECT_EQ(clean(" ."), ".");
  EXPECT_EQ(clean(""), "");
}

TEST(CleanSpaces, AppliesInDecodeForPreTokenizersThatUseIt) {
  TokenizerSpec spec = tiny_spec();  // gpt-2 cleans spaces; smollm does not
  const BpeTokenizer gpt2 = make(spec);
  spec.pre = "smollm";
  const BpeTokenizer smollm = make(spec);
  EXPECT_EQ(gpt2.decode(gpt2.encode("hello , world", false, false), false), "hello, world");
  EXPECT_EQ(smollm.decode(smollm.encode("hello , world", false, false), false), "hello , world");
}

TEST(StreamingDecoder, NeverSplitsACharacterAndMatchesDecode) {
  for (const char* pre : {"smollm", "gpt-2"}) {
    TokenizerSpec spec = tiny_spec();
    spec.pre = pre;
    const BpeTokenizer tok = make(spec);
    const std::string text =
        "h\xC3\xA9llo \xF0\x9F\x98\x80 w\xE4\xB8\xAD , x 's <|im_end|> \xFF\x80 end";
    const Ids ids = tok.encode(text, false, true);
    StreamingDecoder stream(tok, true);
    std::string all;
    for (int32_t id : ids) {
      const std::string out = stream.push(id);
      EXPECT_EQ(complete_utf8_prefix_length(out), out.size()) << pre;
      all += out;
    }
    all += stream.finish();
    EXPECT_EQ(all, tok.decode(ids, true)) << pre;
  }
}

}  // namespace
}  // namespace ingot::tokenizer
