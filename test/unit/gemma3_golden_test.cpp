// Gemma 3 270M (GGUF, Q4_K_M; scripts/fetch-gemma3.sh), the second architecture: QK-norm,
// scaled embeddings, norms after attention and FFN, a GELU-gated FFN, and five of every six
// layers attending within a 512-position sliding window with a rope base of their own. Compiled
// and run on the CPU against llama.cpp's goldens of the same file (test/golden/model-gemma3):
// greedy choices, top-20 logits, and perplexity at context 1024, past the window.
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "test/support/compiled_model_test.h"
#include "test/support/model_golden_checks.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json load_golden(const std::string& name) {
  return testing::load_model_golden("model-gemma3", name);
}

class Gemma3Golden : public testing::CompiledModelTest<Gemma3Golden> {
 public:
  static std::string model() { return fs::exists(INGOT_GEMMA3_GGUF) ? INGOT_GEMMA3_GGUF : ""; }
  static const char* artifact_name() { return "gemma3_270m.ingot"; }
  static const char* missing_model() { return "no Gemma 3 270M (run scripts/fetch-gemma3.sh)"; }
  static int64_t max_context() { return 1024; }  // the perplexity chunks'
};

TEST_F(Gemma3Golden, ArtifactIsAGemma3WithSlidingWindows) {
  EXPECT_EQ(engine_->artifact().model().architecture()->str(), "Gemma3ForCausalLM");
}

TEST_F(Gemma3Golden, GreedyChoicesMatchLlamaCppAtEveryStep) {
  const json golden = load_golden("continuations.json");
  const int agree = testing::expect_greedy_choices_match(*engine_, golden);
  std::printf("greedy choices agreeing with llama.cpp: %d of %zu steps\n", agree,
              golden["continuations"].size() * golden["n_gen"].get<size_t>());
}

TEST_F(Gemma3Golden, TopLogitsAgreeWithLlamaCpp) {
  const double worst = testing::top_logit_difference(*engine_, load_golden("top_logits.json"));
  std::printf("worst top-20 logit difference from llama.cpp: %.4f\n", worst);
  EXPECT_LE(worst, testing::kLogitTolerance);
}

// Two chunks of 1024, each scored on positions 512 .. 1023, where the local layers see only the
// last 512 positions: without the window this model's perplexity is over 10 times higher.
TEST_F(Gemma3Golden, PerplexityPastTheSlidingWindowWithinOnePercentOfLlamaCpp) {
  const json golden = load_golden("perplexity.json");
  ASSERT_EQ(golden["n_ctx"].get<int64_t>(), 1024);
  constexpr int64_t kChunks = 2;
  const auto ppl = testing::perplexity_against(*engine_, golden, kChunks);
  if (!ppl) GTEST_SKIP() << "no " << golden["text_file"];
  std::printf("perplexity over %lld chunks of 1024: ingot %.4f, llama.cpp %.4f\n",
              static_cast<long long>(kChunks), ppl->ours, ppl->peer);
  EXPECT_NEAR(ppl->ours, ppl->peer, 0.01 * ppl->peer);
}

}  // namespace
}  // namespace ingot
