// compile_to_mlir: the compiler front to back up to the plan, as ingot-compile runs it.
#pragma once

#include <optional>
#include <string>

#include "compiler/config/compile_config.h"
#include "compiler/driver/pipeline.h"
#include "compiler/import/gguf/gguf_file.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ingot::driver {

/// A model with no weights behind it (vLLM's --load-format dummy): a preset's shapes, whose
/// weights the runtime makes from `seed`.
struct DummyModel {
  std::string architecture;  ///< A registered name, e.g. "llama".
  std::string preset;        ///< e.g. "llama-3.1-8b"
  uint64_t seed = 0;
};

/// The most tokens one step may compute (MAX's target_num_new_tokens, --target-num-new-tokens):
/// far past MAX's default of 8192, and small enough that the plan's int32 count and the arena
/// it sizes stay exact.
inline constexpr int64_t kMaxTokensPerStep = int64_t{1} << 20;

/// Everything a compilation needs besides the MLIR context.
struct CompileRequest {
  config::CompileConfig config;  ///< As parsed; resolved against the architecture here.
  std::optional<DummyModel> dummy;  ///< Set: build the preset, read no model file.
  PipelineOptions pipeline;      ///< Fusion switches and --stop-after.
  int64_t max_tokens_per_step = 512;  ///< 1 to kMaxTokensPerStep, checked by compile_to_mlir
  bool print_ir_after_all = false;
  bool timing = false;
};

/// A compiled model: the module after the pipeline, and the source it reads weights from
/// (none for a dummy model).
struct Compiled {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::optional<gguf::GgufFile> source;
};

/// Reads the GGUF file or Hugging Face folder at config.model_path (or takes
/// request.dummy's preset), resolves the configuration (in place),
/// builds the module and runs the pipeline. Errors are reported through MLIR
/// diagnostics (or `error` for ones outside MLIR) and give failure.
mlir::FailureOr<Compiled> compile_to_mlir(CompileRequest& request, mlir::MLIRContext& context,
                                          std::string& error);

}  // namespace ingot::driver
