// The table of CompileConfig fields: MAX key, ingot flag, help text and setter. The
// YAML reader, the flags and docs/configuration.md all follow this one table.
#pragma once

#include <string_view>
#include <vector>

#include "compiler/config/compile_config.h"
#include "runtime/base/status.h"

namespace ingot::config {

/// What kind of value a field takes.
enum class FieldKind { kScalar, kBool, kList };

/// One settable CompileConfig field.
struct ConfigField {
  std::string_view key;         ///< MAX's field name, the YAML key.
  std::string_view alias_key;   ///< Another accepted YAML key, or "".
  std::string_view flag;        ///< The ingot flag without "--", or "" (YAML only).
  std::string_view alias_flag;  ///< Another accepted flag, or "".
  std::string_view arg_name;    ///< The value's name in --help, e.g. "ENC".
  std::string_view help;        ///< One line: MAX name, meaning, default.
  FieldKind kind = FieldKind::kScalar;
  bool in_kv_cache = false;  ///< Lives in KVCacheConfig (YAML may nest it under kv_cache).
  bool nullable = false;     ///< YAML null (~) resets it to unset.
  /// Sets the field from text (a list field appends one element).
  Status (*set)(CompileConfig& config, std::string_view text) = nullptr;
  /// Resets the field to unset (nullable) or clears it (list).
  void (*reset)(CompileConfig& config) = nullptr;
};

/// Every field, in the order of MAX's MAXModelConfig then KVCacheConfig.
const std::vector<ConfigField>& config_fields();

/// The field whose key or alias_key is `key`, or nullptr.
const ConfigField* find_config_field_by_key(std::string_view key);

/// MAX fields that ingot does not use (e.g. trust_remote_code): a clearer YAML error.
bool is_unsupported_max_key(std::string_view key);

}  // namespace ingot::config
