// ingot-fuse-gate-up: swiglu(x*gate, x*up) becomes one gate_up_swiglu op.
#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_FUSEGATEUP
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

struct FuseGateUpPass : impl::FuseGateUpBase<FuseGateUpPass> {
  void runOnOperation() override {
    llvm::SmallVector<SwigluOp> candidates;
    getOperation().walk([&](SwigluOp op) { candidates.push_back(op); });
    for (SwigluOp swiglu : candidates) {
      auto gate = swiglu.getGate().getDefiningOp<MatmulOp>();
      auto up = swiglu.getUp().getDefiningOp<MatmulOp>();
      if (!gate || !up || gate == up || gate.getInput() != up.getInput()) continue;
      if (!gate->hasOneUse() || !up->hasOneUse()) continue;
      if (gate.getWeight().getType() != up.getWeight().getType()) continue;
      mlir::OpBuilder builder(swiglu);
      auto fused = builder.create<GateUpSwigluOp>(
          swiglu.getLoc(), swiglu.getType(), gate.getInput(), gate.getWeight(), up.getWeight());
      swiglu.getResult().replaceAllUsesWith(fused.getResult());
      swiglu.erase();
      gate.erase();
      up.erase();
    }
  }
};

}  // namespace
}  // namespace ingot::passes
