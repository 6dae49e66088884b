// runtime/pipeline on the real SmolLM2: batch invariance with chunked prefill and in-flight
// batching, KV exhaustion with preemption, refused bad requests, echo and logprobs against a
// forward pass, a conversation's finish reasons.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runtime/generate/engine.h"
#include "runtime/pipeline/scheduler.h"
#include "test/support/compile_artifact.h"
#include "test/support/real_model.h"

namespace ingot::pipeline {
namespace {

using generate::Conversation;
using generate::Engine;

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(testing::real_model_path())) return;
    path_ = testing::temp_artifact_path("pipeline_q4_1.ingot");
    config::CompileConfig config;
    config.model_path = testing::real_model_path();
    ASSERT_TRUE(testing::compile_artifact(config, {}, path_).ok());
  }
  static void TearDownTestSuite() {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  void SetUp() override { INGOT_SKIP_WITHOUT_REAL_MODEL(); }

  /// An engine whose KV cache holds `sequences` full contexts of 512 tokens.
  static std::unique_ptr<Engine> open(int64_t sequences) {
    device::ExecutorOptions options;
    options.max_context = 512;
    options.max_sequences = sequences;
    auto engine = Engine::open(path_, options);
    EXPECT_TRUE(engine.ok()) << engine.status().message();
    return engine.ok() ? std::move(*engine) : nullptr;
  }

  /// 16 prompts of mixed lengths: the golden prompts and longer ones built from them.
  static std::vector<std::vector<int32_t>> prompts(size_t count) {
    std::ifstream in(std::string(INGOT_GOLDEN_DIR) + "/model/continuations.json");
    const nlohmann::json golden = nlohmann::json::parse(in);
    std::vector<std::vector<int32_t>> base;
    for (const auto& c : golden["continuations"])
      base.push_back(c["prompt_ids"].get<std::vector<int32_t>>());
    std::vector<std::vector<int32_t>> out;
    for (size_t i = 0; out.size() < count; ++i) {
      std::vector<int32_t> p = base[i % base.size()];
      for (size_t extra = 0; extra < i / base.size() * (i % 3 + 1); ++extra)
        p.insert(p.end(), base[(i + extra + 1) % base.size()].begin(),
                 base[(i + extra + 1) % base.size()].end());
      out.push_back(p);
    }
    return out;
  }

  static sampling::SamplingParams greedy(int32_t tokens) {
    sampling::SamplingParams p;
    p.temperature = 0.0f;
    p.ignore_eos = true;
    p.max_new_tokens = tokens;
    return p;
  }

  /// Each prompt's greedy tokens when it runs alone.
  static std::vector<std::vector<int32_t>> alone(Engine& engine,
                                                 const std::vector<std::vector<int32_t>>& ps,
                                                 int32_t tokens) {
    std::vector<std::vector<int32_t>> out;
    for (const auto& p : ps) {
      Conversation conversation(engine);
      auto g = conversation.generate(p, greedy(tokens), nullptr);
      EXPECT_TRUE(g.ok()) << g.status().message();
      out.push_back(g.ok() ? g->tokens : std::vector<int32_t>{});
    }
    return out;
  }

  /// Runs every prompt through a scheduler, greedily, and returns each request's tokens by index.
  static std::vector<std::vector<int32_t>> together(TextGenerationPipeline& pipeline,
                                                    const std::vector<std::vector<int32_t>>& ps,
                                                    int32_t tokens) {
    return together(pipeline, ps, std::vector<sampling::SamplingParams>(ps.size(), greedy(tokens)));
  }

  /// Runs prompt i with params[i] through a scheduler and returns each request's tokens by index.
  static std::vector<std::vector<int32_t>> together(
      TextGenerationPipeline& pipeline, const std::vector<std::vector<int32_t>>& ps,
      const std::vector<sampling::SamplingParams>& params) {
    Scheduler scheduler(pipeline);
    for (size_t i = 0; i < ps.size(); ++i)
      EXPECT_TRUE(scheduler.submit({std::to_string(i), ps[i], params[i]}).ok());
    std::map<std::string, std::vector<int32_t>> got;
    size_t most_running = 0;
    while (!scheduler.idle()) {
      auto responses = scheduler.run_once();
      EXPECT_TRUE(responses.ok()) << responses.status().message();
      if (!responses.ok()) break;
      most_running = std::max(most_running, scheduler.running());
      for (auto& [id, r] : *responses)
        for (const TokenOutput& t : r.tokens) got[id].push_back(t.id);
    }
    std::vector<std::vector<int32_t>> out;
    for (size_t i = 0; i < ps.size(); ++i) out.push_back(got[std::to_string(i)]);
    return out;
  }

  static std::string path_;
};

