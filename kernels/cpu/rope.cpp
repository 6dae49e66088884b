// Rotary position embedding, as ggml's rope_f32 with rope_yarn.
#include "kernels/cpu/rope.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

namespace ingot::cpu {
namespace {

/// ggml_rope_yarn_corr_dim: the dimension whose wavelength spans `rotations` at the original context.
float corr_dim(int64_t dims, int64_t original_context, float rotations, float base) {
  return static_cast<float>(dims) *
         std::log(static_cast<float>(original_context) /
                  (rotations * 2.0f * std::numbers::pi_v<float>)) /
         (2.0f * std::log(base));
}

/// rope_yarn_ramp: 1 below `low`, 0 above `high`, linear between, over pair index i0 / 2.
float yarn_ramp(float low, float high, int64_t i0) {
  const float y = (static_cast<float>(i0 / 2) - low) / std::max(0.001f, high - low);
  return 1.0f - std::min(1.0f, std::max(0.0f, y));
}

}  // namespace

void rope_angles(const RopeSpec& spec, int64_t pos, std::span<float> cos_sin) {
  assert(spec.dims > 0 && spec.dims % 2 == 0 && cos_sin.size() >= static_cast<size_t>(spec.dims));
  assert(spec.freq_factors.empty() || spec.freq_factors.size() == static_cast<size_t>(spec.dims / 2));
  float low = 0.0f, high = 0.0f;
  if (spec.ext_factor != 0.0f) {
    low = std::max(0.0f, std::floor(corr_dim(spec.dims, spec.original_context, spec.beta_fast,
                                             spec.base)));
    high = std::min(static_cast<float>(spec.dims - 1),
                    std::ceil(corr_dim(spec.dims, spec.original_context, spec.beta_slow,
                                       spec.base)));
  }
  const float theta_scale = std::pow(spec.base, -2.0f / static_cast<float>(spec.dims));
  float theta_extrap = static_cast<float>(pos);
  for (int64_t i0 = 0; i0 < spec.dims; i0 += 2) {
    const float extrap = spec.freq_factors.empty()
                             ? theta_extrap
                             : theta_extrap / spec.freq_factors[static_cast<size_t>(i0 / 2)];
    const float theta_interp = spec.freq_scale * extrap;
    float theta = theta_interp;
    float mscale = spec.attn_factor;
    if (spec.ext_factor != 0.0f) {
      const float mix = yarn_ramp(low, high, i0) * spec.ext_factor;
      theta = theta_interp * (1 - mix) + extrap * mix;
      mscale *= 1.0f + 0.1f * std::log(1.0f / spec.freq_scale);
    }
    cos_sin[static_cast<size_t>(i0)] = std::cos(theta) * mscale;
    cos_sin[static_cast<size_t>(i0) + 1] = std::sin(theta) * mscale;
    theta_extrap *= theta_scale;
  }
}

void rope_apply(const RopeSpec& spec, std::span<const float> cos_sin, float* x, int64_t heads,
                int64_t head_dim) {
  assert(spec.dims <= head_dim);
  const int64_t half = spec.dims / 2;
  for (int64_t h = 0; h < heads; ++h) {
    float* head = x + h * head_dim;
    for (int64_t i = 0; i < half; ++i) {
      const float c = cos_sin[static_cast<size_t>(2 * i)];
      const float s = cos_sin[static_cast<size_t>(2 * i + 1)];
      float& a = spec.neox ? head[i] : head[2 * i];
      float& b = spec.neox ? head[i + half] : head[2 * i + 1];
      const float x0 = a, x1 = b;
      a = x0 * c - x1 * s;
      b = x0 * s + x1 * c;
    }
  }
}

namespace {

void rope_plain(std::span<float> x, int64_t head_dim, int64_t pos, float base, bool neox) {
  assert(head_dim > 0 && head_dim % 2 == 0 && x.size() % static_cast<size_t>(head_dim) == 0);
  RopeSpec spec;
  spec.neox = neox;
  spec.dims = head_dim;
  spec.base = base;
  std::vector<float> cos_sin(static_cast<size_t>(head_dim));
  rope_angles(spec, pos, cos_sin);
  rope_apply(spec, cos_sin, x.data(), static_cast<int64_t>(x.size()) / head_dim, head_dim);
}

}  // namespace

void rope_normal(std::span<float> x, int64_t head_dim, int64_t pos, float base) {
  rope_plain(x, head_dim, pos, base, false);
}

void rope_neox(std::span<float> x, int64_t head_dim, int64_t pos, float base) {
  rope_plain(x, head_dim, pos, base, true);
}

}  // namespace ingot::cpu
