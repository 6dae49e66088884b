// CompileConfig: what ingot-compile is asked to build, named field for field after
// MAX's MAXModelConfig and its KVCacheConfig (snake_case, same defaults). Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/arch/supported_architecture.h"
#include "compiler/config/cache_dtype.h"
#include "compiler/config/encoding_override.h"

namespace ingot::config {

/// MAX's KVCacheConfig: the KV cache the artifact is compiled for.
struct KVCacheConfig {
  /// "model_default" resolves to the first strategy the encoding allows.
  arch::CacheStrategy cache_strategy = arch::CacheStrategy::kModelDefault;
  /// Tokens per page of the paged KV cache.
  int64_t kv_cache_page_size = 128;
  /// Whether the paged KV cache reuses pages of a shared prompt prefix.
  bool enable_prefix_caching = false;
  /// Fraction of free device memory the runtime may take (weights + KV cache).
  double device_memory_utilization = 0.9;
  /// The cache element type; unset derives it from the encoding (see cache_dtype.h).
  std::optional<CacheDType> cache_dtype;

  bool operator==(const KVCacheConfig&) const = default;
};

/// MAX's MAXModelConfig, restricted to what an ahead-of-time compiler needs.
struct CompileConfig {
  /// The model: a GGUF file or a Hugging Face folder.
  std::string model_path;
  /// Weight files, when they are not found from model_path.
  std::vector<std::string> weight_path;
  /// Target weight encoding; unset means the architecture's default_encoding.
  std::optional<arch::Encoding> quantization_encoding;
  /// Rotary embedding layout; unset means the architecture's rope_type.
  std::optional<arch::RopeType> rope_type;
  /// Longest sequence (prompt + generated tokens); unset means the model's context length.
  std::optional<int64_t> max_length;
  /// The name the runtime reports; unset means model_path.
  std::optional<std::string> served_model_name;
  /// Allow float32 <-> bfloat16 casting of safetensors weights. MAX spells the
  /// field `allow_safetensors_weights_fp32_bf6_bidirectional_cast` (sic).
  bool allow_safetensors_weights_fp32_bf16_bidirectional_cast = false;
  /// The YAML file the values came from, if any.
  std::optional<std::string> config_file;
  /// The YAML section read from config_file; unset reads the top level.
  std::optional<std::string> section_name;
  /// MAX's MAXModelConfig.kv_cache.
  KVCacheConfig kv_cache;
  /// Per-tensor encodings (ingot only); the first matching pattern wins.
  std::vector<EncodingOverride> overrides;

  /// MAX's model_name: served_model_name if set, else model_path.
  const std::string& model_name() const;
  /// The encoding for one tensor: its first matching override, else quantization_encoding.
  std::optional<arch::Encoding> encoding_for_tensor(std::string_view tensor_name) const;

  bool operator==(const CompileConfig&) const = default;
};

}  // namespace ingot::config
