#include "compiler/driver/pipeline.h"

#include <algorithm>
#include <functional>

#include "passes/Passes.h"

namespace ingot::driver {
namespace {

// One stage: its flag, whether it runs, and how to add it.
struct Stage {
  std::string name;
  bool enabled;
  std::function<void(mlir::PassManager&)> add;
};

std::vector<Stage> stages(const PipelineOptions& options) {
  using namespace ingot::passes;
  auto on_functions = [](std::function<std::unique_ptr<mlir::Pass>()> create) {
    return [create](mlir::PassManager& pm) { pm.addNestedPass<mlir::func::FuncOp>(create()); };
  };
  EncodeWeightsOptions encode;
  encode.encoding = options.encoding;
  encode.overrides = options.overrides;
  return {
      {"ingot-encode-weights", true,
       [encode](mlir::PassManager& pm) { pm.addPass(createEncodeWeights(encode)); }},
      {"ingot-fuse-qkv", options.fuse_qkv, on_functions([] { return createFuseQkv(); })},
      {"ingot-fuse-gate-up", options.fuse_gate_up, on_functions([] { return createFuseGateUp(); })},
      {"ingot-fuse-attention", options.fuse_attention,
       on_functions([] { return createFuseAttention(); })},
      {"ingot-fuse-residual-norm", options.fuse_residual_norm,
       on_functions([] { return createFuseResidualNorm(); })},
      {"ingot-plan-memory", true, on_functions([] { return createPlanMemory(); })},
      {"ingot-lower-to-plan", true, on_functions([] { return createLowerToPlan(); })},
  };
}

}  // namespace

const std::vector<std::string>& pipeline_pass_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Stage& stage : stages({})) out.push_back(stage.name);
    return out;
  }();
  return names;
}

const std::vector<std::string>& fusion_names() {
  static const std::vector<std::string> names = {"qkv", "gate-up", "attention", "residual-norm"};
  return names;
}

mlir::LogicalResult build_pipeline(mlir::PassManager& pm, const PipelineOptions& options,
                                   std::string& error) {
  const std::vector<std::string>& names = pipeline_pass_names();
  if (!options.stop_after.empty() &&
      std::find(names.begin(), names.end(), options.stop_after) == names.end()) {
    error = "--stop-after: unknown pass '" + options.stop_after + "' (one of:";
    for (const std::string& name : names) error += " " + name;
    error += ")";
    return mlir::failure();
  }
  for (Stage& stage : stages(options)) {
    if (stage.enabled) stage.add(pm);
    if (stage.name == options.stop_after) break;
  }
  return mlir::success();
}

}  // namespace ingot::driver
