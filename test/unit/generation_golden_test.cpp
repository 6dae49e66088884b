// The real SmolLM2 (the GGUF's own q4_1) compiled and run on the CPU, against llama.cpp's
// goldens (test/golden/model): greedy continuations token for token, and top-20 logits.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kernels/cpu/matmul.h"
#include "runtime/generate/engine.h"
#include "test/support/compile_artifact.h"
#include "test/support/compiled_model_test.h"
#include "test/support/model_golden_checks.h"
#include "test/support/real_model.h"

namespace ingot {
namespace {

using generate::Conversation;
using generate::Engine;
using nlohmann::json;

json load_golden(const std::string& name) { return testing::load_model_golden("model", name); }

class GenerationGolden : public testing::CompiledModelTest<GenerationGolden> {
 public:
  static std::string model() {
    return std::filesystem::exists(testing::real_model_path()) ? testing::real_model_path() : "";
  }
  static const char* artifact_name() { return "smollm2_q4_1.ingot"; }
  static const char* missing_model() { return "real model not found (run scripts/fetch-model.sh)"; }
};

using testing::ids_of;

using testing::kLogitTolerance;
using testing::kPairSwing;

// Teacher-forced: the golden prompt and continuation run through ingot in one pass, and at every
// one of the 640 steps ingot's argmax must be llama.cpp's token, except at a near tie.
TEST_F(GenerationGolden, GreedyChoicesMatchLlamaCppAtEveryStep) {
  const json golden = load_golden("continuations.json");
  const int agree = testing::expect_greedy_choices_match(*engine_, golden);
  std::printf("greedy choices agreeing with llama.cpp: %d of %zu steps\n", agree,
              golden["continuations"].size() * golden["n_gen"].get<size_t>());
}

// Free-running greedy generation: identical to llama.cpp's until the first near tie.
TEST_F(GenerationGolden, GreedyContinuationsMatchUntilANearTie) {
  const json golden = load_golden("continuations.json");
  sampling::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.ignore_eos = true;  // the goldens generate past EOS (eos_steps records where)
  greedy.max_new_tokens = golden["n_gen"].get<int32_t>();
  int identical = 0;
  for (const json& c : golden["continuations"]) {
    SCOPED_TRACE(c["tag"].get<std::string>() + (c["chat"].get<bool>() ? " (chat)" : ""));
    Conversation conversation(*engine_);
    auto generation = conversation.generate(ids_of(c["prompt_ids"]), greedy, nullptr);
    ASSERT_TRUE(generation.ok()) << generation.status().message();
    const std::vector<int32_t> want = ids_of(c["generated_ids"]);
    const std::vector<float> margins = c["margins"].get<std::vector<float>>();
    ASSERT_EQ(generation->tokens.size(), want.size());
    const size_t step = static_cast<size_t>(
        std::mismatch(generation->tokens.begin(), generation->tokens.end(), want.begin()).first -
        generation->tokens.begin());
    if (step == want.size()) {
      ++identical;
      EXPECT_EQ(engine_->tokenizer().decode(generation->tokens, true),
                c["generated_text"].get<std::string>());
      continue;
    }
    EXPECT_LT(margins[step], kPairSwing) << "first difference at step " << step;
  }
  std::printf("continuations identical to llama.cpp for all 64 tokens: %d of %zu\n", identical,
              golden["continuations"].size());
}

TEST_F(GenerationGolden, TopLogitsAgreeWithLlamaCpp) {
  const double worst = testing::top_logit_difference(*engine_, load_golden("top_logits.json"));
  std::printf("worst top-20 logit difference from llama.cpp: %.4f\n", worst);
  EXPECT_LE(worst, kLogitTolerance);
}

// llama-perplexity's method on GPL-3 at context 512, over the first chunks (the full 14 are in
// docs/performance.md): within 1% of llama.cpp's running perplexity at the same chunk.
TEST_F(GenerationGolden, PerplexityWithinOnePercentOfLlamaCpp) {
  const json golden = load_golden("perplexity.json");
  constexpr int64_t kChunks = 3;
  const auto ppl = testing::perplexity_against(*engine_, golden, kChunks);
  if (!ppl) GTEST_SKIP() << "no " << golden["text_file"];
  std::printf("perplexity over %lld chunks: ingot %.4f, llama.cpp %.4f\n",
              static_cast<long long>(kChunks), ppl->ours, ppl->peer);
  EXPECT_NEAR(ppl->ours, ppl->peer, 0.01 * ppl->peer);
}

// Each fusion is an optimization only: with any one disabled the plan has other kernels, and
// greedy generation gives exactly the tokens of the fused plan.
TEST_F(GenerationGolden, EveryFusionDisabledGivesIdenticalTokens) {
  const json golden = load_golden("continuations.json");
  sampling::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.ignore_eos = true;
  greedy.max_new_tokens = 24;
  const auto tokens_of = [&](Engine& engine) {
    std::vector<std::vector<int32_t>> out;
    for (size_t i : {0u, 5u}) {
      Conversation conversation(engine);
      auto g = conversation.generate(ids_of(golden["continuations"][i]["prompt_ids"]), greedy,
                                     nullptr);
      EXPECT_TRUE(g.ok()) << g.status().message();
      out.push_back(g.ok() ? g->tokens : std::vector<int32_t>{});
    }
    return out;
  };
  const auto fused = tokens_of(*engine_);
  for (const char* fusion : {"qkv", "gate-up", "attention", "residual-norm"}) {
    SCOPED_TRACE(fusion);
    driver::PipelineOptions pipeline;
    const std::string name = fusion;
    pipeline.fuse_qkv = name != "qkv";
    pipeline.fuse_gate_up = name != "gate-up";
    pipeline.fuse_attention = name != "attention";
    pipeline.fuse_residual_norm = name != "residual-norm";
    const std::string path = testing::temp_artifact_path(name + ".ingot");
    config::CompileConfig config;
    config.model_path = testing::real_model_path();
    ASSERT_TRUE(testing::compile_artifact(config, pipeline, path).ok());
    device::ExecutorOptions options;
    options.max_context = 512;
    auto engine = Engine::open(path, options);
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    EXPECT_NE((*engine)->artifact().model().plan()->kernels()->size(),
              engine_->artifact().model().plan()->kernels()->size());
    EXPECT_EQ(tokens_of(**engine), fused);
    std::filesystem::remove(path);
  }
}

// A chat turn cut short (max_new_tokens here, Ctrl-C in ingot-run -i) ends with a sampled token
// that is not in the cache yet; evaluating the end-of-turn after it runs that token first, so
// the logits are those of one pass over the whole history. It used to refuse, which ended the
// interactive chat at the first reply cut short.
TEST_F(GenerationGolden, EvaluateAfterAReplyCutShortRunsItsLastTokenFirst) {
  const json golden = load_golden("continuations.json");
  const std::vector<int32_t> prompt = ids_of(golden["continuations"][0]["prompt_ids"]);
  const std::vector<int32_t> close = engine_->tokenizer().encode("<|im_end|>", false, true);
  ASSERT_FALSE(close.empty());
  sampling::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.max_new_tokens = 5;
  greedy.ignore_eos = true;
  Conversation chat(*engine_);
  auto reply = chat.generate(prompt, greedy, {});
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  ASSERT_EQ(reply->finish, generate::FinishReason::kLength);
  const std::vector<int32_t> last = {static_cast<int32_t>(close.size() - 1)};
  auto closed = chat.evaluate(close, last);
  ASSERT_TRUE(closed.ok()) << closed.status().message();

  std::vector<int32_t> whole = chat.history();
  ASSERT_EQ(whole.size(), prompt.size() + 5 + close.size());
  EXPECT_TRUE(std::equal(close.begin(), close.end(), whole.end() - close.size()));
  Conversation one_pass(*engine_);
  const std::vector<int32_t> whole_last = {static_cast<int32_t>(whole.size() - 1)};
  auto want = one_pass.evaluate(whole, whole_last);
  ASSERT_TRUE(want.ok()) << want.status().message();
  ASSERT_EQ(closed->size(), want->size());
  // The CPU device gives a token the same bits however its sequence was cut into steps.
  EXPECT_EQ(std::memcmp(closed->data(), want->data(), want->size() * sizeof(float)), 0);

  // Past the context nothing is evaluated, and the history stays as it was.
  const std::vector<int32_t> too_long(static_cast<size_t>(engine_->executor().max_context()), 1);
  EXPECT_FALSE(chat.evaluate(too_long, {}).ok());
  EXPECT_EQ(chat.history().size(), whole.size());
}

// Every SIMD matmul path this machine supports runs the integer algorithm with the same float
// operations in the same order, so the real model's logits are identical bit for bit: over
// the golden prompts (a prefill long enough for the AMX tiles) and a 12-token step after it (a
// decode-sized step on the AVX-512 kernel). An unknown path is refused by name.
TEST_F(GenerationGolden, EveryMatmulPathGivesTheSameLogits) {
  const json golden = load_golden("continuations.json");
  std::vector<int32_t> prompt;  // every golden prompt, one after another
  for (const json& c : golden["continuations"]) {
    const std::vector<int32_t> ids = ids_of(c["prompt_ids"]);
    prompt.insert(prompt.end(), ids.begin(), ids.end());
  }
  ASSERT_GE(prompt.size(), static_cast<size_t>(2 * cpu::kAmxMinTokens));
  const std::vector<int32_t> next(prompt.begin(), prompt.begin() + 12);
  const auto logits_of = [&](Engine& engine) {
    Conversation conversation(engine);
    std::vector<int32_t> rows(prompt.size());
    std::iota(rows.begin(), rows.end(), 0);
    auto first = conversation.evaluate(prompt, rows);
    EXPECT_TRUE(first.ok()) << first.status().message();
    const std::vector<int32_t> last = {11};
    auto second = conversation.evaluate(next, last);
    EXPECT_TRUE(second.ok()) << second.status().message();
    std::vector<float> all = first.ok() ? *first : std::vector<float>{};
    if (second.ok()) all.insert(all.end(), second->begin(), second->end());
    return all;
  };
  const std::vector<float> want = logits_of(*engine_);
  int compared = 0;
  for (const char* name : {"amx", "avx512vnni", "avx2"}) {
    cpu::MatmulPath path;
    ASSERT_TRUE(cpu::matmul_path_from_name(name, path));
    if (!cpu::matmul_path_supported(path)) continue;
    SCOPED_TRACE(name);
    device::ExecutorOptions options;
    options.max_context = 512;
    options.cpu_matmul = name;
    auto engine = Engine::open(path_, options);
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    const std::vector<float> got = logits_of(**engine);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * sizeof(float)));
    ++compared;
  }
  EXPECT_GE(compared, 1);
  std::printf("matmul paths compared bit for bit: %d\n", compared);
  device::ExecutorOptions bad;
  bad.cpu_matmul = "avx1024";
  auto refused = Engine::open(path_, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("avx1024"), std::string::npos);
}

