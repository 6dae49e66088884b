// Element-wise activations and softmax, scalar references with ggml semantics.
#pragma once

#include <span>

namespace ingot::cpu {

/// silu(x) = x / (1 + exp(-x)), as ggml_silu_f32.
float silu(float x);

/// The ways swiglu can run: the scalar reference with expf, or 8 or 16 values at a time with a
/// polynomial exponential within 1.3 ulp of expf.
enum class ActivationPath { kScalar, kAvx2, kAvx512 };

/// True when this CPU can run `path`.
bool activation_path_supported(ActivationPath path);

/// out[i] = silu(gate[i]) * up[i] on `path` (which this CPU must support); all three spans have
/// the same size; out may alias either input.
void swiglu_with_path(ActivationPath path, std::span<const float> gate, std::span<const float> up,
                      std::span<float> out);

/// swiglu_with_path on the fastest path this CPU has.
void swiglu(std::span<const float> gate, std::span<const float> up, std::span<float> out);

/// Softmax of x in place: exp(x - max) / sum, the sum of the float exps taken in double
/// (ggml_vec_soft_max_f32).
void softmax(std::span<float> x);

}  // namespace ingot::cpu
