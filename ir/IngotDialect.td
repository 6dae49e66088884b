// The ingot dialect: graph-level LLM ops over tensors whose encoding attribute
// says how weights are stored.
#ifndef INGOT_DIALECT_TD
#define INGOT_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Ingot_Dialect : Dialect {
  let name = "ingot";
  let cppNamespace = "::ingot::ir";
  let summary = "LLM inference graph: embeddings, norms, matmuls, rope, attention, KV cache";
  let description = [{
    Activations are `tensor<?xNxf32>` (tokens of this step by features). Weights
    are ranked tensors whose encoding is an `#ingot.encoding<...>` attribute,
    e.g. `tensor<576x1536xf32, #ingot.encoding<q4_1>>` (rows x input features,
    ggml's row-major order); the element type is the logical value type.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Ingot_Op<string mnemonic, list<Trait> traits = []> : Op<Ingot_Dialect, mnemonic, traits>;

#endif  // INGOT_DIALECT_TD
