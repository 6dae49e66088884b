// TextGenerationPipeline: scheduling one step's chunks, making room in the KV cache, running
// them as one batched executor step, and sampling where a chunk reaches a request's last token.
#include "runtime/pipeline/text_generation_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace ingot::pipeline {
namespace {

TokenOutput token_output(int32_t id, const std::optional<LogProbabilities>& lp) {
  if (!lp) return {id, 0.0f, {}};
  return {id, lp->token_logprob, lp->top};
}

}  // namespace

TextGenerationPipeline::TextGenerationPipeline(generate::Engine& engine,
                                               const PipelineConfig& config)
    : engine_(engine), config_(config), model_(engine.executor()) {}

Result<std::unique_ptr<TextGenerationPipeline>> TextGenerationPipeline::create(
    generate::Engine& engine, const PipelineConfig& config) {
  INGOT_RETURN_IF_ERROR(config.validate());
  std::unique_ptr<TextGenerationPipeline> pipeline(new TextGenerationPipeline(engine, config));
  const int64_t max_tokens = engine.executor().max_tokens();
  pipeline->target_tokens_ =
      std::min(config.target_num_new_tokens.value_or(max_tokens), max_tokens);
  if (config.enable_prefix_caching) engine.executor().cache().enable_prefix_caching();
  return pipeline;
}

Result<std::unique_ptr<TextContext>> TextGenerationPipeline::new_context(
    TextRequest request) const {
  const auto refuse = [&](const std::string& problem) {
    return make_error(StatusCode::kInvalidArgument,
                      "request '" + request.request_id + "': " + problem);
  };
  device::Executor& executor = engine_.executor();
  const int64_t prompt = static_cast<int64_t>(request.prompt.size());
  if (prompt == 0) return refuse("the prompt is empty");
  if (prompt >= executor.max_context())
    return refuse("the prompt (" + std::to_string(prompt) +
                  " tokens) leaves no room to generate within max_length " +
                  std::to_string(executor.max_context()));
  for (int32_t id : request.prompt)
    if (id < 0 || id >= executor.vocab_size())
      return refuse("token id " + std::to_string(id) + " is outside the vocabulary");
  if (request.echo && !config_.enable_echo) return refuse("echo needs enable_echo");
  if (request.logprobs < 0) return refuse("logprobs must be >= 0");
  auto picker = generate::TokenPicker::create(engine_.tokenizer_or_null(), request.sampling);
  if (!picker.ok()) return refuse(picker.status().message());
  const int64_t room = executor.max_context() - prompt;
  const int64_t max_new = request.sampling.max_new_tokens
                              ? std::min<int64_t>(*request.sampling.max_new_tokens, room)
                              : room;
  std::unique_ptr<TextContext> context(
      new TextContext(std::move(request), std::move(*picker), max_new));
  context->admitted_ = ++admissions_;
  return context;
}

std::vector<std::pair<TextContext*, int64_t>> TextGenerationPipeline::schedule(
    std::span<TextContext* const> batch) const {
  std::vector<TextContext*> decoding, encoding;
  for (TextContext* c : batch) {
    if (c->done()) continue;
    (c->pending() == 1 ? decoding : encoding).push_back(c);
  }
  const auto by_admission = [](const TextContext* a, const TextContext* b) {
    return a->admitted_ < b->admitted_;
  };
  std::sort(decoding.begin(), decoding.end(), by_admission);
  std::sort(encoding.begin(), encoding.end(), by_admission);
  const int64_t max_tokens = engine_.executor().max_tokens();
  int64_t budget = target_tokens_;
  std::vector<std::pair<TextContext*, int64_t>> chunks;
  const auto add_decoders = [&] {
    for (TextContext* c : decoding) {
      if (budget == 0) break;
      chunks.emplace_back(c, 1);
      --budget;
    }
  };
  const auto add_encoders = [&] {
    const int64_t most = std::min(config_.max_ce_batch_size, config_.max_batch_size);
    int64_t taken = 0;
    for (TextContext* c : encoding) {
      if (budget == 0 || taken == most) break;
      int64_t n = std::min(c->pending(), budget);
      // Without chunked prefill a prompt goes in whole when it fits; one longer than a step
      // must be split anyway, so it may take a step of its own.
      if (!config_.enable_chunked_prefill && n < c->pending()) {
        if (!chunks.empty()) continue;
        n = std::min(c->pending(), max_tokens);
      }
      chunks.emplace_back(c, n);
      budget -= std::min(budget, n);
      ++taken;
    }
  };
  if (config_.enable_in_flight_batching) {
    add_decoders();
    add_encoders();
  } else if (!encoding.empty()) {
    add_encoders();
  } else {
    add_decoders();
  }
  return chunks;
}

