// add_tokenizer_keys: tokenizer.json (and tokenizer_config.json) as the tokenizer.* keys of a GGUF.
#include <cctype>
#include <filesystem>
#include <optional>
#include <type_traits>

#include "compiler/import/hf/hf_import.h"
#include "runtime/io/mapped_file.h"
#include "runtime/tokenizer/tokenizer_spec.h"

namespace ingot::hf {
namespace {

using tokenizer::TokenType;

// The regexes of Split pre-tokenizers llama.cpp knows by name, as tokenizer.json writes them.
constexpr std::pair<const char*, const char*> kSplitRegexes[] = {
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+"
     "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
     "llama-bpe"},
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+"
     "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
     "qwen2"},
};

// json[key] when it holds a T, `fallback` when json has no such key, and nullopt when the value
// is of another type (nlohmann's value() would throw). `json` is an object.
template <typename T>
std::optional<T> field(const nlohmann::json& json, const char* key, T fallback) {
  const auto it = json.find(key);
  if (it == json.end()) return fallback;
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return std::nullopt;
  } else {
    if (!it->is_string()) return std::nullopt;
  }
  return it->get<T>();
}

bool is_type(const nlohmann::json& json, const char* type) {
  return json.is_object() && field<std::string>(json, "type", "") == type;
}

// A ByteLevel pre-tokenizer that applies (or not) the GPT-2 regex itself.
bool is_byte_level(const nlohmann::json& json, bool use_regex) {
  return is_type(json, "ByteLevel") && field(json, "use_regex", true) == use_regex &&
         field(json, "add_prefix_space", false) == false;
}

// The tokenizer.ggml.pre name of a pre-tokenizer section, or "" when llama.cpp has none.
std::string pre_tokenizer_name(const nlohmann::json& pre) {
  if (is_byte_level(pre, true)) return "gpt-2";
  if (!is_type(pre, "Sequence") || !pre.contains("pretokenizers")) return "";
  const nlohmann::json& steps = pre["pretokenizers"];
  if (!steps.is_array() || steps.size() != 2) return "";
  if (is_type(steps[0], "Digits") && field(steps[0], "individual_digits", false) == true &&
      is_byte_level(steps[1], true))
    return "smollm";
  if (is_type(steps[0], "Split") && is_byte_level(steps[1], false) &&
      field<std::string>(steps[0], "behavior", "") == "Isolated" &&
      field(steps[0], "invert", false) == false) {
    const nlohmann::json pattern = steps[0].value("pattern", nlohmann::json::object());
    const std::optional<std::string> regex =
        pattern.is_object() ? field<std::string>(pattern, "Regex", "") : std::nullopt;
    for (const auto& [known, name] : kSplitRegexes) {
      if (regex == known) return name;
    }
  }
  return "";
}

// SentencePiece's word-boundary mark, U+2581, as tokenizer.json writes it.
constexpr std::string_view kMetaspace = "\xE2\x96\x81";

// A normalizer step of a SentencePiece-style tokenizer.json: Replace(" " -> U+2581) or
// Prepend(U+2581).
bool is_replace_spaces(const nlohmann::json& step) {
  if (!is_type(step, "Replace") || field<std::string>(step, "content", "") != kMetaspace)
    return false;
  const nlohmann::json pattern = step.value("pattern", nlohmann::json());
  return pattern.is_object() && field<std::string>(pattern, "String", "") == " ";
}
bool is_prepend_space(const nlohmann::json& step) {
  return is_type(step, "Prepend") && field<std::string>(step, "prepend", "") == kMetaspace;
}

// Where a SentencePiece-style tokenizer.json puts its leading U+2581, and whether it merges
// within words.
struct SentencePieceSpaces {
  bool add_space_prefix = false;
  tokenizer::SpacePrefix space_prefix = tokenizer::SpacePrefix::kAfterSpecial;
  bool split_at_spaces = false;
};

