// RUN: ingot-opt %s --ingot-lower-to-plan | FileCheck %s
// Graph ops become ingot.kernel calls naming the kernel, its parameters and the
// graph ops it implements; weights stay.

// CHECK-LABEL: func.func @plan
// CHECK-SAME: ingot.kernel_count = 3 : i64
// CHECK: %[[W:.*]] = ingot.weight "w"
// CHECK: %[[G:.*]] = ingot.kernel "gate_up_swiglu.q4_0"(%arg0, %[[W]], %[[W]]) {fused = ["matmul", "matmul", "swiglu"], ingot.arena_offsets = array<i64: 64>, params = {}}
// CHECK: %[[N:.*]]:2 = ingot.kernel "add_rms_norm"(%arg1, %arg1, %{{.*}}) {fused = ["add", "rms_norm"], params = {epsilon = 9.99999974E-6 : f32}}
// CHECK: ingot.kernel "fused_attention"(%[[N]]#1, %arg2, %arg2, %arg3) {fused = ["rope", "rope", "kv_cache_write", "kv_cache_read", "attention"], params = {head_dim = 16 : i64, layer = 2 : i64
// CHECK-NOT: ingot.gate_up_swiglu
func.func @plan(%x: tensor<?x64xf32>, %h: tensor<?x64xf32>, %kv: tensor<?x32xf32>, %pos: tensor<?xi32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %w = ingot.weight "w" : tensor<64x64xf32, #ingot.encoding<q4_0>>
  %g = ingot.gate_up_swiglu %x, %w, %w {ingot.arena_offsets = array<i64: 64>} : tensor<?x64xf32>, tensor<64x64xf32, #ingot.encoding<q4_0>>, tensor<64x64xf32, #ingot.encoding<q4_0>> -> tensor<?x64xf32>
  %n = ingot.weight "n" : tensor<64xf32, #ingot.encoding<float32>>
  %s, %m = ingot.add_rms_norm %h, %h, %n {epsilon = 1.0e-05 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>>
  %a = ingot.fused_attention %m, %kv, %kv, %pos {layer = 2 : i64, rope = #ingot.rope<normal, theta = 10000.0, dim = 16>, num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 16 : i64, scale = 0.25 : f32} : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %g, %a : tensor<?x64xf32>, tensor<?x64xf32>
}
