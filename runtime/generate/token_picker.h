// TokenPicker: the per-token rules of generation, shared by Conversation and the pipeline.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "runtime/base/status.h"
#include "runtime/generate/stop_strings.h"
#include "runtime/sampling/sampling.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/streaming_decoder.h"

namespace ingot::generate {

/// Why generation ended.
enum class FinishReason { kLength, kEndOfText, kStopToken, kStopString, kContext, kCancelled };

/// The reason's name: "length", "eos", "stop_token", "stop_string", "context", "cancelled".
const char* finish_reason_name(FinishReason reason);

/// One sampled token and what it did.
struct Pick {
  int32_t id = -1;
  std::string text;                   ///< final text released by this token (may be empty)
  std::optional<FinishReason> finish; ///< set when this token ends the generation
};

/// Applies SamplingParams to one generation, token by token: no end-of-text or stop id before
/// min_new_tokens, penalties over the last 64 tokens of the sequence (llama.cpp's
/// penalty_last_n), the sampler's filters and draw, then end-of-text, stop ids and stop strings
/// (the text streamed, a stop string's text held back and cut).
class TokenPicker {
 public:
  /// Validates `params`; `tokenizer` must outlive the picker. Without one (a dummy-weight
  /// artifact) picks carry no text, no id ends generation as end-of-text, and stop strings are
  /// refused.
  static Result<TokenPicker> create(const tokenizer::BpeTokenizer* tokenizer,
                                    const sampling::SamplingParams& params);

  /// Samples the next token from `logits` (changed in place) after `sequence` (prompt and
  /// generated tokens so far).
  Pick pick(std::span<float> logits, std::span<const int32_t> sequence);

  /// Whether this pick may be sampled wherever the logits are, from settings alone: no
  /// penalties, and no end-of-generation ids to mask before min_new_tokens.
  bool samples_anywhere() const;

  /// The sampler's next uniform (see Sampler::next_uniform), for sampling elsewhere.
  double next_uniform() { return sampler_.next_uniform(); }

  /// Takes a token sampled elsewhere (with next_uniform's uniform) and applies the stop rules,
  /// as pick does after its draw.
  Pick accept(int32_t id);

  /// Ends a generation that no stop string ended: releases the held-back text (which may still
  /// complete a stop string, cutting it and setting finish).
  Pick finish();

  /// Tokens picked so far.
  int64_t picked() const { return picked_; }
  const sampling::SamplingParams& params() const { return sampler_.params(); }

 private:
  TokenPicker(const tokenizer::BpeTokenizer* tokenizer, sampling::Sampler sampler);
  bool is_stop_id(int32_t id) const;
  bool is_end_of_text(int32_t id) const;

  const tokenizer::BpeTokenizer* tokenizer_;
  sampling::Sampler sampler_;
  std::optional<tokenizer::StreamingDecoder> decoder_;  ///< with a tokenizer
  StopStrings stops_;
  int64_t picked_ = 0;
  bool stopped_ = false;
};

}  // namespace ingot::generate
