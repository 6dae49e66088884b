#include "compiler/arch/registry.h"

#include <algorithm>

namespace ingot::arch {

const std::vector<Architecture>& registered_architectures() {
  // A new architecture is a new folder plus one line here.
  static const std::vector<Architecture> architectures = {
      llama_architecture(),
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

const Preset* find_preset(const Architecture& architecture, std::string_view name) {
  for (const Preset& preset : architecture.presets)
    if (preset.name == name) return &preset;
  return nullptr;
}

}  // namespace ingot::arch
