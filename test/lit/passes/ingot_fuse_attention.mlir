// RUN: ingot-opt %s --ingot-fuse-attention | FileCheck %s
// rope + KV-cache write + read + attention become one fused_attention.

// CHECK-LABEL: func.func @attention
// CHECK: %[[A:.*]] = ingot.fused_attention %arg0, %arg1, %arg2, %arg3
// CHECK-SAME: layer = 7 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64
// CHECK-SAME: rope = #ingot.rope<neox, theta = 5.0e+05, dim = 16, factor = 8.0>
// CHECK-NOT: ingot.rope
// CHECK-NOT: ingot.kv_cache
// CHECK: return %[[A]]
func.func @attention(%q: tensor<?x64xf32>, %k: tensor<?x32xf32>, %v: tensor<?x32xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = ingot.rope %q, %pos {rope = #ingot.rope<neox, theta = 500000.0, dim = 16, factor = 8.0>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %kr = ingot.rope %k, %pos {rope = #ingot.rope<neox, theta = 500000.0, dim = 16, factor = 8.0>, head_dim = 16 : i64} : tensor<?x32xf32>, tensor<?xi32> -> tensor<?x32xf32>
  ingot.kv_cache_write %kr, %v, %pos {layer = 7 : i64} : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32>
  %kc, %vc = ingot.kv_cache_read %pos {layer = 7 : i64} : tensor<?xi32> -> tensor<?x32xf32>, tensor<?x32xf32>
  %a = ingot.attention %qr, %kc, %vc, %pos {num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 16 : i64, scale = 0.25 : f32} : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Queries and keys roped differently are not one kernel: nothing changes.
// CHECK-LABEL: func.func @mismatched_rope
// CHECK: ingot.attention
func.func @mismatched_rope(%q: tensor<?x64xf32>, %k: tensor<?x32xf32>, %v: tensor<?x32xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = ingot.rope %q, %pos {rope = #ingot.rope<normal, theta = 10000.0, dim = 16>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %kr = ingot.rope %k, %pos {rope = #ingot.rope<neox, theta = 10000.0, dim = 16>, head_dim = 16 : i64} : tensor<?x32xf32>, tensor<?xi32> -> tensor<?x32xf32>
  ingot.kv_cache_write %kr, %v, %pos {layer = 0 : i64} : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32>
  %kc, %vc = ingot.kv_cache_read %pos {layer = 0 : i64} : tensor<?xi32> -> tensor<?x32xf32>, tensor<?x32xf32>
  %a = ingot.attention %qr, %kc, %vc, %pos {num_heads = 4 : i64, num_kv_heads = 2 : i64, head_dim = 16 : i64, scale = 0.25 : f32} : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}
