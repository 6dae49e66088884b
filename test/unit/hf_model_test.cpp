// The real SmolLM2 as a Hugging Face folder: test/fixtures/gguf_to_hf.py writes it from the
// GGUF in float32, q and k back in HF's order. Compiled from the folder (NeoX rope, no
// permutation), it must be the GGUF's model: the same tokenizer, and the same greedy tokens
// as the GGUF compiled to float32 weights, with and without Llama 3's rope scaling. A tiny
// random HF llama compiles and runs too.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/hf/hf_folder.h"
#include "runtime/generate/engine.h"
#include "test/support/compile_artifact.h"
#include "test/support/expect_same_tokenizer.h"
#include "test/support/hf_folder_writer.h"
#include "test/support/real_model.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;
using generate::Conversation;
using generate::Engine;
using nlohmann::json;

// Where CTest's smollm2_converted fixture wrote the folder (empty when it did not run).
std::string hf_folder() {
  const std::string dir = INGOT_HF_SMOLLM2;
  return fs::exists(dir + "/config.json") ? dir : "";
}

std::unique_ptr<Engine> compile_and_open(const std::string& model, const std::string& path,
                                         std::optional<arch::Encoding> encoding) {
  config::CompileConfig config;
  config.model_path = model;
  config.quantization_encoding = encoding;
  // 256: the tiny model's whole context; golden prompts fit it too.
  auto engine = testing::compile_and_open(config, path, 256);
  EXPECT_TRUE(engine.ok()) << engine.status().message();
  return engine.ok() ? std::move(*engine) : nullptr;
}

TEST(HfRealModel, TokenizerIsTheGgufsTokenizer) {
  INGOT_SKIP_WITHOUT_REAL_MODEL();
  const std::string dir = hf_folder();
  if (dir.empty()) GTEST_SKIP() << "no HF folder (the hf_smollm2_folder fixture writes it)";
  auto view = hf::open_hf_folder(dir);
  ASSERT_TRUE(view.ok()) << view.status().message();
  auto file = gguf::GgufFile::open(testing::real_model_path());
  ASSERT_TRUE(file.ok());
  auto from_hf = gguf::tokenizer_spec_from_gguf(*view);
  auto from_gguf = gguf::tokenizer_spec_from_gguf(*file);
  ASSERT_TRUE(from_hf.ok() && from_gguf.ok());
  testing::expect_same_tokenizer(*from_hf, *from_gguf);
  EXPECT_EQ(*view->get_string("tokenizer.chat_template"),
            *file->get_string("tokenizer.chat_template"));
}

// Greedy tokens (32 per golden prompt) are identical from both engines; returns the largest
// difference between their logits at the prompts' last positions.
double expect_same_generation(Engine& from_hf, Engine& from_gguf) {
  std::ifstream in(std::string(INGOT_GOLDEN_DIR) + "/model/continuations.json");
  const json golden = json::parse(in);
  sampling::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.ignore_eos = true;
  greedy.max_new_tokens = 32;
  double worst = 0.0;
  for (const json& c : golden["continuations"]) {
    SCOPED_TRACE(c["tag"].get<std::string>() + (c["chat"].get<bool>() ? " (chat)" : ""));
    const std::vector<int32_t> prompt = c["prompt_ids"].get<std::vector<int32_t>>();
    Conversation hf_run(from_hf), gguf_run(from_gguf);
    auto got = hf_run.generate(prompt, greedy, nullptr);
    auto want = gguf_run.generate(prompt, greedy, nullptr);
    EXPECT_TRUE(got.ok() && want.ok());
    if (!got.ok() || !want.ok()) return INFINITY;
    EXPECT_EQ(got->tokens, want->tokens);
    const std::vector<int32_t> last = {static_cast<int32_t>(prompt.size() - 1)};
    Conversation hf_pass(from_hf), gguf_pass(from_gguf);
    auto hf_logits = hf_pass.evaluate(prompt, last);
    auto gguf_logits = gguf_pass.evaluate(prompt, last);
    EXPECT_TRUE(hf_logits.ok() && gguf_logits.ok());
    if (!hf_logits.ok() || !gguf_logits.ok() || hf_logits->size() != gguf_logits->size())
      return INFINITY;
    for (size_t i = 0; i < hf_logits->size(); ++i)
      worst = std::max(worst, std::fabs(double((*hf_logits)[i]) - (*gguf_logits)[i]));
  }
  return worst;
}