// The spaces of a byte-fallback BPE's normalizer and pre-tokenizer, as transformers writes them
// for Llama 2, Mistral and TinyLlama: the normalizer Prepend(U+2581) + Replace(" " -> U+2581)
// (or Replace alone) and no pre-tokenizer, or no normalizer and a Metaspace.
Result<SentencePieceSpaces> sentencepiece_spaces(const JsonFile& tokenizer) {
  const nlohmann::json* normalizer = tokenizer.find("normalizer");
  const nlohmann::json* pre = tokenizer.find("pre_tokenizer");
  if (normalizer != nullptr) {
    if (pre != nullptr) {
      return tokenizer.error("pre_tokenizer", "is set beside a normalizer; ingot imports "
                                              "SentencePiece-style tokenizers with one of them");
    }
    nlohmann::json steps = nlohmann::json::array({*normalizer});
    if (is_type(*normalizer, "Sequence") && normalizer->contains("normalizers"))
      steps = (*normalizer)["normalizers"];
    const bool prepend = steps.is_array() && steps.size() == 2 && is_prepend_space(steps[0]);
    if (!steps.is_array() || steps.empty() || !is_replace_spaces(steps[steps.size() - 1]) ||
        steps.size() != (prepend ? 2u : 1u)) {
      return tokenizer.error("normalizer", "is not SentencePiece's Prepend(\u2581) + "
                                           "Replace(' ' -> \u2581), the one ingot knows");
    }
    return SentencePieceSpaces{prepend, tokenizer::SpacePrefix::kAfterSpecial};
  }
  if (pre == nullptr || !is_type(*pre, "Metaspace") ||
      field<std::string>(*pre, "replacement", "") != kMetaspace) {
    return tokenizer.error("pre_tokenizer", "is not a Metaspace(\u2581), nor is there a "
                                            "SentencePiece normalizer");
  }
  // An older Metaspace has no "split" (it always split) and says add_prefix_space instead of
  // prepend_scheme, as tokenizers still reads it.
  const std::optional<bool> split = field(*pre, "split", true);
  const std::optional<bool> add_prefix = field(*pre, "add_prefix_space", true);
  if (!split || !add_prefix)
    return tokenizer.error("pre_tokenizer", "has a split or add_prefix_space that is not a boolean");
  using tokenizer::SpacePrefix;
  const std::optional<std::string> scheme =
      field<std::string>(*pre, "prepend_scheme", *add_prefix ? "always" : "never");
  if (scheme == "always") return SentencePieceSpaces{true, SpacePrefix::kMetaspaceAlways, *split};
  if (scheme == "first") return SentencePieceSpaces{true, SpacePrefix::kMetaspaceFirst, *split};
  if (scheme == "never") return SentencePieceSpaces{false, SpacePrefix::kMetaspaceAlways, *split};
  return tokenizer.error("pre_tokenizer", "has a prepend_scheme other than always, first or never");
}

// A merge as GGUF stores it: "left right" (tokenizer.json writes that or ["left", "right"]).
std::optional<std::string> merge_text(const nlohmann::json& merge) {
  if (merge.is_string()) return merge.get<std::string>();
  if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string())
    return merge[0].get<std::string>() + " " + merge[1].get<std::string>();
  return std::nullopt;
}

// tokenizer_config.json's spelling of a special token: a string or {"content": ...}.
std::optional<std::string> special_token_text(const nlohmann::json* entry) {
  if (entry == nullptr) return std::nullopt;
  if (entry->is_string()) return entry->get<std::string>();
  if (entry->is_object() && entry->contains("content") && (*entry)["content"].is_string())
    return (*entry)["content"].get<std::string>();
  return std::nullopt;
}

