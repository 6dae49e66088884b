// Rotary position embedding references.
#include "kernels/cpu/rope.h"

#include <cassert>
#include <cmath>
#include <cstddef>
#include <vector>

namespace ingot::cpu {
namespace {

/// cos and sin of theta_i for the head_dim/2 pairs, as ggml's rope_cache_init (no scaling, mscale
/// 1).
void rope_cache(int64_t head_dim, int64_t pos, float base, std::vector<float>& cos_theta,
                std::vector<float>& sin_theta) {
  const size_t half = static_cast<size_t>(head_dim / 2);
  cos_theta.resize(half);
  sin_theta.resize(half);
  const float theta_scale = std::pow(base, -2.0f / static_cast<float>(head_dim));
  float theta = static_cast<float>(pos);
  for (size_t i = 0; i < half; ++i) {
    cos_theta[i] = std::cos(theta);
    sin_theta[i] = std::sin(theta);
    theta *= theta_scale;
  }
}

/// Rotates the pairs (x[i * pair_step], x[i * pair_step + partner]) of every head by theta_i.
void rotate_heads(std::span<float> x, int64_t head_dim, int64_t pos, float base, size_t pair_step,
                  size_t partner) {
  assert(head_dim > 0 && head_dim % 2 == 0 && x.size() % static_cast<size_t>(head_dim) == 0);
  std::vector<float> cos_theta, sin_theta;
  rope_cache(head_dim, pos, base, cos_theta, sin_theta);
  const size_t dim = static_cast<size_t>(head_dim);
  for (size_t head = 0; head < x.size(); head += dim) {
    for (size_t i = 0; i < dim / 2; ++i) {
      float& a = x[head + i * pair_step];
      float& b = x[head + i * pair_step + partner];
      const float x0 = a, x1 = b;
      a = x0 * cos_theta[i] - x1 * sin_theta[i];
      b = x0 * sin_theta[i] + x1 * cos_theta[i];
    }
  }
}

}  // namespace

void rope_normal(std::span<float> x, int64_t head_dim, int64_t pos, float base) {
  rotate_heads(x, head_dim, pos, base, /*pair_step=*/2, /*partner=*/1);
}

void rope_neox(std::span<float> x, int64_t head_dim, int64_t pos, float base) {
  rotate_heads(x, head_dim, pos, base, /*pair_step=*/1,
               /*partner=*/static_cast<size_t>(head_dim / 2));
}

}  // namespace ingot::cpu
