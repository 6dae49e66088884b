// Conversation: chunked prefill, then sample-decode until a stop condition, streaming text.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "runtime/generate/engine.h"
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
  INGOT_RETURN_IF_ERROR(room_for(tokens.size(), 0, "evaluate: the input"));
  // The last generate's final sampled token is not in the cache yet: it runs first.
  std::vector<int32_t> pending(history_.begin() + sequence_.length, history_.end());
  const auto offset = static_cast<int32_t>(pending.size());
  pending.insert(pending.end(), tokens.begin(), tokens.end());
  std::vector<int32_t> pending_rows(rows.begin(), rows.end());
  for (int32_t& row : pending_rows) row += offset;
  std::vector<float> logits(rows.size() * static_cast<size_t>(engine_.executor().vocab_size()));
  INGOT_RETURN_IF_ERROR(run_chunks(pending, pending_rows, logits.data(), nullptr));
  history_.insert(history_.end(), tokens.begin(), tokens.end());
  return logits;
}

Status Conversation::fits(size_t prompt_tokens) const {
  return room_for(prompt_tokens, 1, "the prompt");
}

Status Conversation::room_for(size_t tokens, size_t reserved, std::string_view what) const {
  const int64_t context = engine_.executor().max_context();
  const size_t total = history_.size() + tokens;
  if (static_cast<int64_t>(total + reserved) <= context) return Status();
  return make_error(StatusCode::kInvalidArgument,
                    std::string(what) + " (" + std::to_string(total) +
                        " tokens with the history) does not fit the context of " +
                        std::to_string(context) + " tokens");
}

Result<Generation> Conversation::generate(std::span<const int32_t> prompt,
                                          const sampling::SamplingParams& params,
                                          const TextCallback& on_text,
                                          const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  device::Executor& executor = engine_.executor();
  if (prompt.empty()) return make_error(StatusCode::kInvalidArgument, "the prompt is empty");
  const int64_t context = executor.max_context();
  INGOT_RETURN_IF_ERROR(fits(prompt.size()));
  INGOT_ASSIGN_OR_RETURN(TokenPicker picker, TokenPicker::create(engine_.tokenizer_or_null(), params));

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
  bool keep_going = true;
  const auto emit = [&](const std::string& text) {
    out.text += text;
    if (!text.empty() && keep_going && on_text) keep_going = on_text(text);
  };
  Clock::time_point first_token;
  // Ending at the budget is a length stop when max_new_tokens set it, else the context is full.
  out.finish = params.max_new_tokens && *params.max_new_tokens <= room ? FinishReason::kLength
                                                                       : FinishReason::kContext;
  bool ended = false;
  for (int64_t n = 0; n < budget && !ended; ++n) {
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
    const Pick pick = picker.pick(row_logits, history_);
    if (n == 0) {
      first_token = Clock::now();
      out.timings.first_token_ms = ms_since(start);
    }
    out.tokens.push_back(pick.id);
    history_.push_back(pick.id);
    emit(pick.text);
    if (pick.finish) {
      out.finish = *pick.finish;
      ended = true;
    }
  }
  if (out.finish != FinishReason::kStopString) {
    const Pick rest = picker.finish();
    emit(rest.text);
    if (rest.finish) out.finish = *rest.finish;
  }
  out.timings.generated_tokens = static_cast<int64_t>(out.tokens.size());
  if (!out.tokens.empty()) out.timings.decode_ms = ms_since(first_token);
  return out;
}

}  // namespace ingot::generate
