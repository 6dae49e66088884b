// The ingot dialect: attributes, ops and the helpers their verifiers share.
#pragma once

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/IngotEnums.h.inc"

namespace ingot::ir {

/// The side-effect resource standing for the runtime's KV cache.
struct KVCacheResource : public mlir::SideEffects::Resource::Base<KVCacheResource> {
  llvm::StringRef getName() final { return "ingot.kv_cache"; }
};

/// Values per quantization block of an encoding (1 for unblocked float formats).
int64_t encodingBlockSize(Encoding encoding);

/// True for the block-quantized encodings (q4_0, q4_k, ...).
bool isBlockQuantized(Encoding encoding);

/// Parses a float literal (or integer) as an f64 attribute parameter.
mlir::FailureOr<llvm::APFloat> parseF64(mlir::AsmParser& parser);
/// Prints an f64 attribute parameter in its shortest round-tripping form.
void printF64(mlir::AsmPrinter& printer, const llvm::APFloat& value);

}  // namespace ingot::ir

#include "ir/IngotDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "ir/IngotAttrs.h.inc"

#define GET_OP_CLASSES
#include "ir/IngotOps.h.inc"

namespace ingot::ir {

/// The encoding of a weight type, or null when `type` is not an encoded tensor.
EncodingAttr getEncoding(mlir::Type type);

/// A ranked f32 tensor type with `shape` and `encoding`, for weights.
mlir::RankedTensorType getWeightType(llvm::ArrayRef<int64_t> shape, Encoding encoding,
                                     mlir::MLIRContext* context);

/// tensor<?xfeaturesxf32>: the activation type of `features` per token.
mlir::RankedTensorType getActivationType(int64_t features, mlir::MLIRContext* context);

}  // namespace ingot::ir
