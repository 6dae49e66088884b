// compile_artifact: GGUF (or dummy preset) -> .ingot through the compiler's driver, for tests.
#pragma once

#include <memory>
#include <string>

#include "compiler/driver/compile.h"
#include "runtime/base/status.h"
#include "runtime/generate/engine.h"

namespace ingot::testing {

/// Compiles config.model_path with `pipeline` and writes the artifact to `path`.
Status compile_artifact(config::CompileConfig config, const driver::PipelineOptions& pipeline,
                        const std::string& path, int64_t max_tokens_per_step = 512);

/// Compiles `request` (a GGUF, or a dummy preset) and writes the artifact to `path`.
Status compile_request(driver::CompileRequest request, const std::string& path);

/// Compiles `config` (default passes) to `path` and opens it on the CPU with a context of
/// `max_context` tokens.
Result<std::unique_ptr<generate::Engine>> compile_and_open(const config::CompileConfig& config,
                                                           const std::string& path,
                                                           int64_t max_context);

/// A per-process path in the temp directory for `name`.
std::string temp_artifact_path(const std::string& name);

}  // namespace ingot::testing
