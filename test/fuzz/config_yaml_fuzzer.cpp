// libFuzzer harness: the YAML compile-config loader (--config-file), with and
// without a section. A config it accepts must write back to YAML that reads
// back to the same config.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "compiler/config/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingot;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::optional<std::string>& section :
       {std::optional<std::string>(), std::optional<std::string>("model")}) {
    config::CompileConfig parsed;
    if (!config::apply_config_yaml(text, "fuzz.yaml", section, parsed).ok()) continue;
    config::CompileConfig reread;
    if (!config::apply_config_yaml(config::to_yaml(parsed), "again.yaml", std::nullopt, reread).ok()) {
      __builtin_trap();
    }
    parsed.config_file.reset();
    parsed.section_name.reset();
    reread.config_file.reset();
    reread.section_name.reset();
    if (!(parsed == reread)) __builtin_trap();
  }
  return 0;
}
