// BpeTokenizer against llama.cpp's own tokenizer tests (test-tokenizer-0): for each vocabulary
// GGUF of llama.cpp's models/ folder, the ids its .inp texts must give, from the .out file.
// scripts/fetch-vocabs.sh puts them in models/vocab/ (INGOT_VOCAB_DIR overrides).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/import/gguf/gguf_file.h"
#include "compiler/import/gguf/gguf_tokenizer.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/streaming_decoder.h"

namespace ingot::tokenizer {
namespace {

std::string vocab_dir() {
  if (const char* dir = std::getenv("INGOT_VOCAB_DIR")) return dir;
  return INGOT_SOURCE_DIR "/models/vocab";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The .inp file: texts, each followed by "\n__ggml_vocab_test__\n".
std::vector<std::string> read_texts(const std::string& path) {
  constexpr std::string_view kSeparator = "\n__ggml_vocab_test__\n";
  const std::string all = read_all(path);
  std::vector<std::string> texts;
  for (size_t start = 0, end; (end = all.find(kSeparator, start)) != std::string::npos;
       start = end + kSeparator.size()) {
    texts.push_back(all.substr(start, end - start));
  }
  return texts;
}

// The .out file: one line of space-separated ids per text.
std::vector<std::vector<int32_t>> read_ids(const std::string& path) {
  std::istringstream in(read_all(path));
  std::vector<std::vector<int32_t>> rows;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<int32_t> ids;
    for (int32_t id; fields >> id;) ids.push_back(id);
    rows.push_back(std::move(ids));
  }
  return rows;
}

BpeTokenizer load(const std::string& path) {
  auto file = gguf::GgufFile::open(path);
  EXPECT_TRUE(file.ok()) << file.status().message();
  auto spec = gguf::tokenizer_spec_from_gguf(*file);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  auto tokenizer = BpeTokenizer::create(std::move(spec).value());
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  return std::move(tokenizer).value();
}

class LlamaCppVocabTest : public ::testing::TestWithParam<const char*> {};

TEST_P(LlamaCppVocabTest, EncodesAsLlamaCppDoes) {
  const std::string base = vocab_dir() + "/ggml-vocab-" + GetParam() + ".gguf";
  if (!std::filesystem::exists(base))
    GTEST_SKIP() << base << " not found (run scripts/fetch-vocabs.sh)";
  const BpeTokenizer tokenizer = load(base);
  const std::vector<std::string> texts = read_texts(base + ".inp");
  const std::vector<std::vector<int32_t>> expected = read_ids(base + ".out");
  ASSERT_GT(texts.size(), 20u);
  ASSERT_EQ(texts.size(), expected.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    // test-tokenizer-0: no BOS/EOS, special-token texts recognized.
    const std::vector<int32_t> ids =
        tokenizer.encode(texts[i], /*add_special=*/false, /*parse_special=*/true);
    EXPECT_EQ(ids, expected[i]) << GetParam() << " text " << i << ": '" << texts[i] << "'";
    // Streaming keeps what decode strips: SentencePiece's leading space of the first token.
    StreamingDecoder stream(tokenizer, /*special=*/false);
    std::string streamed;
    for (int32_t id : ids) streamed += stream.push(id);
    streamed += stream.finish();
    const std::string decoded = tokenizer.decode(ids, /*special=*/false);
    if (tokenizer.spec().model == "llama" && streamed.size() == decoded.size() + 1)
      EXPECT_EQ(streamed, " " + decoded) << GetParam() << " text " << i;
    else if (!tokenizer.cleans_spaces())
      EXPECT_EQ(streamed, decoded) << GetParam() << " text " << i;
  }
}

// SentencePiece decodes every one of these texts back to itself (the byte-level vocabularies
// need not: some normalize, some lack byte tokens).
using SentencePieceVocabTest = LlamaCppVocabTest;

TEST_P(SentencePieceVocabTest, DecodesBackToTheText) {
  const std::string base = vocab_dir() + "/ggml-vocab-" + GetParam() + ".gguf";
  if (!std::filesystem::exists(base))
    GTEST_SKIP() << base << " not found (run scripts/fetch-vocabs.sh)";
  const BpeTokenizer tokenizer = load(base);
  ASSERT_EQ(tokenizer.spec().model, "llama");
  for (const std::string& text : read_texts(base + ".inp")) {
    EXPECT_EQ(tokenizer.decode(tokenizer.encode(text, false, true), false), text);
  }
}

std::string test_name(const ::testing::TestParamInfo<const char*>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, LlamaCppVocabTest,
                         ::testing::Values("llama-spm", "phi-3", "llama-bpe", "gpt-2", "qwen2",
                                           "qwen35", "starcoder", "refact", "falcon",
                                           "deepseek-llm", "deepseek-coder", "command-r", "mpt"),
                         test_name);
INSTANTIATE_TEST_SUITE_P(Vocabularies, SentencePieceVocabTest,
                         ::testing::Values("llama-spm", "phi-3"), test_name);

}  // namespace
}  // namespace ingot::tokenizer
