// The shared real-model checks against llama.cpp's goldens (see model_golden_checks.h).
#include "test/support/model_golden_checks.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include <gtest/gtest.h>

#include "runtime/generate/perplexity.h"

namespace ingot::testing {

using generate::Conversation;
using nlohmann::json;

std::vector<int32_t> ids_of(const json& array) { return array.get<std::vector<int32_t>>(); }

json load_model_golden(const std::string& dir, const std::string& name) {
  std::ifstream in(std::string(INGOT_GOLDEN_DIR) + "/" + dir + "/" + name);
  return json::parse(in);
}

int expect_greedy_choices_match(generate::Engine& engine, const json& golden) {
  int agree = 0;
  for (const json& c : golden["continuations"]) {
    SCOPED_TRACE(c["tag"].get<std::string>() + (c["chat"].get<bool>() ? " (chat)" : ""));
    const std::vector<int32_t> prompt = ids_of(c["prompt_ids"]);
    EXPECT_EQ(engine.tokenizer().encode(c["prompt"].get<std::string>(),
                                        c["add_special"].get<bool>(),
                                        c["parse_special"].get<bool>()),
              prompt);
    const std::vector<int32_t> want = ids_of(c["generated_ids"]);
    const std::vector<float> margins = c["margins"].get<std::vector<float>>();
    std::vector<int32_t> feed = prompt;
    feed.insert(feed.end(), want.begin(), want.end() - 1);
    std::vector<int32_t> rows(want.size());
    std::iota(rows.begin(), rows.end(), static_cast<int32_t>(prompt.size() - 1));
    Conversation conversation(engine);
    auto logits = conversation.evaluate(feed, rows);
    EXPECT_TRUE(logits.ok()) << logits.status().message();
    if (!logits.ok()) continue;
    const size_t vocab = static_cast<size_t>(engine.executor().vocab_size());
    for (size_t i = 0; i < want.size(); ++i) {
      const float* row = logits->data() + i * vocab;
      const int32_t ours = static_cast<int32_t>(std::max_element(row, row + vocab) - row);
      if (ours == want[i]) {
        ++agree;
        continue;
      }
      // A different choice is allowed only at a near tie: llama.cpp prefers its token by
      // margins[i], ingot prefers its own by our_gap, and the gap may move by kPairSwing.
      const float our_gap = row[ours] - row[want[i]];
      EXPECT_LT(margins[i] + our_gap, kPairSwing)
          << "step " << i << ": ingot " << ours << " by " << our_gap << ", llama.cpp " << want[i]
          << " by " << margins[i];
    }
  }
  return agree;
}

double top_logit_difference(generate::Engine& engine, const json& golden) {
  double worst = 0.0;
  for (const json& p : golden["prompts"]) {
    SCOPED_TRACE(p["tag"].get<std::string>());
    Conversation conversation(engine);
    std::vector<int32_t> feed = ids_of(p["prompt_ids"]);
    for (const json& step : p["steps"]) {
      const int32_t last = static_cast<int32_t>(feed.size() - 1);
      auto logits = conversation.evaluate(feed, std::span<const int32_t>(&last, 1));
      EXPECT_TRUE(logits.ok()) << logits.status().message();
      if (!logits.ok()) return INFINITY;
      const json& top = step["top"];
      const auto ours = std::max_element(logits->begin(), logits->end()) - logits->begin();
      const double golden_gap = top[0][1].get<double>() - top[1][1].get<double>();
      if (golden_gap >= kPairSwing) {
        EXPECT_EQ(ours, step["chosen"].get<int64_t>()) << "step " << step["step"];
      }
      for (const json& entry : top) {
        const double diff = std::fabs((*logits)[entry[0].get<size_t>()] - entry[1].get<double>());
        worst = std::max(worst, diff);
      }
      feed = {step["chosen"].get<int32_t>()};
    }
  }
  return worst;
}

std::optional<PerplexityPair> perplexity_against(generate::Engine& engine, const json& golden,
                                                 int64_t chunks) {
  std::ifstream in(golden["text_file"].get<std::string>(), std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), {});
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const std::vector<int32_t> tokens = engine.tokenizer().encode(text, true, false);
  EXPECT_EQ(static_cast<int64_t>(tokens.size()), golden["n_tokens"].get<int64_t>());
  const int64_t n_ctx = golden["n_ctx"].get<int64_t>();
  const size_t count = std::min(tokens.size(), static_cast<size_t>(chunks * n_ctx));
  auto result = generate::perplexity(engine, std::span<const int32_t>(tokens).first(count), n_ctx,
                                     golden["add_bos"].get<bool>());
  EXPECT_TRUE(result.ok()) << result.status().message();
  if (!result.ok()) return PerplexityPair{INFINITY, 0};
  return PerplexityPair{result->ppl, golden["chunks"][chunks - 1]["running_ppl"].get<double>()};
}

}  // namespace ingot::testing
