#include "compiler/import/gguf/gguf_tokenizer.h"

#include <cmath>

#include "runtime/tokenizer/pre_tokenizer.h"

namespace ingot::gguf {
namespace {

using tokenizer::TokenizerSpec;
using tokenizer::TokenType;

// Reads an optional token id key, checking it names a token of the vocabulary.
Status read_token_id(const GgufFile& file, std::string_view key, size_t vocab_size,
                     std::optional<int32_t>& out) {
  if (file.find(key) == nullptr) return Status::ok_status();
  INGOT_ASSIGN_OR_RETURN(uint64_t id, file.get_uint(key));
  if (id >= vocab_size) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": metadata '" + std::string(key) + "' is " +
                          std::to_string(id) + ", past the vocabulary of " +
                          std::to_string(vocab_size) + " tokens");
  }
  out = static_cast<int32_t>(id);
  return Status::ok_status();
}

// Reads an optional bool key into `out`, leaving it unchanged when absent.
Status read_flag(const GgufFile& file, std::string_view key, bool& out) {
  if (file.find(key) == nullptr) return Status::ok_status();
  INGOT_ASSIGN_OR_RETURN(out, file.get_bool(key));
  return Status::ok_status();
}

Status read_token_types(const GgufFile& file, TokenizerSpec& spec) {
  constexpr std::string_view kKey = "tokenizer.ggml.token_type";
  if (file.find(kKey) == nullptr) {
    spec.token_types.assign(spec.tokens.size(), TokenType::kNormal);
    return Status::ok_status();
  }
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* types, file.get_array(kKey, ValueType::kInt32));
  if (types->count != spec.tokens.size()) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": metadata '" + std::string(kKey) + "' has " +
                          std::to_string(types->count) + " entries for " +
                          std::to_string(spec.tokens.size()) + " tokens");
  }
  spec.token_types.reserve(types->count);
  for (uint64_t i = 0; i < types->count; ++i) {
    int64_t raw = types->integer_element(i);
    if (raw < 0 || raw > static_cast<int64_t>(TokenType::kByte)) {
      return make_error(StatusCode::kInvalidArgument,
                        file.path() + ": metadata '" + std::string(kKey) + "'[" +
                            std::to_string(i) + "] is " + std::to_string(raw) +
                            ", not a token type (0 to 6)");
    }
    spec.token_types.push_back(static_cast<TokenType>(raw));
  }
  return Status::ok_status();
}

// Reads `tokenizer.ggml.scores` (SentencePiece's merge priorities), one finite float per token.
Status read_scores(const GgufFile& file, TokenizerSpec& spec) {
  constexpr std::string_view kKey = "tokenizer.ggml.scores";
  if (file.find(kKey) == nullptr) return Status::ok_status();
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* scores, file.get_array(kKey, ValueType::kFloat32));
  if (scores->count != spec.tokens.size()) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": metadata '" + std::string(kKey) + "' has " +
                          std::to_string(scores->count) + " entries for " +
                          std::to_string(spec.tokens.size()) + " tokens");
  }
  spec.scores.reserve(scores->count);
  for (uint64_t i = 0; i < scores->count; ++i) {
    const double score = scores->numeric_element(i);
    if (!std::isfinite(score)) {
      return make_error(StatusCode::kInvalidArgument, file.path() + ": metadata '" +
                                                          std::string(kKey) + "'[" +
                                                          std::to_string(i) + "] is not finite");
    }
    spec.scores.push_back(static_cast<float>(score));
  }
  return Status::ok_status();
}

// Reads ingot's own `tokenizer.ingot.space_prefix` (a Hugging Face folder's Metaspace), which
// llama.cpp's files never have: their SentencePiece space goes after every special token.
Status read_space_prefix(const GgufFile& file, TokenizerSpec& spec) {
  if (file.find(tokenizer::kSpacePrefixKey) == nullptr) return Status::ok_status();
  INGOT_ASSIGN_OR_RETURN(std::string_view name, file.get_string(tokenizer::kSpacePrefixKey));
  const std::optional<tokenizer::SpacePrefix> prefix = tokenizer::parse_space_prefix(name);
  if (!prefix) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": metadata '" + std::string(tokenizer::kSpacePrefixKey) +
                          "' is '" + std::string(name) +
                          "', not after_special, metaspace_always or metaspace_first");
  }
  spec.space_prefix = *prefix;
  return Status::ok_status();
}

}  // namespace

