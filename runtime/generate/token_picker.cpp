// TokenPicker: masking, penalties, sampling and stop rules for one generation.
#include "runtime/generate/token_picker.h"

#include <algorithm>
#include <limits>

namespace ingot::generate {

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kLength: return "length";
    case FinishReason::kEndOfText: return "eos";
    case FinishReason::kStopToken: return "stop_token";
    case FinishReason::kStopString: return "stop_string";
    case FinishReason::kContext: return "context";
    case FinishReason::kCancelled: return "cancelled";
  }
  return "?";
}

TokenPicker::TokenPicker(const tokenizer::BpeTokenizer* tokenizer, sampling::Sampler sampler)
    : tokenizer_(tokenizer), sampler_(std::move(sampler)), stops_(sampler_.params().stop) {
  if (tokenizer != nullptr) decoder_.emplace(*tokenizer, /*special=*/false);
}

Result<TokenPicker> TokenPicker::create(const tokenizer::BpeTokenizer* tokenizer,
                                        const sampling::SamplingParams& params) {
  if (tokenizer == nullptr && !params.stop.empty())
    return make_error(StatusCode::kInvalidArgument,
                      "stop strings need a tokenizer, and this artifact has none");
  INGOT_ASSIGN_OR_RETURN(sampling::Sampler sampler, sampling::Sampler::create(params));
  return TokenPicker(tokenizer, std::move(sampler));
}

bool TokenPicker::is_stop_id(int32_t id) const {
  const auto& ids = params().stop_token_ids;
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool TokenPicker::is_end_of_text(int32_t id) const {
  return tokenizer_ != nullptr && id < tokenizer_->vocab_size() &&
         tokenizer_->is_end_of_generation(id);
}

Pick TokenPicker::pick(std::span<float> logits, std::span<const int32_t> sequence) {
  const sampling::SamplingParams& p = params();
  // Before min_new_tokens, nothing that would end generation may be drawn.
  if (picked_ < p.min_new_tokens) {
    for (int32_t id = 0; id < static_cast<int32_t>(logits.size()); ++id)
      if ((is_end_of_text(id) && !p.ignore_eos) || is_stop_id(id))
        logits[static_cast<size_t>(id)] = -std::numeric_limits<float>::infinity();
  }
  const size_t window = std::min<size_t>(sequence.size(), 64);
  return accept(sampler_.sample(logits, sequence.subspan(sequence.size() - window)));
}

bool TokenPicker::samples_anywhere() const {
  const sampling::SamplingParams& p = params();
  return p.repetition_penalty == 1.0f && p.frequency_penalty == 0.0f &&
         p.presence_penalty == 0.0f && picked_ >= p.min_new_tokens;
}

Pick TokenPicker::accept(int32_t id) {
  const sampling::SamplingParams& p = params();
  Pick out;
  out.id = id;
  ++picked_;
  if (!p.ignore_eos && is_end_of_text(out.id)) {
    out.finish = FinishReason::kEndOfText;
  } else if (is_stop_id(out.id)) {
    out.finish = FinishReason::kStopToken;
  } else if (decoder_) {
    const StopStrings::Piece piece = stops_.push(decoder_->push(out.id));
    out.text = piece.text;
    if (piece.stopped) {
      out.finish = FinishReason::kStopString;
      stopped_ = true;
    }
  }
  return out;
}

Pick TokenPicker::finish() {
  Pick out;
  if (stopped_ || !decoder_) return out;
  const StopStrings::Piece piece = stops_.push(decoder_->finish());
  out.text = piece.text;
  if (piece.stopped) {
    out.finish = FinishReason::kStopString;
    stopped_ = true;
  } else {
    out.text += stops_.finish();
  }
  return out;
}

}  // namespace ingot::generate
