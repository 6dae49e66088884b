// The parts of open_hf_folder: config.json and the tokenizer files become GGUF keys.
#pragma once

#include <cstdint>
#include <optional>
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

/// Writes the `general.sampling.*` keys (llama.cpp's sampling defaults) of a
/// generation_config.json: temperature, top_k, top_p, min_p and repetition_penalty, the fields of
/// MAX's sampling_params_defaults that ingot samples with. An error names the file and the key.
Status add_generation_config_keys(const JsonFile& generation, gguf::GgufViewBuilder& view);

/// A folder's tokenizer files, parsed.
struct HfTokenizerFiles {
  JsonFile tokenizer;                        ///< tokenizer.json
  std::optional<JsonFile> tokenizer_config;  ///< tokenizer_config.json, when present
  std::optional<std::string> chat_template;  ///< chat_template.jinja, when present
};

/// Reads `dir`'s tokenizer.json (required) and the optional tokenizer files.
Result<HfTokenizerFiles> read_tokenizer_files(const std::string& dir);

/// Writes the `tokenizer.*` keys of a tokenizer.json: a byte-level BPE ("gpt2"), or a
/// SentencePiece-style byte-fallback BPE ("llama", merged by the file's merge ranks), with
/// the special tokens, add_bos_token and chat template of tokenizer_config.json (a
/// chat_template.jinja wins, as transformers reads it) and config.json's bos/eos ids where it
/// is silent.
/// `vocab_size` rows of the embedding are named; ids the tokenizer leaves out are "[PAD<id>]".
Status add_tokenizer_keys(const HfTokenizerFiles& files, const JsonFile& config,
                          uint64_t vocab_size, gguf::GgufViewBuilder& view);

}  // namespace ingot::hf