bool TextGenerationPipeline::preempt(std::span<TextContext* const> batch, const TextContext* keep,
                                     std::span<const std::pair<TextContext*, int64_t>> ready) {
  const auto is_ready = [&](const TextContext* c) {
    return std::any_of(ready.begin(), ready.end(), [&](const auto& r) { return r.first == c; });
  };
  TextContext* victim = nullptr;
  for (TextContext* c : batch)
    if (c != keep && c->admitted_ > keep->admitted_ && !c->sequence_.pages.empty() &&
        !is_ready(c) && (!victim || c->admitted_ > victim->admitted_))
      victim = c;
  if (!victim) return false;
  engine_.executor().cache().release(victim->sequence_);
  ++stats_.preemptions;
  return true;
}

void TextGenerationPipeline::emit(TextContext& c, std::span<float> row, TextResponse& response) {
  const int32_t top_n = c.request_.logprobs;
  std::vector<float> raw;
  if (top_n > 0) raw.assign(row.begin(), row.end());  // the model's own distribution
  const generate::Pick pick = c.picker_.pick(row, c.tokens_);
  record(c, pick, model_.compute_log_probabilities(raw, {&pick.id, 1}, top_n)[0], response);
}

void TextGenerationPipeline::record(TextContext& c, const generate::Pick& pick,
                                    const std::optional<LogProbabilities>& logprob,
                                    TextResponse& response) {
  response.tokens.push_back(token_output(pick.id, logprob));
  c.tokens_.push_back(pick.id);
  response.text += pick.text;
  if (pick.finish)
    c.finish_ = pick.finish;
  else if (c.generated() >= c.max_new_)
    c.finish_ = c.generated() < c.request_.sampling.max_new_tokens.value_or(
                                    std::numeric_limits<int64_t>::max())
                    ? FinishReason::kContext
                    : FinishReason::kLength;
  if (c.finish_ && *c.finish_ != FinishReason::kStopString) {
    const generate::Pick rest = c.picker_.finish();
    response.text += rest.text;
    if (rest.finish) c.finish_ = rest.finish;
  }
  if (c.finish_) response.finish = c.finish_;
}

