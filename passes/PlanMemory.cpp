// ingot-plan-memory: liveness-based offsets for every activation in one arena.
#include <map>

#include "mlir/IR/Builders.h"
#include "passes/Passes.h"

namespace ingot::passes {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"

namespace {

using namespace ingot::ir;

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

// True for values that live in the arena: f32 activations without an encoding.
bool isActivation(mlir::Value value) {
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
  return type && type.getRank() == 2 && !type.getEncoding() && type.getElementType().isF32();
}

// Bytes of an activation at `max_tokens` tokens per step.
int64_t activationBytes(mlir::Value value, int64_t max_tokens) {
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  int64_t rows = type.isDynamicDim(0) ? max_tokens : type.getDimSize(0);
  if (auto logits = value.getDefiningOp<LogitsOp>(); logits && logits.getLastTokenOnly()) rows = 1;
  return alignUp(rows * type.getDimSize(1) * 4);
}

// First-fit placement of byte ranges that are live over op-index intervals.
class Arena {
 public:
  /// Releases every range whose last use is before op `index`.
  void release_before(int64_t index) {
    for (auto it = live_.begin(); it != live_.end();) {
      it = it->second.last_use < index ? live_.erase(it) : std::next(it);
    }
  }
  /// Places `bytes` in the lowest gap and returns its offset.
  int64_t place(int64_t bytes, int64_t last_use) {
    int64_t offset = 0;
    for (const auto& [start, range] : live_) {
      if (start - offset >= bytes) break;
      offset = std::max(offset, start + range.bytes);
    }
    live_.emplace(offset, Range{bytes, last_use});
    peak_ = std::max(peak_, offset + bytes);
    return offset;
  }
  int64_t peak() const { return peak_; }

 private:
  struct Range {
    int64_t bytes;
    int64_t last_use;
  };
  std::multimap<int64_t, Range> live_;  // by offset
  int64_t peak_ = 0;
};

/// The index of the last op that reads `value` (defined at op `here`), `count` when it is
/// returned. A split's input lives as long as the split's results do, so that a device may read
/// the results in place as columns of the input (and skip the copies).
int64_t lastUse(mlir::Value value, int64_t here, mlir::Block& body,
                llvm::DenseMap<mlir::Operation*, int64_t>& index, int64_t count) {
  int64_t last_use = here;
  for (mlir::Operation* user : value.getUsers()) {
    mlir::Operation* top = body.findAncestorOpInBlock(*user);
    // A returned value must outlive the whole step.
    int64_t at = mlir::isa<mlir::func::ReturnOp>(top) ? count : index[top];
    if (auto split = mlir::dyn_cast<SplitOp>(top))
      for (mlir::Value part : split->getResults())
        at = std::max(at, lastUse(part, index[top], body, index, count));
    last_use = std::max(last_use, at);
  }
  return last_use;
}

struct PlanMemoryPass : impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    mlir::func::FuncOp func = getOperation();
    int64_t tokens = maxTokens;
    if (tokens == 0) {
      auto module = func->getParentOfType<mlir::ModuleOp>();
      auto attr = module ? module->getAttrOfType<mlir::IntegerAttr>("ingot.max_tokens") : nullptr;
      if (!attr) {
        func.emitError("no tokens per step: pass max-tokens or set ingot.max_tokens on the module");
        return signalPassFailure();
      }
      tokens = attr.getInt();
    }
    if (tokens <= 0) {
      func.emitError() << "max-tokens must be positive, got " << tokens;
      return signalPassFailure();
    }
    if (!func.getBody().hasOneBlock()) {
      func.emitError("memory planning handles single-block functions only");
      return signalPassFailure();
    }
    mlir::Block& body = func.getBody().front();
    llvm::DenseMap<mlir::Operation*, int64_t> index;
    int64_t count = 0;
    for (mlir::Operation& op : body) index[&op] = count++;

    Arena arena;
    int64_t activations = 0;
    for (mlir::Operation& op : body) {
      int64_t here = index[&op];
      arena.release_before(here);
      llvm::SmallVector<int64_t> offsets;
      for (mlir::Value result : op.getResults()) {
        if (!isActivation(result)) continue;
        offsets.push_back(
            arena.place(activationBytes(result, tokens), lastUse(result, here, body, index, count)));
        ++activations;
      }
      if (!offsets.empty()) {
        op.setAttr("ingot.arena_offsets", mlir::DenseI64ArrayAttr::get(&getContext(), offsets));
      }
    }
    mlir::Builder builder(&getContext());
    func->setAttr("ingot.arena_bytes", builder.getI64IntegerAttr(arena.peak()));
    func->setAttr("ingot.max_tokens", builder.getI64IntegerAttr(tokens));
    func.emitRemark() << "arena: " << arena.peak() << " bytes for " << activations
                      << " activations at " << tokens << " tokens per step";
  }
};

}  // namespace
}  // namespace ingot::passes
