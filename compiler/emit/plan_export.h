// Exports the planned module (after ingot-lower-to-plan) into the artifact's Plan.
#pragma once

#include <string>
#include <vector>

#include "compiler/emit/weight_spec.h"
#include "mlir/IR/BuiltinOps.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::emit {

/// The serialized plan and the weights it refers to (by index, in this order).
struct ExportedPlan {
  flatbuffers::Offset<schema::Plan> plan;
  std::vector<WeightSpec> weights;
};

/// Serializes @forward's kernels, values and arena into `builder`. Fails with a
/// diagnostic on the module when it is not a lowered plan.
mlir::FailureOr<ExportedPlan> export_plan(mlir::ModuleOp module,
                                          flatbuffers::FlatBufferBuilder& builder);

}  // namespace ingot::emit
