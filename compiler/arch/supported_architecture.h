// SupportedArchitecture: what the compiler knows about one model architecture,
// mirroring MAX's `SupportedArchitecture` field for field. MLIR-free, so the
// configuration code can validate against it without linking MLIR.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ingot::arch {

/// Weight encodings, spelled as MAX's `quantization_encoding` values, plus the
/// GGUF-native f16, q4_1 and q8_0.
enum class Encoding {
  kFloat32,
  kBfloat16,
  kFloat16,
  kQ4_K,
  kQ4_0,
  kQ4_1,
  kQ6_K,
  kQ8_0,
  kFloat8E4M3FN,
  kFloat4E2M1FNx2,
  kGptq,
};

/// MAX's rope types.
enum class RopeType { kNone, kNormal, kNeox, kLongrope, kYarn };

/// MAX's KV cache strategies ("model_default" resolves to the architecture's own).
enum class CacheStrategy { kModelDefault, kContinuous, kPaged };

/// Where weights come from.
enum class WeightsFormat { kGguf, kSafetensors };

/// The spelling MAX uses, e.g. "q4_k", "float8_e4m3fn".
std::string_view encoding_name(Encoding encoding);
/// Parses a MAX spelling; false when `name` is not an encoding.
bool parse_encoding(std::string_view name, Encoding& out);
/// Every encoding, in declaration order.
const std::vector<Encoding>& all_encodings();

/// "none", "normal", "neox", "longrope", "yarn".
std::string_view rope_type_name(RopeType rope_type);
/// Parses a MAX spelling; false when `name` is not a rope type.
bool parse_rope_type(std::string_view name, RopeType& out);
/// Every rope type, in declaration order.
const std::vector<RopeType>& all_rope_types();

/// "model_default", "continuous", "paged".
std::string_view cache_strategy_name(CacheStrategy strategy);
/// Parses a MAX spelling; false when `name` is not a strategy.
bool parse_cache_strategy(std::string_view name, CacheStrategy& out);
/// Every cache strategy, in declaration order.
const std::vector<CacheStrategy>& all_cache_strategies();

/// "gguf", "safetensors".
std::string_view weights_format_name(WeightsFormat format);
/// Parses "gguf" or "safetensors"; false otherwise.
bool parse_weights_format(std::string_view name, WeightsFormat& out);
/// Every weights format, in declaration order.
const std::vector<WeightsFormat>& all_weights_formats();

/// One architecture's registration record (MAX's SupportedArchitecture).
struct SupportedArchitecture {
  std::string name;                     ///< e.g. "LlamaForCausalLM".
  std::vector<std::string> gguf_names;  ///< `general.architecture` values, e.g. "llama".
  std::vector<std::string> example_repo_ids;
  Encoding default_encoding = Encoding::kBfloat16;
  /// Supported encodings and the cache strategies each allows.
  std::map<Encoding, std::vector<CacheStrategy>> supported_encodings;
  RopeType rope_type = RopeType::kNormal;  ///< The architecture's default rope.
  WeightsFormat default_weights_format = WeightsFormat::kGguf;
  bool multi_gpu_supported = false;
};

}  // namespace ingot::arch