// The CUDA device runs the same plan: greedy tokens equal the CPU device's for every golden prompt
// (32 tokens each), and the last step's logits stay close. Skips, saying why, without a GPU.
TEST_F(GenerationGolden, CudaDeviceGivesTheCpuTokens) {
  device::ExecutorOptions options;
  options.max_context = 512;
  options.device = "cuda";
  auto gpu = Engine::open(path_, options);
  if (!gpu.ok()) GTEST_SKIP() << gpu.status().message();
  const json golden = load_golden("continuations.json");
  sampling::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.ignore_eos = true;
  greedy.max_new_tokens = 32;
  double worst = 0.0;
  for (const json& c : golden["continuations"]) {
    SCOPED_TRACE(c["tag"].get<std::string>());
    const std::vector<int32_t> prompt = ids_of(c["prompt_ids"]);
    Conversation on_cpu(*engine_), on_gpu(**gpu);
    auto want = on_cpu.generate(prompt, greedy, nullptr);
    auto got = on_gpu.generate(prompt, greedy, nullptr);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(got->tokens, want->tokens);
    const std::vector<int32_t> last = {static_cast<int32_t>(prompt.size() - 1)};
    Conversation cpu_pass(*engine_), gpu_pass(**gpu);
    auto cpu_logits = cpu_pass.evaluate(prompt, last);
    auto gpu_logits = gpu_pass.evaluate(prompt, last);
    ASSERT_TRUE(cpu_logits.ok() && gpu_logits.ok());
    double top = 0.0;
    for (size_t i = 0; i < cpu_logits->size(); ++i) {
      worst = std::max(worst, std::fabs(double((*gpu_logits)[i]) - (*cpu_logits)[i]));
      top = std::max(top, std::fabs(double((*cpu_logits)[i])));
    }
    EXPECT_LT(worst, 0.05 * top);
  }
  std::printf("largest |gpu - cpu| logit on the golden prompts: %.4f\n", worst);
}

}  // namespace
}  // namespace ingot
