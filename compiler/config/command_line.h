// The compile-config flags of ingot-compile: MAX's option names, kebab-case.
#pragma once

#include <string>

#include <cxxopts.hpp>

#include "compiler/config/compile_config.h"
#include "runtime/base/status.h"

namespace ingot::config {

/// Adds --encoding, --rope-type, --max-length, the KV cache flags, --config-file,
/// --section-name and --encoding-override to `options` under the help group `group`.
void add_compile_config_options(cxxopts::Options& options,
                                const std::string& group = "Model (MAX MAXModelConfig)");

/// Builds a CompileConfig from flags added by add_compile_config_options: the defaults,
/// then --config-file (its --section-name section), then the flags given.
Result<CompileConfig> compile_config_from_args(const cxxopts::ParseResult& args);

/// Applies the flags given in `args` (not --config-file) onto `config`.
Status apply_args(const cxxopts::ParseResult& args, CompileConfig& config);

}  // namespace ingot::config