std::string PipelineTest::path_;

TEST_F(PipelineTest, SixteenRequestsTogetherGiveTheirTokensAlone) {
  auto engine = open(16);
  ASSERT_NE(engine, nullptr);
  const auto ps = prompts(16);
  const auto want = alone(*engine, ps, 12);
  for (bool in_flight : {true, false}) {
    SCOPED_TRACE(in_flight ? "in-flight batching" : "separate prefill and decode steps");
    PipelineConfig config;
    config.max_batch_size = 16;
    config.target_num_new_tokens = 48;  // prompts span several chunks
    config.enable_in_flight_batching = in_flight;
    config.max_num_steps = 4;
    auto pipeline = TextGenerationPipeline::create(*engine, config);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
    EXPECT_EQ(together(**pipeline, ps, 12), want);
    const PipelineStats& stats = (*pipeline)->stats();
    int64_t prompt_tokens = 0;
    for (const auto& p : ps) prompt_tokens += static_cast<int64_t>(p.size());
    EXPECT_EQ(stats.prefill_tokens, prompt_tokens);
    EXPECT_EQ(stats.decode_tokens, 16 * 11);  // the first token of each comes from its prefill
    // Batched: far fewer steps than tokens.
    EXPECT_LT(stats.steps, (prompt_tokens + 16 * 11) / 8);
    EXPECT_EQ(stats.preemptions, 0);
  }
}

