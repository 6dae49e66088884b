// Names and parsers for the enums of SupportedArchitecture, spelled as MAX spells them.
#include "compiler/arch/supported_architecture.h"

#include <array>
#include <utility>

namespace ingot::arch {
namespace {

constexpr std::array<std::pair<Encoding, std::string_view>, 11> kEncodingNames = {{
    {Encoding::kFloat32, "float32"},
    {Encoding::kBfloat16, "bfloat16"},
    {Encoding::kFloat16, "f16"},  // GGUF-native, not a MAX encoding; spelled as the IR does
    {Encoding::kQ4_K, "q4_k"},
    {Encoding::kQ4_0, "q4_0"},
    {Encoding::kQ4_1, "q4_1"},
    {Encoding::kQ6_K, "q6_k"},
    {Encoding::kQ8_0, "q8_0"},
    {Encoding::kFloat8E4M3FN, "float8_e4m3fn"},
    {Encoding::kFloat4E2M1FNx2, "float4_e2m1fnx2"},
    {Encoding::kGptq, "gptq"},
}};

constexpr std::array<std::pair<RopeType, std::string_view>, 5> kRopeTypeNames = {{
    {RopeType::kNone, "none"},
    {RopeType::kNormal, "normal"},
    {RopeType::kNeox, "neox"},
    {RopeType::kLongrope, "longrope"},
    {RopeType::kYarn, "yarn"},
}};

constexpr std::array<std::pair<CacheStrategy, std::string_view>, 3> kCacheStrategyNames = {{
    {CacheStrategy::kModelDefault, "model_default"},
    {CacheStrategy::kContinuous, "continuous"},
    {CacheStrategy::kPaged, "paged"},
}};

constexpr std::array<std::pair<WeightsFormat, std::string_view>, 2> kWeightsFormatNames = {{
    {WeightsFormat::kGguf, "gguf"},
    {WeightsFormat::kSafetensors, "safetensors"},
}};

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                         Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
bool parse_name(const std::array<std::pair<Enum, std::string_view>, N>& table,
                std::string_view name, Enum& out) {
  for (const auto& [entry, spelling] : table) {
    if (spelling == name) {
      out = entry;
      return true;
    }
  }
  return false;
}

template <typename Enum, size_t N>
std::vector<Enum> values_of(const std::array<std::pair<Enum, std::string_view>, N>& table) {
  std::vector<Enum> values;
  for (const auto& entry : table) values.push_back(entry.first);
  return values;
}

}  // namespace

std::string_view encoding_name(Encoding encoding) { return name_of(kEncodingNames, encoding); }
bool parse_encoding(std::string_view name, Encoding& out) {
  return parse_name(kEncodingNames, name, out);
}
const std::vector<Encoding>& all_encodings() {
  static const std::vector<Encoding> values = values_of(kEncodingNames);
  return values;
}

std::string_view rope_type_name(RopeType rope_type) { return name_of(kRopeTypeNames, rope_type); }
bool parse_rope_type(std::string_view name, RopeType& out) {
  return parse_name(kRopeTypeNames, name, out);
}
const std::vector<RopeType>& all_rope_types() {
  static const std::vector<RopeType> values = values_of(kRopeTypeNames);
  return values;
}

std::string_view cache_strategy_name(CacheStrategy strategy) {
  return name_of(kCacheStrategyNames, strategy);
}
bool parse_cache_strategy(std::string_view name, CacheStrategy& out) {
  return parse_name(kCacheStrategyNames, name, out);
}
const std::vector<CacheStrategy>& all_cache_strategies() {
  static const std::vector<CacheStrategy> values = values_of(kCacheStrategyNames);
  return values;
}

std::string_view weights_format_name(WeightsFormat format) {
  return name_of(kWeightsFormatNames, format);
}
bool parse_weights_format(std::string_view name, WeightsFormat& out) {
  return parse_name(kWeightsFormatNames, name, out);
}
const std::vector<WeightsFormat>& all_weights_formats() {
  static const std::vector<WeightsFormat> values = values_of(kWeightsFormatNames);
  return values;
}

}  // namespace ingot::arch
