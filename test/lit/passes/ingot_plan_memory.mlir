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

// A split's input stays live as long as the split's results, so a device may read
// them in place as its columns: %b may not take %a's offset 0 although the split
// was %a's last user; once %s#1's last user has run, %d can.
// CHECK-LABEL: func.func @split_input_outlives_its_parts
// CHECK-SAME: ingot.arena_bytes = 5120 : i64
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 0>
// CHECK: ingot.split {{.*}}ingot.arena_offsets = array<i64: 2048, 3072>
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 4096>
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 2048>
// CHECK: ingot.rms_norm {{.*}}ingot.arena_offsets = array<i64: 0>
// expected-remark @+1 {{arena: 5120 bytes for 6 activations at 8 tokens per step}}
func.func @split_input_outlives_its_parts(%x: tensor<?x64xf32>) -> tensor<?x32xf32> {
  %w = ingot.weight "w" : tensor<64xf32, #ingot.encoding<float32>>
  %w2 = ingot.weight "w2" : tensor<32xf32, #ingot.encoding<float32>>
  %a = ingot.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  %s:2 = ingot.split %a [32, 32] : tensor<?x64xf32> -> tensor<?x32xf32>, tensor<?x32xf32>
  %b = ingot.rms_norm %s#0, %w2 {epsilon = 1.0e-05 : f32} : tensor<?x32xf32>, tensor<32xf32, #ingot.encoding<float32>> -> tensor<?x32xf32>
  %c = ingot.rms_norm %s#1, %w2 {epsilon = 1.0e-05 : f32} : tensor<?x32xf32>, tensor<32xf32, #ingot.encoding<float32>> -> tensor<?x32xf32>
  %d = ingot.rms_norm %c, %w2 {epsilon = 1.0e-05 : f32} : tensor<?x32xf32>, tensor<32xf32, #ingot.encoding<float32>> -> tensor<?x32xf32>
  return %d : tensor<?x32xf32>
}
