// Element-wise activations and softmax, scalar references with ggml semantics.
#pragma once

#include <span>

namespace ingot::cpu {

/// silu(x) = x / (1 + exp(-x)), as ggml_silu_f32.
float silu(float x);

/// out[i] = silu(gate[i]) * up[i]; all three spans have the same size; out may alias either input.
/// With AVX-512 the exponential is a polynomial within 1.3 ulp of expf.
void swiglu(std::span<const float> gate, std::span<const float> up, std::span<float> out);

/// Softmax of x in place: exp(x - max) / sum, the sum of the float exps taken in double
/// (ggml_vec_soft_max_f32).
void softmax(std::span<float> x);

}  // namespace ingot::cpu
