// ingot-fuse-residual-norm: add followed by rms_norm of the sum becomes add_rms_norm.
#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_FUSERESIDUALNORM
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

struct FuseResidualNormPass : impl::FuseResidualNormBase<FuseResidualNormPass> {
  void runOnOperation() override {
    llvm::SmallVector<RmsNormOp> candidates;
    getOperation().walk([&](RmsNormOp op) {
      if (op.getInput().getDefiningOp<AddOp>()) candidates.push_back(op);
    });
    for (RmsNormOp norm : candidates) {
      auto add = norm.getInput().getDefiningOp<AddOp>();
      if (!add) continue;  // an earlier fusion already took this add
      // The fused op replaces the add, so the norm's weight must be defined before it.
      mlir::Operation* weight = norm.getWeight().getDefiningOp();
      if (weight && weight->getBlock() == add->getBlock() && add->isBeforeInBlock(weight)) {
        if (!mlir::isa<WeightOp>(weight)) continue;
        weight->moveBefore(add);
      }
      mlir::OpBuilder builder(add);
      auto fused =
          builder.create<AddRmsNormOp>(add.getLoc(), add.getType(), add.getType(), add.getLhs(),
                                       add.getRhs(), norm.getWeight(), norm.getEpsilonAttr());
      norm.getResult().replaceAllUsesWith(fused.getNormed());
      norm.erase();
      add.getResult().replaceAllUsesWith(fused.getSum());
      add.erase();
    }
  }
};

}  // namespace
}  // namespace ingot::passes
