// Engine: an opened artifact with its tokenizer, chat format and executor (CPU or CUDA).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/base/status.h"
#include "runtime/device/executor.h"
#include "runtime/generate/token_picker.h"
#include "runtime/sampling/sampling.h"
#include "runtime/tokenizer/bpe_tokenizer.h"

namespace ingot::generate {

/// Wall-clock times of one generate() call, in milliseconds.
struct GenerationTimings {
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
  double prefill_ms = 0;   ///< all prompt steps, up to the first token's logits
  double first_token_ms = 0;  ///< from the call to the first sampled token
  double decode_ms = 0;    ///< every step after the first token
};

/// What one generate() call produced.
struct Generation {
  std::vector<int32_t> tokens;  ///< sampled ids (the stop token included when one ended it)
  std::string text;             ///< detokenized, cut before a stop string
  FinishReason finish = FinishReason::kLength;
  GenerationTimings timings;
};

/// Called with each piece of final text as it is generated; return false to stop.
using TextCallback = std::function<bool(std::string_view)>;

/// A loaded model: artifact, tokenizer and executor; owns one KV sequence per Conversation.
class Engine {
 public:
  /// Opens and verifies the artifact at `path` and binds its plan. Dummy weights are made on the
  /// device that runs them (in host memory for the CPU).
  static Result<std::unique_ptr<Engine>> open(const std::string& path,
                                              const device::ExecutorOptions& options,
                                              const artifact::LoadOptions& load = {});

  const artifact::Artifact& artifact() const { return artifact_; }
  /// Whether the artifact has a tokenizer (dummy-weight artifacts may not: they run on ids).
  bool has_tokenizer() const { return tokenizer_ != nullptr; }
  /// The tokenizer; only when has_tokenizer().
  const tokenizer::BpeTokenizer& tokenizer() const { return *tokenizer_; }
  /// An error naming the artifact when it has no tokenizer, for callers that need text.
  Status require_tokenizer() const;
  /// The tokenizer, or null when the artifact has none.
  const tokenizer::BpeTokenizer* tokenizer_or_null() const { return tokenizer_.get(); }
  device::Executor& executor() { return *executor_; }
  /// The artifact's template text ("" when it has none).
  std::string chat_template() const;
  /// MAX's sampling defaults from the artifact's generation_defaults.
  sampling::SamplingParams default_sampling() const;
  /// Time to open, verify and bind, in milliseconds.
  double load_ms() const { return load_ms_; }

 private:
  Engine(artifact::Artifact artifact) : artifact_(std::move(artifact)) {}
  artifact::Artifact artifact_;
  std::unique_ptr<tokenizer::BpeTokenizer> tokenizer_;
  std::unique_ptr<device::Executor> executor_;
  double load_ms_ = 0;
};

/// One sequence in the engine's KV cache: the tokens so far, kept between generate() calls so a
/// chat continues without recomputing its history.
class Conversation {
 public:
  explicit Conversation(Engine& engine) : engine_(engine) {}
  ~Conversation();
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  /// Appends `prompt` to the sequence, then samples until a stop condition, streaming text to
  /// `on_text`. `cancel`, when set, is polled between steps. Errors: an empty prompt or one that
  /// does not fit the context (kInvalidArgument), a failed step.
  Result<Generation> generate(std::span<const int32_t> prompt,
                              const sampling::SamplingParams& params, const TextCallback& on_text,
                              const std::atomic<bool>* cancel = nullptr);

  /// Runs `tokens` through the model (no sampling), after the last generate's final sampled
  /// token, and returns the logits of the rows asked for: rows.size() * vocab floats, rows being
  /// indices into `tokens`. For scoring (perplexity) and for closing a chat turn cut short.
  Result<std::vector<float>> evaluate(std::span<const int32_t> tokens,
                                      std::span<const int32_t> rows);

  /// OK when `prompt_tokens` more tokens leave the context room for one generated token; else
  /// the one-line error generate gives, before it changes anything.
  Status fits(size_t prompt_tokens) const;

  /// Every token in the sequence: prompts and generated tokens, in order.
  const std::vector<int32_t>& history() const { return history_; }
  /// Forgets the history and returns the sequence's pages to the cache.
  void reset();

 private:
  /// Runs `tokens` in steps of at most max_tokens, writing the logits of `rows` (ascending
  /// indices into `tokens`) to `logits`, rows.size() * vocab floats; polls `cancel` per step.
  Status run_chunks(std::span<const int32_t> tokens, std::span<const int32_t> rows, float* logits,
                    const std::atomic<bool>* cancel);
  /// OK when `tokens` more tokens and `reserved` after them fit the context; else an error
  /// naming `what` and the count with the history.
  Status room_for(size_t tokens, size_t reserved, std::string_view what) const;

  Engine& engine_;
  device::KvSequence sequence_;
  std::vector<int32_t> history_;
};

}  // namespace ingot::generate
