// BpeTokenizer on the real SmolLM2 GGUF against llama.cpp's ids and
// detokenization (test/golden/tokenizer/, written by
// scripts/goldens/make_tokenizer_goldens.py).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "compiler/import/gguf/gguf_file.h"
#include "compiler/import/gguf/gguf_tokenizer.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/byte_level.h"
#include "runtime/tokenizer/streaming_decoder.h"
#include "runtime/tokenizer/utf8.h"
#include "test/support/real_model.h"

namespace ingot::tokenizer {
namespace {

using nlohmann::json;
using Ids = std::vector<int32_t>;

std::vector<json> read_jsonl(const std::string& name) {
  std::ifstream in(std::string(INGOT_GOLDEN_DIR) + "/tokenizer/" + name);
  EXPECT_TRUE(in) << "missing golden " << name;
  std::vector<json> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(json::parse(line));
  return rows;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

struct CorpusLine {
  int id;
  std::string category;
  std::string bytes;
  bool valid_utf8;
};

// What llama.cpp's encode does to arbitrary bytes before BPE: decode leniently, re-encode.
std::string lenient_roundtrip(std::string_view bytes) {
  std::string out;
  for (char32_t cpt : decode_utf8_lenient(bytes)) append_utf8(out, cpt);
  return out;
}

// What decode(encode(bytes)) gives: the lenient round trip, less the bytes that
// have no byte-level token (SmolLM2 lacks 0x04 0x06 0x13 0x14 0x16 0x1D 0xC0 0xC1
// 0xF1-0xFF; llama.cpp drops them too, as no merge makes them part of a token).
std::string expected_roundtrip(const BpeTokenizer& tok, std::string_view bytes) {
  std::string out;
  for (char c : lenient_roundtrip(bytes)) {
    if (tok.token_id(ByteLevelMap::get().byte_to_text(static_cast<uint8_t>(c)))) out.push_back(c);
  }
  return out;
}

class TokenizerGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(::ingot::testing::real_model_path())) return;
    Result<gguf::GgufFile> file = gguf::GgufFile::open(::ingot::testing::real_model_path());
    ASSERT_TRUE(file.ok()) << file.status().message();
    Result<TokenizerSpec> spec = gguf::tokenizer_spec_from_gguf(*file);
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    spec_ = std::move(spec).value();
    Result<BpeTokenizer> tok = BpeTokenizer::create(*spec_);
    ASSERT_TRUE(tok.ok()) << tok.status().message();
    tokenizer_.emplace(std::move(tok).value());
    for (const json& row : read_jsonl("corpus.jsonl")) {
      CorpusLine line{
          row["id"].get<int>(), row["category"].get<std::string>(), {}, row.contains("text")};
      line.bytes = line.valid_utf8 ? row["text"].get<std::string>()
                                   : from_hex(row["hex"].get<std::string>());
      corpus_.push_back(std::move(line));
    }
    for (const json& row : read_jsonl("smollm2_ids.jsonl")) peer_[row["id"].get<int>()] = row;
  }
  static void TearDownTestSuite() {
    tokenizer_.reset();
    spec_.reset();
    corpus_.clear();
    peer_.clear();
  }
  void SetUp() override {
    INGOT_SKIP_WITHOUT_REAL_MODEL();
    ASSERT_TRUE(tokenizer_.has_value());
    ASSERT_GE(corpus_.size(), 1000u);
  }
  static const BpeTokenizer& tok() { return *tokenizer_; }

  static inline std::optional<TokenizerSpec> spec_;
  static inline std::optional<BpeTokenizer> tokenizer_;
  static inline std::vector<CorpusLine> corpus_;
  static inline std::map<int, json> peer_;
};

TEST_F(TokenizerGolden, SpecMatchesPeerVocabulary) {
  EXPECT_EQ(tok().vocab_size(), 49152);
  EXPECT_EQ(tok().bos_id(), 1);
  EXPECT_EQ(tok().eos_id(), 2);
  EXPECT_EQ(tok().pre_tokenizer_rules().kind, "smollm");
  // llama_vocab_is_eog: <|endoftext|>, <|im_end|>, and <reponame> (a FIM repo token).
  std::vector<int32_t> eog;
  for (int32_t id = 0; id < tok().vocab_size(); ++id) {
    if (tok().is_end_of_generation(id)) eog.push_back(id);
  }
  EXPECT_EQ(eog, (Ids{0, 2, 4}));
  for (int32_t id = 0; id < 17; ++id) EXPECT_TRUE(tok().is_control(id)) << id;
  EXPECT_FALSE(tok().is_control(17));
}

