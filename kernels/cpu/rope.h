// Rotary position embedding with llama.cpp (ggml) semantics, including linear and YaRN scaling.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ingot::cpu {

/// How a rope rotates: ggml_rope_ext's parameters.
struct RopeSpec {
  bool neox = false;            ///< NeoX pairs (x[i], x[i + dims/2]); else adjacent (x[2i], x[2i+1])
  int64_t dims = 0;             ///< rotated dimensions per head (n_rot, even); the rest pass through
  float base = 10000.0f;        ///< frequency base theta
  float freq_scale = 1.0f;      ///< 1 / the context scaling factor (linear and YaRN)
  float ext_factor = 0.0f;      ///< YaRN extrapolation mix; 0 is plain (linear) scaling
  float attn_factor = 1.0f;     ///< magnitude scale of cos and sin
  float beta_fast = 32.0f;      ///< YaRN low correction dim
  float beta_slow = 1.0f;       ///< YaRN high correction dim
  int64_t original_context = 0; ///< YaRN: the context the model was trained at
  /// Llama 3's per-pair divisors of the angle (ggml's freq_factors, a GGUF's rope_freqs.weight):
  /// dims/2 positive values, or empty for none.
  std::vector<float> freq_factors;
};

/// cos and sin of each rotated pair at `pos` (dims/2 pairs: cos_sin[2i], cos_sin[2i+1]), as ggml's
/// rope_cache_init and rope_yarn (theta_{i+1} = theta_i * base^(-2/dims), in float, pair i's
/// theta divided by freq_factors[i] when there are factors).
void rope_angles(const RopeSpec& spec, int64_t pos, std::span<float> cos_sin);

/// Rotates each of `heads` heads of `head_dim` floats in x by angles from rope_angles.
void rope_apply(const RopeSpec& spec, std::span<const float> cos_sin, float* x, int64_t heads,
                int64_t head_dim);

/// Rotates each head of x (heads of head_dim floats, head_dim even) in place for position pos:
/// pair i (i < head_dim/2) turns by theta_i = pos * base^(-2i/head_dim), computed as ggml does
/// (theta_0 = pos, theta_{i+1} = theta_i * base^(-2/head_dim), in float). The "normal" mode
/// (GGML_ROPE_TYPE_NORMAL, llama) rotates adjacent pairs (x[2i], x[2i+1]).
void rope_normal(std::span<float> x, int64_t head_dim, int64_t pos, float base);

/// As rope_normal, but the NeoX mode (GGML_ROPE_TYPE_NEOX, qwen2...) rotates (x[i], x[i +
/// head_dim/2]).
void rope_neox(std::span<float> x, int64_t head_dim, int64_t pos, float base);

}  // namespace ingot::cpu
