#include "ir/IngotDialect.h"

#include <charconv>
#include <string>

#include "llvm/ADT/TypeSwitch.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

#include "ir/IngotDialect.cpp.inc"
#include "ir/IngotEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "ir/IngotAttrs.cpp.inc"

namespace ingot::ir {

void IngotDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ir/IngotAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "ir/IngotOps.cpp.inc"
      >();
}

int64_t encodingBlockSize(Encoding encoding) {
  switch (encoding) {
    case Encoding::q4_0:
    case Encoding::q4_1:
    case Encoding::q8_0:
    case Encoding::gptq: return 32;
    case Encoding::q4_k:
    case Encoding::q6_k: return 256;
    case Encoding::float4_e2m1fnx2: return 2;
    default: return 1;
  }
}

bool isBlockQuantized(Encoding encoding) {
  return encoding != Encoding::float32 && encoding != Encoding::bfloat16 &&
         encoding != Encoding::f16 && encoding != Encoding::float8_e4m3fn;
}

mlir::FailureOr<llvm::APFloat> parseF64(mlir::AsmParser& parser) {
  double value = 0;
  if (failed(parser.parseFloat(value))) return mlir::failure();
  return llvm::APFloat(value);
}

void printF64(mlir::AsmPrinter& printer, const llvm::APFloat& value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value.convertToDouble());
  std::string text(buffer, ec == std::errc() ? end - buffer : 0);
  // MLIR float literals need a '.' in the mantissa: "5e+05" -> "5.0e+05".
  if (text.find_first_of(".na") == std::string::npos) {
    size_t exponent = text.find('e');
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  printer << text;
}

EncodingAttr getEncoding(mlir::Type type) {
  auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensor) return nullptr;
  return mlir::dyn_cast_or_null<EncodingAttr>(tensor.getEncoding());
}

mlir::RankedTensorType getWeightType(llvm::ArrayRef<int64_t> shape, Encoding encoding,
                                     mlir::MLIRContext* context) {
  return mlir::RankedTensorType::get(shape, mlir::Float32Type::get(context),
                                     EncodingAttr::get(context, encoding));
}

mlir::RankedTensorType getActivationType(int64_t features, mlir::MLIRContext* context) {
  return mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, features},
                                     mlir::Float32Type::get(context));
}

}  // namespace ingot::ir
