// A llama with a SentencePiece tokenizer (GGUF tokenizer.ggml.model = llama, as Llama 2, Mistral
// and TinyLlama ship) end to end: the artifact keeps the GGUF's tokenizer, scores included, and
// the engine generates text from it.
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "compiler/import/gguf/gguf_tokenizer.h"
#include "runtime/generate/engine.h"
#include "test/support/compile_artifact.h"
#include "test/support/expect_same_tokenizer.h"
#include "test/support/tiny_llama.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;

TEST(SentencePieceModel, ArtifactKeepsTheTokenizerAndGenerates) {
  const std::string gguf_path = testing::temp_artifact_path("tiny_spm.gguf");
  ASSERT_TRUE(testing::write_tiny_llama_gguf(gguf_path, {.sentencepiece = true}).ok());
  config::CompileConfig config;
  config.model_path = gguf_path;
  const std::string path = testing::temp_artifact_path("tiny_spm.ingot");
  auto engine = testing::compile_and_open(config, path, 256);
  ASSERT_TRUE(engine.ok()) << engine.status().message();

  auto file = gguf::GgufFile::open(gguf_path);
  ASSERT_TRUE(file.ok());
  auto from_gguf = gguf::tokenizer_spec_from_gguf(*file);
  ASSERT_TRUE(from_gguf.ok()) << from_gguf.status().message();
  const tokenizer::BpeTokenizer& tok = (*engine)->tokenizer();
  testing::expect_same_tokenizer(tok.spec(), *from_gguf);
  EXPECT_EQ(tok.spec().model, "llama");
  EXPECT_FALSE(tok.spec().scores.empty());
  EXPECT_TRUE(tok.spec().add_space_prefix);

  const std::vector<int32_t> prompt = tok.encode("hello world, the end", true, true);
  ASSERT_GT(prompt.size(), 3u);
  EXPECT_EQ(prompt[0], testing::kTinySpmBos);
  generate::Conversation conversation(**engine);
  sampling::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.ignore_eos = true;
  greedy.max_new_tokens = 12;
  auto generation = conversation.generate(prompt, greedy, nullptr);
  ASSERT_TRUE(generation.ok()) << generation.status().message();
  ASSERT_EQ(generation->tokens.size(), 12u);
  std::string pieces;  // streamed text keeps every piece's leading space
  for (int32_t id : generation->tokens) pieces += tok.token_to_piece(id, false);
  EXPECT_EQ(generation->text, pieces);
  fs::remove(path);
  fs::remove(gguf_path);
}

}  // namespace
}  // namespace ingot
