// Llama 3's rope scaling on a real model: SmolLM2 given a rope_freqs.weight by
// test/fixtures/add_llama3_rope.py (CTest's smollm2_converted fixture; a small original context so
// that most pairs get a factor), compiled and run on the CPU against llama.cpp's goldens of that
// same file (test/golden/model-llama3-rope): greedy choices, top-20 logits and perplexity at
// context 512, where the factors move the angles most.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "runtime/generate/engine.h"
#include "test/support/compiled_model_test.h"
#include "test/support/model_golden_checks.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The fixture's GGUF, or "" when it did not run (no real model, or no test Python).
std::string llama3_model() {
  return fs::exists(INGOT_SMOLLM2_LLAMA3) ? INGOT_SMOLLM2_LLAMA3 : "";
}

json load_golden(const std::string& name) {
  return testing::load_model_golden("model-llama3-rope", name);
}

class Llama3RopeGolden : public testing::CompiledModelTest<Llama3RopeGolden> {
 public:
  static std::string model() { return llama3_model(); }
  static const char* artifact_name() { return "smollm2_llama3.ingot"; }
  static const char* missing_model() {
    return "no SmolLM2 with rope_freqs (the smollm2_converted fixture writes it)";
  }
};

TEST_F(Llama3RopeGolden, GreedyChoicesMatchLlamaCppAtEveryStep) {
  const json golden = load_golden("continuations.json");
  const int agree = testing::expect_greedy_choices_match(*engine_, golden);
  std::printf("greedy choices agreeing with llama.cpp: %d of %zu steps\n", agree,
              golden["continuations"].size() * golden["n_gen"].get<size_t>());
}

TEST_F(Llama3RopeGolden, TopLogitsAgreeWithLlamaCpp) {
  const double worst = testing::top_logit_difference(*engine_, load_golden("top_logits.json"));
  std::printf("worst top-20 logit difference from llama.cpp: %.4f\n", worst);
  EXPECT_LE(worst, testing::kLogitTolerance);
}

// Three chunks of 512: positions up to 511, where the long-wavelength pairs turn 8 times slower.
// Within 1% of llama.cpp with the factors, and far from llama.cpp's perplexity of the same model
// without them (16.30 against 19.32 when measured): the check sees whether they were applied.
TEST_F(Llama3RopeGolden, PerplexityWithinOnePercentOfLlamaCppAndFarFromTheUnscaledModel) {
  const json golden = load_golden("perplexity.json");
  constexpr int64_t kChunks = 3;
  const auto ppl = testing::perplexity_against(*engine_, golden, kChunks);
  if (!ppl) GTEST_SKIP() << "no " << golden["text_file"];
  const double unscaled = testing::load_model_golden("model", "perplexity.json")["chunks"]
                                                    [kChunks - 1]["running_ppl"].get<double>();
  std::printf("perplexity over %lld chunks: ingot %.4f, llama.cpp %.4f, unscaled model %.4f\n",
              static_cast<long long>(kChunks), ppl->ours, ppl->peer, unscaled);
  EXPECT_NEAR(ppl->ours, ppl->peer, 0.01 * ppl->peer);
  EXPECT_GT(std::abs(ppl->ours - unscaled), 0.1 * unscaled);
}

}  // namespace
}  // namespace ingot