TEST_F(PipelineTest, SeededSamplingGivesEveryRequestItsTokensAlone) {
  // Sampled requests (each filter, seeded) draw their tokens where the logits are, with the
  // uniforms their own samplers draw: the same tokens as each generating alone on the host. A
  // request with a penalty in the batch sends the steps it shares back to host sampling.
  auto engine = open(8);
  ASSERT_NE(engine, nullptr);
  const auto ps = prompts(6);
  std::vector<sampling::SamplingParams> params(6, greedy(10));
  for (size_t i = 0; i < params.size(); ++i) {
    params[i].temperature = 0.9f;
    params[i].seed = 1000 + i;
  }
  params[1].top_k = 20;
  params[2].top_p = 0.8f;
  params[3].min_p = 0.1f;
  params[4].top_k = 50;  // all of them
  params[4].top_p = 0.9f;
  params[4].min_p = 0.05f;
  params[4].temperature = 1.2f;
  for (bool with_penalty : {false, true}) {
    SCOPED_TRACE(with_penalty ? "a penalized request among them" : "all sampled anywhere");
    if (with_penalty) params[5].repetition_penalty = 1.3f;
    std::vector<std::vector<int32_t>> want;
    for (size_t i = 0; i < ps.size(); ++i) {
      Conversation conversation(*engine);
      auto g = conversation.generate(ps[i], params[i], nullptr);
      ASSERT_TRUE(g.ok()) << g.status().message();
      want.push_back(g->tokens);
    }
    PipelineConfig config;
    config.max_batch_size = 8;
    config.enable_in_flight_batching = true;
    auto pipeline = TextGenerationPipeline::create(*engine, config);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
    const auto got = together(**pipeline, ps, params);
    for (size_t i = 0; i < ps.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
    const int64_t by_executor = (*pipeline)->stats().sampled_by_executor;
    if (with_penalty)
      EXPECT_LE(by_executor, 5 * 10);  // request 5's own tokens at least came from the host
    else
      EXPECT_EQ(by_executor, 6 * 10);
  }
}

TEST_F(PipelineTest, RequestsBeyondTheCachePagesAllFinishWithTheirTokens) {
  auto engine = open(2);  // 8 pages of 128 tokens
  ASSERT_NE(engine, nullptr);
  // Six different prompts of 245 to 250 tokens (the golden prompts joined from a new start), so
  // each request needs a third page while it decodes: the earlier ones take pages back from
  // later ones.
  const auto base = prompts(10);
  std::vector<std::vector<int32_t>> ps(6);
  for (size_t k = 0; k < ps.size(); ++k) {
    for (size_t j = 0; ps[k].size() < 245 + k; ++j)
      ps[k].insert(ps[k].end(), base[(k + j) % base.size()].begin(),
                   base[(k + j) % base.size()].end());
    ps[k].resize(245 + k);
  }
  const auto want = alone(*engine, ps, 20);
  PipelineConfig config;
  config.max_batch_size = 6;
  config.enable_in_flight_batching = true;
  auto pipeline = TextGenerationPipeline::create(*engine, config);
  ASSERT_TRUE(pipeline.ok());
  EXPECT_EQ(together(**pipeline, ps, 20), want);
  EXPECT_GT((*pipeline)->stats().preemptions, 0);
  EXPECT_EQ(engine->executor().cache().free_pages(), engine->executor().cache().shape().pages);
}

// Without chunked prefill a prompt that does not fit what is left of a step waits for a later one,
// so shorter, later requests may decode before it; with few pages and in-flight batching every
// request still gets the tokens it gets alone.
TEST_F(PipelineTest, WholePromptPrefillWithFewPagesKeepsEveryRequestsTokens) {
  auto engine = open(2);  // 8 pages of 128 tokens
  ASSERT_NE(engine, nullptr);
  const auto base = prompts(10);
  std::vector<std::vector<int32_t>> ps(4);
  for (size_t k = 0; k < ps.size(); ++k) {
    const size_t length = k == 0 ? 400 : k == 2 ? 300 : 40;  // long, short, long, short
    for (size_t j = 0; ps[k].size() < length; ++j)
      ps[k].insert(ps[k].end(), base[(k + j) % base.size()].begin(),
                   base[(k + j) % base.size()].end());
    ps[k].resize(length);
  }
  const auto want = alone(*engine, ps, 16);
  PipelineConfig config;
  config.max_batch_size = 4;
  config.enable_chunked_prefill = false;
  config.enable_in_flight_batching = true;
  config.target_num_new_tokens = 420;
  auto pipeline = TextGenerationPipeline::create(*engine, config);
  ASSERT_TRUE(pipeline.ok());
  EXPECT_EQ(together(**pipeline, ps, 16), want);
}

TEST_F(PipelineTest, APrefixSharedWithAnEarlierRequestIsNotComputedAgain) {
  auto engine = open(2);
  ASSERT_NE(engine, nullptr);
  // Two requests sharing their first 400 tokens: 3 full pages of 128 come from the cache.
  const auto base = prompts(10);
  std::vector<int32_t> prefix;
  for (size_t j = 0; prefix.size() < 400; ++j)
    prefix.insert(prefix.end(), base[j % base.size()].begin(), base[j % base.size()].end());
  prefix.resize(400);
  std::vector<int32_t> first = prefix, second = prefix;
  first.insert(first.end(), base[1].begin(), base[1].end());
  second.insert(second.end(), base[2].begin(), base[2].end());
  const auto want = alone(*engine, {first, second}, 8);
  PipelineConfig config;
  config.enable_prefix_caching = true;
  auto pipeline = TextGenerationPipeline::create(*engine, config);
  ASSERT_TRUE(pipeline.ok());
  EXPECT_EQ(together(**pipeline, {first}, 8), std::vector<std::vector<int32_t>>{want[0]});
  const PipelineStats before = (*pipeline)->stats();
  EXPECT_EQ(before.prefill_tokens, static_cast<int64_t>(first.size()));
  EXPECT_EQ(together(**pipeline, {second}, 8), std::vector<std::vector<int32_t>>{want[1]});
  const PipelineStats& after = (*pipeline)->stats();
  EXPECT_EQ(after.prefix_hit_tokens, 384);
  EXPECT_EQ(after.prefill_tokens - before.prefill_tokens,
            static_cast<int64_t>(second.size()) - 384);
  EXPECT_GT(engine->executor().cache().cached_pages(), 0);
}

// MAX's model layer on its own: initial inputs for two prompts, then next-token inputs for five
// greedy steps, give each prompt's tokens alone.
TEST_F(PipelineTest, PipelineModelDecodesFromInitialThenNextTokenInputs) {
  auto engine = open(2);
  ASSERT_NE(engine, nullptr);
  const auto ps = prompts(2);
  const auto want = alone(*engine, ps, 6);
  PipelineModel model(engine->executor());
  device::KvSequence sequences[2];
  std::vector<ChunkInput> first;
  for (size_t i = 0; i < 2; ++i) first.push_back({&sequences[i], ps[i], true, {}});
  ModelInputs inputs = model.prepare_initial_token_inputs(std::move(first));
  const size_t vocab = static_cast<size_t>(engine->executor().vocab_size());
  std::vector<std::vector<int32_t>> got(2);
  std::vector<int32_t> next(2);
  for (int step = 0; step < 6; ++step) {
    auto outputs = model.execute(inputs);
    ASSERT_TRUE(outputs.ok()) << outputs.status().message();
    ASSERT_EQ(outputs->next_token_logits.size(), 2 * vocab);
    EXPECT_TRUE(outputs->logits.empty());
    for (size_t i = 0; i < 2; ++i) {
      const float* row = outputs->next_token_logits.data() + i * vocab;
      next[i] = static_cast<int32_t>(std::max_element(row, row + vocab) - row);
      got[i].push_back(next[i]);
    }
    inputs = model.prepare_next_token_inputs(next, inputs);
    ASSERT_EQ(inputs.chunks.size(), 2u);
  }
  EXPECT_EQ(got, want);
  for (auto& sequence : sequences) engine->executor().cache().release(sequence);
}

// With max_sequences 0 the KV cache takes the artifact's device_memory_utilization of the free
// memory, less the weights and the arena, and always holds one full context.
TEST_F(PipelineTest, KvPagesFollowDeviceMemoryUtilization) {
  auto engine = open(1);
  ASSERT_NE(engine, nullptr);
  const artifact::Artifact& artifact = engine->artifact();
  device::ExecutorOptions options;
  options.max_sequences = 0;
  const int64_t layers = 30, row = 192;  // SmolLM2: 3 KV heads of 64
  const uint64_t page_bytes = static_cast<uint64_t>(layers * 2 * 128 * row) * 4;
  const double utilization = artifact.model().config()->device_memory_utilization();
  ASSERT_GT(utilization, 0.0);
  const uint64_t taken = artifact.segment().size() + artifact.model().plan()->arena_bytes();
  const uint64_t available = 4ull << 30;
  const auto shape =
      device::kv_cache_shape(artifact, options, layers, row, 512, cpu::KvDType::kF32, available);
  EXPECT_EQ(shape.pages,
            static_cast<int64_t>((available * utilization - static_cast<double>(taken)) /
                                 static_cast<double>(page_bytes)));
  EXPECT_GT(shape.pages, 100);
  // Too little memory still gives one context; an explicit count ignores the memory.
  EXPECT_EQ(device::kv_cache_shape(artifact, options, layers, row, 512, cpu::KvDType::kF32, 1 << 20)
                .pages,
            4);
  options.max_sequences = 3;
  EXPECT_EQ(
      device::kv_cache_shape(artifact, options, layers, row, 512, cpu::KvDType::kF32, available)
          .pages,
      12);
}

TEST_F(PipelineTest, BadRequestsAreRefusedAndTheOthersGoOn) {
  auto engine = open(2);
  ASSERT_NE(engine, nullptr);
  PipelineConfig config;
  config.max_batch_size = 4;
  auto pipeline = TextGenerationPipeline::create(*engine, config);
  ASSERT_TRUE(pipeline.ok());
  Scheduler scheduler(**pipeline);
  const std::vector<int32_t> prompt = prompts(1)[0];
  sampling::SamplingParams top_p = greedy(4), temperature = greedy(4);
  top_p.top_p = 1.5f;
  temperature.temperature = -1.0f;
  const auto refused = [&](TextRequest r, const std::string& words) {
    const Status s = scheduler.submit(std::move(r));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(words), std::string::npos) << s.message();
  };
  refused({"empty", {}, greedy(4)}, "request 'empty': the prompt is empty");
  refused({"long", std::vector<int32_t>(512, 42), greedy(4)}, "leaves no room");
  refused({"top_p", prompt, top_p}, "top_p");
  refused({"temperature", prompt, temperature}, "temperature");
  refused({"echo", prompt, greedy(4), /*echo=*/true}, "enable_echo");
  ASSERT_TRUE(scheduler.submit({"good", prompt, greedy(4)}).ok());
  int64_t tokens = 0;
  while (!scheduler.idle()) {
    auto responses = scheduler.run_once();
    ASSERT_TRUE(responses.ok()) << responses.status().message();
    for (auto& [id, r] : *responses) tokens += static_cast<int64_t>(r.tokens.size());
  }
  EXPECT_EQ(tokens, 4);
}