TEST_F(TokenizerGolden, IdsAgreeWithLlamaCppOnEveryLine) {
  size_t compared = 0, agree = 0, aborts = 0;
  for (const CorpusLine& line : corpus_) {
    const json& peer = peer_.at(line.id);
    if (!peer.contains("plain")) {  // llama.cpp aborts on these; we must not
      ++aborts;
      EXPECT_EQ(tok().decode(tok().encode(line.bytes, true, false), false),
                expected_roundtrip(tok(), line.bytes));
      continue;
    }
    const Ids plain = tok().encode(line.bytes, true, false);
    const Ids special = tok().encode(line.bytes, true, true);
    const bool ok = plain == peer["plain"].get<Ids>() && special == peer["special"].get<Ids>();
    EXPECT_TRUE(ok) << "line " << line.id << " (" << line.category << ")";
    ++compared;
    agree += ok;
  }
  std::printf(
      "[ tokenizer ] %zu/%zu lines agree with llama.cpp (both parse_special modes); "
      "%zu lines on which llama.cpp aborts were checked for U+FFFD instead\n",
      agree, compared, aborts);
  EXPECT_EQ(agree, compared);
}

TEST_F(TokenizerGolden, DecodeEqualsPeerDetokenizeAndRoundTrips) {
  size_t lossy = 0;
  for (const CorpusLine& line : corpus_) {
    const json& peer = peer_.at(line.id);
    if (!peer.contains("plain")) continue;
    const Ids plain = peer["plain"].get<Ids>();
    const Ids special = peer["special"].get<Ids>();
    EXPECT_EQ(tok().decode(plain, false), from_hex(peer["detok_plain"].get<std::string>()))
        << line.id;
    EXPECT_EQ(tok().decode(special, true), from_hex(peer["detok_special"].get<std::string>()))
        << line.id;
    const std::string expected = expected_roundtrip(tok(), line.bytes);
    if (line.valid_utf8 && expected != line.bytes) ++lossy;
    EXPECT_EQ(tok().decode(tok().encode(line.bytes, true, false), false), expected) << line.id;
    EXPECT_EQ(tok().decode(tok().encode(line.bytes, true, true), true), expected) << line.id;
  }
  // Only the lines with C0 controls that have no token lose bytes.
  EXPECT_LE(lossy, 3u);
}

TEST_F(TokenizerGolden, StreamingDecoderEmitsWholeCharactersAndMatchesDecode) {
  for (const CorpusLine& line : corpus_) {
    for (bool special : {false, true}) {
      const Ids ids = tok().encode(line.bytes, true, special);
      StreamingDecoder stream(tok(), special);
      std::string all;
      for (int32_t id : ids) {
        const std::string out = stream.push(id);
        EXPECT_EQ(complete_utf8_prefix_length(out), out.size()) << line.id;
        if (line.valid_utf8) {
          EXPECT_TRUE(is_valid_utf8(out)) << line.id;
        }
        all += out;
      }
      all += stream.finish();
      EXPECT_EQ(all, tok().decode(ids, special)) << line.id;
    }
  }
}

TEST_F(TokenizerGolden, OtherPreTokenizersAgreeOnTheSameVocabulary) {
  std::map<std::string, std::vector<const json*>> by_pre;
  const std::vector<json> rows = read_jsonl("pretokenizers.jsonl");
  for (const json& row : rows) by_pre[row["pre"].get<std::string>()].push_back(&row);
  std::map<int, const CorpusLine*> lines;
  for (const CorpusLine& line : corpus_) lines[line.id] = &line;
  ASSERT_GE(by_pre.size(), 25u);
  for (const auto& [pre, pre_rows] : by_pre) {
    TokenizerSpec spec = *spec_;
    spec.pre = pre;
    Result<BpeTokenizer> other = BpeTokenizer::create(spec);
    ASSERT_TRUE(other.ok()) << pre << ": " << other.status().message();
    size_t agree = 0;
    for (const json* row : pre_rows) {
      const int id = (*row)["id"].get<int>();
      const Ids expected =
          row->contains("ids") ? (*row)["ids"].get<Ids>() : peer_.at(id)["special"].get<Ids>();
      const bool ok = other->encode(lines.at(id)->bytes, true, true) == expected;
      EXPECT_TRUE(ok) << pre << " line " << id;
      agree += ok;
    }
    std::printf("[ tokenizer ] pre '%s': %zu/%zu lines agree\n", pre.c_str(), agree,
                pre_rows.size());
  }
}

}  // namespace
}  // namespace ingot::tokenizer
