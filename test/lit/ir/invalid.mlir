// RUN: ingot-opt %s --split-input-file --verify-diagnostics
// Malformed IR gets MLIR's diagnostics from the verifiers, never a crash.

func.func @matmul_shape(%x: tensor<?x32xf32>) {
  %w = ingot.weight "w" : tensor<64x64xf32, #ingot.encoding<q8_0>>
  // expected-error @+1 {{'ingot.matmul' op input has 32 features, expected 64}}
  %y = ingot.matmul %x, %w : tensor<?x32xf32>, tensor<64x64xf32, #ingot.encoding<q8_0>> -> tensor<?x64xf32>
  return
}

// -----

func.func @weight_without_encoding() {
  // expected-error @+1 {{'ingot.weight' op result must carry an #ingot.encoding}}
  %w = ingot.weight "w" : tensor<64x64xf32>
  return
}

// -----

func.func @block_does_not_divide() {
  // expected-error @+1 {{row length 48 is not a multiple of the q4_0 block size 32}}
  %w = ingot.weight "w" : tensor<64x48xf32, #ingot.encoding<q4_0>>
  return
}

// -----

func.func @quantized_norm() {
  // expected-error @+1 {{1-D weights (norms) must use a float encoding}}
  %w = ingot.weight "w" : tensor<64xf32, #ingot.encoding<q8_0>>
  return
}

// -----

func.func @rope_dim(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) {
  // expected-error @+1 {{rope dim 20 must be even and within the head dim 16}}
  %r = ingot.rope %x, %pos {rope = #ingot.rope<normal, theta = 10000.0, dim = 20>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @rope_freq_factor_count(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) {
  // expected-error @+1 {{rope freq_factors has 3 values, expected dim / 2 = 8}}
  %r = ingot.rope %x, %pos {rope = #ingot.rope<normal, theta = 10000.0, dim = 16, freq_factors = [1.0, 2.0, 4.0]>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @rope_freq_factor_sign(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) {
  // expected-error @+1 {{rope freq_factors must be positive}}
  %r = ingot.rope %x, %pos {rope = #ingot.rope<normal, theta = 10000.0, dim = 4, freq_factors = [1.0, -2.0]>, head_dim = 16 : i64} : tensor<?x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @heads(%q: tensor<?x64xf32>, %k: tensor<?x48xf32>, %pos: tensor<?xi32>) {
  // expected-error @+1 {{num_heads 4 is not a multiple of num_kv_heads 3}}
  %a = ingot.attention %q, %k, %k, %pos {num_heads = 4 : i64, num_kv_heads = 3 : i64, head_dim = 16 : i64, scale = 0.25 : f32} : tensor<?x64xf32>, tensor<?x48xf32>, tensor<?x48xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @split_sizes(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{'ingot.split' op input has 64 features, expected 60}}
  %a:2 = ingot.split %x [30, 30] : tensor<?x64xf32> -> tensor<?x30xf32>, tensor<?x30xf32>
  return
}

// -----

// expected-error @+2 {{expected ::ingot::ir::Encoding to be one of: float32, bfloat16, f16, q4_k, q4_0, q4_1, q6_k, q8_0, float8_e4m3fn, float4_e2m1fnx2, gptq}}
// expected-error @+1 {{failed to parse Ingot_EncodingAttr parameter 'value'}}
func.func @bad_encoding(%w: tensor<4x4xf32, #ingot.encoding<q3_z>>) {
  return
}

// -----

func.func @bad_syntax() {
  // expected-error @+1 {{expected SSA operand}}
  %w = ingot.matmul , : tensor<?x4xf32>
  return
}

// -----

func.func @norm_groups(%x: tensor<?x96xf32>) {
  %w = ingot.weight "w" : tensor<64xf32, #ingot.encoding<float32>>
  // expected-error @+1 {{'ingot.rms_norm' op input features 96 are not whole groups of the weight's 64}}
  %y = ingot.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : tensor<?x96xf32>, tensor<64xf32, #ingot.encoding<float32>> -> tensor<?x96xf32>
  return
}

// -----

func.func @window(%q: tensor<?x64xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %pos: tensor<?xi32>) {
  // expected-error @+1 {{'ingot.attention' op window 0 must be positive}}
  %a = ingot.attention %q, %k, %v, %pos {num_heads = 4 : i64, num_kv_heads = 1 : i64, head_dim = 16 : i64, scale = 0.25 : f32, window = 0 : i64} : tensor<?x64xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}
