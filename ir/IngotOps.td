// Operations of the ingot dialect.
#ifndef INGOT_OPS_TD
#define INGOT_OPS_TD

include "ir/IngotAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Ingot_Activation : TensorRankOf<[F32], [2]>;
def Ingot_TokenIds : TensorRankOf<[I32], [1]>;
def Ingot_Weight : TensorRankOf<[F32], [1, 2]>;

// The KV cache lives in the runtime; its ops order themselves through this resource.
def Ingot_KVCacheResource : Resource<"::ingot::ir::KVCacheResource">;

//===----------------------------------------------------------------------===//
// Graph-level ops (what an architecture builder emits)
//===----------------------------------------------------------------------===//

def Ingot_WeightOp : Ingot_Op<"weight", [Pure]> {
  let summary = "a named weight of the model, stored with the encoding its type carries";
  let description = [{
    `%w = ingot.weight "blk.0.attn_q.weight" : tensor<576x576xf32, #ingot.encoding<q4_1>>`.
    `source_encoding` records how the source file stores it, when that differs.
  }];
  let arguments = (ins StrAttr:$name, OptionalAttr<Ingot_EncodingAttr>:$source_encoding);
  let results = (outs Ingot_Weight:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ingot_EmbeddingOp : Ingot_Op<"embedding", [Pure]> {
  let summary = "looks up one row of the table per token id (times `scale`, when given)";
  let description = [{
    `scale` multiplies every looked-up value (Gemma scales its embeddings by sqrt(hidden)).
  }];
  let arguments = (ins Ingot_TokenIds:$tokens, Ingot_Weight:$table, OptionalAttr<F32Attr>:$scale);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$tokens `,` $table attr-dict `:` type($tokens) `,` type($table) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_RmsNormOp : Ingot_Op<"rms_norm", [Pure]> {
  let summary = "x / sqrt(mean(x^2) + epsilon) * weight, per token or per group of the weight's width";
  let description = [{
    With a weight as wide as the input, each token is one group; a narrower weight (QK-norm:
    one head wide) normalizes each consecutive group of its width on its own.
  }];
  let arguments = (ins Ingot_Activation:$input, Ingot_Weight:$weight, F32Attr:$epsilon);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `,` type($weight) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_MatmulOp : Ingot_Op<"matmul", [Pure]> {
  let summary = "x[T,K] times weight[N,K] transposed: y[T,N]";
  let arguments = (ins Ingot_Activation:$input, Ingot_Weight:$weight);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `,` type($weight) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_RopeOp : Ingot_Op<"rope", [Pure]> {
  let summary = "rotary position embedding of each head, at each token's position";
  let arguments = (ins Ingot_Activation:$input, Ingot_TokenIds:$positions, Ingot_RopeAttr:$rope,
                       I64Attr:$head_dim);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$input `,` $positions attr-dict `:` type($input) `,` type($positions) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_KVCacheWriteOp : Ingot_Op<"kv_cache_write", [MemoryEffects<[MemWrite<Ingot_KVCacheResource>]>]> {
  let summary = "stores this step's keys and values of one layer at their positions (in pages)";
  let arguments = (ins Ingot_Activation:$keys, Ingot_Activation:$values, Ingot_TokenIds:$positions,
                       I64Attr:$layer);
  let assemblyFormat = "$keys `,` $values `,` $positions attr-dict `:` type($keys) `,` type($values) `,` type($positions)";
  let hasVerifier = 1;
}

def Ingot_KVCacheReadOp : Ingot_Op<"kv_cache_read", [MemoryEffects<[MemRead<Ingot_KVCacheResource>]>]> {
  let summary = "loads one layer's cached keys and values for every position up to this step's";
  let arguments = (ins Ingot_TokenIds:$positions, I64Attr:$layer);
  let results = (outs Ingot_Activation:$keys, Ingot_Activation:$values);
  let assemblyFormat = "$positions attr-dict `:` type($positions) `->` type($keys) `,` type($values)";
  let hasVerifier = 1;
}

def Ingot_AttentionOp : Ingot_Op<"attention", [Pure]> {
  let summary = "causal grouped-query attention of this step's queries over cached keys/values";
  let description = [{
    With `window` (sliding-window attention), a query at position p attends over positions
    p - window + 1 .. p only; without it, over 0 .. p.
  }];
  let arguments = (ins Ingot_Activation:$queries, Ingot_Activation:$keys, Ingot_Activation:$values,
                       Ingot_TokenIds:$positions, I64Attr:$num_heads, I64Attr:$num_kv_heads,
                       I64Attr:$head_dim, F32Attr:$scale, OptionalAttr<I64Attr>:$window);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = [{
    $queries `,` $keys `,` $values `,` $positions attr-dict `:`
    type($queries) `,` type($keys) `,` type($values) `,` type($positions) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Ingot_SwigluOp : Ingot_Op<"swiglu", [Pure, SameOperandsAndResultType]> {
  let summary = "silu(gate) * up";
  let arguments = (ins Ingot_Activation:$gate, Ingot_Activation:$up);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$gate `,` $up attr-dict `:` type($result)";
}

def Ingot_GegluOp : Ingot_Op<"geglu", [Pure, SameOperandsAndResultType]> {
  let summary = "gelu(gate) * up, with GELU's tanh approximation (Gemma's FFN)";
  let arguments = (ins Ingot_Activation:$gate, Ingot_Activation:$up);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$gate `,` $up attr-dict `:` type($result)";
}

def Ingot_AddOp : Ingot_Op<"add", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise sum (the residual connection)";
  let arguments = (ins Ingot_Activation:$lhs, Ingot_Activation:$rhs);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Ingot_LogitsOp : Ingot_Op<"logits", [Pure]> {
  let summary = "the output projection to vocabulary logits (the embedding table when tied)";
  let arguments = (ins Ingot_Activation:$input, Ingot_Weight:$weight, UnitAttr:$last_token_only);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `,` type($weight) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused ops (what the fusion passes produce)
//===----------------------------------------------------------------------===//

def Ingot_ConcatWeightsOp : Ingot_Op<"concat_weights", [Pure]> {
  let summary = "weights stacked by rows at compile time (one matmul for several projections)";
  let arguments = (ins Variadic<Ingot_Weight>:$weights);
  let results = (outs Ingot_Weight:$result);
  let assemblyFormat = "$weights attr-dict `:` type($weights) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_SplitOp : Ingot_Op<"split", [Pure]> {
  let summary = "splits features into consecutive column blocks of the given sizes";
  let arguments = (ins Ingot_Activation:$input, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Ingot_Activation>:$results);
  let assemblyFormat = "$input $sizes attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
}

def Ingot_GateUpSwigluOp : Ingot_Op<"gate_up_swiglu", [Pure]> {
  let summary = "silu(x * gate^T) * (x * up^T) in one op";
  let arguments = (ins Ingot_Activation:$input, Ingot_Weight:$gate, Ingot_Weight:$up);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$input `,` $gate `,` $up attr-dict `:` type($input) `,` type($gate) `,` type($up) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_GateUpGegluOp : Ingot_Op<"gate_up_geglu", [Pure]> {
  let summary = "gelu(x * gate^T) * (x * up^T) in one op (geglu's GELU)";
  let arguments = (ins Ingot_Activation:$input, Ingot_Weight:$gate, Ingot_Weight:$up);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = "$input `,` $gate `,` $up attr-dict `:` type($input) `,` type($gate) `,` type($up) `->` type($result)";
  let hasVerifier = 1;
}

def Ingot_FusedAttentionOp : Ingot_Op<"fused_attention",
    [MemoryEffects<[MemRead<Ingot_KVCacheResource>, MemWrite<Ingot_KVCacheResource>]>]> {
  let summary = "rope on queries and keys, KV-cache write, and attention, as one kernel";
  let arguments = (ins Ingot_Activation:$queries, Ingot_Activation:$keys, Ingot_Activation:$values,
                       Ingot_TokenIds:$positions, I64Attr:$layer, Ingot_RopeAttr:$rope,
                       I64Attr:$num_heads, I64Attr:$num_kv_heads, I64Attr:$head_dim, F32Attr:$scale,
                       OptionalAttr<I64Attr>:$window);
  let results = (outs Ingot_Activation:$result);
  let assemblyFormat = [{
    $queries `,` $keys `,` $values `,` $positions attr-dict `:`
    type($queries) `,` type($keys) `,` type($values) `,` type($positions) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Ingot_AddRmsNormOp : Ingot_Op<"add_rms_norm",
    [Pure, AllTypesMatch<["lhs", "rhs", "sum", "normed"]>]> {
  let summary = "residual add then rms_norm: returns the sum and its normalized form";
  let arguments = (ins Ingot_Activation:$lhs, Ingot_Activation:$rhs, Ingot_Weight:$weight,
                       F32Attr:$epsilon);
  let results = (outs Ingot_Activation:$sum, Ingot_Activation:$normed);
  let assemblyFormat = "$lhs `,` $rhs `,` $weight attr-dict `:` type($lhs) `,` type($weight)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Execution plan (what ingot-lower-to-plan produces and the runtime executes)
//===----------------------------------------------------------------------===//

def Ingot_KernelOp : Ingot_Op<"kernel", [MemoryEffects<[MemRead<Ingot_KVCacheResource>, MemWrite<Ingot_KVCacheResource>]>]> {
  let summary = "one kernel invocation of the execution plan";
  let description = [{
    `%y = ingot.kernel "matmul_q4_1"(%x, %w) {params = {...}} : (...) -> ...`.
    `fused` lists the graph ops the kernel implements; `params` holds the scalar
    parameters the runtime passes to it.
  }];
  let arguments = (ins StrAttr:$kernel, Variadic<AnyType>:$inputs, DictionaryAttr:$params,
                       StrArrayAttr:$fused);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = "$kernel `(` $inputs `)` attr-dict `:` functional-type($inputs, $results)";
}

#endif  // INGOT_OPS_TD
