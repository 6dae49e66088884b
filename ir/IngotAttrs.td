// Attributes of the ingot dialect: weight encodings and rope configuration.
#ifndef INGOT_ATTRS_TD
#define INGOT_ATTRS_TD

include "ir/IngotDialect.td"
include "mlir/IR/EnumAttr.td"

def Ingot_Encoding : I32EnumAttr<"Encoding", "how a weight tensor is stored", [
    I32EnumAttrCase<"float32", 0>,
    I32EnumAttrCase<"bfloat16", 1>,
    I32EnumAttrCase<"f16", 2>,
    I32EnumAttrCase<"q4_k", 3>,
    I32EnumAttrCase<"q4_0", 4>,
    I32EnumAttrCase<"q4_1", 5>,
    I32EnumAttrCase<"q6_k", 6>,
    I32EnumAttrCase<"q8_0", 7>,
    I32EnumAttrCase<"float8_e4m3fn", 8>,
    I32EnumAttrCase<"float4_e2m1fnx2", 9>,
    I32EnumAttrCase<"gptq", 10>]> {
  let cppNamespace = "::ingot::ir";
  let genSpecializedAttr = 0;
}

def Ingot_EncodingAttr : EnumAttr<Ingot_Dialect, Ingot_Encoding, "encoding"> {
  let summary = "weight encoding, e.g. #ingot.encoding<q4_0>";
  let assemblyFormat = "`<` $value `>`";
}

def Ingot_RopeType : I32EnumAttr<"RopeType", "rotary embedding variant (MAX's rope_type)", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"normal", 1>,
    I32EnumAttrCase<"neox", 2>,
    I32EnumAttrCase<"longrope", 3>,
    I32EnumAttrCase<"yarn", 4>]> {
  let cppNamespace = "::ingot::ir";
  let genSpecializedAttr = 0;
}

// A double stored as APFloat (hashable), printed in its shortest exact form.
class Ingot_F64Parameter<string default = ""> : AttrOrTypeParameter<"::llvm::APFloat", "f64"> {
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let parser = "::ingot::ir::parseF64($_parser)";
  let printer = "::ingot::ir::printF64($_printer, $_self)";
  let defaultValue = default;
}

def Ingot_RopeAttr : AttrDef<Ingot_Dialect, "Rope"> {
  let mnemonic = "rope";
  let summary = "rotary position embedding: variant, base, rotated dims and scaling";
  let description = [{
    `#ingot.rope<normal, theta = 100000.0, dim = 64>`. `dim` is the number of
    rotated features per head. Scaling parameters (yarn, longrope, linear
    `factor`) default to no scaling. `freq_factors` (Llama 3's scaling, a
    GGUF's `rope_freqs.weight`) divides pair i's angle by its i-th value:
    `dim / 2` positive values, or absent.
  }];
  let parameters = (ins
    EnumParameter<Ingot_RopeType>:$kind,
    Ingot_F64Parameter<>:$theta,
    "int64_t":$dim,
    Ingot_F64Parameter<"::llvm::APFloat(1.0)">:$factor,
    DefaultValuedParameter<"int64_t", "0">:$original_context,
    Ingot_F64Parameter<"::llvm::APFloat(0.0)">:$ext_factor,
    Ingot_F64Parameter<"::llvm::APFloat(1.0)">:$attn_factor,
    Ingot_F64Parameter<"::llvm::APFloat(32.0)">:$beta_fast,
    Ingot_F64Parameter<"::llvm::APFloat(1.0)">:$beta_slow,
    OptionalParameter<"::mlir::DenseF32ArrayAttr">:$freq_factors);
  let assemblyFormat = "`<` $kind `,` struct($theta, $dim, $factor, $original_context, $ext_factor, $attn_factor, $beta_fast, $beta_slow, $freq_factors) `>`";
}

#endif  // INGOT_ATTRS_TD
