// Reads MAX-named keys from a YAML config file (yaml-cpp) onto a CompileConfig.
#include "compiler/config/config_file.h"

#include <map>

#include <yaml-cpp/yaml.h>

#include "compiler/config/config_fields.h"
#include "compiler/config/value_text.h"
#include "runtime/io/read_file.h"

namespace ingot::config {
namespace {

constexpr std::string_view kKVCacheKey = "kv_cache";
constexpr const char* kNotText = "is not UTF-8 text without control characters";

int line_of(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

// Applies one YAML mapping of MAX keys; remembers which fields were set to catch repeats.
class YamlApplier {
 public:
  YamlApplier(const std::string& file, CompileConfig& config) : file_(file), config_(config) {}

  Status apply_mapping(const YAML::Node& map, bool in_kv_cache) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      INGOT_RETURN_IF_ERROR(apply_entry(it->first, it->second, in_kv_cache));
    }
    return Status();
  }

  Status error(int line, std::string_view key, const std::string& problem) const {
    std::string where = line > 0 ? file_ + ":" + std::to_string(line) : file_;
    if (!key.empty()) where += ": " + std::string(key);
    return make_error(StatusCode::kInvalidArgument, where + ": " + problem);
  }

 private:
  Status apply_entry(const YAML::Node& key_node, const YAML::Node& value, bool in_kv_cache) {
    int line = line_of(key_node);
    if (!key_node.IsScalar()) return error(line, "", "expected an option name, got " + kind_of(key_node));
    const std::string& key = key_node.Scalar();
    std::string path = in_kv_cache ? std::string(kKVCacheKey) + "." + key : key;
    if (key == kKVCacheKey && !in_kv_cache) {
      INGOT_RETURN_IF_ERROR(note_seen(kKVCacheKey, line, path));
      if (value.IsNull()) return Status();
      if (!value.IsMap()) return error(line, path, "expected a mapping, got " + kind_of(value));
      return apply_mapping(value, /*in_kv_cache=*/true);
    }
    if (key == "config_file" || key == "section_name") {
      return error(line, path, "cannot be set inside a config file");
    }
    const ConfigField* field = find_config_field_by_key(key);
    if (field == nullptr) {
      if (is_unsupported_max_key(key)) return error(line, path, "is a MAX option ingot does not use");
      return error(line, path, "unknown option");
    }
    if (in_kv_cache && !field->in_kv_cache) {
      return error(line, path, "is not a KV cache option; put it at the top level");
    }
    INGOT_RETURN_IF_ERROR(note_seen(field->key, line, path));
    if (field->kind == FieldKind::kList) return apply_list(*field, value, line, path);
    if (value.IsNull()) {
      if (!field->nullable) return error(line, path, "needs a value");
      field->reset(config_);
      return Status();
    }
    if (!value.IsScalar()) return error(line, path, "expected a single value, got " + kind_of(value));
    if (!is_plain_text(value.Scalar())) return error(line, path, kNotText);
    Status status = field->set(config_, value.Scalar());
    if (!status.ok()) return error(line, path, status.message());
    return Status();
  }

  // A list field takes one value, a list of values, or (overrides) a PATTERN: ENC mapping.
  Status apply_list(const ConfigField& field, const YAML::Node& value, int line,
                    const std::string& path) {
    field.reset(config_);
    if (value.IsNull()) return Status();
    if (value.IsScalar()) return set_item(field, value.Scalar(), line, path);
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) {
        int item_line = line_of(item) > 0 ? line_of(item) : line;
        if (!item.IsScalar()) {
          return error(item_line, path, "expected list items to be single values, got " +
                                            kind_of(item));
        }
        INGOT_RETURN_IF_ERROR(set_item(field, item.Scalar(), item_line, path));
      }
      return Status();
    }
    if (value.IsMap() && field.key == "overrides") {
      for (auto it = value.begin(); it != value.end(); ++it) {
        int item_line = line_of(it->first) > 0 ? line_of(it->first) : line;
        if (!it->first.IsScalar() || !it->second.IsScalar()) {
          return error(item_line, path, "expected PATTERN: ENCODING entries");
        }
        INGOT_RETURN_IF_ERROR(
            set_item(field, it->first.Scalar() + "=" + it->second.Scalar(), item_line, path));
      }
      return Status();
    }
    return error(line, path, "expected a list, got " + kind_of(value));
  }

  Status set_item(const ConfigField& field, const std::string& text, int line,
                  const std::string& path) {
    if (!is_plain_text(text)) return error(line, path, kNotText);
    Status status = field.set(config_, text);
    if (!status.ok()) return error(line, path, status.message());
    return Status();
  }

  Status note_seen(std::string_view canonical_key, int line, const std::string& path) {
    auto [it, inserted] = seen_.emplace(std::string(canonical_key), line);
    if (inserted) return Status();
    return error(line, path, "is set twice (first at line " + std::to_string(it->second) + ")");
  }

  const std::string& file_;
  CompileConfig& config_;
  std::map<std::string, int> seen_;
};

