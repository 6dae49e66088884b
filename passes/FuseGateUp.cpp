// ingot-fuse-gate-up: swiglu(x*gate, x*up) becomes one gate_up_swiglu op, and geglu likewise
// one gate_up_geglu op.
#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_FUSEGATEUP
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

// Each `Activation`(x*gate, x*up) whose two matmuls feed nothing else becomes one `Fused` op.
template <typename Activation, typename Fused>
void fuseGateUp(mlir::Operation* root) {
  llvm::SmallVector<Activation> candidates;
  root->walk([&](Activation op) { candidates.push_back(op); });
  for (Activation activation : candidates) {
    auto gate = activation.getGate().template getDefiningOp<MatmulOp>();
    auto up = activation.getUp().template getDefiningOp<MatmulOp>();
    if (!gate || !up || gate == up || gate.getInput() != up.getInput()) continue;
    if (!gate->hasOneUse() || !up->hasOneUse()) continue;
    if (gate.getWeight().getType() != up.getWeight().getType()) continue;
    mlir::OpBuilder builder(activation);
    auto fused = builder.create<Fused>(activation.getLoc(), activation.getType(), gate.getInput(),
                                       gate.getWeight(), up.getWeight());
    activation.getResult().replaceAllUsesWith(fused.getResult());
    activation.erase();
    gate.erase();
    up.erase();
  }
}

struct FuseGateUpPass : impl::FuseGateUpBase<FuseGateUpPass> {
  void runOnOperation() override {
    fuseGateUp<SwigluOp, GateUpSwigluOp>(getOperation());
    fuseGateUp<GegluOp, GateUpGegluOp>(getOperation());
  }
};

}  // namespace
}  // namespace ingot::passes
