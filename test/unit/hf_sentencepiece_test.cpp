// SentencePiece-style tokenizer.json files (Llama 2, Mistral, TinyLlama as transformers writes
// them) imported from a Hugging Face folder encode as Hugging Face's tokenizers library does.
// The folders are llama.cpp's Llama 2 test vocabulary written by test/fixtures/gguf_to_hf.py
// --tokenizer-only in each of its four space forms (the hf_sentencepiece_folders fixture); the
// ids are test/golden/tokenizer/hf_sentencepiece.jsonl, from tokenizers itself
// (scripts/goldens/make_hf_tokenizer_goldens.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "compiler/import/gguf/gguf_file.h"
#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/hf/hf_import.h"
#include "runtime/tokenizer/bpe_tokenizer.h"

namespace ingot::hf {
namespace {

using tokenizer::BpeTokenizer;
using tokenizer::SpacePrefix;
using tokenizer::TokenizerSpec;

constexpr const char* kSpaces[] = {"prepend", "first", "always", "legacy-metaspace"};

std::string vocab_path() { return INGOT_SOURCE_DIR "/models/vocab/ggml-vocab-llama-spm.gguf"; }

// The spec a folder's tokenizer files import as, through the GGUF view as ingot-compile reads it.
Result<TokenizerSpec> import_spec(const std::string& dir) {
  INGOT_ASSIGN_OR_RETURN(HfTokenizerFiles files, read_tokenizer_files(dir));
  INGOT_ASSIGN_OR_RETURN(JsonFile config,
                         parse_json(dir + "/config.json", R"({"vocab_size": 32000})"));
  gguf::GgufViewBuilder view(dir);
  INGOT_RETURN_IF_ERROR(add_tokenizer_keys(files, config, 32000, view));
  const gguf::GgufFile file = std::move(view).finish();
  return gguf::tokenizer_spec_from_gguf(file);
}

// Every text the goldens name, by (source, id): llama.cpp's inputs, the corpus, the extras.
std::map<std::pair<std::string, int>, std::string> golden_texts(
    const std::vector<nlohmann::json>& rows) {
  std::map<std::pair<std::string, int>, std::string> texts;
  std::ifstream inp(vocab_path() + ".inp", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(inp)), std::istreambuf_iterator<char>());
  constexpr std::string_view kSeparator = "\n__ggml_vocab_test__\n";
  int index = 0;
  for (size_t start = 0, end; (end = all.find(kSeparator, start)) != std::string::npos;
       start = end + kSeparator.size())
    texts[{"llama.cpp", index++}] = all.substr(start, end - start);
  std::ifstream corpus(INGOT_GOLDEN_DIR "/tokenizer/corpus.jsonl");
  for (std::string line; std::getline(corpus, line);) {
    const nlohmann::json row = nlohmann::json::parse(line);
    if (row.contains("text")) texts[{"corpus", row["id"].get<int>()}] = row["text"];
  }
  for (const nlohmann::json& row : rows)
    if (row.contains("text")) texts[{row["source"], row["id"].get<int>()}] = row["text"];
  return texts;
}

std::vector<nlohmann::json> golden_rows() {
  std::ifstream in(INGOT_GOLDEN_DIR "/tokenizer/hf_sentencepiece.jsonl");
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);) {
    nlohmann::json row = nlohmann::json::parse(line);
    if (!row.contains("provenance")) rows.push_back(std::move(row));
  }
  return rows;
}

class HfSentencePiece : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(std::string(INGOT_HF_SPM_DIR) + "/prepend/tokenizer.json"))
      GTEST_SKIP() << INGOT_HF_SPM_DIR << " not made (needs models/vocab and the test Python)";
  }
  static std::string folder(const std::string& spaces) {
    return std::string(INGOT_HF_SPM_DIR) + "/" + spaces;
  }
};

