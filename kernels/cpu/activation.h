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

/// Softmax of x in place: exp(x - max) / sum, the sum of the float exps taken in double
/// (ggml_vec_soft_max_f32).
void softmax(std::span<float> x);

}  // namespace ingot::cpu
