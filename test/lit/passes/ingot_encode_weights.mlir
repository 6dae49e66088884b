// RUN: ingot-opt %s --split-input-file --verify-diagnostics --ingot-encode-weights="encoding=q8_0 overrides=*.attn_v.weight=q4_1" | FileCheck %s
// Weights move to --encoding (or an override); norms are float32 (a bfloat16 one
// is widened); the source encoding is recorded; stacked weights follow their operands.

// CHECK-LABEL: module attributes {ingot.supported
// CHECK: ingot.weight "blk.0.attn_norm.weight" : tensor<64xf32, #ingot.encoding<float32>>
// CHECK: ingot.weight "blk.0.attn_q.weight" {source_encoding = #ingot.encoding<q4_1>} : tensor<64x64xf32, #ingot.encoding<q8_0>>
// CHECK: ingot.weight "blk.0.attn_k.weight" {source_encoding = #ingot.encoding<q4_1>} : tensor<32x64xf32, #ingot.encoding<q8_0>>
// CHECK: ingot.concat_weights {{.*}} -> tensor<96x64xf32, #ingot.encoding<q8_0>>
// CHECK: ingot.weight "blk.0.attn_v.weight" : tensor<32x64xf32, #ingot.encoding<q4_1>>
// CHECK: ingot.weight "blk.0.ffn_norm.weight" {source_encoding = #ingot.encoding<bfloat16>} : tensor<64xf32, #ingot.encoding<float32>>
module attributes {ingot.supported_encodings = [#ingot.encoding<float32>, #ingot.encoding<bfloat16>, #ingot.encoding<q8_0>, #ingot.encoding<q4_1>]} {
  func.func @weights(%x: tensor<?x64xf32>) -> tensor<?x96xf32> {
    %n = ingot.weight "blk.0.attn_norm.weight" : tensor<64xf32, #ingot.encoding<float32>>
    %q = ingot.weight "blk.0.attn_q.weight" : tensor<64x64xf32, #ingot.encoding<q4_1>>
    %k = ingot.weight "blk.0.attn_k.weight" : tensor<32x64xf32, #ingot.encoding<q4_1>>
    %c = ingot.concat_weights %q, %k : tensor<64x64xf32, #ingot.encoding<q4_1>>, tensor<32x64xf32, #ingot.encoding<q4_1>> -> tensor<96x64xf32, #ingot.encoding<q4_1>>
    %v = ingot.weight "blk.0.attn_v.weight" : tensor<32x64xf32, #ingot.encoding<q4_1>>
    %f = ingot.weight "blk.0.ffn_norm.weight" : tensor<64xf32, #ingot.encoding<bfloat16>>
    %y = ingot.matmul %x, %c : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q4_1>> -> tensor<?x96xf32>
    return %y : tensor<?x96xf32>
  }
}

// -----

// An encoding the architecture does not support is one error.
// expected-error @+1 {{--encoding: encoding 'q8_0' is not supported by llama}}
module attributes {ingot.architecture = "llama", ingot.supported_encodings = [#ingot.encoding<float32>]} {
  func.func @f() {
    %q = ingot.weight "w" : tensor<64x64xf32, #ingot.encoding<float32>>
    return
  }
}
