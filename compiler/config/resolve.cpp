// Validation and defaulting of a CompileConfig against one architecture.
#include "compiler/config/resolve.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "compiler/config/value_text.h"

namespace ingot::config {
namespace {

Status flag_error(std::string_view flag, const std::string& problem) {
  std::string message = "--";
  message.append(flag).append(": ").append(problem);
  return make_error(StatusCode::kInvalidArgument, message);
}

std::vector<arch::Encoding> supported_encodings(const arch::SupportedArchitecture& arch) {
  std::vector<arch::Encoding> out;
  for (const auto& entry : arch.supported_encodings) out.push_back(entry.first);
  return out;
}

std::string supported_text(const arch::SupportedArchitecture& arch) {
  std::vector<arch::Encoding> encodings = supported_encodings(arch);
  return encodings.empty() ? "none" : encoding_list(encodings);
}

bool is_supported(const arch::SupportedArchitecture& arch, arch::Encoding encoding) {
  return arch.supported_encodings.count(encoding) > 0;
}

std::string name(arch::Encoding encoding) { return std::string(arch::encoding_name(encoding)); }
std::string name(arch::RopeType rope) { return std::string(arch::rope_type_name(rope)); }
std::string name(arch::CacheStrategy strategy) {
  return std::string(arch::cache_strategy_name(strategy));
}

// normal and neox are the two GGUF weight layouts MAX's --rope-type picks between.
bool is_layout_rope(arch::RopeType rope) {
  return rope == arch::RopeType::kNormal || rope == arch::RopeType::kNeox;
}

// MAX's validate_and_resolve_rope_type, plus a check that the rope fits the architecture.
Status resolve_rope_type(CompileConfig& config, const arch::SupportedArchitecture& arch) {
  if (!config.rope_type) {
    config.rope_type = arch.rope_type;
    return Status();
  }
  arch::RopeType wanted = *config.rope_type;
  if (wanted == arch.rope_type) return Status();
  if (is_layout_rope(wanted) && is_layout_rope(arch.rope_type)) return Status();
  std::string suffix = " (" + arch.name + "'s rope_type is " + name(arch.rope_type) + ")";
  if (arch.rope_type == arch::RopeType::kNone) {
    return flag_error("rope-type", name(wanted) + " does not apply: " + arch.name +
                                       " has no rotary embedding" + suffix);
  }
  if (wanted == arch::RopeType::kNone) {
    return flag_error("rope-type", "none would drop " + arch.name +
                                       "'s rotary position embedding" + suffix);
  }
  return flag_error("rope-type", name(wanted) + " does not fit " + arch.name +
                                     "; only normal and neox may replace each other" + suffix);
}

// MAX's _resolve_kv_cache_strategy; an explicit strategy the encoding does not allow is
// an error here (MAX warns and takes the first allowed one).
Status resolve_cache_strategy(CompileConfig& config, const arch::SupportedArchitecture& arch) {
  arch::Encoding encoding = *config.quantization_encoding;
  const std::vector<arch::CacheStrategy>& allowed = arch.supported_encodings.at(encoding);
  std::string allowed_text;
  for (arch::CacheStrategy strategy : allowed) {
    allowed_text += (allowed_text.empty() ? "" : ", ") + name(strategy);
  }
  arch::CacheStrategy& strategy = config.kv_cache.cache_strategy;
  if (strategy == arch::CacheStrategy::kModelDefault) {
    auto first = std::find_if(allowed.begin(), allowed.end(), [](arch::CacheStrategy s) {
      return s != arch::CacheStrategy::kModelDefault;
    });
    if (first == allowed.end()) {
      return flag_error("cache-strategy", arch.name + " lists no cache strategy for " +
                                              name(encoding));
    }
    strategy = *first;
    return Status();
  }
  if (std::find(allowed.begin(), allowed.end(), strategy) == allowed.end()) {
    return flag_error("cache-strategy",
                      name(strategy) + " is not supported by " + arch.name + " with " +
                          name(encoding) + " (supported: " +
                          (allowed_text.empty() ? "none" : allowed_text) + ")");
  }
  return Status();
}

// MAX's validate_max_length and the architectures' upper_bounded_default.
Status resolve_max_length(CompileConfig& config, int64_t model_max_length) {
  if (!config.max_length) {
    if (model_max_length <= 0) {
      return flag_error("max-length", "not set, and the model does not state its context "
                                          "length; pass --max-length");
    }
    config.max_length = model_max_length;
    return Status();
  }
  int64_t length = *config.max_length;
  if (length <= 0) return flag_error("max-length", "must be positive, got " + std::to_string(length));
  if (model_max_length > 0 && length > model_max_length) {
    return flag_error("max-length", std::to_string(length) +
                                        " exceeds the model's context length (max position "
                                        "embeddings) of " +
                                        std::to_string(model_max_length));
  }
  return Status();
}

Status validate_kv_cache(const KVCacheConfig& kv) {
  if (kv.kv_cache_page_size <= 0 || kv.kv_cache_page_size % kKVCachePageSizeMultiple != 0) {
    return flag_error("kv-cache-page-size",
                      "must be a positive multiple of " + std::to_string(kKVCachePageSizeMultiple) +
                          ", got " + std::to_string(kv.kv_cache_page_size));
  }
  double fraction = kv.device_memory_utilization;
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    return flag_error("device-memory-utilization",
                      "must be in (0, 1], got " + double_text(fraction));
  }
  return Status();
}

Status validate_overrides(const CompileConfig& config, const arch::SupportedArchitecture& arch) {
  for (size_t i = 0; i < config.overrides.size(); ++i) {
    const EncodingOverride& item = config.overrides[i];
    for (size_t j = 0; j < i; ++j) {
      if (config.overrides[j].pattern == item.pattern) {
        return flag_error("encoding-override", "pattern '" + item.pattern + "' is given twice");
      }
    }
    if (!is_supported(arch, item.encoding)) {
      std::string problem = "'";
      problem.append(encoding_override_text(item)).append("': ").append(name(item.encoding));
      problem.append(" is not supported by ").append(arch.name);
      problem.append(" (supported: ").append(supported_text(arch)).append(")");
      return flag_error("encoding-override", problem);
    }
  }
  return Status();
}

}  // namespace

