// The default pass pipeline from a built module to the execution plan.
#pragma once

#include <string>
#include <vector>

#include "mlir/Pass/PassManager.h"

namespace ingot::driver {

/// Which passes run and with what options.
struct PipelineOptions {
  std::string encoding;                ///< Target encoding; empty keeps the source's.
  std::vector<std::string> overrides;  ///< NAME_GLOB=ENCODING per-tensor encodings.
  bool fuse_qkv = true;
  bool fuse_gate_up = true;
  bool fuse_attention = true;
  bool fuse_residual_norm = true;
  std::string stop_after;  ///< Run passes up to and including this flag.
};

/// The pipeline's pass flags in order (what --stop-after accepts).
const std::vector<std::string>& pipeline_pass_names();

/// Fusions that --disable-fusion accepts: "qkv", "gate-up", "attention", "residual-norm".
const std::vector<std::string>& fusion_names();

/// Adds the pipeline to `pm`; fails (with a message) on an unknown stop_after.
mlir::LogicalResult build_pipeline(mlir::PassManager& pm, const PipelineOptions& options,
                                   std::string& error);

}  // namespace ingot::driver
