#include "test/support/compile_artifact.h"

#include <unistd.h>

#include <filesystem>

#include "compiler/emit/artifact_writer.h"
#include "mlir/IR/MLIRContext.h"

namespace ingot::testing {

Status compile_request(driver::CompileRequest request, const std::string& path) {
  mlir::MLIRContext context;
  std::string error;
  auto compiled = driver::compile_to_mlir(request, context, error);
  if (mlir::failed(compiled)) return make_error(StatusCode::kInternal, "compile failed: " + error);
  emit::ArtifactInputs inputs;
  inputs.gguf = compiled->source ? &*compiled->source : nullptr;
  inputs.module = *compiled->module;
  inputs.config = &request.config;
  inputs.target_num_new_tokens = request.max_tokens_per_step;
  if (request.dummy) inputs.dummy_seed = request.dummy->seed;
  auto summary = emit::write_artifact(inputs, path, nullptr);
  if (!summary.ok()) return summary.status();
  return Status::ok_status();
}

Status compile_artifact(config::CompileConfig config, const driver::PipelineOptions& pipeline,
                        const std::string& path, int64_t max_tokens_per_step) {
  driver::CompileRequest request;
  request.config = std::move(config);
  request.pipeline = pipeline;
  request.max_tokens_per_step = max_tokens_per_step;
  return compile_request(std::move(request), path);
}

Result<std::unique_ptr<generate::Engine>> compile_and_open(const config::CompileConfig& config,
                                                           const std::string& path,
                                                           int64_t max_context) {
  INGOT_RETURN_IF_ERROR(compile_artifact(config, {}, path));
  device::ExecutorOptions options;
  options.max_context = max_context;
  return generate::Engine::open(path, options);
}

std::string temp_artifact_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("ingot_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

}  // namespace ingot::testing