Status check_safetensors_cast(const CompileConfig& config, std::optional<arch::Encoding> stored) {
  const bool allowed = config.allow_safetensors_weights_fp32_bf16_bidirectional_cast;
  // MAX's resolve(): the cast needs an explicit encoding.
  if (allowed && !config.quantization_encoding) {
    return flag_error("allow-safetensors-weights-fp32-bf16-bidirectional-cast",
                      "needs --encoding (MAX: --quantization-encoding must be provided)");
  }
  auto is_cast_pair = [](arch::Encoding encoding) {
    return encoding == arch::Encoding::kFloat32 || encoding == arch::Encoding::kBfloat16;
  };
  const std::optional<arch::Encoding>& wanted = config.quantization_encoding;
  if (!allowed && stored && wanted && *wanted != *stored && is_cast_pair(*wanted) &&
      is_cast_pair(*stored)) {
    return flag_error("encoding", name(*wanted) + " would cast the " + name(*stored) +
                                      " safetensors weights; pass "
                                      "--allow-safetensors-weights-fp32-bf16-bidirectional-cast");
  }
  return Status();
}

Status resolve(CompileConfig& config, const arch::SupportedArchitecture& arch,
               int64_t model_max_length) {
  INGOT_RETURN_IF_ERROR(check_safetensors_cast(config, std::nullopt));
  // validate_and_resolve_quantization_encoding_weight_path: the architecture's default.
  if (!config.quantization_encoding) config.quantization_encoding = arch.default_encoding;
  INGOT_RETURN_IF_ERROR(resolve_rope_type(config, arch));
  if (!is_supported(arch, *config.quantization_encoding)) {
    return flag_error("encoding", name(*config.quantization_encoding) +
                                      " is not supported by " + arch.name +
                                      " (supported: " + supported_text(arch) + ")");
  }
  INGOT_RETURN_IF_ERROR(resolve_cache_strategy(config, arch));
  // set_cache_dtype_given_quantization_encoding: an explicit cache_dtype wins.
  if (!config.kv_cache.cache_dtype) {
    config.kv_cache.cache_dtype = cache_dtype_for_encoding(config.quantization_encoding);
  }
  INGOT_RETURN_IF_ERROR(resolve_max_length(config, model_max_length));
  INGOT_RETURN_IF_ERROR(validate_kv_cache(config.kv_cache));
  INGOT_RETURN_IF_ERROR(validate_overrides(config, arch));
  return Status();
}

}  // namespace ingot::config
