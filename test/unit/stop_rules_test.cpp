// The stop rules of a generation: StopStrings on streamed text (against a reference on random
// texts cut into random pieces), and TokenPicker's end-of-text, stop ids, stop strings,
// min_new_tokens and ignore_eos on a byte-per-token vocabulary with chosen logits.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "runtime/generate/stop_strings.h"
#include "runtime/generate/token_picker.h"
#include "runtime/tokenizer/byte_level.h"

namespace ingot::generate {
namespace {

// What streaming `pieces` must release: the text up to the first stop string found once some
// piece completes one (the earliest start among those found then), or all of it.
std::string reference(const std::vector<std::string>& pieces, const std::vector<std::string>& stops,
                      bool& stopped) {
  std::string text;
  for (const std::string& piece : pieces) {
    text += piece;
    size_t first = std::string::npos;
    for (const std::string& stop : stops) first = std::min(first, text.find(stop));
    if (first != std::string::npos) {
      stopped = true;
      return text.substr(0, first);
    }
  }
  stopped = false;
  return text;
}

TEST(StopStrings, ReleaseAllButWhatMayBeginAStop) {
  // Small alphabets make stop strings, their prefixes and their overlaps common.
  const std::vector<std::string> alphabet = {"a", "b", "c", " ", "\xC3\xA9", "\xE2\x82\xAC"};
  std::mt19937 rng(20261206);
  const auto word = [&](size_t min, size_t max) {
    std::string out;
    for (size_t n = std::uniform_int_distribution<size_t>(min, max)(rng); n > 0; --n)
      out += alphabet[rng() % alphabet.size()];
    return out;
  };
  int stopped_cases = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<std::string> stops;
    for (size_t n = 1 + rng() % 3; n > 0; --n) stops.push_back(word(1, 4));
    std::vector<std::string> pieces;
    for (size_t n = rng() % 12; n > 0; --n) pieces.push_back(word(0, 3));
    bool want_stopped = false;
    const std::string want = reference(pieces, stops, want_stopped);

    StopStrings streamer(stops);
    std::string got;
    bool stopped = false;
    for (const std::string& piece : pieces) {
      const StopStrings::Piece out = streamer.push(piece);
      got += out.text;
      // What is released is never taken back, and never splits a character.
      ASSERT_EQ(want.compare(0, got.size(), got), 0) << "trial " << trial;
      ASSERT_TRUE(got.empty() || (static_cast<unsigned char>(want[got.size() - 1]) & 0xC0) != 0xC0)
          << "trial " << trial;
      if (out.stopped) {
        stopped = true;
        break;
      }
    }
    if (!stopped) got += streamer.finish();
    EXPECT_EQ(got, want) << "trial " << trial;
    EXPECT_EQ(stopped, want_stopped) << "trial " << trial;
    stopped_cases += want_stopped;
  }
  EXPECT_GT(stopped_cases, 300);  // both outcomes are well covered
  EXPECT_LT(stopped_cases, 2700);
}

TEST(StopStrings, EmptyStopsAreIgnoredAndNothingFollowsAStop) {
  StopStrings streamer({"", "END"});
  EXPECT_EQ(streamer.push("abc").text, "abc");
  EXPECT_EQ(streamer.push("xEN").text, "x");
  const StopStrings::Piece last = streamer.push("Dtail");
  EXPECT_TRUE(last.stopped);
  EXPECT_EQ(last.text, "");
  EXPECT_EQ(streamer.push("more").text, "");
  EXPECT_EQ(streamer.finish(), "");
}

// Ids: 0 <|endoftext|> (EOS), 1 <|im_end|>, then byte b as id 2 + b.
tokenizer::BpeTokenizer byte_tokenizer() {
  tokenizer::TokenizerSpec spec;
  spec.model = "gpt2";
  spec.pre = "gpt-2";
  spec.tokens = {"<|endoftext|>", "<|im_end|>"};
  spec.token_types = {tokenizer::TokenType::kControl, tokenizer::TokenType::kControl};
  for (int b = 0; b < 256; ++b) {
    spec.tokens.push_back(tokenizer::ByteLevelMap::get().byte_to_text(static_cast<uint8_t>(b)));
    spec.token_types.push_back(tokenizer::TokenType::kNormal);
  }
  spec.eos_id = 0;
  auto tok = tokenizer::BpeTokenizer::create(spec);
  EXPECT_TRUE(tok.ok()) << tok.status().message();
  return std::move(tok).value();
}

int32_t byte_id(char c) { return 2 + static_cast<uint8_t>(c); }

// Greedy picks of the ids `want` (each given the highest logit, EOS the second highest and '_'
// the third) until one ends the generation, then finish() where no stop string ended it, as
// Conversation and the pipeline do; returns the text and sets `finish`.
std::string run(TokenPicker& picker, const std::vector<int32_t>& want,
                std::optional<FinishReason>& finish, std::vector<int32_t>* picked = nullptr) {
  std::string text;
  std::vector<int32_t> sequence = {byte_id('>')};
  for (int32_t id : want) {
    std::vector<float> logits(258, -5.0f);
    logits[0] = 1.0f;
    logits[static_cast<size_t>(byte_id('_'))] = -4.0f;
    logits[static_cast<size_t>(id)] = 2.0f;
    const Pick pick = picker.pick(logits, sequence);
    sequence.push_back(pick.id);
    if (picked) picked->push_back(pick.id);
    text += pick.text;
    if (pick.finish) {
      finish = pick.finish;
      return *finish == FinishReason::kStopString ? text : text + picker.finish().text;
    }
  }
  const Pick last = picker.finish();
  finish = last.finish;
  return text + last.text;
}

std::vector<int32_t> ids_of(const std::string& text) {
  std::vector<int32_t> ids;
  for (char c : text) ids.push_back(byte_id(c));
  return ids;
}

TokenPicker picker_for(const tokenizer::BpeTokenizer& tok, const sampling::SamplingParams& p) {
  auto picker = TokenPicker::create(&tok, p);
  EXPECT_TRUE(picker.ok()) << picker.status().message();
  return std::move(picker).value();
}

TEST(TokenPicker, StopStringSpanningTokensIsCut) {
  const tokenizer::BpeTokenizer tok = byte_tokenizer();
  sampling::SamplingParams p;
  p.temperature = 0.0f;
  p.stop = {"###", "Q:"};
  TokenPicker picker = picker_for(tok, p);
  std::optional<FinishReason> finish;
  EXPECT_EQ(run(picker, ids_of("one #two ##three ### four"), finish), "one #two ##three ");
  EXPECT_EQ(finish, FinishReason::kStopString);

  // A held-back partial stop that never completes comes out at the end.
  TokenPicker partial = picker_for(tok, p);
  EXPECT_EQ(run(partial, ids_of("ends with ##"), finish), "ends with ##");
  EXPECT_FALSE(finish.has_value());
}

TEST(TokenPicker, EndOfTextStopIdsMinNewTokensAndIgnoreEos) {
  const tokenizer::BpeTokenizer tok = byte_tokenizer();
  sampling::SamplingParams p;
  p.temperature = 0.0f;
  p.stop_token_ids = {byte_id('!')};
  std::optional<FinishReason> finish;
  {
    TokenPicker picker = picker_for(tok, p);
    EXPECT_EQ(run(picker, ids_of("hi!there"), finish), "hi");
    EXPECT_EQ(finish, FinishReason::kStopToken);
  }
  {
    TokenPicker picker = picker_for(tok, p);
    EXPECT_EQ(run(picker, {byte_id('o'), byte_id('k'), 0, byte_id('x')}, finish), "ok");
    EXPECT_EQ(finish, FinishReason::kEndOfText);
  }
  {
    // Before min_new_tokens neither EOS nor a stop id may be drawn: the next best is taken.
    sampling::SamplingParams min = p;
    min.min_new_tokens = 3;
    TokenPicker picker = picker_for(tok, min);
    std::vector<int32_t> picked;
    EXPECT_EQ(run(picker, {byte_id('!'), 0, byte_id('a'), byte_id('!')}, finish, &picked),
              "__a");
    EXPECT_EQ(finish, FinishReason::kStopToken);
    EXPECT_EQ(picked, (std::vector<int32_t>{byte_id('_'), byte_id('_'), byte_id('a'),
                                            byte_id('!')}));
  }
  {
    sampling::SamplingParams ignore = p;
    ignore.ignore_eos = true;
    TokenPicker picker = picker_for(tok, ignore);
    EXPECT_EQ(run(picker, {byte_id('a'), 0, byte_id('b')}, finish), "ab");
    EXPECT_FALSE(finish.has_value());
  }
}

}  // namespace
}  // namespace ingot::generate
