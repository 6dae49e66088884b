// Rotary position embedding of one token's heads, scalar references with llama.cpp semantics.
#pragma once

#include <cstdint>
#include <span>

namespace ingot::cpu {

/// Rotates each head of x (heads of head_dim floats, head_dim even) in place for position pos:
/// pair i (i < head_dim/2) turns by theta_i = pos * base^(-2i/head_dim), computed as ggml does
/// (theta_0 = pos, theta_{i+1} = theta_i * base^(-2/head_dim), in float). The "normal" mode
/// (GGML_ROPE_TYPE_NORMAL, llama) rotates adjacent pairs (x[2i], x[2i+1]).
void rope_normal(std::span<float> x, int64_t head_dim, int64_t pos, float base);

/// As rope_normal, but the NeoX mode (GGML_ROPE_TYPE_NEOX, qwen2...) rotates (x[i], x[i +
/// head_dim/2]).
void rope_neox(std::span<float> x, int64_t head_dim, int64_t pos, float base);

}  // namespace ingot::cpu
