// cxxopts flags for the compile config, and defaults < config file < flags.
#include "compiler/config/command_line.h"

#include <vector>

#include "compiler/config/config_fields.h"
#include "compiler/config/config_file.h"

namespace ingot::config {
namespace {

constexpr const char* kConfigFileFlag = "config-file";
constexpr const char* kSectionNameFlag = "section-name";

Status flag_error(std::string_view flag, const std::string& problem) {
  std::string message = "--";
  message.append(flag).append(": ").append(problem);
  return make_error(StatusCode::kInvalidArgument, message);
}

std::shared_ptr<const cxxopts::Value> value_for(FieldKind kind) {
  switch (kind) {
    case FieldKind::kList: return cxxopts::value<std::vector<std::string>>();
    case FieldKind::kBool: return cxxopts::value<std::string>()->implicit_value("true");
    case FieldKind::kScalar: break;
  }
  return cxxopts::value<std::string>();
}

std::optional<std::string> string_flag(const cxxopts::ParseResult& args, const char* flag) {
  if (args.count(flag) == 0) return std::nullopt;
  return args[flag].as<std::string>();
}

// Applies one field's flag (or its alias) when given; list flags replace the list.
Status apply_field(const cxxopts::ParseResult& args, const ConfigField& field,
                   CompileConfig& config) {
  std::string flag(field.flag);
  std::string alias(field.alias_flag);
  size_t given = args.count(flag);
  size_t given_alias = alias.empty() ? 0 : args.count(alias);
  if (given > 0 && given_alias > 0) {
    return flag_error(flag, "also given as --" + alias + "; give one of them");
  }
  if (given == 0 && given_alias == 0) return Status();
  const std::string& used = given > 0 ? flag : alias;
  if (field.kind == FieldKind::kList) {
    field.reset(config);
    for (const std::string& item : args[used].as<std::vector<std::string>>()) {
      Status status = field.set(config, item);
      if (!status.ok()) return flag_error(used, status.message());
    }
    return Status();
  }
  Status status = field.set(config, args[used].as<std::string>());
  if (!status.ok()) return flag_error(used, status.message());
  return Status();
}

}  // namespace

void add_compile_config_options(cxxopts::Options& options, const std::string& group) {
  cxxopts::OptionAdder add = options.add_options(group);
  for (const ConfigField& field : config_fields()) {
    if (field.flag.empty()) continue;
    add(std::string(field.flag), std::string(field.help), value_for(field.kind),
        std::string(field.arg_name));
    if (!field.alias_flag.empty()) {
      std::string help = "Alias of --" + std::string(field.flag) + " (MAX's spelling)";
      add(std::string(field.alias_flag), help, value_for(field.kind),
          std::string(field.arg_name));
    }
  }
  add(kConfigFileFlag,
      "MAX: config_file. YAML file of MAX-named options; flags override it (default: none)",
      cxxopts::value<std::string>(), "FILE");
  add(kSectionNameFlag,
      "MAX: section_name. The section of --config-file to read (default: its top level)",
      cxxopts::value<std::string>(), "NAME");
}

Status apply_args(const cxxopts::ParseResult& args, CompileConfig& config) {
  try {
    for (const ConfigField& field : config_fields()) {
      if (field.flag.empty()) continue;
      INGOT_RETURN_IF_ERROR(apply_field(args, field, config));
    }
  } catch (const std::exception& e) {
    return make_error(StatusCode::kInvalidArgument, e.what());
  }
  return Status();
}

Result<CompileConfig> compile_config_from_args(const cxxopts::ParseResult& args) {
  CompileConfig config;
  try {
    config.config_file = string_flag(args, kConfigFileFlag);
    config.section_name = string_flag(args, kSectionNameFlag);
  } catch (const std::exception& e) {
    return make_error(StatusCode::kInvalidArgument, e.what());
  }
  if (config.section_name && !config.config_file) {
    return flag_error(kSectionNameFlag, "needs --config-file");
  }
  if (config.config_file) {
    INGOT_RETURN_IF_ERROR(apply_config_file(*config.config_file, config.section_name, config));
  }
  INGOT_RETURN_IF_ERROR(apply_args(args, config));
  return config;
}

}  // namespace ingot::config
