// Conversation: chunked prefill, then sample-decode until a stop condition, streaming text.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "runtime/generate/engine.h"
#include "runtime/generate/stop_strings.h"
#include "runtime/tokenizer/streaming_decoder.h"

namespace ingot::generate {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

}  // namespace

Conversation::~Conversation() { reset(); }

void Conversation::reset() {
  engine_.executor().cache().release(sequence_);
  history_.clear();
}

Status Conversation::run_chunks(std::span<const int32_t> tokens, std::span<const int32_t> rows,
                                float* logits, const std::atomic<bool>* cancel) {
  device::Executor& executor = engine_.executor();
  const size_t vocab = static_cast<size_t>(executor.vocab_size());
  const size_t chunk = static_cast<size_t>(executor.max_tokens());
  size_t next_row = 0;
  std::vector<int32_t> step_rows;
  for (size_t begin = 0; begin < tokens.size(); begin += chunk) {
    if (cancelled(cancel)) return make_error(StatusCode::kCancelled, "cancelled");
    const auto part = tokens.subspan(begin, std::min(chunk, tokens.size() - begin));
    // The wanted rows that fall in this chunk, relative to its start.
    step_rows.clear();
    const size_t first_row = next_row;
    while (next_row < rows.size() && static_cast<size_t>(rows[next_row]) < begin + part.size()) {
      if (static_cast<size_t>(rows[next_row]) < begin)
        return make_error(StatusCode::kInvalidArgument, "evaluate: rows must ascend");
      step_rows.push_back(static_cast<int32_t>(rows[next_row] - begin));
      ++next_row;
    }
    INGOT_RETURN_IF_ERROR(executor.step({part, &sequence_, step_rows, logits + first_row * vocab}));
  }
  if (next_row != rows.size())
    return make_error(StatusCode::kInvalidArgument, "evaluate: a row is past the tokens");
  return Status::ok_status();
}

Result<std::vector<float>> Conversation::evaluate(std::span<const int32_t> tokens,
                                                  std::span<const int32_t> rows) {
  if (history_.size() != static_cast<size_t>(sequence_.length))
    return make_error(StatusCode::kInvalidArgument,
                      "evaluate: the conversation has a sampled token not yet evaluated");
  std::vector<float> logits(rows.size() * static_cast<size_t>(engine_.executor().vocab_size()));
  INGOT_RETURN_IF_ERROR(run_chunks(tokens, rows, logits.data(), nullptr));
  history_.insert(history_.end(), tokens.begin(), tokens.end());
  return logits;
}

Result<Generation> Conversation::generate(std::span<const int32_t> prompt,
                                          const sampling::SamplingParams& params,
                                          const TextCallback& on_text,
                                          const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  device::Executor& executor = engine_.executor();
  const tokenizer::BpeTokenizer& tok = engine_.tokenizer();
  if (prompt.empty()) return make_error(StatusCode::kInvalidArgument, "the prompt is empty");
  const int64_t context = executor.max_context();
  if (static_cast<int64_t>(history_.size() + prompt.size()) >= context)
    return make_error(StatusCode::kInvalidArgument,
                      "the prompt (" + std::to_string(history_.size() + prompt.size()) +
                          " tokens with the history) does not fit the context of " +
                          std::to_string(context) + " tokens");
  INGOT_ASSIGN_OR_RETURN(sampling::Sampler sampler, sampling::Sampler::create(params));
  const auto is_stop_id = [&](int32_t id) {
    return std::find(params.stop_token_ids.begin(), params.stop_token_ids.end(), id) !=
           params.stop_token_ids.end();
  };

  Generation out;
  out.timings.prompt_tokens = static_cast<int64_t>(prompt.size());
  history_.insert(history_.end(), prompt.begin(), prompt.end());
  // Everything not yet in the cache: the last call's final sampled token, then the prompt.
  std::vector<float> row_logits(static_cast<size_t>(executor.vocab_size()));
  const std::span<const int32_t> pending(history_.data() + sequence_.length,
                                         history_.size() - static_cast<size_t>(sequence_.length));
  const int32_t last_row = static_cast<int32_t>(pending.size() - 1);
  const Status prefilled =
      run_chunks(pending, std::span<const int32_t>(&last_row, 1), row_logits.data(), cancel);
  if (prefilled.code() == StatusCode::kCancelled) {
    out.finish = FinishReason::kCancelled;
    return out;
  }
  INGOT_RETURN_IF_ERROR(prefilled);
  out.timings.prefill_ms = ms_since(start);

  const int64_t room = context - static_cast<int64_t>(history_.size());
  const int64_t budget =
      params.max_new_tokens ? std::min<int64_t>(*params.max_new_tokens, room) : room;
  tokenizer::StreamingDecoder decoder(tok, /*special=*/false);
  StopStrings stops(params.stop);
  bool keep_going = true;
  const auto emit = [&](const std::string& text) {
    out.text += text;
    if (!text.empty() && keep_going && on_text) keep_going = on_text(text);
  };
  Clock::time_point first_token;
  out.finish = budget <= 0 ? FinishReason::kContext : FinishReason::kLength;
  for (int64_t n = 0; n < budget; ++n) {
    if (n > 0) {
      if (cancelled(cancel) || !keep_going) {
        out.finish = FinishReason::kCancelled;
        break;
      }
      const int32_t row = 0;
      INGOT_RETURN_IF_ERROR(executor.step({std::span<const int32_t>(&history_.back(), 1),
                                           &sequence_, std::span<const int32_t>(&row, 1),
                                           row_logits.data()}));
    }
    // Before min_new_tokens, nothing that would end generation may be drawn.
    if (n < params.min_new_tokens) {
      for (int32_t id = 0; id < tok.vocab_size(); ++id)
        if ((tok.is_end_of_generation(id) && !params.ignore_eos) || is_stop_id(id))
          row_logits[static_cast<size_t>(id)] = -std::numeric_limits<float>::infinity();
    }
    // Penalties see the last 64 tokens of the sequence, prompt included (llama.cpp's
    // penalty_last_n).
    const size_t window = std::min<size_t>(history_.size(), 64);
    const int32_t id = sampler.sample(
        row_logits, std::span<const int32_t>(history_.data() + history_.size() - window, window));
    if (n == 0) {
      first_token = Clock::now();
      out.timings.first_token_ms = ms_since(start);
    }
    out.tokens.push_back(id);
    history_.push_back(id);
    if (!params.ignore_eos && tok.is_end_of_generation(id)) {
      out.finish = FinishReason::kEndOfText;
      break;
    }
    if (is_stop_id(id)) {
      out.finish = FinishReason::kStopToken;
      break;
    }
    const StopStrings::Piece piece = stops.push(decoder.push(id));
    emit(piece.text);
    if (piece.stopped) {
      out.finish = FinishReason::kStopString;
      break;
    }
  }
  if (out.finish != FinishReason::kStopString) {
    const StopStrings::Piece piece = stops.push(decoder.finish());
    emit(piece.text);
    if (piece.stopped) out.finish = FinishReason::kStopString;
    else emit(stops.finish());
  }
  out.timings.generated_tokens = static_cast<int64_t>(out.tokens.size());
  if (!out.tokens.empty()) out.timings.decode_ms = ms_since(first_token);
  return out;
}

}  // namespace ingot::generate