// The vocabulary of model.vocab and added_tokens, by id, with llama.cpp's token types.
Status read_vocabulary(const JsonFile& file, const JsonFile& config, uint64_t vocab_size,
                       std::vector<std::string>& tokens, std::vector<int32_t>& types) {
  const nlohmann::json& model = file.value["model"];
  if (!model.contains("vocab") || !model["vocab"].is_object())
    return file.error("model.vocab", "is not an object of token ids");
  const nlohmann::json* added = file.find("added_tokens");
  if (added && !added->is_array()) return file.error("added_tokens", "is not a list");
  // Embeddings are padded past the tokenizer by a few rows, never by more than it holds:
  // this bounds what a bad vocab_size makes us allocate.
  const uint64_t named_count = model["vocab"].size() + (added ? added->size() : 0);
  if (vocab_size > 2 * named_count + 4096) {
    return config.error("vocab_size", "is " + std::to_string(vocab_size) + ", far more than the " +
                                          std::to_string(named_count) + " tokens of " + file.path);
  }
  tokens.assign(vocab_size, "");
  types.assign(vocab_size, static_cast<int32_t>(TokenType::kUnused));
  std::vector<bool> named(vocab_size, false);
  auto place = [&](const std::string& text, const nlohmann::json& id_json, TokenType type,
                   const std::string& where) -> Status {
    std::optional<uint64_t> id = as_uint(id_json);
    if (!id || *id >= vocab_size) {
      return file.error(where, "gives token '" + text + "' an id outside the model's " +
                                   std::to_string(vocab_size) + "-row vocabulary");
    }
    tokens[*id] = text;
    types[*id] = static_cast<int32_t>(type);
    named[*id] = true;
    return Status::ok_status();
  };
  for (const auto& [text, id] : model["vocab"].items())
    INGOT_RETURN_IF_ERROR(place(text, id, TokenType::kNormal, "model.vocab"));
  if (added) {
    for (const nlohmann::json& token : *added) {
      if (!token.is_object() || !token.contains("content") || !token["content"].is_string() ||
          !token.contains("id"))
        return file.error("added_tokens", "has an entry without id and content");
      const std::optional<bool> special = field(token, "special", false);
      if (!special) return file.error("added_tokens", "has an entry whose 'special' is not a boolean");
      INGOT_RETURN_IF_ERROR(place(token["content"].get<std::string>(), token["id"],
                                  *special ? TokenType::kControl : TokenType::kUserDefined,
                                  "added_tokens"));
    }
  }
  for (uint64_t id = 0; id < vocab_size; ++id) {
    if (!named[id]) tokens[id] = "[PAD" + std::to_string(id) + "]";
  }
  return Status::ok_status();
}

// The id of the token spelled `text`, if the vocabulary has it.
std::optional<uint32_t> token_id(const std::vector<std::string>& tokens, const std::string& text) {
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (tokens[id] == text) return static_cast<uint32_t>(id);
  }
  return std::nullopt;
}

// The special token the post-processor puts before every single sequence (llama 3's BOS), if any.
std::optional<std::string> post_processor_first_token(const nlohmann::json& tokenizer) {
  const nlohmann::json post = tokenizer.value("post_processor", nlohmann::json());
  if (!is_type(post, "TemplateProcessing") || !post.contains("single")) return std::nullopt;
  const nlohmann::json& single = post["single"];
  if (!single.is_array() || single.empty() || !single[0].is_object()) return std::nullopt;
  const nlohmann::json first = single[0].value("SpecialToken", nlohmann::json());
  if (!first.is_object()) return std::nullopt;
  return field<std::string>(first, "id", "");
}

// Whether the post-processor puts `token` before every single sequence.
bool post_processor_adds(const nlohmann::json& tokenizer, const std::string& token) {
  return post_processor_first_token(tokenizer) == token;
}

// tokenizer_config.json's special tokens, add_bos_token and chat template. A SentencePiece
// tokenizer adds BOS only where one of them says so, as transformers does (llama.cpp's
// SentencePiece default would add it).
Status add_tokenizer_config_keys(const HfTokenizerFiles& files,
                                 const std::vector<std::string>& tokens, bool sentencepiece,
                                 gguf::GgufViewBuilder& view) {
  if (files.tokenizer_config) {
    const JsonFile& config = *files.tokenizer_config;
    std::optional<std::string> bos;
    for (const auto& [hf_key, gguf_key] :
         {std::pair{"bos_token", "bos"}, std::pair{"eos_token", "eos"},
          std::pair{"unk_token", "unknown"}, std::pair{"pad_token", "padding"}}) {
      std::optional<std::string> text = special_token_text(config.find(hf_key));
      if (!text) continue;
      std::optional<uint32_t> id = token_id(tokens, *text);
      if (!id) return config.error(hf_key, "names '" + *text + "', which is not a token");
      view.set_uint32("tokenizer.ggml." + std::string(gguf_key) + "_token_id", *id);
      if (std::string(hf_key) == "bos_token") bos = text;
    }
    INGOT_ASSIGN_OR_RETURN(std::optional<bool> add_bos, config.find_bool("add_bos_token"));
    if (!add_bos && bos && post_processor_adds(files.tokenizer.value, *bos)) add_bos = true;
    if (!add_bos && sentencepiece) add_bos = false;
    if (add_bos) view.set_bool("tokenizer.ggml.add_bos_token", *add_bos);
    INGOT_ASSIGN_OR_RETURN(std::optional<bool> add_eos, config.find_bool("add_eos_token"));
    if (add_eos) view.set_bool("tokenizer.ggml.add_eos_token", *add_eos);
    if (const nlohmann::json* chat = config.find("chat_template"); chat && chat->is_string())
      view.set_string("tokenizer.chat_template", chat->get<std::string>());
  } else if (sentencepiece) {
    view.set_bool("tokenizer.ggml.add_bos_token",
                  post_processor_first_token(files.tokenizer.value).has_value());
  }
  if (files.chat_template) view.set_string("tokenizer.chat_template", *files.chat_template);
  return Status::ok_status();
}

