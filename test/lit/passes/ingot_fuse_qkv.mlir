// RUN: ingot-opt %s --ingot-fuse-qkv | FileCheck %s
// Q, K and V of one input become one matmul over stacked weights, then a split.

// CHECK-LABEL: func.func @qkv
// CHECK: %[[WQ:.*]] = ingot.weight "wq"
// CHECK: %[[WK:.*]] = ingot.weight "wk"
// CHECK: %[[WV:.*]] = ingot.weight "wv"
// CHECK: %[[W:.*]] = ingot.concat_weights %[[WQ]], %[[WK]], %[[WV]] : {{.*}} -> tensor<128x64xf32, #ingot.encoding<q4_1>>
// CHECK: %[[QKV:.*]] = ingot.matmul %{{.*}}, %[[W]] : {{.*}} -> tensor<?x128xf32>
// CHECK: %[[S:.*]]:3 = ingot.split %[[QKV]] [64, 32, 32]
// CHECK: ingot.rope %[[S]]#0
// CHECK: ingot.rope %[[S]]#1
// CHECK: ingot.kv_cache_write %{{.*}}, %[[S]]#2
// CHECK-NOT: ingot.matmul
func.func @qkv(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %wq = ingot.weight "wq" : tensor<64x64xf32, #ingot.encoding<q4_1>>
  %q = ingot.matmul %x, %wq : tensor<?x64xf32>, tensor<64x64xf32, #ingot.encoding<q4_1>> -> tensor<?x64xf32>
  %wk = ingot.weight "wk" : tensor<32x64xf32, #ingot.encoding<q4_1>>
  %k = ingot.matmul %x, %wk : tensor<?x64xf32>, tensor<32x64xf32, #ingot.encoding<q4_1>> -> tensor<?x32xf32>
  %wv = ingot.weight "wv" : tensor<32x64xf32, #ingot.encoding<q4_1>>
  %v = ingot.matmul %x, %wv : tensor<?x64xf32>, tensor<32x64xf32, #ingot.encoding<q4_1>> -> tensor<?x32xf32>
  %qr = ingot.rope %q, %pos {rope = #ingot.rope<normal, theta = 10000.0, dim = 16>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %kr = ingot.rope %k, %pos {rope = #ingot.rope<normal, theta = 10000.0, dim = 16>, head_dim = 16 : i64} : tensor<?x32xf32>, tensor<?xi32> -> tensor<?x32xf32>
  ingot.kv_cache_write %kr, %v, %pos {layer = 0 : i64} : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32>
  return %qr : tensor<?x64xf32>
}

// Projections that do not feed attention (here: the FFN) are left alone, and so
// are projections of different encodings.
// CHECK-LABEL: func.func @not_attention
// CHECK-NOT: ingot.concat_weights
// CHECK-COUNT-2: ingot.matmul
func.func @not_attention(%x: tensor<?x64xf32>) -> tensor<?x96xf32> {
  %wg = ingot.weight "wg" : tensor<96x64xf32, #ingot.encoding<q4_1>>
  %wu = ingot.weight "wu" : tensor<96x64xf32, #ingot.encoding<q4_1>>
  %g = ingot.matmul %x, %wg : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q4_1>> -> tensor<?x96xf32>
  %u = ingot.matmul %x, %wu : tensor<?x64xf32>, tensor<96x64xf32, #ingot.encoding<q4_1>> -> tensor<?x96xf32>
  %s = ingot.swiglu %g, %u : tensor<?x96xf32>
  return %s : tensor<?x96xf32>
}

// QK-norm (Qwen 3): a per-head norm between a projection and its rope still feeds attention;
// a norm whose result goes elsewhere does not.
// CHECK-LABEL: func.func @qk_norm
// CHECK: %[[S:.*]]:3 = ingot.split %{{.*}} [64, 32, 32]
// CHECK: ingot.rms_norm %[[S]]#0
// CHECK: ingot.rms_norm %[[S]]#1
// CHECK-NOT: ingot.matmul
func.func @qk_norm(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %wq = ingot.weight "wq" : tensor<64x64xf32, #ingot.encoding<q8_0>>
  %q = ingot.matmul %x, %wq : tensor<?x64xf32>, tensor<64x64xf32, #ingot.encoding<q8_0>> -> tensor<?x64xf32>
  %wk = ingot.weight "wk" : tensor<32x64xf32, #ingot.encoding<q8_0>>
  %k = ingot.matmul %x, %wk : tensor<?x64xf32>, tensor<32x64xf32, #ingot.encoding<q8_0>> -> tensor<?x32xf32>
  %wv = ingot.weight "wv" : tensor<32x64xf32, #ingot.encoding<q8_0>>
  %v = ingot.matmul %x, %wv : tensor<?x64xf32>, tensor<32x64xf32, #ingot.encoding<q8_0>> -> tensor<?x32xf32>
  %nq = ingot.weight "nq" : tensor<16xf32, #ingot.encoding<float32>>
  %nk = ingot.weight "nk" : tensor<16xf32, #ingot.encoding<float32>>
  %qn = ingot.rms_norm %q, %nq {epsilon = 1.0e-06 : f32} : tensor<?x64xf32>, tensor<16xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  %kn = ingot.rms_norm %k, %nk {epsilon = 1.0e-06 : f32} : tensor<?x32xf32>, tensor<16xf32, #ingot.encoding<float32>> -> tensor<?x32xf32>
  %qr = ingot.rope %qn, %pos {rope = #ingot.rope<neox, theta = 10000.0, dim = 16>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %kr = ingot.rope %kn, %pos {rope = #ingot.rope<neox, theta = 10000.0, dim = 16>, head_dim = 16 : i64} : tensor<?x32xf32>, tensor<?xi32> -> tensor<?x32xf32>
  ingot.kv_cache_write %kr, %v, %pos {layer = 0 : i64} : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32>
  return %qr : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @norm_elsewhere
// CHECK-NOT: ingot.concat_weights
// CHECK-COUNT-2: ingot.matmul
func.func @norm_elsewhere(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %wq = ingot.weight "wq" : tensor<64x64xf32, #ingot.encoding<q8_0>>
  %q = ingot.matmul %x, %wq : tensor<?x64xf32>, tensor<64x64xf32, #ingot.encoding<q8_0>> -> tensor<?x64xf32>
  %wk = ingot.weight "wk" : tensor<64x64xf32, #ingot.encoding<q8_0>>
  %k = ingot.matmul %x, %wk : tensor<?x64xf32>, tensor<64x64xf32, #ingot.encoding<q8_0>> -> tensor<?x64xf32>
  %n = ingot.weight "n" : tensor<64xf32, #ingot.encoding<float32>>
  %qn = ingot.rms_norm %q, %n {epsilon = 1.0e-06 : f32} : tensor<?x64xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x64xf32>
  %s = ingot.add %qn, %k : tensor<?x64xf32>
  return %s : tensor<?x64xf32>
}
