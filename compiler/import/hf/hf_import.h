// The parts of open_hf_folder: config.json and the tokenizer files become GGUF keys.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/import/gguf/gguf_view.h"
#include "compiler/import/hf/hf_json.h"

namespace ingot::hf {

/// What the tensor import needs from config.json.
struct HfModelConfig {
  bool tie_word_embeddings = false;  ///< lm_head is token_embd (and any lm_head is ignored).
  uint64_t vocab_size = 0;
};

/// Writes `general.architecture` and the `llama.*` hyper-parameters of a
/// LlamaForCausalLM (or MistralForCausalLM) config.json, as convert_hf_to_gguf.py does.
Result<HfModelConfig> add_config_keys(const JsonFile& config, gguf::GgufViewBuilder& view);

/// Writes the `tokenizer.*` keys from `dir`'s tokenizer.json (a byte-level BPE) and,
/// where present, tokenizer_config.json and chat_template.jinja; `vocab_size` rows of the
/// embedding are named, ids the tokenizer leaves out as "[PAD<id>]".
Status add_tokenizer_keys(const std::string& dir, const JsonFile& config, uint64_t vocab_size,
                          gguf::GgufViewBuilder& view);

}  // namespace ingot::hf
