// RUN: ingot-opt %s --ingot-plan-memory=max-tokens=8 --verify-diagnostics | FileCheck %s
// Activations get 64-byte aligned offsets; a value's bytes are reused once its
// last user has run; the function records the arena size.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: ingot.arena_bytes = 4096 : i64
// 8 tokens x 64 floats = 2048 bytes each.
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 0>
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 2048>
// %a is dead after %b: %c reuses offset 0.
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 0>
// expected-remark @+1 {{arena: 4096 bytes for 3 activations at 8 tokens per step}}
func.func @chain(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = ingot.weight "w" : tensor<64xf32, #ingot.encoding<float32>>
  %a = ingot.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  %b = ingot.rms_norm %a, %w {epsilon = 1.0e-05 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  %c = ingot.rms_norm %b, %w {epsilon = 1.0e-05 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  return %c : tensor<?x64xf32>
}
