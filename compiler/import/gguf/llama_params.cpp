// read_llama_params: the `{arch}.*` hyper-parameters of a llama-family GGUF.
#include "compiler/import/gguf/llama_params.h"

#include <cmath>
#include <cstdio>

namespace ingot::gguf {
namespace {

// Counts are uint32 in llama.cpp; capping them keeps every product of two in uint64.
constexpr uint64_t kMaxCount = 0x7fffffff;

std::string number_string(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

Status key_error(const GgufFile& file, const std::string& key, const std::string& problem) {
  return make_error(StatusCode::kInvalidArgument,
                    file.path() + ": metadata '" + key + "' " + problem);
}

// A required or optional positive count under `key`.
Result<uint64_t> read_count(const GgufFile& file, const std::string& key) {
  INGOT_ASSIGN_OR_RETURN(uint64_t value, file.get_uint(key));
  if (value == 0) return key_error(file, key, "is 0, expected a positive count");
  if (value > kMaxCount) {
    return key_error(file, key,
                     "is " + std::to_string(value) + ", more than " + std::to_string(kMaxCount));
  }
  return value;
}

Result<std::optional<uint64_t>> read_optional_count(const GgufFile& file, const std::string& key) {
  if (file.find(key) == nullptr) return std::optional<uint64_t>();
  INGOT_ASSIGN_OR_RETURN(uint64_t value, read_count(file, key));
  return std::optional<uint64_t>(value);
}

// A finite number under `key`; `positive` also rejects zero and negatives.
Result<double> read_number(const GgufFile& file, const std::string& key, bool positive) {
  INGOT_ASSIGN_OR_RETURN(double value, file.get_float(key));
  if (!std::isfinite(value)) return key_error(file, key, "is not a finite number");
  if (positive && value <= 0) {
    return key_error(file, key, "is " + number_string(value) + ", expected a positive number");
  }
  return value;
}

Result<std::optional<double>> read_optional_number(const GgufFile& file, const std::string& key) {
  if (file.find(key) == nullptr) return std::optional<double>();
  INGOT_ASSIGN_OR_RETURN(double value, read_number(file, key, /*positive=*/false));
  return std::optional<double>(value);
}

Result<RopeScalingType> parse_scaling_type(const GgufFile& file, const std::string& key) {
  INGOT_ASSIGN_OR_RETURN(std::string_view name, file.get_string(key));
  for (RopeScalingType type : {RopeScalingType::kNone, RopeScalingType::kLinear,
                               RopeScalingType::kYarn, RopeScalingType::kLongRope}) {
    if (name == rope_scaling_type_name(type)) return type;
  }
  return key_error(file, key,
                   "is '" + std::string(name) + "', expected none, linear, yarn or longrope");
}

// `{arch}.rope.scaling.*`, plus the legacy `{arch}.rope.scale_linear`.
Result<RopeScaling> read_rope_scaling(const GgufFile& file, const std::string& arch) {
  const std::string prefix = arch + ".rope.scaling.";
  RopeScaling s;
  std::string factor_key = prefix + "factor";
  if (file.find(factor_key) == nullptr && file.find(arch + ".rope.scale_linear") != nullptr) {
    factor_key = arch + ".rope.scale_linear";
  }
  if (file.find(factor_key) != nullptr) {
    INGOT_ASSIGN_OR_RETURN(double factor, read_number(file, factor_key, /*positive=*/false));
    if (factor < 0) return key_error(file, factor_key, "is negative");
    s.factor = factor == 0 ? 1.0 : factor;  // llama.cpp reads 0 as "not scaled"
  }
  if (file.find(prefix + "type") != nullptr) {
    INGOT_ASSIGN_OR_RETURN(s.type, parse_scaling_type(file, prefix + "type"));
  } else if (s.factor != 1.0) {
    s.type = RopeScalingType::kLinear;  // llama.cpp's default type when only a factor is given
  }
  INGOT_ASSIGN_OR_RETURN(s.original_context_length,
                         read_optional_count(file, prefix + "original_context_length"));
  INGOT_ASSIGN_OR_RETURN(s.attn_factor, read_optional_number(file, prefix + "attn_factor"));
  INGOT_ASSIGN_OR_RETURN(s.yarn_ext_factor, read_optional_number(file, prefix + "yarn_ext_factor"));
  INGOT_ASSIGN_OR_RETURN(s.yarn_attn_factor,
                         read_optional_number(file, prefix + "yarn_attn_factor"));
  INGOT_ASSIGN_OR_RETURN(s.yarn_beta_fast, read_optional_number(file, prefix + "yarn_beta_fast"));
  INGOT_ASSIGN_OR_RETURN(s.yarn_beta_slow, read_optional_number(file, prefix + "yarn_beta_slow"));
  INGOT_ASSIGN_OR_RETURN(s.yarn_log_multiplier,
                         read_optional_number(file, prefix + "yarn_log_multiplier"));
  if (file.find(prefix + "finetuned") != nullptr) {
    INGOT_ASSIGN_OR_RETURN(s.finetuned, file.get_bool(prefix + "finetuned"));
  }
  return s;
}

// Attention geometry: head counts, head_dim and the rope dimension, checked together.
Status read_attention(const GgufFile& file, const std::string& arch, LlamaParams& p) {
  const std::string heads_key = arch + ".attention.head_count";
  const std::string kv_key = arch + ".attention.head_count_kv";
  INGOT_ASSIGN_OR_RETURN(p.head_count, read_count(file, heads_key));
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> kv, read_optional_count(file, kv_key));
  p.head_count_kv = kv.value_or(p.head_count);
  if (p.head_count % p.head_count_kv != 0) {
    return key_error(file, kv_key,
                     "is " + std::to_string(p.head_count_kv) + ", which does not divide '" +
                         heads_key + "' (" + std::to_string(p.head_count) + ")");
  }
  const std::string key_length = arch + ".attention.key_length";
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> head_dim, read_optional_count(file, key_length));
  p.head_dim = head_dim.value_or(p.embedding_length / p.head_count);
  // Qwen 3's heads are wider than embedding / head_count (1024 = 16 x 128 for 2048 wide).
  if (!p.qk_norm && p.head_count * p.head_dim != p.embedding_length) {
    return key_error(file, arch + ".embedding_length",
                     "is " + std::to_string(p.embedding_length) + ", expected head_count (" +
                         std::to_string(p.head_count) + ") x head_dim (" +
                         std::to_string(p.head_dim) + ")");
  }
  const std::string value_length = arch + ".attention.value_length";
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> v_dim, read_optional_count(file, value_length));
  if (v_dim && *v_dim != p.head_dim) {
    return key_error(
        file, value_length,
        "is " + std::to_string(*v_dim) + ", expected the key length " + std::to_string(p.head_dim));
  }
  const std::string rope_key = arch + ".rope.dimension_count";
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> rope_dim, read_optional_count(file, rope_key));
  p.rope_dimension_count = rope_dim.value_or(p.head_dim);
  if (p.rope_dimension_count != p.head_dim || p.head_dim % 2 != 0) {
    return key_error(file, rope_key,
                     "is " + std::to_string(p.rope_dimension_count) +
                         ", expected the head dimension " + std::to_string(p.head_dim) +
                         " (an even number)");
  }
  return Status::ok_status();
}

