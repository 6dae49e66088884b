// RUN: ingot-opt %s | ingot-opt | FileCheck %s
// Every op and attribute prints in a form that parses back to the same IR.

// CHECK: ingot.embedding {{.*}} {scale = 2.500000e+01 : f32}
// CHECK: #ingot.rope<yarn, theta = 1.0e+06, dim = 64, factor = 4.0, original_context = 8192, ext_factor = 1.0, attn_factor = 1.5, beta_fast = 16.0, beta_slow = 2.0>
// CHECK: #ingot.rope<normal, theta = 5.0e+05, dim = 8, freq_factors = [1.000000e+00, 2.500000e+00, 8.000000e+00, 8.000000e+00]>
// CHECK: ingot.rms_norm {{.*}} tensor<?x256xf32>, tensor<64xf32
// CHECK: ingot.kv_cache_read
// CHECK: ingot.attention {{.*}} window = 512 : i64
// CHECK: ingot.geglu
// CHECK: ingot.kernel "matmul.q6_k"
// CHECK: ingot.logits {{.*}} {last_token_only}
func.func @all(%t: tensor<?xi32>, %x: tensor<?x256xf32>) -> tensor<?x512xf32> {
  %e = ingot.weight "e" : tensor<512x256xf32, #ingot.encoding<bfloat16>>
  %h = ingot.embedding %t, %e {scale = 25.0 : f32} : tensor<?xi32>, tensor<512x256xf32, #ingot.encoding<bfloat16>> -> tensor<?x256xf32>
  %r = ingot.rope %h, %t {rope = #ingot.rope<yarn, theta = 1000000.0, dim = 64, factor = 4.0, original_context = 8192, ext_factor = 1.0, attn_factor = 1.5, beta_fast = 16.0, beta_slow = 2.0>, head_dim = 64 : i64} : tensor<?x256xf32>, tensor<?xi32> -> tensor<?x256xf32>
  %s = ingot.rope %h, %t {rope = #ingot.rope<normal, theta = 500000.0, dim = 8, freq_factors = [1.0, 2.5, 8.0, 8.0]>, head_dim = 8 : i64} : tensor<?x256xf32>, tensor<?xi32> -> tensor<?x256xf32>
  %g = ingot.weight "g" : tensor<64xf32, #ingot.encoding<float32>>
  %n = ingot.rms_norm %r, %g {epsilon = 1.0e-06 : f32} : tensor<?x256xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x256xf32>
  %k, %v = ingot.kv_cache_read %t {layer = 1 : i64} : tensor<?xi32> -> tensor<?x64xf32>, tensor<?x64xf32>
  %a = ingot.attention %n, %k, %v, %t {num_heads = 4 : i64, num_kv_heads = 1 : i64, head_dim = 64 : i64, scale = 0.125 : f32, window = 512 : i64} : tensor<?x256xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?xi32> -> tensor<?x256xf32>
  %gg = ingot.geglu %a, %n : tensor<?x256xf32>
  %w = ingot.weight "w" {source_encoding = #ingot.encoding<q4_k>} : tensor<256x256xf32, #ingot.encoding<q6_k>>
  %y = ingot.kernel "matmul.q6_k"(%x, %w) {fused = ["matmul"], params = {}} : (tensor<?x256xf32>, tensor<256x256xf32, #ingot.encoding<q6_k>>) -> tensor<?x256xf32>
  %l = ingot.logits %y, %e {last_token_only} : tensor<?x256xf32>, tensor<512x256xf32, #ingot.encoding<bfloat16>> -> tensor<?x512xf32>
  return %l : tensor<?x512xf32>
}
