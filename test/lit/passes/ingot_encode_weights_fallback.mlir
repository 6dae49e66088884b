// RUN: ingot-opt %s --verify-diagnostics --ingot-encode-weights=encoding=q4_k | FileCheck %s
// A K-quant whose 256-value block does not divide a row falls back, as
// llama.cpp does: q4_k to q4_0 for 576-wide rows.

// CHECK: ingot.weight "w576" {source_encoding = #ingot.encoding<f16>} : tensor<64x576xf32, #ingot.encoding<q4_0>>
// CHECK: ingot.weight "w512" {source_encoding = #ingot.encoding<f16>} : tensor<64x512xf32, #ingot.encoding<q4_k>>
// expected-remark @+1 {{1 weights use a fallback encoding}}
module {
  func.func @f() {
    %a = ingot.weight "w576" : tensor<64x576xf32, #ingot.encoding<f16>>
    %b = ingot.weight "w512" : tensor<64x512xf32, #ingot.encoding<f16>>
    return
  }
}
