// The YAML config file (MAX's --config-file / --section-name): MAX field names as keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compiler/config/compile_config.h"
#include "runtime/base/status.h"

namespace ingot::config {

/// Applies the values of YAML file `path` onto `config`: its top-level mapping, or the
/// mapping under `section_name`. Errors read "PATH:LINE: KEY: problem".
Status apply_config_file(const std::string& path, const std::optional<std::string>& section_name,
                         CompileConfig& config);

/// apply_config_file on text already in memory; `file_label` names it in errors.
Status apply_config_yaml(std::string_view yaml_text, const std::string& file_label,
                         const std::optional<std::string>& section_name, CompileConfig& config);

/// The config as YAML with MAX's keys (KV cache fields nested under kv_cache), which
/// apply_config_yaml reads back to an equal config (config_file and section_name aside).
std::string to_yaml(const CompileConfig& config);

}  // namespace ingot::config