TEST_F(HfSentencePiece, ImportsAsASentencePieceSpecMergedByRank) {
  struct Form {
    const char* spaces;
    SpacePrefix prefix;
    bool split;
  };
  const Form forms[] = {{"prepend", SpacePrefix::kAfterSpecial, false},
                        {"first", SpacePrefix::kMetaspaceFirst, false},
                        {"always", SpacePrefix::kMetaspaceAlways, false},
                        {"legacy-metaspace", SpacePrefix::kMetaspaceAlways, true}};
  for (const auto& [spaces, prefix, split] : forms) {
    auto spec = import_spec(folder(spaces));
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    EXPECT_EQ(spec->model, "llama") << spaces;
    EXPECT_TRUE(spec->add_space_prefix) << spaces;
    EXPECT_EQ(spec->space_prefix, prefix) << spaces;
    EXPECT_EQ(spec->split_at_spaces, split) << spaces;
    EXPECT_TRUE(spec->scores.empty()) << spaces;
    EXPECT_GT(spec->merges.size(), 50000u) << spaces;
    EXPECT_EQ(spec->unk_id, 0);
    EXPECT_EQ(spec->bos_id, 1);
    EXPECT_EQ(spec->eos_id, 2);
    EXPECT_TRUE(spec->add_bos);
    EXPECT_EQ(spec->token_types[0], tokenizer::TokenType::kUnknown);
    EXPECT_EQ(spec->token_types[1], tokenizer::TokenType::kControl);
    EXPECT_EQ(spec->token_types[3], tokenizer::TokenType::kByte);  // <0x00>
    EXPECT_EQ(spec->token_types[300], tokenizer::TokenType::kNormal);
  }
}

// The whole corpus, llama.cpp's inputs and the special-token lines, in all four forms. A form's
// row is written only where it differs from "prepend", so the others fall back to that.
TEST_F(HfSentencePiece, EncodesAsTheTokenizersLibrary) {
  const std::vector<nlohmann::json> rows = golden_rows();
  ASSERT_GT(rows.size(), 1000u);
  const auto texts = golden_texts(rows);
  std::map<std::string, std::map<std::pair<std::string, int>, std::vector<int32_t>>> expected;
  for (const nlohmann::json& row : rows)
    expected[row["spaces"]][{row["source"], row["id"].get<int>()}] =
        row["ids"].get<std::vector<int32_t>>();
  ASSERT_GT(expected["first"].size(), 10u);
  ASSERT_GT(expected["always"].size(), 10u);
  ASSERT_GT(expected["legacy-metaspace"].size(), 10u);
  for (const char* spaces : kSpaces) {
    auto spec = import_spec(folder(spaces));
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    auto tok = BpeTokenizer::create(std::move(spec).value());
    ASSERT_TRUE(tok.ok()) << tok.status().message();
    int checked = 0, failed = 0;
    for (const auto& [key, want_base] : expected["prepend"]) {
      const auto own = expected[spaces].find(key);
      const std::vector<int32_t>& want = own != expected[spaces].end() ? own->second : want_base;
      const auto text = texts.find(key);
      ASSERT_NE(text, texts.end()) << key.first << " " << key.second << " has no text";
      const std::vector<int32_t> got =
          tok->encode(text->second, /*add_special=*/true, /*parse_special=*/true);
      ++checked;
      if (got != want && ++failed <= 5) {
        ADD_FAILURE() << spaces << ", " << key.first << " line " << key.second << " '"
                      << text->second << "': got " << ::testing::PrintToString(got)
                      << ", tokenizers gives " << ::testing::PrintToString(want);
      }
    }
    EXPECT_EQ(failed, 0) << spaces << ": " << failed << " of " << checked << " lines differ";
    EXPECT_GT(checked, 1000) << spaces;
  }
}

// A spec with scores merges by them, as llama.cpp does for a GGUF, whatever merges it also has:
// the folder's merges, reversed, with the GGUF's scores encode as the GGUF does.
TEST_F(HfSentencePiece, ScoresWinOverMerges) {
  auto file = gguf::GgufFile::open(vocab_path());
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto from_gguf = gguf::tokenizer_spec_from_gguf(*file);
  ASSERT_TRUE(from_gguf.ok()) << from_gguf.status().message();
  auto spec = import_spec(folder("prepend"));
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  spec->scores = from_gguf->scores;
  std::reverse(spec->merges.begin(), spec->merges.end());
  auto mixed = BpeTokenizer::create(std::move(spec).value());
  auto gguf_tok = BpeTokenizer::create(std::move(from_gguf).value());
  ASSERT_TRUE(mixed.ok() && gguf_tok.ok());
  for (const auto& [key, text] : golden_texts(golden_rows())) {
    if (key.first != "llama.cpp") continue;
    EXPECT_EQ(mixed->encode(text, true, true), gguf_tok->encode(text, true, true)) << text;
  }
}

}  // namespace
}  // namespace ingot::hf