// Both engines hold the same float32 weights, up to the order of q's and k's rows, and rotate
// the same pairs; only the order of the sums in q . k differs. Measured: the prompts' last
// logits within 2e-5 of each other (kLogitTolerance leaves room for other CPUs' paths).
constexpr double kLogitTolerance = 1e-3;

// The folder `hf_dir` compiled as it is and `gguf` compiled to float32, through
// expect_same_generation: the largest logit difference (checked against kLogitTolerance), or
// infinity when either fails to compile.
double expect_folder_matches_gguf(const std::string& hf_dir, const std::string& gguf,
                                  const std::string& tag) {
  const std::string hf_path = testing::temp_artifact_path(tag + "_hf.ingot");
  const std::string gguf_path = testing::temp_artifact_path(tag + "_f32.ingot");
  std::unique_ptr<Engine> from_hf = compile_and_open(hf_dir, hf_path, std::nullopt);
  std::unique_ptr<Engine> from_gguf = compile_and_open(gguf, gguf_path, arch::Encoding::kFloat32);
  const double worst = from_hf && from_gguf ? expect_same_generation(*from_hf, *from_gguf)
                                            : INFINITY;
  EXPECT_LT(worst, kLogitTolerance);
  fs::remove(hf_path);
  fs::remove(gguf_path);
  return worst;
}

TEST(HfRealModel, GreedyTokensAreTheGgufs) {
  INGOT_SKIP_WITHOUT_REAL_MODEL();
  const std::string dir = hf_folder();
  if (dir.empty()) GTEST_SKIP() << "no HF folder (the smollm2_converted fixture writes it)";
  const double worst = expect_folder_matches_gguf(dir, testing::real_model_path(), "smollm2");
  std::printf("largest |hf - gguf| logit on the golden prompts: %.2e\n", worst);
}

// A config.json with Llama 3's rope_scaling gives the factors that convert_hf_to_gguf.py would
// write: the folder (its other files linked from the fixture's) compiles to the model that the
// smollm2_converted fixture's rope_freqs GGUF, whose rope_freqs.weight Python computed, compiles to.
TEST(HfRealModel, Llama3RopeScalingGivesTheConvertersFactors) {
  INGOT_SKIP_WITHOUT_REAL_MODEL();
  const std::string source = hf_folder();
  const std::string llama3 = INGOT_SMOLLM2_LLAMA3;
  if (source.empty() || !fs::exists(llama3))
    GTEST_SKIP() << "no HF folder or rope_freqs GGUF (the smollm2_converted fixture writes them)";
  const std::string dir =
      (fs::temp_directory_path() / ("ingot_hf_llama3_" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const fs::directory_entry& entry : fs::directory_iterator(source))
    if (entry.path().filename() != "config.json")
      fs::create_symlink(entry.path(), fs::path(dir) / entry.path().filename());
  json config = json::parse(std::ifstream(source + "/config.json"));
  config["rope_scaling"] = json::parse(std::ifstream(std::string(llama3) + ".rope_scaling.json"));
  std::ofstream(dir + "/config.json") << config.dump();

  const double worst = expect_folder_matches_gguf(dir, llama3, "smollm2_llama3");
  std::printf("largest |hf - gguf| logit with llama3 rope scaling: %.2e\n", worst);
  fs::remove_all(dir);
}

TEST(HfTinyModel, CompilesAndGenerates) {
  const std::string dir =
      (fs::temp_directory_path() / ("ingot_hf_tiny_" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  testing::write_tiny_hf_llama(dir);
  const std::string path = testing::temp_artifact_path("tiny_hf.ingot");
  std::unique_ptr<Engine> engine = compile_and_open(dir, path, arch::Encoding::kQ8_0);
  ASSERT_TRUE(engine);
  Conversation conversation(*engine);
  const std::vector<int32_t> prompt = engine->tokenizer().encode("hello world 42", false, false);
  ASSERT_FALSE(prompt.empty());
  const std::vector<int32_t> last = {static_cast<int32_t>(prompt.size() - 1)};
  auto logits = conversation.evaluate(prompt, last);
  ASSERT_TRUE(logits.ok()) << logits.status().message();
  EXPECT_TRUE(std::all_of(logits->begin(), logits->end(), [](float v) { return std::isfinite(v); }));
  EXPECT_NE(*std::max_element(logits->begin(), logits->end()),
            *std::min_element(logits->begin(), logits->end()));
  fs::remove(path);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ingot