// Gemma 3's sliding window and its pattern, and the scales llama.cpp derives (llm_load_hparams).
Status read_gemma3(const GgufFile& file, LlamaParams& p) {
  Gemma3Params g;
  INGOT_ASSIGN_OR_RETURN(g.sliding_window, read_count(file, "gemma3.attention.sliding_window"));
  const std::string pattern_key = "gemma3.attention.sliding_window_pattern";
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> pattern, read_optional_count(file, pattern_key));
  g.sliding_window_pattern = pattern.value_or(6);
  if (g.sliding_window_pattern < 2)
    return key_error(file, pattern_key, "is 1, expected at least 2 (one global layer in each)");
  // Gemma 3 27B (62 layers) scales queries by its query_pre_attn_scalar, hidden / heads.
  const double scaled = p.block_count == 62 ? static_cast<double>(p.embedding_length / p.head_count)
                                            : static_cast<double>(p.head_dim);
  g.attention_scale = 1.0 / std::sqrt(scaled);
  g.embedding_scale = std::sqrt(static_cast<float>(p.embedding_length));
  p.gemma3 = g;
  return Status::ok_status();
}

}  // namespace

std::string_view rope_scaling_type_name(RopeScalingType type) {
  switch (type) {
    case RopeScalingType::kNone: return "none";
    case RopeScalingType::kLinear: return "linear";
    case RopeScalingType::kYarn: return "yarn";
    case RopeScalingType::kLongRope: return "longrope";
  }
  return "none";
}

bool is_llama_family(std::string_view architecture) {
  return architecture == "llama" || architecture == "mistral" || architecture == "qwen3" ||
         architecture == "gemma3";
}

Result<LlamaParams> read_llama_params(const GgufFile& file) {
  LlamaParams p;
  INGOT_ASSIGN_OR_RETURN(std::string_view arch_name, file.get_string("general.architecture"));
  if (!is_llama_family(arch_name)) {
    return make_error(StatusCode::kUnimplemented,
                      file.path() + ": metadata 'general.architecture' is '" +
                          std::string(arch_name) + "', not a llama-family architecture");
  }
  p.architecture = arch_name;
  p.qk_norm = p.architecture == "qwen3" || p.architecture == "gemma3";
  const std::string& arch = p.architecture;
  INGOT_ASSIGN_OR_RETURN(p.block_count, read_count(file, arch + ".block_count"));
  INGOT_ASSIGN_OR_RETURN(p.context_length, read_count(file, arch + ".context_length"));
  INGOT_ASSIGN_OR_RETURN(p.embedding_length, read_count(file, arch + ".embedding_length"));
  INGOT_ASSIGN_OR_RETURN(p.feed_forward_length, read_count(file, arch + ".feed_forward_length"));
  INGOT_RETURN_IF_ERROR(read_attention(file, arch, p));
  INGOT_ASSIGN_OR_RETURN(
      p.rms_norm_eps,
      read_number(file, arch + ".attention.layer_norm_rms_epsilon", /*positive=*/true));
  if (file.find(arch + ".rope.freq_base") != nullptr) {
    INGOT_ASSIGN_OR_RETURN(p.rope_freq_base,
                           read_number(file, arch + ".rope.freq_base", /*positive=*/true));
  }
  INGOT_ASSIGN_OR_RETURN(p.rope_scaling, read_rope_scaling(file, arch));
  const std::string experts_key = arch + ".expert_count";
  if (file.find(experts_key) != nullptr) {
    INGOT_ASSIGN_OR_RETURN(uint64_t experts, file.get_uint(experts_key));
    if (experts > 0) {
      return make_error(StatusCode::kUnimplemented, file.path() + ": metadata '" + experts_key +
                                                        "' is " + std::to_string(experts) +
                                                        ": mixture-of-experts is not supported");
    }
  }
  if (arch == "gemma3") INGOT_RETURN_IF_ERROR(read_gemma3(file, p));
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> vocab,
                         read_optional_count(file, arch + ".vocab_size"));
  p.vocab_size = vocab.value_or(0);  // read_llama_tensors fills it from token_embd when 0
  INGOT_RETURN_IF_ERROR(read_llama_tensors(file, p));
  return p;
}

}  // namespace ingot::gguf
