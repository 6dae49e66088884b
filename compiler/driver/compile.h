// compile_to_mlir: the compiler front to back up to the plan, as ingot-compile runs it.
#pragma once

#include <string>

#include "compiler/config/compile_config.h"
#include "compiler/driver/pipeline.h"
#include "compiler/import/gguf/gguf_file.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ingot::driver {

/// Everything a compilation needs besides the MLIR context.
struct CompileRequest {
  config::CompileConfig config;  ///< As parsed; resolved against the architecture here.
  PipelineOptions pipeline;      ///< Fusion switches and --stop-after.
  int64_t max_tokens_per_step = 512;
  bool print_ir_after_all = false;
  bool timing = false;
};

/// A compiled model: the module after the pipeline, and the source it reads weights from.
struct Compiled {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  gguf::GgufFile source;
};

/// Reads the GGUF at config.model_path, resolves the configuration (in place),
/// builds the module and runs the pipeline. Errors are reported through MLIR
/// diagnostics (or `error` for ones outside MLIR) and give failure.
mlir::FailureOr<Compiled> compile_to_mlir(CompileRequest& request, mlir::MLIRContext& context,
                                          std::string& error);

}  // namespace ingot::driver
