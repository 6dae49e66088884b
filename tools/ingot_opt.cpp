// ingot-opt: the standard MLIR opt driver with the ingot dialect and passes.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "ir/IngotDialect.h"
#include "passes/Passes.h"

int main(int argc, char** argv) {
  mlir::DialectRegistry registry;
  registry.insert<ingot::ir::IngotDialect, mlir::func::FuncDialect>();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  ingot::passes::registerIngotPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ingot optimizer driver\n", registry));
}
