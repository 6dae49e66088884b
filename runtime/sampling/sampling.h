// MAX's SamplingParams (max.interfaces.SamplingParams: same field names and defaults) and a
// Sampler that turns one row of logits into a token id.
//
// Sampler::sample applies llama.cpp's common sampler chain, in this order:
//   1. penalties over the counts of previous_tokens (in place on `logits`):
//        repetition: logit /= repetition_penalty if logit > 0, else logit *= repetition_penalty;
//        then logit -= frequency_penalty * count + presence_penalty * (count > 0).
//   2. top_k   : keep the k largest logits (top_k == -1 keeps all).
//   3. top_p   : keep the smallest prefix (by descending probability) whose mass reaches top_p.
//   4. min_p   : keep tokens with p >= min_p * p_max.
//   5. temperature: divide the kept logits by temperature (0: greedy argmax, lowest id on ties).
//   6. draw from the softmax of what is left with a per-request std::mt19937_64.
// Steps 3 and 4 use probabilities at temperature 1, as llama.cpp does.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "runtime/base/status.h"

namespace ingot::sampling {

/// Request-specific sampling parameters (MAX's SamplingParams).
struct SamplingParams {
  int32_t top_k = -1;                     ///< K most probable tokens; -1 samples all, 1 is greedy.
  float top_p = 1.0f;                     ///< Nucleus mass in (0, 1]; 1 disables.
  float min_p = 0.0f;                     ///< Minimum probability relative to the max, in [0, 1].
  float temperature = 1.0f;               ///< >= 0; 0 is greedy.
  float frequency_penalty = 0.0f;         ///< Subtracted once per previous occurrence.
  float presence_penalty = 0.0f;          ///< Subtracted once if the token occurred at all.
  float repetition_penalty = 1.0f;        ///< > 0; 1 disables (llama.cpp's penalty_repeat).
  std::optional<int32_t> max_new_tokens;  ///< None: up to the model's max length.
  int32_t min_new_tokens = 0;             ///< Tokens to generate before EOS/stop may end it.
  bool ignore_eos = false;                ///< Keep generating past the EOS token.
  std::vector<std::string> stop;          ///< Stop strings.
  std::vector<int32_t> stop_token_ids;    ///< Extra stop token ids.
  bool detokenize = true;                 ///< Whether outputs are turned back into text.
  std::optional<uint64_t> seed;           ///< None: a fresh seed from std::random_device.

  /// Checks every field's range; the error is one line that names the field.
  Status validate() const;
};

/// Samples token ids for one request; holds the request's RNG.
class Sampler {
 public:
  /// Builds a sampler; `params` should have passed validate() (see create()).
  explicit Sampler(const SamplingParams& params);

  /// Validates `params`, then builds a sampler.
  static Result<Sampler> create(const SamplingParams& params);

  /// Picks a token id from `logits` (penalties are applied in place); -1 if empty.
  int32_t sample(std::span<float> logits, std::span<const int32_t> previous_tokens);

  /// The uniform sample() would draw next (drawing it): 0 without drawing for greedy settings.
  /// With it, sample_with_uniform picks what sample() would, wherever the logits are.
  double next_uniform();

  /// The parameters this sampler applies.
  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  std::mt19937_64 rng_;
};

/// One row's steps 2 to 6 as a value, with the draw's uniform: what a device that samples where
/// the logits are takes (penalties, if any, stay with the caller, who samples on the host).
struct RowSampling {
  int32_t top_k = -1;
  float top_p = 1.0f;
  float min_p = 0.0f;
  float temperature = 1.0f;
  double uniform = 0.0;  ///< the draw's uniform, in [0, 1)
};

/// `params`' steps 2 to 6 with `uniform`.
RowSampling row_sampling(const SamplingParams& params, double uniform);

/// sample_with_uniform with a RowSampling's settings and uniform.
int32_t sample_row(std::span<const float> logits, const RowSampling& row);

/// The index of the largest logit, the lowest on ties (std::max_element's answer, vectorized);
/// `logits` must not be empty.
int32_t argmax(std::span<const float> logits);

/// Steps 2 to 6 on logits that already carry the penalties, with `u` in [0, 1) as the draw's
/// uniform (unused when greedy); -1 if empty. Sampler::sample is apply_penalties then this; the
/// GPU's sampling kernel gives the same ids.
int32_t sample_with_uniform(std::span<const float> logits, const SamplingParams& params, double u);

/// Applies the repetition, frequency and presence penalties in place (step 1 above).
void apply_penalties(std::span<float> logits, std::span<const int32_t> previous_tokens,
                     const SamplingParams& params);

}  // namespace ingot::sampling