// The mapping to read: the document's top level, or its `section_name` section.
Status select_section(const YAML::Node& root, const std::optional<std::string>& section_name,
                      const YamlApplier& applier, YAML::Node& out) {
  if (root.IsNull() && !section_name) {
    out = YAML::Node(YAML::NodeType::Map);
    return Status();
  }
  if (!root.IsMap()) {
    return applier.error(line_of(root), "", "expected a mapping of option names, got " +
                                                kind_of(root));
  }
  if (!section_name) {
    out = root;
    return Status();
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != *section_name) continue;
    if (it->second.IsNull()) {
      return applier.error(line_of(it->first), *section_name, "section is empty");
    }
    if (!it->second.IsMap()) {
      return applier.error(line_of(it->first), *section_name,
                           "expected the section to be a mapping, got " + kind_of(it->second));
    }
    out = it->second;
    return Status();
  }
  std::string sections;
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->first.IsScalar() || !it->second.IsMap()) continue;
    sections += (sections.empty() ? "" : ", ") + it->first.Scalar();
  }
  return applier.error(0, "", "section '" + *section_name + "' not found (sections: " +
                                  (sections.empty() ? "none" : sections) + ")");
}

/// The most bytes a config file may hold; real ones are a few hundred.
constexpr uint64_t kMaxConfigFileBytes = uint64_t{16} << 20;

}  // namespace

Status apply_config_yaml(std::string_view yaml_text, const std::string& file_label,
                         const std::optional<std::string>& section_name, CompileConfig& config) {
  YamlApplier applier(file_label, config);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    YAML::Node section;
    INGOT_RETURN_IF_ERROR(select_section(root, section_name, applier, section));
    return applier.apply_mapping(section, /*in_kv_cache=*/false);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return applier.error(line, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return applier.error(0, "", e.what());
  }
}

Status apply_config_file(const std::string& path, const std::optional<std::string>& section_name,
                         CompileConfig& config) {
  INGOT_ASSIGN_OR_RETURN(const std::string text, read_whole_file(path, kMaxConfigFileBytes));
  return apply_config_yaml(text, path, section_name, config);
}

std::string to_yaml(const CompileConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "model_path" << YAML::Value << config.model_path;
  if (!config.weight_path.empty()) {
    out << YAML::Key << "weight_path" << YAML::Value << YAML::BeginSeq;
    for (const std::string& path : config.weight_path) out << path;
    out << YAML::EndSeq;
  }
  if (config.quantization_encoding) {
    out << YAML::Key << "quantization_encoding" << YAML::Value
        << std::string(arch::encoding_name(*config.quantization_encoding));
  }
  if (config.rope_type) {
    out << YAML::Key << "rope_type" << YAML::Value
        << std::string(arch::rope_type_name(*config.rope_type));
  }
  if (config.max_length) out << YAML::Key << "max_length" << YAML::Value << *config.max_length;
  if (config.served_model_name) {
    out << YAML::Key << "served_model_name" << YAML::Value << *config.served_model_name;
  }
  out << YAML::Key << "allow_safetensors_weights_fp32_bf6_bidirectional_cast" << YAML::Value
      << config.allow_safetensors_weights_fp32_bf16_bidirectional_cast;
  const KVCacheConfig& kv = config.kv_cache;
  out << YAML::Key << std::string(kKVCacheKey) << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cache_strategy" << YAML::Value
      << std::string(arch::cache_strategy_name(kv.cache_strategy));
  out << YAML::Key << "kv_cache_page_size" << YAML::Value << kv.kv_cache_page_size;
  out << YAML::Key << "enable_prefix_caching" << YAML::Value << kv.enable_prefix_caching;
  out << YAML::Key << "device_memory_utilization" << YAML::Value
      << double_text(kv.device_memory_utilization);
  if (kv.cache_dtype) {
    out << YAML::Key << "cache_dtype" << YAML::Value
        << std::string(cache_dtype_name(*kv.cache_dtype));
  }
  out << YAML::EndMap;
  if (!config.overrides.empty()) {
    out << YAML::Key << "overrides" << YAML::Value << YAML::BeginSeq;
    for (const EncodingOverride& item : config.overrides) out << encoding_override_text(item);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ingot::config
