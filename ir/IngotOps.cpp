// Verifiers of the ingot ops: shapes agree, weights carry a valid encoding.
#include <cmath>

#include "ir/IngotDialect.h"
#include "mlir/IR/Builders.h"

#define GET_OP_CLASSES
#include "ir/IngotOps.cpp.inc"

namespace ingot::ir {
namespace {

using mlir::LogicalResult;
using mlir::RankedTensorType;

RankedTensorType ranked(mlir::Value value) { return mlir::cast<RankedTensorType>(value.getType()); }

int64_t features(mlir::Value value) { return ranked(value).getDimSize(1); }

// Checks that `weight` is an encoded tensor of `rank` whose rows suit its encoding.
LogicalResult verifyWeight(mlir::Operation* op, mlir::Value weight, int64_t rank,
                           llvm::StringRef role) {
  EncodingAttr encoding = getEncoding(weight.getType());
  RankedTensorType type = ranked(weight);
  if (!encoding) return op->emitOpError() << role << " has no #ingot.encoding";
  if (type.getRank() != rank) return op->emitOpError() << role << " must have rank " << rank;
  if (!type.hasStaticShape()) return op->emitOpError() << role << " must have a static shape";
  return mlir::success();
}

// Checks a feature count against what the op's attributes or weights imply.
LogicalResult expectFeatures(mlir::Operation* op, mlir::Value value, int64_t expected,
                             llvm::StringRef role) {
  int64_t actual = features(value);
  if (actual != expected && !mlir::ShapedType::isDynamic(actual)) {
    return op->emitOpError() << role << " has " << actual << " features, expected " << expected;
  }
  return mlir::success();
}

LogicalResult verifyHeads(mlir::Operation* op, int64_t heads, int64_t kv_heads, int64_t head_dim) {
  if (heads <= 0 || kv_heads <= 0 || head_dim <= 0) {
    return op->emitOpError("num_heads, num_kv_heads and head_dim must be positive");
  }
  if (heads % kv_heads != 0) {
    return op->emitOpError() << "num_heads " << heads << " is not a multiple of num_kv_heads "
                             << kv_heads;
  }
  return mlir::success();
}

LogicalResult verifyRope(mlir::Operation* op, RopeAttr rope, int64_t head_dim) {
  if (rope.getDim() <= 0 || rope.getDim() > head_dim || rope.getDim() % 2 != 0) {
    return op->emitOpError() << "rope dim " << rope.getDim()
                             << " must be even and within the head dim " << head_dim;
  }
  if (rope.getTheta().convertToDouble() <= 0) return op->emitOpError("rope theta must be positive");
  if (mlir::DenseF32ArrayAttr factors = rope.getFreqFactors()) {
    if (factors.size() != rope.getDim() / 2) {
      return op->emitOpError() << "rope freq_factors has " << factors.size()
                               << " values, expected dim / 2 = " << rope.getDim() / 2;
    }
    for (float f : factors.asArrayRef()) {
      if (!(std::isfinite(f) && f > 0)) return op->emitOpError("rope freq_factors must be positive");
    }
  }
  return mlir::success();
}

// The attention shapes shared by attention and fused_attention.
LogicalResult verifyAttentionShapes(mlir::Operation* op, mlir::Value q, mlir::Value k,
                                    mlir::Value v, mlir::Value result, int64_t heads,
                                    int64_t kv_heads, int64_t head_dim) {
  if (failed(verifyHeads(op, heads, kv_heads, head_dim)) ||
      failed(expectFeatures(op, q, heads * head_dim, "queries")) ||
      failed(expectFeatures(op, k, kv_heads * head_dim, "keys")) ||
      failed(expectFeatures(op, v, kv_heads * head_dim, "values"))) {
    return mlir::failure();
  }
  if (result.getType() != q.getType()) return op->emitOpError("result type must match queries");
  return mlir::success();
}

// A gated FFN's two projections: weights of one shape, from the input's width to the result's.
LogicalResult verifyGateUp(mlir::Operation* op, mlir::Value input, mlir::Value gate_weight,
                           mlir::Value up_weight, mlir::Value result) {
  if (failed(verifyWeight(op, gate_weight, 2, "gate")) ||
      failed(verifyWeight(op, up_weight, 2, "up"))) {
    return mlir::failure();
  }
  RankedTensorType gate = ranked(gate_weight);
  if (gate.getShape() != ranked(up_weight).getShape())
    return op->emitOpError("gate and up shapes differ");
  if (failed(expectFeatures(op, input, gate.getDimSize(1), "input"))) return mlir::failure();
  return expectFeatures(op, result, gate.getDimSize(0), "result");
}

// A sliding window, when given, covers at least the query's own position.
LogicalResult verifyWindow(mlir::Operation* op, std::optional<uint64_t> window) {
  if (window && static_cast<int64_t>(*window) < 1)
    return op->emitOpError() << "window " << static_cast<int64_t>(*window) << " must be positive";
  return mlir::success();
}

}  // namespace

LogicalResult WeightOp::verify() {
  EncodingAttr encoding = getEncoding(getType());
  if (!encoding) return emitOpError("result must carry an #ingot.encoding");
  RankedTensorType type = getType();
  if (!type.hasStaticShape()) return emitOpError("weights have static shapes");
  int64_t row = type.getDimSize(type.getRank() - 1);
  int64_t block = encodingBlockSize(encoding.getValue());
  if (row % block != 0) {
    return emitOpError() << "row length " << row << " is not a multiple of the "
                         << stringifyEncoding(encoding.getValue()) << " block size " << block;
  }
  if (type.getRank() == 1 && isBlockQuantized(encoding.getValue())) {
    return emitOpError("1-D weights (norms) must use a float encoding");
  }
  return mlir::success();
}

LogicalResult EmbeddingOp::verify() {
  if (failed(verifyWeight(*this, getTable(), 2, "table"))) return mlir::failure();
  if (auto scale = getScale(); scale && !std::isfinite(scale->convertToFloat()))
    return emitOpError("scale must be finite");
  return expectFeatures(*this, getResult(), ranked(getTable()).getDimSize(1), "result");
}

LogicalResult RmsNormOp::verify() {
  if (failed(verifyWeight(*this, getWeight(), 1, "weight"))) return mlir::failure();
  if (getResult().getType() != getInput().getType()) return emitOpError("result must match input");
  // A weight narrower than the input normalizes each group of its width (per-head QK-norm).
  const int64_t width = ranked(getWeight()).getDimSize(0);
  if (width <= 0 || features(getInput()) % width != 0) {
    return emitOpError() << "input features " << features(getInput())
                         << " are not whole groups of the weight's " << width;
  }
  return mlir::success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyWeight(*this, getWeight(), 2, "weight"))) return mlir::failure();
  RankedTensorType weight = ranked(getWeight());
  if (failed(expectFeatures(*this, getInput(), weight.getDimSize(1), "input"))) {
    return mlir::failure();
  }
  return expectFeatures(*this, getResult(), weight.getDimSize(0), "result");
}

