// RUN: ingot-opt %s --ingot-fuse-residual-norm | FileCheck %s
// add + rms_norm of the sum become add_rms_norm; the sum stays available.

// CHECK-LABEL: func.func @residual
// CHECK: %[[W:.*]] = ingot.weight "ffn_norm"
// CHECK: %[[SUM:.*]], %[[NORMED:.*]] = ingot.add_rms_norm %arg0, %arg1, %[[W]] {epsilon = 9.99999974E-6 : f32}
// CHECK-NOT: ingot.add %
// CHECK-NOT: ingot.rms_norm
// CHECK: return %[[SUM]], %[[NORMED]]
func.func @residual(%h: tensor<?x64xf32>, %a: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %s = ingot.add %h, %a : tensor<?x64xf32>
  %w = ingot.weight "ffn_norm" : tensor<64xf32, #ingot.encoding<float32>>
  %n = ingot.rms_norm %s, %w {epsilon = 1.0e-05 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  return %s, %n : tensor<?x64xf32>, tensor<?x64xf32>
}