TEST_F(PipelineTest, AConversationStopsForLengthOrForTheContext) {
  std::unique_ptr<Engine> engine = open(1);
  ASSERT_TRUE(engine);
  std::vector<int32_t> prompt;  // 500 of the 512 positions
  while (prompt.size() < 500)
    for (const auto& p : prompts(10)) prompt.insert(prompt.end(), p.begin(), p.end());
  prompt.resize(500);
  struct Case {
    std::optional<int32_t> max_new_tokens;
    size_t tokens;
    FinishReason finish;
  };
  for (const Case& c : {Case{0, 0, FinishReason::kLength}, Case{5, 5, FinishReason::kLength},
                        Case{12, 12, FinishReason::kLength}, Case{100, 12, FinishReason::kContext},
                        Case{std::nullopt, 12, FinishReason::kContext}}) {
    SCOPED_TRACE(c.max_new_tokens ? std::to_string(*c.max_new_tokens) : "unset");
    sampling::SamplingParams params = greedy(0);
    params.max_new_tokens = c.max_new_tokens;
    Conversation conversation(*engine);
    auto g = conversation.generate(prompt, params, nullptr);
    ASSERT_TRUE(g.ok()) << g.status().message();
    EXPECT_EQ(g->tokens.size(), c.tokens);
    EXPECT_EQ(g->finish, c.finish);
  }
}