// config.json's bos_token_id and eos_token_id (an id or a list, whose first is taken),
// for the tokens tokenizer_config.json does not name.
Status add_config_token_ids(const JsonFile& config, uint64_t vocab_size,
                            gguf::GgufViewBuilder& view) {
  for (const auto& [hf_key, gguf_key] : {std::pair{"bos_token_id", "tokenizer.ggml.bos_token_id"},
                                         std::pair{"eos_token_id", "tokenizer.ggml.eos_token_id"}}) {
    if (view.has(gguf_key)) continue;
    const nlohmann::json* value = config.find(hf_key);
    if (value == nullptr) continue;
    std::optional<uint64_t> id = value->is_array() && !value->empty() ? as_uint((*value)[0])
                                                                       : as_uint(*value);
    if (!id || *id >= vocab_size) return config.error(hf_key, "is not a token id of the model");
    view.set_uint32(gguf_key, static_cast<uint32_t>(*id));
  }
  return Status::ok_status();
}

// The BPE model options that change what a text encodes to, beyond vocab and merges: refused
// unless they are what both kinds of tokenizer ingot imports use.
Status check_bpe_options(const JsonFile& tokenizer, const nlohmann::json& model) {
  if (!field(model, "byte_fallback", false))
    return tokenizer.error("model.byte_fallback", "is not a boolean");
  // The probability of skipping each merge: 0 (or none) is plain BPE.
  const nlohmann::json dropout = model.value("dropout", nlohmann::json());
  if (!dropout.is_null() && !(dropout.is_number() && dropout.get<double>() == 0.0))
    return tokenizer.error("model.dropout", "is set; BPE dropout skips merges at random");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const nlohmann::json affix = model.value(key, nlohmann::json());
    if (!affix.is_null() && affix != "")
      return tokenizer.error(std::string("model.") + key, "is set; ingot's BPE has none");
  }
  if (model.value("byte_fallback", false) == true && model.value("ignore_merges", false) != false)
    return tokenizer.error("model.ignore_merges", "is set on a SentencePiece-style BPE");
  return Status::ok_status();
}

// model.merges as GGUF stores them, "left right", highest priority first.
Result<std::vector<std::string>> read_merges(const JsonFile& tokenizer,
                                             const nlohmann::json& model) {
  std::vector<std::string> merges;
  if (!model.contains("merges")) return merges;
  const nlohmann::json& list = model["merges"];
  if (!list.is_array()) return tokenizer.error("model.merges", "is not a list");
  merges.reserve(list.size());
  for (const nlohmann::json& merge : list) {
    std::optional<std::string> text = merge_text(merge);
    if (!text) return tokenizer.error("model.merges", "has an entry that is not a token pair");
    merges.push_back(std::move(*text));
  }
  return merges;
}

// SentencePiece's token types, as llama.cpp's GGUFs hold them: "<0xXX>" byte tokens are bytes
// (byte fallback encodes through them), and model.unk_token is the unknown token.
Status mark_sentencepiece_tokens(const JsonFile& tokenizer, const nlohmann::json& model,
                                 const std::vector<std::string>& tokens,
                                 std::vector<int32_t>& types, gguf::GgufViewBuilder& view) {
  const auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t id = 0; id < tokens.size(); ++id) {
    const std::string& text = tokens[id];
    if (text.size() == 6 && text.starts_with("<0x") && text.back() == '>' && is_hex(text[3]) &&
        is_hex(text[4]))
      types[id] = static_cast<int32_t>(TokenType::kByte);
  }
  const std::optional<std::string> unk = field<std::string>(model, "unk_token", "");
  if (!unk) return tokenizer.error("model.unk_token", "is not a string");
  if (unk->empty()) return Status::ok_status();
  const std::optional<uint32_t> id = token_id(tokens, *unk);
  if (!id) return tokenizer.error("model.unk_token", "names '" + *unk + "', which is not a token");
  types[*id] = static_cast<int32_t>(TokenType::kUnknown);
  view.set_uint32("tokenizer.ggml.unknown_token_id", *id);
  return Status::ok_status();
}

}  // namespace

