// Checks of a compiled model against llama.cpp's model goldens (test/golden/model*/): greedy
// choices teacher-forced, top-20 logits and perplexity, shared by every real-model golden test.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/generate/engine.h"

namespace ingot::testing {

// SmolLM2 amplifies float rounding strongly: rounding only the KV cache to float16 moves ingot's
// own logits by up to 0.46 on a 5-token prompt, so two correct engines that sum in different
// orders differ by that much. Measured against llama.cpp: top-20 logits within 0.72; the 18 of
// 640 greedy choices that differ are all near ties, where the gap between the two tokens moved
// by less than kPairSwing from one engine to the other (llama.cpp's margin plus ingot's opposite
// gap; 0.55 at most when first measured).
inline constexpr float kPairSwing = 0.75f;      ///< how far the gap between two tokens may move
inline constexpr double kLogitTolerance = 1.0;  ///< |ingot - llama.cpp| on any golden top-20 logit

/// A golden's JSON array of token ids.
std::vector<int32_t> ids_of(const nlohmann::json& array);

/// test/golden/`dir`/`name`, parsed.
nlohmann::json load_model_golden(const std::string& dir, const std::string& name);

/// Teacher-forced over continuations.json (each prompt and its continuation in one pass): at
/// every step ingot's argmax is llama.cpp's token, except at a near tie (EXPECTs each step).
/// Returns how many steps agree exactly.
int expect_greedy_choices_match(generate::Engine& engine, const nlohmann::json& continuations);

/// Runs top_logits.json's steps: EXPECTs llama.cpp's choice wherever its top-2 gap is at least
/// kPairSwing, and returns the largest |ingot - llama.cpp| over every
/// recorded top-20 logit.
double top_logit_difference(generate::Engine& engine, const nlohmann::json& top_logits);

/// ingot's and llama.cpp's running perplexity after `chunks` chunks of perplexity.json's text
/// (llama-perplexity's method), or nullopt when the text file is absent.
struct PerplexityPair {
  double ours = 0, peer = 0;
};
std::optional<PerplexityPair> perplexity_against(generate::Engine& engine,
                                                 const nlohmann::json& perplexity, int64_t chunks);

}  // namespace ingot::testing