Status TextGenerationPipeline::step(std::span<TextContext* const> batch,
                                    std::map<std::string, TextResponse>& out) {
  device::Executor& executor = engine_.executor();
  device::PagedKvCache& cache = executor.cache();
  // A request starting from an empty cache takes what the prefix cache has of its tokens (not
  // one that echoes log probabilities: those need every prompt position computed).
  for (TextContext* c : batch)
    if (!c->done() && c->sequence_.pages.empty() && !(c->request_.echo && c->request_.logprobs > 0))
      stats_.prefix_hit_tokens += cache.match_prefix(c->sequence_, c->tokens_);
  // Room in the cache, earliest admitted first; a later one may be preempted for it.
  std::vector<std::pair<TextContext*, int64_t>> ready;
  for (auto [c, n] : schedule(batch)) {
    bool fits = cache.reserve(c->sequence_, c->sequence_.length + n).ok();
    while (!fits && preempt(batch, c, ready))
      fits = cache.reserve(c->sequence_, c->sequence_.length + n).ok();
    if (fits) ready.emplace_back(c, n);
  }
  if (ready.empty())
    return make_error(StatusCode::kResourceExhausted,
                      "pipeline: the KV cache has no room for any request in the batch");

  // Each chunk returns the logits of its last token when it reaches the request's end, and for
  // echo with logprobs those of its prompt positions (each predicts the next prompt token).
  std::vector<ChunkInput> chunks;
  for (auto [c, n] : ready) {
    const int64_t first = c->sequence_.length;
    ChunkInput chunk{&c->sequence_,
                     std::span<const int32_t>(c->tokens_)
                         .subspan(static_cast<size_t>(first), static_cast<size_t>(n)),
                     first + n == static_cast<int64_t>(c->tokens_.size()),
                     {}};
    if (c->request_.echo && c->request_.logprobs > 0)
      for (int64_t p = first; p < std::min(first + n, c->prompt_length() - 1); ++p)
        chunk.echo_rows.push_back(static_cast<int32_t>(p - first));
    chunks.push_back(std::move(chunk));
    (c->pending() == 1 ? stats_.decode_tokens : stats_.prefill_tokens) += n;
  }
  const bool decode_only = std::all_of(ready.begin(), ready.end(), [](const auto& chunk) {
    return chunk.second == 1 && chunk.first->pending() == 1;
  });
  // Where every next token may be sampled from its settings alone (no echo, log probabilities,
  // penalties or min_new_tokens masking), the executor samples where the logits are: a GPU
  // copies back ids, not rows of logits.
  const bool sample_on_device =
      std::all_of(chunks.begin(), chunks.end(), [](const ChunkInput& c) {
        return c.echo_rows.empty();
      }) &&
      std::all_of(ready.begin(), ready.end(), [](const auto& r) {
        const TextContext& c = *r.first;
        return c.request_.logprobs <= 0 && c.picker_.samples_anywhere();
      });
  std::vector<sampling::RowSampling> sampling;
  for (size_t i = 0; sample_on_device && i < ready.size(); ++i) {
    if (!chunks[i].next_token) continue;
    generate::TokenPicker& picker = ready[i].first->picker_;
    sampling.push_back(sampling::row_sampling(picker.params(), picker.next_uniform()));
  }
  const auto start = std::chrono::steady_clock::now();
  const ModelInputs inputs = model_.prepare_initial_token_inputs(std::move(chunks));
  ModelOutputs outputs;
  std::vector<int32_t> sampled;
  if (sample_on_device) {
    INGOT_ASSIGN_OR_RETURN(sampled, model_.execute_and_sample(inputs, sampling));
    stats_.sampled_by_executor += static_cast<int64_t>(sampled.size());
  } else {
    INGOT_ASSIGN_OR_RETURN(outputs, model_.execute(inputs));
  }
  ++stats_.steps;
  if (decode_only) {
    ++stats_.decode_only_steps;
    for (const auto& r : ready) stats_.decode_only_positions += r.first->sequence_.length;
    stats_.decode_only_tokens += static_cast<int64_t>(ready.size());
    stats_.decode_only_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  for (auto [c, n] : ready) cache.commit_prefix(c->sequence_, c->tokens_);

  const size_t vocab = static_cast<size_t>(executor.vocab_size());
  size_t echo_row = 0, next_row = 0;
  for (size_t i = 0; i < ready.size(); ++i) {
    TextContext& c = *ready[i].first;
    TextResponse& response = out[c.request_id()];
    const int64_t first = c.sequence_.length - ready[i].second;  // before this step
    if (c.request_.echo && c.echoed_ == 0) {
      response.echo.push_back({c.tokens_[0], 0.0f, {}});  // the first token has no context
      c.echoed_ = 1;
      if (c.request_.logprobs <= 0)
        for (; c.echoed_ < c.prompt_length(); ++c.echoed_)
          response.echo.push_back({c.tokens_[static_cast<size_t>(c.echoed_)], 0.0f, {}});
    }
    for (int32_t r : inputs.chunks[i].echo_rows) {
      const std::span<const float> logits(outputs.logits.data() + echo_row++ * vocab, vocab);
      if (first + r + 1 != c.echoed_) continue;  // not again when a preempted request recomputes
      const int32_t next = c.tokens_[static_cast<size_t>(c.echoed_++)];
      response.echo.push_back(token_output(
          next, model_.compute_log_probabilities(logits, {&next, 1}, c.request_.logprobs)[0]));
    }
    if (!inputs.chunks[i].next_token) continue;
    if (sample_on_device)
      record(c, c.picker_.accept(sampled[next_row++]), std::nullopt, response);
    else
      emit(c, {outputs.next_token_logits.data() + next_row++ * vocab, vocab}, response);
  }
  return Status::ok_status();
}

Result<std::map<std::string, TextResponse>> TextGenerationPipeline::next_token(
    std::span<TextContext* const> batch, int64_t num_steps) {
  if (static_cast<int64_t>(batch.size()) > config_.max_batch_size)
    return make_error(StatusCode::kInvalidArgument, "next_token: " + std::to_string(batch.size()) +
                                                        " requests exceed max_batch_size " +
                                                        std::to_string(config_.max_batch_size));
  std::map<std::string, TextResponse> out;
  for (int64_t s = 0; s < num_steps; ++s) {
    if (std::all_of(batch.begin(), batch.end(), [](const TextContext* c) { return c->done(); }))
      break;
    INGOT_RETURN_IF_ERROR(step(batch, out));
  }
  return out;
}

void TextGenerationPipeline::release(TextContext& context) {
  engine_.executor().cache().release(context.sequence_);
  if (!context.finish_) context.finish_ = FinishReason::kCancelled;
}

}  // namespace ingot::pipeline
