// RUN: ingot-opt %s --ingot-fuse-gate-up | FileCheck %s
// swiglu(x * gate, x * up) becomes one gate_up_swiglu.

// CHECK-LABEL: func.func @ffn
// CHECK: %[[WG:.*]] = ingot.weight "wg"
// CHECK: %[[WU:.*]] = ingot.weight "wu"
// CHECK: %[[H:.*]] = ingot.gate_up_swiglu %arg0, %[[WG]], %[[WU]] : {{.*}} -> tensor<?x96xf32>
// CHECK-NOT: ingot.swiglu
// CHECK-NOT: ingot.matmul
// CHECK: return %[[H]]
func.func @ffn(%x: tensor<?x64xf32>) -> tensor<?x96xf32> {
  %wg = ingot.weight "wg" : tensor<96x64xf32, #ingot.encoding<q8_0>>
  %wu = ingot.weight "wu" : tensor<96x64xf32, #ingot.encoding<q8_0>>
  %g = ingot.matmul %x, %wg : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q8_0>> -> tensor<?x96xf32>
  %u = ingot.matmul %x, %wu : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q8_0>> -> tensor<?x96xf32>
  %s = ingot.swiglu %g, %u : tensor<?x96xf32>
  return %s : tensor<?x96xf32>
}

// A gate projection that is also used elsewhere cannot disappear: no fusion.
// CHECK-LABEL: func.func @gate_reused
// CHECK: ingot.swiglu
func.func @gate_reused(%x: tensor<?x64xf32>) -> (tensor<?x96xf32>, tensor<?x96xf32>) {
  %wg = ingot.weight "wg" : tensor<96x64xf32, #ingot.encoding<q8_0>>
  %wu = ingot.weight "wu" : tensor<96x64xf32, #ingot.encoding<q8_0>>
  %g = ingot.matmul %x, %wg : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q8_0>> -> tensor<?x96xf32>
  %u = ingot.matmul %x, %wu : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q8_0>> -> tensor<?x96xf32>
  %s = ingot.swiglu %g, %u : tensor<?x96xf32>
  return %s, %g : tensor<?x96xf32>, tensor<?x96xf32>
}

// Gemma's GELU-gated FFN fuses the same way, into gate_up_geglu.
// CHECK-LABEL: func.func @geglu
// CHECK: %[[F:.*]] = ingot.gate_up_geglu %{{.*}}, %{{.*}}, %{{.*}} : {{.*}} -> tensor<?x96xf32>
// CHECK-NOT: ingot.geglu
// CHECK: return %[[F]]
func.func @geglu(%x: tensor<?x64xf32>) -> tensor<?x96xf32> {
  %wg = ingot.weight "wg" : tensor<96x64xf32, #ingot.encoding<q8_0>>
  %wu = ingot.weight "wu" : tensor<96x64xf32, #ingot.encoding<q8_0>>
  %g = ingot.matmul %x, %wg : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q8_0>> -> tensor<?x96xf32>
  %u = ingot.matmul %x, %wu : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q8_0>> -> tensor<?x96xf32>
  %s = ingot.geglu %g, %u : tensor<?x96xf32>
  return %s : tensor<?x96xf32>
}
