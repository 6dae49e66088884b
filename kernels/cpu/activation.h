// Element-wise activations and softmax, scalar references with ggml semantics.
#pragma once

#include <span>

#include "kernels/cpu/simd_path.h"

namespace ingot::cpu {

/// silu(x) = x / (1 + exp(-x)), as ggml_silu_f32.
float silu(float x);

/// out[i] = silu(gate[i]) * up[i] on `path` (which this CPU must support); all three spans have
/// the same size; out may alias either input.
void swiglu_with_path(SimdPath path, std::span<const float> gate, std::span<const float> up,
                      std::span<float> out);

/// swiglu_with_path on the fastest path this CPU has.
void swiglu(std::span<const float> gate, std::span<const float> up, std::span<float> out);

/// gelu(x) with the tanh approximation, 0.5 x (1 + tanh(sqrt(2 / pi) x (1 + 0.044715 x^2))), as
/// ggml_gelu_f32 (transformers' gelu_pytorch_tanh: Gemma's hidden_activation).
float gelu_tanh(float x);

/// out[i] = gelu(gate[i]) * up[i] as ggml_vec_geglu_f32 computes it: 0 below -10, gate itself
/// above 10, else gelu_tanh at the gate rounded to fp16, rounded to fp16 (ggml's table). All
/// three spans have the same size; out may alias either input.
void geglu(std::span<const float> gate, std::span<const float> up, std::span<float> out);

/// Softmax of x in place: exp(x - max) / sum, the sum of the float exps taken in double
/// (ggml_vec_soft_max_f32).
void softmax(std::span<float> x);

}  // namespace ingot::cpu