Result<HfTokenizerFiles> read_tokenizer_files(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path folder(dir);
  if (!fs::exists(folder / "tokenizer.json")) {
    // Many Llama 1 and 2 era folders ship only SentencePiece's own file: say how to get the other.
    const std::string hint =
        fs::exists(folder / "tokenizer.model")
            ? " (only tokenizer.model, which ingot does not read; transformers writes a "
              "tokenizer.json with AutoTokenizer.from_pretrained(FOLDER).save_pretrained(FOLDER))"
            : "";
    return make_error(StatusCode::kNotFound, dir + ": no tokenizer.json" + hint);
  }
  INGOT_ASSIGN_OR_RETURN(JsonFile tokenizer, read_json((folder / "tokenizer.json").string(),
                                                       uint64_t{1} << 30));
  HfTokenizerFiles files{std::move(tokenizer), std::nullopt, std::nullopt};
  if (fs::exists(folder / "tokenizer_config.json")) {
    INGOT_ASSIGN_OR_RETURN(files.tokenizer_config,
                           read_json((folder / "tokenizer_config.json").string()));
  }
  if (fs::exists(folder / "chat_template.jinja")) {
    INGOT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open((folder / "chat_template.jinja").string()));
    files.chat_template.emplace(reinterpret_cast<const char*>(file.bytes().data()), file.size());
  }
  return files;
}

Status add_tokenizer_keys(const HfTokenizerFiles& files, const JsonFile& config,
                          uint64_t vocab_size, gguf::GgufViewBuilder& view) {
  const JsonFile& tokenizer = files.tokenizer;
  const nlohmann::json* model = tokenizer.find("model");
  if (model == nullptr || !is_type(*model, "BPE")) {
    return tokenizer.error("model", "is not a BPE model (byte-level, or SentencePiece-style with "
                                    "byte fallback), the kinds ingot imports from tokenizer.json");
  }
  INGOT_RETURN_IF_ERROR(check_bpe_options(tokenizer, *model));
  const bool sentencepiece = model->value("byte_fallback", false) == true;
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  INGOT_RETURN_IF_ERROR(read_vocabulary(tokenizer, config, vocab_size, tokens, types));
  INGOT_ASSIGN_OR_RETURN(std::vector<std::string> merges, read_merges(tokenizer, *model));
  if (sentencepiece) {
    INGOT_ASSIGN_OR_RETURN(SentencePieceSpaces spaces, sentencepiece_spaces(tokenizer));
    INGOT_RETURN_IF_ERROR(mark_sentencepiece_tokens(tokenizer, *model, tokens, types, view));
    view.set_string("tokenizer.ggml.model", "llama");
    view.set_string("tokenizer.ggml.pre", "default");
    view.set_bool("tokenizer.ggml.add_space_prefix", spaces.add_space_prefix);
    view.set_string(std::string(tokenizer::kSpacePrefixKey),
                    std::string(tokenizer::space_prefix_name(spaces.space_prefix)));
    if (spaces.split_at_spaces)
      view.set_bool(std::string(tokenizer::kSplitAtSpacesKey), true);
  } else {
    if (tokenizer.find("normalizer") != nullptr)
      return tokenizer.error("normalizer", "is set; ingot's byte-level BPE has none");
    const nlohmann::json* pre = tokenizer.find("pre_tokenizer");
    std::string pre_name = pre ? pre_tokenizer_name(*pre) : "";
    if (pre_name.empty()) {
      return tokenizer.error("pre_tokenizer", "is not one ingot knows (GPT-2's ByteLevel, "
                                              "SmolLM's Digits + ByteLevel, or the Llama 3 or "
                                              "Qwen2 Split + ByteLevel)");
    }
    view.set_string("tokenizer.ggml.model", "gpt2");
    view.set_string("tokenizer.ggml.pre", pre_name);
  }
  view.set_strings("tokenizer.ggml.tokens", tokens);
  view.set_int32s("tokenizer.ggml.token_type", types);
  view.set_strings("tokenizer.ggml.merges", merges);
  INGOT_RETURN_IF_ERROR(add_tokenizer_config_keys(files, tokens, sentencepiece, view));
  return add_config_token_ids(config, vocab_size, view);
}

}  // namespace ingot::hf
