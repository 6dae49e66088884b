// Engine: artifact -> tokenizer spec, chat format, sampling defaults, executor.
#include "runtime/generate/engine.h"

#include <chrono>

namespace ingot::generate {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<int32_t> id_or_none(int32_t id) {
  return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
}

Result<tokenizer::TokenizerSpec> tokenizer_spec(const artifact::Artifact& artifact) {
  const schema::Tokenizer* t = artifact.model().tokenizer();
  if (t == nullptr || t->tokens() == nullptr)
    return make_error(StatusCode::kDataLoss, artifact.path() + ": the artifact has no tokenizer");
  tokenizer::TokenizerSpec spec;
  spec.model = t->model() ? t->model()->str() : "";
  spec.pre = t->pre() ? t->pre()->str() : "";
  for (const auto* token : *t->tokens()) spec.tokens.push_back(token->str());
  if (t->token_types())
    for (int8_t type : *t->token_types())
      spec.token_types.push_back(static_cast<tokenizer::TokenType>(type));
  if (t->merges())
    for (const auto* merge : *t->merges()) spec.merges.push_back(merge->str());
  spec.bos_id = id_or_none(t->bos_id());
  spec.eos_id = id_or_none(t->eos_id());
  spec.eot_id = id_or_none(t->eot_id());
  spec.unk_id = id_or_none(t->unk_id());
  spec.pad_id = id_or_none(t->pad_id());
  spec.add_bos = t->add_bos();
  spec.add_eos = t->add_eos();
  if (t->scores()) spec.scores.assign(t->scores()->begin(), t->scores()->end());
  spec.add_space_prefix = t->add_space_prefix();
  spec.space_prefix = static_cast<tokenizer::SpacePrefix>(t->space_prefix());
  spec.split_at_spaces = t->split_at_spaces();
  return spec;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path,
                                             const device::ExecutorOptions& options,
                                             const artifact::LoadOptions& load) {
  const auto start = Clock::now();
  artifact::LoadOptions load_options = load;
  // A GPU fills its own copy of dummy weights; the host's stays reserved and unwritten.
  if (options.device != "cpu") load_options.fill_dummy_weights = false;
  INGOT_ASSIGN_OR_RETURN(artifact::Artifact artifact, artifact::Artifact::open(path, load_options));
  std::unique_ptr<Engine> engine(new Engine(std::move(artifact)));
  const bool no_tokenizer =
      engine->artifact_.has_dummy_weights() && engine->artifact_.model().tokenizer() == nullptr;
  if (!no_tokenizer) {
    INGOT_ASSIGN_OR_RETURN(tokenizer::TokenizerSpec spec, tokenizer_spec(engine->artifact_));
    auto tok = tokenizer::BpeTokenizer::create(std::move(spec));
    if (!tok.ok())
      return make_error(tok.status().code(), path + ": tokenizer: " + tok.status().message());
    engine->tokenizer_ = std::make_unique<tokenizer::BpeTokenizer>(std::move(*tok));
  }
  if (const Status defaults = engine->default_sampling().validate(); !defaults.ok())
    return make_error(StatusCode::kDataLoss,
                      path + ": generation_defaults: " + defaults.message());
  INGOT_ASSIGN_OR_RETURN(engine->executor_,
                         device::create_executor(engine->artifact_, options));
  if (engine->tokenizer_ &&
      (engine->executor_->vocab_size() > engine->tokenizer_->vocab_size() + 1024 ||
       engine->tokenizer_->vocab_size() > engine->executor_->vocab_size()))
    return make_error(StatusCode::kDataLoss,
                      path + ": the tokenizer has " +
                          std::to_string(engine->tokenizer_->vocab_size()) +
                          " tokens, the logits " + std::to_string(engine->executor_->vocab_size()));
  engine->load_ms_ = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return engine;
}

Status Engine::require_tokenizer() const {
  if (tokenizer_) return Status::ok_status();
  return make_error(StatusCode::kInvalidArgument,
                    artifact_.path() +
                        ": the artifact has dummy weights and no tokenizer; it runs on token ids "
                        "(ingot-bench)");
}

std::string Engine::chat_template() const {
  const auto* text = artifact_.model().chat_template();
  return text ? text->str() : "";
}

sampling::SamplingParams Engine::default_sampling() const {
  sampling::SamplingParams params;
  if (const schema::GenerationDefaults* d = artifact_.model().generation_defaults()) {
    params.temperature = d->temperature();
    params.top_k = d->top_k();
    params.top_p = d->top_p();
    params.min_p = d->min_p();
    params.repetition_penalty = d->repetition_penalty();
    params.frequency_penalty = d->frequency_penalty();
    params.presence_penalty = d->presence_penalty();
    if (d->max_new_tokens() > 0) params.max_new_tokens = d->max_new_tokens();
  }
  return params;
}

}  // namespace ingot::generate
