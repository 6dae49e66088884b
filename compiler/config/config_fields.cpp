// The CompileConfig field table.
#include "compiler/config/config_fields.h"

#include <array>
#include <string>

#include "compiler/config/value_text.h"

namespace ingot::config {
namespace {

// Parses `text` with `parse` and stores the value with `store`.
template <typename Parse, typename Store>
Status set_parsed(std::string_view text, Parse parse, Store store) {
  auto value = parse(text);
  if (!value.ok()) return value.status();
  store(*value);
  return Status();
}

std::vector<ConfigField> build_fields() {
  std::vector<ConfigField> fields;
  fields.push_back(ConfigField{
      "model_path", "", "", "", "PATH", "MAX: model_path. The GGUF file or Hugging Face folder.",
      FieldKind::kScalar, false, false,
      [](CompileConfig& c, std::string_view t) {
        c.model_path = std::string(t);
        return Status();
      },
      nullptr});
  fields.push_back(ConfigField{
      "weight_path", "", "", "", "PATH", "MAX: weight_path. Weight files (default: from model_path).",
      FieldKind::kList, false, false,
      [](CompileConfig& c, std::string_view t) {
        c.weight_path.emplace_back(t);
        return Status();
      },
      [](CompileConfig& c) { c.weight_path.clear(); }});
  fields.push_back(ConfigField{
      "quantization_encoding", "", "encoding", "quantization-encoding", "ENC",
      "MAX: quantization_encoding. Target weight encoding: float32, bfloat16, f16, q4_k, "
      "q4_0, q4_1, q6_k, q8_0, float8_e4m3fn, float4_e2m1fnx2, gptq (default: a GGUF's "
      "weights keep their own encodings, as MAX infers them; else the architecture's "
      "default_encoding)",
      FieldKind::kScalar, false, true,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_encoding_text,
                          [&](arch::Encoding v) { c.quantization_encoding = v; });
      },
      [](CompileConfig& c) { c.quantization_encoding.reset(); }});
  fields.push_back(ConfigField{
      "rope_type", "", "rope-type", "", "TYPE",
      "MAX: rope_type. none, normal, neox, longrope, yarn (default: the architecture's "
      "rope_type)",
      FieldKind::kScalar, false, true,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_rope_type_text, [&](arch::RopeType v) { c.rope_type = v; });
      },
      [](CompileConfig& c) { c.rope_type.reset(); }});
  fields.push_back(ConfigField{
      "max_length", "", "max-length", "", "N",
      "MAX: max_length. Longest sequence, prompt + generated tokens (default: the model's "
      "context length)",
      FieldKind::kScalar, false, true,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_int64_text, [&](int64_t v) { c.max_length = v; });
      },
      [](CompileConfig& c) { c.max_length.reset(); }});
  fields.push_back(ConfigField{
      "served_model_name", "", "served-model-name", "", "NAME",
      "MAX: served_model_name. The model name the runtime reports (default: model_path)",
      FieldKind::kScalar, false, true,
      [](CompileConfig& c, std::string_view t) {
        c.served_model_name = std::string(t);
        return Status();
      },
      [](CompileConfig& c) { c.served_model_name.reset(); }});
  fields.push_back(ConfigField{
      "allow_safetensors_weights_fp32_bf6_bidirectional_cast",
      "allow_safetensors_weights_fp32_bf16_bidirectional_cast",
      "allow-safetensors-weights-fp32-bf16-bidirectional-cast",
      "allow-safetensors-weights-fp32-bf6-bidirectional-cast", "BOOL",
      "MAX: allow_safetensors_weights_fp32_bf6_bidirectional_cast (sic). Allow float32 <-> "
      "bfloat16 casts of safetensors weights; needs --encoding (default: false)",
      FieldKind::kBool, false, false,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_bool_text, [&](bool v) {
          c.allow_safetensors_weights_fp32_bf16_bidirectional_cast = v;
        });
      },
      nullptr});
  fields.push_back(ConfigField{
      "cache_strategy", "", "cache-strategy", "", "STRATEGY",
      "MAX: kv_cache.cache_strategy. model_default, continuous, paged (default: model_default, "
      "the first strategy the encoding allows)",
      FieldKind::kScalar, true, false,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_cache_strategy_text,
                          [&](arch::CacheStrategy v) { c.kv_cache.cache_strategy = v; });
      },
      nullptr});
  fields.push_back(ConfigField{
      "kv_cache_page_size", "", "kv-cache-page-size", "", "N",
      "MAX: kv_cache.kv_cache_page_size. Tokens per KV cache page, a positive multiple of 128 "
      "(default: 128)",
      FieldKind::kScalar, true, false,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_int64_text,
                          [&](int64_t v) { c.kv_cache.kv_cache_page_size = v; });
      },
      nullptr});
  fields.push_back(ConfigField{
      "enable_prefix_caching", "", "enable-prefix-caching", "", "BOOL",
      "MAX: kv_cache.enable_prefix_caching. Reuse KV pages of shared prompt prefixes "
      "(default: false)",
      FieldKind::kBool, true, false,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_bool_text,
                          [&](bool v) { c.kv_cache.enable_prefix_caching = v; });
      },
      nullptr});
  fields.push_back(ConfigField{
      "device_memory_utilization", "", "device-memory-utilization", "", "FRACTION",
      "MAX: kv_cache.device_memory_utilization. Fraction of free device memory to use, in "
      "(0, 1] (default: 0.9)",
      FieldKind::kScalar, true, false,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_double_text,
                          [&](double v) { c.kv_cache.device_memory_utilization = v; });
      },
      nullptr});
  fields.push_back(ConfigField{
      "cache_dtype", "kv_cache_format", "cache-dtype", "kv-cache-format", "DTYPE",
      "MAX: kv_cache.cache_dtype (set by kv_cache_format). float32, bfloat16, float16, "
      "float8_e4m3fn (default: derived from the encoding)",
      FieldKind::kScalar, true, true,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_cache_dtype_text,
                          [&](CacheDType v) { c.kv_cache.cache_dtype = v; });
      },
      [](CompileConfig& c) { c.kv_cache.cache_dtype.reset(); }});
  fields.push_back(ConfigField{
      "overrides", "", "encoding-override", "", "PATTERN=ENC",
      "ingot only. Encode tensors matching the glob PATTERN as ENC, e.g. "
      "'blk.*.ffn_down.weight=q6_k'; repeatable, first match wins (default: none)",
      FieldKind::kList, false, false,
      [](CompileConfig& c, std::string_view t) {
        return set_parsed(t, parse_encoding_override,
                          [&](const EncodingOverride& v) { c.overrides.push_back(v); });
      },
      [](CompileConfig& c) { c.overrides.clear(); }});
  return fields;
}

// MAXModelConfig / KVCacheConfig fields with no meaning for an ahead-of-time compile.
constexpr std::array<std::string_view, 16> kUnsupportedMaxKeys = {
    "use_subgraphs",
    "data_parallel_degree",
    "huggingface_model_revision",
    "huggingface_weight_revision",
    "trust_remote_code",
    "device_specs",
    "force_download",
    "vision_config_overrides",
    "enable_kvcache_swapping_to_host",
    "host_kvcache_swap_space_gb",
    "disk_offload_dir",
    "disk_offload_max_gb",
    "disk_offload_direct_io",
    "lmcache_config_file",
    "subfolder",
    "kv_connector",
};

}  // namespace

const std::vector<ConfigField>& config_fields() {
  static const std::vector<ConfigField> fields = build_fields();
  return fields;
}

const ConfigField* find_config_field_by_key(std::string_view key) {
  for (const ConfigField& field : config_fields()) {
    if (field.key == key || (!field.alias_key.empty() && field.alias_key == key)) return &field;
  }
  return nullptr;
}

bool is_unsupported_max_key(std::string_view key) {
  for (std::string_view unsupported : kUnsupportedMaxKeys) {
    if (unsupported == key) return true;
  }
  return false;
}

}  // namespace ingot::config
