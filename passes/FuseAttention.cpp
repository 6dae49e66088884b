// ingot-fuse-attention: rope + KV-cache write + read + attention become one op.
#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_FUSEATTENTION
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

// The pieces of one unfused attention block.
struct AttentionChain {
  AttentionOp attention;
  RopeOp query_rope;
  RopeOp key_rope;
  KVCacheWriteOp write;
  KVCacheReadOp read;
};

// The last kv_cache_write of `layer` before `read` in its block, or null.
KVCacheWriteOp findWrite(KVCacheReadOp read) {
  for (mlir::Operation* op = read->getPrevNode(); op; op = op->getPrevNode()) {
    if (auto write = mlir::dyn_cast<KVCacheWriteOp>(op)) {
      if (write.getLayer() == read.getLayer()) return write;
    }
  }
  return nullptr;
}

// Matches the chain that ends in `attention`; nullopt when any piece differs.
std::optional<AttentionChain> match(AttentionOp attention) {
  AttentionChain chain{attention, attention.getQueries().getDefiningOp<RopeOp>(), nullptr, nullptr,
                       nullptr};
  chain.read = attention.getKeys().getDefiningOp<KVCacheReadOp>();
  if (!chain.query_rope || !chain.read) return std::nullopt;
  if (attention.getValues() != chain.read.getValues()) return std::nullopt;
  if (!chain.read.getKeys().hasOneUse() || !chain.read.getValues().hasOneUse()) return std::nullopt;
  chain.write = findWrite(chain.read);
  if (!chain.write) return std::nullopt;
  chain.key_rope = chain.write.getKeys().getDefiningOp<RopeOp>();
  if (!chain.key_rope || !chain.key_rope->hasOneUse() || !chain.query_rope->hasOneUse()) {
    return std::nullopt;
  }
  mlir::Value positions = attention.getPositions();
  if (chain.read.getPositions() != positions || chain.write.getPositions() != positions ||
      chain.query_rope.getPositions() != positions || chain.key_rope.getPositions() != positions) {
    return std::nullopt;
  }
  if (chain.query_rope.getRope() != chain.key_rope.getRope() ||
      chain.query_rope.getHeadDim() != attention.getHeadDim() ||
      chain.key_rope.getHeadDim() != attention.getHeadDim()) {
    return std::nullopt;
  }
  return chain;
}

struct FuseAttentionPass : impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    llvm::SmallVector<AttentionOp> candidates;
    getOperation().walk([&](AttentionOp op) { candidates.push_back(op); });
    for (AttentionOp attention : candidates) {
      std::optional<AttentionChain> chain = match(attention);
      if (!chain) continue;
      mlir::OpBuilder builder(attention);
      auto fused = builder.create<FusedAttentionOp>(
          attention.getLoc(), attention.getType(), chain->query_rope.getInput(),
          chain->key_rope.getInput(), chain->write.getValues(), attention.getPositions(),
          chain->read.getLayerAttr(), chain->query_rope.getRopeAttr(), attention.getNumHeadsAttr(),
          attention.getNumKvHeadsAttr(), attention.getHeadDimAttr(), attention.getScaleAttr(),
          attention.getWindowAttr());
      attention.getResult().replaceAllUsesWith(fused.getResult());
      attention.erase();
      chain->read.erase();
      chain->write.erase();
      chain->query_rope.erase();
      chain->key_rope.erase();
    }
  }
};

}  // namespace
}  // namespace ingot::passes
