// The ingot pass pipeline. Each pass has one .cpp file and one lit test
// (test/lit/passes/<flag in snake_case>.mlir).
#ifndef INGOT_PASSES_TD
#define INGOT_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseQkv : Pass<"ingot-fuse-qkv", "mlir::func::FuncOp"> {
  let summary = "Fuses the Q, K and V projections into one matmul over stacked weights";
  let description = [{
    Matmuls that read the same input with weights of one encoding, and whose
    results all feed attention (rope, kv_cache_write, attention), become one
    matmul over `ingot.concat_weights` followed by `ingot.split`.

    Before:
      %q = ingot.matmul %x, %wq : ... -> tensor<?x576xf32>
      %k = ingot.matmul %x, %wk : ... -> tensor<?x192xf32>
      %v = ingot.matmul %x, %wv : ... -> tensor<?x192xf32>
    After:
      %w = ingot.concat_weights %wq, %wk, %wv : ... -> tensor<960x576xf32, #ingot.encoding<q4_1>>
      %qkv = ingot.matmul %x, %w : ... -> tensor<?x960xf32>
      %q, %k, %v = ingot.split %qkv [576, 192, 192] : ...
  }];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

def FuseGateUp : Pass<"ingot-fuse-gate-up", "mlir::func::FuncOp"> {
  let summary = "Fuses the gate and up projections and SwiGLU into one op";
  let description = [{
    Before:
      %g = ingot.matmul %x, %wg : ... -> tensor<?x1536xf32>
      %u = ingot.matmul %x, %wu : ... -> tensor<?x1536xf32>
      %h = ingot.swiglu %g, %u : tensor<?x1536xf32>
    After:
      %h = ingot.gate_up_swiglu %x, %wg, %wu : ... -> tensor<?x1536xf32>
  }];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

def FuseAttention : Pass<"ingot-fuse-attention", "mlir::func::FuncOp"> {
  let summary = "Fuses rope, the KV-cache write and attention into one op";
  let description = [{
    Before:
      %qr = ingot.rope %q, %pos {rope = R, ...}
      %kr = ingot.rope %k, %pos {rope = R, ...}
      ingot.kv_cache_write %kr, %v, %pos {layer = 3}
      %kc, %vc = ingot.kv_cache_read %pos {layer = 3}
      %a = ingot.attention %qr, %kc, %vc, %pos {...}
    After:
      %a = ingot.fused_attention %q, %k, %v, %pos {layer = 3, rope = R, ...}
  }];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

def FuseResidualNorm : Pass<"ingot-fuse-residual-norm", "mlir::func::FuncOp"> {
  let summary = "Fuses a residual add with the rms_norm that reads it";
  let description = [{
    Before:
      %s = ingot.add %h, %a : tensor<?x576xf32>
      %n = ingot.rms_norm %s, %w {epsilon = 1.0e-05 : f32} : ...
    After:
      %s, %n = ingot.add_rms_norm %h, %a, %w {epsilon = 1.0e-05 : f32} : ...
  }];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

def EncodeWeights : Pass<"ingot-encode-weights", "mlir::ModuleOp"> {
  let summary = "Chooses each weight's storage encoding (requantization target)";
  let description = [{
    Every 2-D weight gets `encoding`, or the encoding of the first
    `overrides` entry (`glob=encoding`) whose glob matches its name; 1-D
    weights (norms) are float32, widened from a safetensors model's bfloat16
    or float16. The source encoding is kept as `source_encoding` so the
    emitter knows what to convert. Block encodings
    whose block does not divide a row fall back (q4_k -> q4_0, q6_k -> q8_0),
    as llama.cpp does. Under a 4-bit `encoding` (q4_0, q4_1, q4_k) the weight
    that an `ingot.logits` projects with, unless an override names it, is
    q6_k (q8_0 where 256 does not divide its rows), as llama-quantize keeps
    the output tensor. An encoding outside the module's
    `ingot.supported_encodings` is an error.

    Before (--encoding=q8_0):
      %w = ingot.weight "blk.0.attn_q.weight" : tensor<576x576xf32, #ingot.encoding<q4_1>>
    After:
      %w = ingot.weight "blk.0.attn_q.weight" {source_encoding = #ingot.encoding<q4_1>}
             : tensor<576x576xf32, #ingot.encoding<q8_0>>
  }];
  let options = [
    Option<"encoding", "encoding", "std::string", /*default=*/"\"\"",
           "Target encoding (MAX spelling); empty keeps each weight's source encoding">,
    ListOption<"overrides", "overrides", "std::string",
               "Per-tensor overrides: NAME_GLOB=ENCODING">,
  ];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

def PlanMemory : Pass<"ingot-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Assigns every activation an offset in one arena, by liveness";
  let description = [{
    Sizes each activation for `max-tokens` tokens per step (one row for
    `last_token_only` logits), frees it after its last use, and places it
    first-fit, 64-byte aligned. Adds `ingot.arena_offsets` to each op and
    `ingot.arena_bytes` to the function, and reports the arena size as a remark.

    After:
      %n = ingot.rms_norm %x, %w {epsilon = ..., ingot.arena_offsets = array<i64: 0>} : ...
      func.func @forward(...) attributes {ingot.arena_bytes = 2359296 : i64}
  }];
  let options = [
    Option<"maxTokens", "max-tokens", "int64_t", /*default=*/"0",
           "Tokens per step; 0 takes the module's ingot.max_tokens">,
  ];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

def LowerToPlan : Pass<"ingot-lower-to-plan", "mlir::func::FuncOp"> {
  let summary = "Lowers graph ops to the kernel invocations the runtime executes";
  let description = [{
    Each compute op becomes an `ingot.kernel` naming the kernel (with the
    weight encoding where it matters), its scalar parameters, and the graph ops
    it implements. Weights and compile-time weight concatenation stay.

    Before:
      %y = ingot.matmul %x, %w : tensor<?x576xf32>, tensor<1536x576xf32, #ingot.encoding<q4_1>> -> tensor<?x1536xf32>
    After:
      %y = ingot.kernel "matmul.q4_1"(%x, %w) {fused = ["matmul"], params = {}} : (...) -> tensor<?x1536xf32>
  }];
  let dependentDialects = ["::ingot::ir::IngotDialect"];
}

#endif  // INGOT_PASSES_TD
