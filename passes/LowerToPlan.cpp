// ingot-lower-to-plan: each compute op becomes the ingot.kernel the runtime runs.
#include "llvm/ADT/TypeSwitch.h"
#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_LOWERTOPLAN
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

// "name.encoding" for kernels whose code depends on a weight's encoding.
std::string withEncoding(llvm::StringRef name, mlir::Value weight) {
  return (name + "." + stringifyEncoding(getEncoding(weight.getType()).getValue())).str();
}

// How many projections a matmul's weight stacks (concat_weights operands).
size_t stackedProjections(mlir::Value weight) {
  auto concat = weight.getDefiningOp<ConcatWeightsOp>();
  return concat ? concat.getWeights().size() : 1;
}

// The kernel name and the graph ops it implements, or nullopt for ops that are
// not kernels (weights, compile-time weight stacking, the return).
std::optional<std::pair<std::string, llvm::SmallVector<llvm::StringRef>>> describe(
    mlir::Operation* op) {
  using Fused = llvm::SmallVector<llvm::StringRef>;
  using Result = std::optional<std::pair<std::string, Fused>>;
  return llvm::TypeSwitch<mlir::Operation*, Result>(op)
      .Case([](EmbeddingOp e) {
        return Result({withEncoding("embedding", e.getTable()), {"embedding"}});
      })
      .Case([](MatmulOp m) {
        return Result({withEncoding("matmul", m.getWeight()),
                       Fused(stackedProjections(m.getWeight()), "matmul")});
      })
      .Case([](GateUpSwigluOp g) {
        return Result(
            {withEncoding("gate_up_swiglu", g.getGate()), {"matmul", "matmul", "swiglu"}});
      })
      .Case([](GateUpGegluOp g) {
        return Result({withEncoding("gate_up_geglu", g.getGate()), {"matmul", "matmul", "geglu"}});
      })
      .Case([](LogitsOp l) {
        return Result({withEncoding("logits", l.getWeight()), {"logits"}});
      })
      .Case([](FusedAttentionOp) {
        return Result(
            {"fused_attention", {"rope", "rope", "kv_cache_write", "kv_cache_read", "attention"}});
      })
      .Case([](AddRmsNormOp) {
        return Result({"add_rms_norm", {"add", "rms_norm"}});
      })
      .Case<RmsNormOp, RopeOp, KVCacheWriteOp, KVCacheReadOp, AttentionOp, SwigluOp, GegluOp, AddOp,
            SplitOp>([](mlir::Operation* o) {
        llvm::StringRef name = o->getName().stripDialect();
        return Result({name.str(), {name}});
      })
      .Default([](mlir::Operation*) { return std::nullopt; });
}

struct LowerToPlanPass : impl::LowerToPlanBase<LowerToPlanPass> {
  void runOnOperation() override {
    llvm::SmallVector<mlir::Operation*> ops;
    getOperation().walk([&](mlir::Operation* op) {
      if (op->getDialect() && mlir::isa<IngotDialect>(op->getDialect()) &&
          !mlir::isa<KernelOp>(op)) {
        ops.push_back(op);
      }
    });
    mlir::OpBuilder builder(&getContext());
    int64_t kernels = 0;
    for (mlir::Operation* op : ops) {
      auto described = describe(op);
      if (!described) continue;
      auto& [kernel, fused] = *described;
      // Scalar parameters: the op's attributes, less the planner's annotation.
      llvm::SmallVector<mlir::NamedAttribute> params;
      for (mlir::NamedAttribute attr : op->getAttrs()) {
        if (attr.getName() != "ingot.arena_offsets") params.push_back(attr);
      }
      builder.setInsertionPoint(op);
      auto call = builder.create<KernelOp>(
          op->getLoc(), op->getResultTypes(), builder.getStringAttr(kernel), op->getOperands(),
          builder.getDictionaryAttr(params), builder.getStrArrayAttr(fused));
      if (auto offsets = op->getAttr("ingot.arena_offsets"))
        call->setAttr("ingot.arena_offsets", offsets);
      op->replaceAllUsesWith(call->getResults());
      op->erase();
      ++kernels;
    }
    getOperation()->setAttr("ingot.kernel_count",
                            mlir::Builder(&getContext()).getI64IntegerAttr(kernels));
  }
};

}  // namespace
}  // namespace ingot::passes