Result<TokenizerSpec> tokenizer_spec_from_gguf(const GgufFile& file) {
  TokenizerSpec spec;
  INGOT_ASSIGN_OR_RETURN(std::string_view model, file.get_string("tokenizer.ggml.model"));
  spec.model = model;
  spec.pre = "default";
  if (file.find("tokenizer.ggml.pre") != nullptr) {
    INGOT_ASSIGN_OR_RETURN(std::string_view pre, file.get_string("tokenizer.ggml.pre"));
    spec.pre = pre;
  }
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* tokens,
                         file.get_array("tokenizer.ggml.tokens", ValueType::kString));
  if (tokens->strings.empty() || tokens->strings.size() > static_cast<size_t>(INT32_MAX)) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": metadata 'tokenizer.ggml.tokens' has " +
                          std::to_string(tokens->strings.size()) + " tokens");
  }
  spec.tokens.assign(tokens->strings.begin(), tokens->strings.end());
  INGOT_RETURN_IF_ERROR(read_token_types(file, spec));
  if (file.find("tokenizer.ggml.merges") != nullptr) {
    INGOT_ASSIGN_OR_RETURN(const MetadataValue* merges,
                           file.get_array("tokenizer.ggml.merges", ValueType::kString));
    spec.merges.assign(merges->strings.begin(), merges->strings.end());
  }
  INGOT_RETURN_IF_ERROR(read_scores(file, spec));
  size_t vocab = spec.tokens.size();
  INGOT_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.bos_token_id", vocab, spec.bos_id));
  INGOT_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.eos_token_id", vocab, spec.eos_id));
  INGOT_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.eot_token_id", vocab, spec.eot_id));
  INGOT_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.unknown_token_id", vocab, spec.unk_id));
  INGOT_RETURN_IF_ERROR(read_token_id(file, "tokenizer.ggml.padding_token_id", vocab, spec.pad_id));
  // Where the file is silent, llama.cpp's per-pre-tokenizer defaults apply: gpt2
  // vocabularies default BOS/EOS to id 11, and some pre-tokenizers add BOS.
  constexpr int32_t kGpt2DefaultSpecialId = 11;
  if (spec.model == "gpt2" && vocab > kGpt2DefaultSpecialId) {
    if (!spec.bos_id) spec.bos_id = kGpt2DefaultSpecialId;
    if (!spec.eos_id) spec.eos_id = kGpt2DefaultSpecialId;
  }
  if (spec.model == "llama") {
    // SentencePiece vocabularies: <unk> 0, <s> 1, </s> 2; BOS and a leading space are added.
    if (!spec.unk_id && vocab > 0) spec.unk_id = 0;
    if (!spec.bos_id && vocab > 1) spec.bos_id = 1;
    if (!spec.eos_id && vocab > 2) spec.eos_id = 2;
    spec.add_bos = spec.bos_id.has_value();
    spec.add_space_prefix = true;
  } else if (const tokenizer::PreTokenizerRules* rules =
                 tokenizer::find_pre_tokenizer_rules(spec.pre)) {
    spec.add_bos = rules->add_bos_default;
  }
  INGOT_RETURN_IF_ERROR(read_flag(file, "tokenizer.ggml.add_bos_token", spec.add_bos));
  INGOT_RETURN_IF_ERROR(read_flag(file, "tokenizer.ggml.add_eos_token", spec.add_eos));
  INGOT_RETURN_IF_ERROR(read_flag(file, "tokenizer.ggml.add_space_prefix", spec.add_space_prefix));
  INGOT_RETURN_IF_ERROR(read_space_prefix(file, spec));
  INGOT_RETURN_IF_ERROR(read_flag(file, tokenizer::kSplitAtSpacesKey, spec.split_at_spaces));
  return spec;
}

}  // namespace ingot::gguf
