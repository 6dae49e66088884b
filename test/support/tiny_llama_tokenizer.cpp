// The tiny llama's tokenizer: ChatML control tokens, GPT-2 byte tokens and a few merges.
#include <array>
#include <unordered_set>
#include <utility>

#include "test/support/tiny_llama.h"

namespace ingot::testing {
namespace {

// GPT-2's bytes_to_unicode, written out here (not taken from runtime/tokenizer)
// so that the fixture is an independent check of the tokenizer's table.
std::string byte_level(std::string_view raw) {
  std::array<char32_t, 256> cpt{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    cpt[b] = printable ? static_cast<char32_t>(b) : next++;
  }
  std::string out;
  for (unsigned char c : raw) {
    char32_t cp = cpt[c];  // every code point is below 0x800: one or two UTF-8 bytes
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// Merges in raw text, highest priority first; each side is a token by the time it is used.
constexpr std::pair<std::string_view, std::string_view> kRawMerges[] = {
    {" ", "t"}, {"h", "e"},   {"i", "n"},   {"e", "r"},     {"a", "n"}, {"o", "n"},   {" ", "a"},
    {"r", "e"}, {"o", "r"},   {"e", "n"},   {" t", "he"},   {"l", "l"}, {"he", "ll"}, {"hell", "o"},
    {" ", "w"}, {" w", "or"}, {"l", "d"},   {" wor", "ld"}, {"i", "s"}, {" ", "is"},  {" ", "s"},
    {"i", "t"}, {" ", "o"},   {" o", "f"},  {"a", "t"},     {" ", "c"}, {"e", "s"},   {"in", "g"},
    {" ", "b"}, {"o", "u"},   {" ", "m"},   {" ", "f"},     {"e", "d"}, {"a", "r"},   {" ", "d"},
    {" ", "h"}, {" ", "p"},   {" a", "n"},  {" an", "d"},   {" ", "i"}, {" i", "n"},  {" ", "l"},
    {" ", "n"}, {" ", "g"},   {"\n", "\n"}, {"1", "2"},     {" ", "1"}, {"u", "s"},   {"us", "er"},
};

}  // namespace

std::vector<std::string> tiny_llama_merges() {
  std::vector<std::string> merges;
  for (auto [left, right] : kRawMerges)
    merges.push_back(byte_level(left) + " " + byte_level(right));
  return merges;
}

std::vector<std::string> tiny_llama_tokens() {
  std::vector<std::string> tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  for (int b = 0; b < 256; ++b) tokens.push_back(byte_level(std::string(1, static_cast<char>(b))));
  std::unordered_set<std::string> seen(tokens.begin(), tokens.end());
  for (auto [left, right] : kRawMerges) {
    std::string token = byte_level(std::string(left) + std::string(right));
    if (seen.insert(token).second) tokens.push_back(std::move(token));
  }
  return tokens;
}

namespace {

// SentencePiece's text of raw text: spaces become U+2581.
std::string sentencepiece_text(std::string_view raw) {
  std::string out;
  for (char c : raw) out += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
  return out;
}

constexpr float kUnmergedScore = -1000.0f;

}  // namespace

std::vector<std::string> tiny_sentencepiece_tokens() {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) tokens.push_back({'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'});
  tokens.push_back(sentencepiece_text(" "));
  for (char c = '!'; c <= '~'; ++c) tokens.push_back(std::string(1, c));
  std::unordered_set<std::string> seen(tokens.begin(), tokens.end());
  for (auto [left, right] : kRawMerges) {
    std::string token = sentencepiece_text(std::string(left) + std::string(right));
    if (seen.insert(token).second) tokens.push_back(std::move(token));
  }
  return tokens;
}

std::vector<std::string> tiny_sentencepiece_merges() {
  std::vector<std::string> merges;
  for (auto [left, right] : kRawMerges)
    merges.push_back(sentencepiece_text(left) + " " + sentencepiece_text(right));
  return merges;
}

std::vector<float> tiny_sentencepiece_scores() {
  const std::vector<std::string> tokens = tiny_sentencepiece_tokens();
  std::vector<float> scores(tokens.size(), kUnmergedScore);
  for (size_t rank = 0; rank < std::size(kRawMerges); ++rank) {
    const auto [left, right] = kRawMerges[rank];
    const std::string token = sentencepiece_text(std::string(left) + std::string(right));
    for (size_t id = 0; id < tokens.size(); ++id) {
      if (tokens[id] == token && scores[id] == kUnmergedScore) scores[id] = -static_cast<float>(rank);
    }
  }
  return scores;
}

}  // namespace ingot::testing