LogicalResult RopeOp::verify() {
  int64_t head_dim = getHeadDim();
  if (head_dim <= 0 || features(getInput()) % head_dim != 0) {
    return emitOpError() << "features " << features(getInput())
                         << " are not whole heads of head_dim " << head_dim;
  }
  if (getResult().getType() != getInput().getType()) return emitOpError("result must match input");
  return verifyRope(*this, getRope(), head_dim);
}

LogicalResult KVCacheWriteOp::verify() {
  if (getKeys().getType() != getValues().getType()) return emitOpError("keys and values differ");
  if (static_cast<int64_t>(getLayer()) < 0) return emitOpError("layer must be non-negative");
  return mlir::success();
}

LogicalResult KVCacheReadOp::verify() {
  if (getKeys().getType() != getValues().getType()) return emitOpError("keys and values differ");
  if (static_cast<int64_t>(getLayer()) < 0) return emitOpError("layer must be non-negative");
  return mlir::success();
}

LogicalResult AttentionOp::verify() {
  if (failed(verifyWindow(*this, getWindow()))) return mlir::failure();
  return verifyAttentionShapes(*this, getQueries(), getKeys(), getValues(), getResult(),
                               getNumHeads(), getNumKvHeads(), getHeadDim());
}

LogicalResult LogitsOp::verify() {
  if (failed(verifyWeight(*this, getWeight(), 2, "weight"))) return mlir::failure();
  RankedTensorType weight = ranked(getWeight());
  if (failed(expectFeatures(*this, getInput(), weight.getDimSize(1), "input"))) {
    return mlir::failure();
  }
  return expectFeatures(*this, getResult(), weight.getDimSize(0), "result");
}

LogicalResult ConcatWeightsOp::verify() {
  if (getWeights().empty()) return emitOpError("needs at least one weight");
  EncodingAttr encoding = getEncoding(getWeights().front().getType());
  int64_t rows = 0;
  int64_t columns = ranked(getWeights().front()).getDimSize(1);
  for (mlir::Value weight : getWeights()) {
    if (failed(verifyWeight(*this, weight, 2, "operand"))) return mlir::failure();
    if (getEncoding(weight.getType()) != encoding) return emitOpError("encodings differ");
    if (ranked(weight).getDimSize(1) != columns) return emitOpError("row lengths differ");
    rows += ranked(weight).getDimSize(0);
  }
  RankedTensorType result = getType();
  if (result != getWeightType({rows, columns}, encoding.getValue(), getContext())) {
    return emitOpError() << "result must be " << rows << "x" << columns
                         << " with the operands' encoding";
  }
  return mlir::success();
}

LogicalResult SplitOp::verify() {
  llvm::ArrayRef<int64_t> sizes = getSizes();
  if (sizes.size() != getResults().size()) return emitOpError("one size per result");
  int64_t total = 0;
  for (auto [size, result] : llvm::zip(sizes, getResults())) {
    if (size <= 0) return emitOpError("sizes must be positive");
    if (failed(expectFeatures(*this, result, size, "result"))) return mlir::failure();
    total += size;
  }
  return expectFeatures(*this, getInput(), total, "input");
}

LogicalResult GateUpSwigluOp::verify() {
  return verifyGateUp(*this, getInput(), getGate(), getUp(), getResult());
}

LogicalResult GateUpGegluOp::verify() {
  return verifyGateUp(*this, getInput(), getGate(), getUp(), getResult());
}

LogicalResult FusedAttentionOp::verify() {
  if (failed(verifyAttentionShapes(*this, getQueries(), getKeys(), getValues(), getResult(),
                                   getNumHeads(), getNumKvHeads(), getHeadDim()))) {
    return mlir::failure();
  }
  if (static_cast<int64_t>(getLayer()) < 0) return emitOpError("layer must be non-negative");
  if (failed(verifyWindow(*this, getWindow()))) return mlir::failure();
  return verifyRope(*this, getRope(), getHeadDim());
}

LogicalResult AddRmsNormOp::verify() {
  if (failed(verifyWeight(*this, getWeight(), 1, "weight"))) return mlir::failure();
  return expectFeatures(*this, getLhs(), ranked(getWeight()).getDimSize(0), "input");
}

}  // namespace ingot::ir
