// Qwen 3 (llama plus QK-norm, NeoX rope) on a real model: SmolLM2 turned into a qwen3 GGUF by
// test/fixtures/llama_to_qwen3.py (CTest's smollm2_converted fixture: the same weights, q/k rows
// in Hugging Face's order, per-head norm weights from a fixed seed), compiled and run on the CPU
// against llama.cpp's goldens of that same file (test/golden/model-qwen3): greedy choices,
// top-20 logits and perplexity at context 512.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "runtime/generate/engine.h"
#include "test/support/compile_artifact.h"
#include "test/support/compiled_model_test.h"
#include "test/support/model_golden_checks.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The fixture's GGUF, or "" when it did not run (no real model, or no test Python).
std::string qwen3_model() { return fs::exists(INGOT_SMOLLM2_QWEN3) ? INGOT_SMOLLM2_QWEN3 : ""; }

json load_golden(const std::string& name) {
  return testing::load_model_golden("model-qwen3", name);
}

class Qwen3Golden : public testing::CompiledModelTest<Qwen3Golden> {
 public:
  static std::string model() { return qwen3_model(); }
  static const char* artifact_name() { return "smollm2_qwen3.ingot"; }
  static const char* missing_model() {
    return "no SmolLM2 as qwen3 (the smollm2_converted fixture writes it)";
  }
};

TEST_F(Qwen3Golden, ArtifactIsAQwen3) {
  EXPECT_EQ(engine_->artifact().model().architecture()->str(), "Qwen3ForCausalLM");
}

TEST_F(Qwen3Golden, GreedyChoicesMatchLlamaCppAtEveryStep) {
  const json golden = load_golden("continuations.json");
  const int agree = testing::expect_greedy_choices_match(*engine_, golden);
  std::printf("greedy choices agreeing with llama.cpp: %d of %zu steps\n", agree,
              golden["continuations"].size() * golden["n_gen"].get<size_t>());
}

TEST_F(Qwen3Golden, TopLogitsAgreeWithLlamaCpp) {
  const double worst = testing::top_logit_difference(*engine_, load_golden("top_logits.json"));
  std::printf("worst top-20 logit difference from llama.cpp: %.4f\n", worst);
  EXPECT_LE(worst, testing::kLogitTolerance);
}

// Three chunks of 512. Within 1% of llama.cpp, and far from the llama model's perplexity on the
// same text: the check sees whether the norms were applied.
TEST_F(Qwen3Golden, PerplexityWithinOnePercentOfLlamaCppAndFarFromTheLlamaModel) {
  const json golden = load_golden("perplexity.json");
  constexpr int64_t kChunks = 3;
  const auto ppl = testing::perplexity_against(*engine_, golden, kChunks);
  if (!ppl) GTEST_SKIP() << "no " << golden["text_file"];
  const double llama =
      testing::load_model_golden("model", "perplexity.json")["chunks"][kChunks - 1]["running_ppl"]
          .get<double>();
  std::printf("perplexity over %lld chunks: ingot %.4f, llama.cpp %.4f, llama model %.4f\n",
              static_cast<long long>(kChunks), ppl->ours, ppl->peer, llama);
  EXPECT_NEAR(ppl->ours, ppl->peer, 0.01 * ppl->peer);
  EXPECT_GT(std::abs(ppl->ours - llama), 0.1 * llama);
}

// The same model as a Hugging Face Qwen3ForCausalLM folder (test/fixtures/gguf_to_hf.py of the
// qwen3 GGUF, float32): config.json's head_dim, the q_norm / k_norm tensors and NeoX rope on
// Hugging Face's q/k order give llama.cpp's logits of the GGUF.
TEST(Qwen3HfFolder, TopLogitsAgreeWithLlamaCppOnTheGguf) {
  if (!fs::exists(INGOT_HF_SMOLLM2_QWEN3))
    GTEST_SKIP() << "no Qwen 3 folder (the smollm2_converted fixture writes it)";
  const std::string path = testing::temp_artifact_path("smollm2_qwen3_hf.ingot");
  config::CompileConfig config;
  config.model_path = INGOT_HF_SMOLLM2_QWEN3;
  auto engine = testing::compile_and_open(config, path, 512);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_EQ((*engine)->artifact().model().architecture()->str(), "Qwen3ForCausalLM");
  const double worst = testing::top_logit_difference(**engine, load_golden("top_logits.json"));
  std::printf("worst top-20 logit difference from llama.cpp: %.4f\n", worst);
  EXPECT_LE(worst, testing::kLogitTolerance);
  fs::remove(path);
}

}  // namespace
}  // namespace ingot
