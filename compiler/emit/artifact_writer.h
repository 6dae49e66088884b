// Writes the .ingot artifact: the FlatBuffer (metadata, tokenizer, plan, weight
// table) and the weight segment, atomically (temporary file, fsync, rename).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "compiler/config/compile_config.h"
#include "compiler/import/gguf/gguf_file.h"
#include "mlir/IR/BuiltinOps.h"

namespace ingot::emit {

/// What goes into an artifact.
struct ArtifactInputs {
  const gguf::GgufFile* gguf = nullptr;           ///< The source of weights and tokenizer.
  mlir::ModuleOp module;                          ///< After ingot-lower-to-plan.
  const config::CompileConfig* config = nullptr;  ///< Resolved.
  int64_t target_num_new_tokens = 0;
  /// Dummy weights (--load-format dummy): no segment is written and the runtime makes the
  /// weights from this seed; `gguf` may then be null (no tokenizer).
  std::optional<uint64_t> dummy_seed;
};

/// Called with the fraction of weight bytes written so far (0..1).
using ProgressFunction = std::function<void(double)>;

/// What was written, for the summary line.
struct WriteSummary {
  uint64_t file_bytes = 0;
  uint64_t weight_bytes = 0;
  size_t weights = 0;
};

/// Writes `inputs` to `path` (for dummy weights, the FlatBuffer alone). On any failure (or a kill) nothing appears at
/// `path`; a temporary left by a killed earlier run is removed first.
Result<WriteSummary> write_artifact(const ArtifactInputs& inputs, const std::string& path,
                                    const ProgressFunction& progress);

}  // namespace ingot::emit