TEST_F(PipelineTest, EchoAndLogprobsAgreeWithAForwardPass) {
  auto engine = open(2);
  ASSERT_NE(engine, nullptr);
  PipelineConfig config;
  config.enable_echo = true;
  config.target_num_new_tokens = 16;  // the prompt's log probabilities come over several steps
  auto pipeline = TextGenerationPipeline::create(*engine, config);
  ASSERT_TRUE(pipeline.ok());
  const std::vector<int32_t> prompt = prompts(12)[11];
  auto context = (*pipeline)->new_context({"e", prompt, greedy(3), true, 5});
  ASSERT_TRUE(context.ok()) << context.status().message();
  std::vector<TokenOutput> echo, generated;
  TextContext* batch[] = {context->get()};
  while (!(*context)->done()) {
    auto responses = (*pipeline)->next_token(batch);
    ASSERT_TRUE(responses.ok()) << responses.status().message();
    auto& r = (*responses)["e"];
    echo.insert(echo.end(), r.echo.begin(), r.echo.end());
    generated.insert(generated.end(), r.tokens.begin(), r.tokens.end());
  }
  (*pipeline)->release(**context);
  ASSERT_EQ(echo.size(), prompt.size());
  ASSERT_EQ(generated.size(), 3u);

  // The forward pass: logits at every position of the prompt and the generated tokens.
  std::vector<int32_t> all = prompt;
  for (size_t i = 0; i + 1 < generated.size(); ++i) all.push_back(generated[i].id);
  std::vector<int32_t> rows(all.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int32_t>(i);
  Conversation conversation(*engine);
  auto logits = conversation.evaluate(all, rows);
  ASSERT_TRUE(logits.ok()) << logits.status().message();
  const size_t vocab = static_cast<size_t>(engine->executor().vocab_size());
  const auto logprob = [&](size_t position, int32_t id) {
    const float* row = logits->data() + position * vocab;
    double top = row[0], sum = 0.0;
    for (size_t v = 0; v < vocab; ++v) top = std::max(top, double(row[v]));
    for (size_t v = 0; v < vocab; ++v) sum += std::exp(double(row[v]) - top);
    return double(row[id]) - top - std::log(sum);
  };
  for (size_t i = 0; i < prompt.size(); ++i) {
    EXPECT_EQ(echo[i].id, prompt[i]);
    if (i == 0) continue;
    EXPECT_NEAR(echo[i].logprob, logprob(i - 1, prompt[i]), 1e-4) << i;
    ASSERT_EQ(echo[i].top.size(), 5u);
    EXPECT_NEAR(echo[i].top[0].second, logprob(i - 1, echo[i].top[0].first), 1e-4);
    EXPECT_GE(echo[i].top[0].second, echo[i].top[4].second);
  }
  for (size_t g = 0; g < generated.size(); ++g) {
    const size_t position = prompt.size() - 1 + g;
    EXPECT_NEAR(generated[g].logprob, logprob(position, generated[g].id), 1e-4);
    EXPECT_EQ(generated[g].top[0].first, generated[g].id);  // greedy takes the most probable
  }
}

}  // namespace
}  // namespace ingot::pipeline
