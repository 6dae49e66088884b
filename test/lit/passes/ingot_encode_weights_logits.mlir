// RUN: ingot-opt %s --split-input-file --verify-diagnostics --ingot-encode-weights=encoding=q4_0 | FileCheck %s
// RUN: ingot-opt %s --split-input-file --ingot-encode-weights="encoding=q4_0 overrides=token_embd.weight=q4_0,output.weight=q4_1" | FileCheck %s --check-prefix=OVERRIDE
// RUN: ingot-opt %s --split-input-file --ingot-encode-weights=encoding=q8_0 | FileCheck %s --check-prefix=Q8
// Requantized to a 4-bit encoding, the weight the logits project with stays at 6 bits or more,
// as llama-quantize keeps it: q6_k, or q8_0 where 256 does not divide its rows. An override
// that names it wins; other encodings apply to it as to every weight.

// A tied embedding of 576-wide rows: q8_0 (here already its source encoding).
// CHECK-LABEL: func.func @tied
// CHECK: ingot.weight "token_embd.weight" : tensor<64x576xf32, #ingot.encoding<q8_0>>
// CHECK: ingot.weight "blk.0.ffn_down.weight" {source_encoding = #ingot.encoding<q8_0>} : tensor<576x576xf32, #ingot.encoding<q4_0>>
// OVERRIDE-LABEL: func.func @tied
// OVERRIDE: ingot.weight "token_embd.weight" {source_encoding = #ingot.encoding<q8_0>} : tensor<64x576xf32, #ingot.encoding<q4_0>>
// Q8-LABEL: func.func @tied
// Q8: ingot.weight "token_embd.weight" : tensor<64x576xf32, #ingot.encoding<q8_0>>
module {
  func.func @tied(%ids: tensor<?xi32>) -> tensor<?x64xf32> {
    // expected-remark @+1 {{the logits weight is encoded as q8_0 rather than q4_0, as llama-quantize does}}
    %e = ingot.weight "token_embd.weight" : tensor<64x576xf32, #ingot.encoding<q8_0>>
    %x = ingot.embedding %ids, %e : tensor<?xi32>, tensor<64x576xf32, #ingot.encoding<q8_0>> -> tensor<?x576xf32>
    %d = ingot.weight "blk.0.ffn_down.weight" : tensor<576x576xf32, #ingot.encoding<q8_0>>
    %y = ingot.matmul %x, %d : tensor<?x576xf32>, tensor<576x576xf32, #ingot.encoding<q8_0>> -> tensor<?x576xf32>
    %l = ingot.logits %y, %e {last_token_only} : tensor<?x576xf32>, tensor<64x576xf32, #ingot.encoding<q8_0>> -> tensor<?x64xf32>
    return %l : tensor<?x64xf32>
  }
}

// -----

// A separate output weight of 512-wide rows: q6_k; the embedding table is quantized as asked.
// CHECK-LABEL: func.func @untied
// CHECK: ingot.weight "token_embd.weight" {source_encoding = #ingot.encoding<f16>} : tensor<64x512xf32, #ingot.encoding<q4_0>>
// CHECK: ingot.weight "output.weight" {source_encoding = #ingot.encoding<f16>} : tensor<64x512xf32, #ingot.encoding<q6_k>>
// OVERRIDE-LABEL: func.func @untied
// OVERRIDE: ingot.weight "output.weight" {source_encoding = #ingot.encoding<f16>} : tensor<64x512xf32, #ingot.encoding<q4_1>>
// Q8-LABEL: func.func @untied
// Q8: ingot.weight "output.weight" {source_encoding = #ingot.encoding<f16>} : tensor<64x512xf32, #ingot.encoding<q8_0>>
module {
  func.func @untied(%ids: tensor<?xi32>) -> tensor<?x64xf32> {
    %e = ingot.weight "token_embd.weight" : tensor<64x512xf32, #ingot.encoding<f16>>
    %x = ingot.embedding %ids, %e : tensor<?xi32>, tensor<64x512xf32, #ingot.encoding<f16>> -> tensor<?x512xf32>
    // expected-remark @+1 {{the logits weight is encoded as q6_k rather than q4_0}}
    %o = ingot.weight "output.weight" : tensor<64x512xf32, #ingot.encoding<f16>>
    %l = ingot.logits %x, %o : tensor<?x512xf32>, tensor<64x512xf32, #ingot.encoding<f16>> -> tensor<?x64xf32>
    return %l : tensor<?x64xf32>
  }
}
