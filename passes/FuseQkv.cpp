// ingot-fuse-qkv: the attention projections of one input become one matmul.
#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_FUSEQKV
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

// True when every use of `value` is an attention-side op (what Q, K and V feed), or a norm
// (QK-norm) whose result is used only by such ops.
bool feedsAttention(mlir::Value value) {
  if (value.use_empty()) return false;
  for (mlir::Operation* user : value.getUsers()) {
    if (auto norm = mlir::dyn_cast<RmsNormOp>(user)) {
      if (!feedsAttention(norm.getResult())) return false;
    } else if (!mlir::isa<RopeOp, KVCacheWriteOp, AttentionOp, FusedAttentionOp>(user)) {
      return false;
    }
  }
  return true;
}

// Replaces `group` (matmuls of one input, one encoding, in program order) with
// concat + matmul + split at the first matmul. The weights are operand-free
// ingot.weight ops, so they can move up to dominate it.
void fuse(llvm::MutableArrayRef<MatmulOp> group) {
  MatmulOp first = group.front();
  llvm::SmallVector<mlir::Value> weights;
  llvm::SmallVector<int64_t> sizes;
  llvm::SmallVector<mlir::Type> types;
  int64_t rows = 0;
  for (MatmulOp matmul : group) {
    mlir::Operation* def = matmul.getWeight().getDefiningOp();
    if (def && first->isBeforeInBlock(def)) def->moveBefore(first);
    weights.push_back(matmul.getWeight());
    int64_t size = mlir::cast<mlir::RankedTensorType>(matmul.getWeight().getType()).getDimSize(0);
    sizes.push_back(size);
    types.push_back(matmul.getType());
    rows += size;
  }
  auto weight_type = mlir::cast<mlir::RankedTensorType>(first.getWeight().getType());
  EncodingAttr encoding = getEncoding(weight_type);
  mlir::OpBuilder builder(first);
  auto concat = builder.create<ConcatWeightsOp>(
      first.getLoc(),
      getWeightType({rows, weight_type.getDimSize(1)}, encoding.getValue(), first.getContext()),
      weights);
  auto fused = builder.create<MatmulOp>(first.getLoc(), getActivationType(rows, first.getContext()),
                                        first.getInput(), concat.getResult());
  auto split = builder.create<SplitOp>(first.getLoc(), types, fused.getResult(),
                                       builder.getDenseI64ArrayAttr(sizes));
  for (auto [matmul, part] : llvm::zip(group, split.getResults())) {
    matmul.getResult().replaceAllUsesWith(part);
    matmul.erase();
  }
}

// True when the weight can move: an ingot.weight (no operands) in the same block.
bool movableWeight(MatmulOp matmul) {
  auto weight = matmul.getWeight().getDefiningOp<WeightOp>();
  return weight && weight->getBlock() == matmul->getBlock();
}

struct FuseQkvPass : impl::FuseQkvBase<FuseQkvPass> {
  void runOnOperation() override {
    // Group candidate matmuls by (input, encoding, row length), in program order.
    llvm::MapVector<std::tuple<mlir::Value, mlir::Attribute, int64_t>, llvm::SmallVector<MatmulOp>>
        groups;
    // Matmuls in different blocks are never grouped: the input is part of the key,
    // and a value used across blocks is left alone by movableWeight().
    getOperation().walk([&](MatmulOp matmul) {
      if (!feedsAttention(matmul.getResult()) || !movableWeight(matmul)) return;
      auto weight = mlir::cast<mlir::RankedTensorType>(matmul.getWeight().getType());
      groups[{matmul.getInput(), weight.getEncoding(), weight.getDimSize(1)}].push_back(matmul);
    });
    for (auto& [key, group] : groups) {
      if (group.size() >= 2) fuse(group);
    }
  }
};

}  // namespace
}  // namespace ingot::passes
