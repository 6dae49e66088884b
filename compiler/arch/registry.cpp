#include "compiler/arch/registry.h"

#include <algorithm>

namespace ingot::arch {

const std::vector<Architecture>& registered_architectures() {
  // A new architecture is a new folder plus one line here.
  static const std::vector<Architecture> architectures = {
      llama_architecture(),
      qwen3_architecture(),
      gemma3_architecture(),
  };
  return architectures;
}

const Architecture* find_architecture(std::string_view general_architecture) {
  for (const Architecture& architecture : registered_architectures()) {
    const auto& names = architecture.info.gguf_names;
    if (std::find(names.begin(), names.end(), general_architecture) != names.end()) {
      return &architecture;
    }
  }
  return nullptr;
}

std::optional<ReadEncoding> gguf_read_encoding(quant::GgmlType type) {
  using quant::GgmlType;
  switch (type) {
    case GgmlType::F32: return ReadEncoding{Encoding::kFloat32};
    case GgmlType::F16: return ReadEncoding{Encoding::kFloat16};
    case GgmlType::BF16: return ReadEncoding{Encoding::kBfloat16};
    case GgmlType::Q4_0: return ReadEncoding{Encoding::kQ4_0};
    case GgmlType::Q4_1: return ReadEncoding{Encoding::kQ4_1};
    case GgmlType::Q8_0: return ReadEncoding{Encoding::kQ8_0};
    case GgmlType::Q4_K: return ReadEncoding{Encoding::kQ4_K};
    case GgmlType::Q6_K: return ReadEncoding{Encoding::kQ6_K};
    // SmolLM2 Q3_K_S read through q6_k scored 25.11 perplexity on GPL-3 against llama.cpp's
    // 25.20 on the same file; through q4_k, 25.88.
    // IQ4's values are d * grid[q] in groups of 32, which q8_0's groups of 32 hold to within
    // half a step of 1/127 of the group's largest value, and exactly where that is -127 * d.
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS: return ReadEncoding{Encoding::kQ8_0, true};
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q5_K: return ReadEncoding{Encoding::kQ6_K, true};
    default: return std::nullopt;
  }
}

const Preset* find_preset(const Architecture& architecture, std::string_view name) {
  for (const Preset& preset : architecture.presets)
    if (preset.name == name) return &preset;
  return nullptr;
}

}  // namespace ingot::arch
