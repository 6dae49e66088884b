// Scale searches of ggml's K-quants; see kquant_search.h. Every expression
// keeps ggml's evaluation order: a product like w*x*l is (w*x)*l, and integer
// quants are converted to float where ggml's C arithmetic converts them.
#include "kernels/quant/kquant_search.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "kernels/quant/rounding.h"

namespace ingot::quant::detail {
namespace {

// The value of largest magnitude (the first one on ties), keeping its sign.
float signed_absmax(std::span<const float> x, float& amax) {
  float max = 0.0f;
  amax = 0.0f;
  for (float v : x) {
    const float a = std::fabs(v);
    if (a > amax) {
      amax = a;
      max = v;
    }
  }
  return max;
}

int clamp_symmetric(int l, int nmax) { return std::max(-nmax, std::min(nmax - 1, l)); }

}  // namespace

float make_qx_quants(int nmax, std::span<const float> x, std::span<int8_t> levels) {
  const size_t n = x.size();
  float amax = 0.0f;
  const float max = signed_absmax(x, amax);
  if (amax < kGroupMaxEps) {
    std::fill(levels.begin(), levels.end(), int8_t{0});
    return 0.0f;
  }
  float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0.0f, suml2 = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const int l = clamp_symmetric(nearest_int(iscale * x[i]), nmax);
    levels[i] = static_cast<int8_t>(l + nmax);
    const float w = x[i] * x[i];
    const float lf = static_cast<float>(l);
    sumlx += w * x[i] * lf;
    suml2 += w * lf * lf;
  }
  float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
    sumlx = suml2 = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      const float lf = static_cast<float>(clamp_symmetric(nearest_int(iscale * x[i]), nmax));
      const float w = x[i] * x[i];
      sumlx += w * x[i] * lf;
      suml2 += w * lf * lf;
    }
    if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
      for (size_t i = 0; i < n; ++i) {
        levels[i] = static_cast<int8_t>(nmax + clamp_symmetric(nearest_int(iscale * x[i]), nmax));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

float make_q3_quants(int nmax, std::span<const float> x, std::span<int8_t> levels) {
  const size_t n = x.size();
  float amax = 0.0f;
  const float max = signed_absmax(x, amax);
  if (amax < kGroupMaxEps) {
    std::fill(levels.begin(), levels.end(), int8_t{0});
    return 0.0f;
  }
  const float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0.0f, suml2 = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const int l = clamp_symmetric(nearest_int(iscale * x[i]), nmax);
    levels[i] = static_cast<int8_t>(l);
    const float w = x[i] * x[i];
    const float lf = static_cast<float>(l);
    sumlx += w * x[i] * lf;
    suml2 += w * lf * lf;
  }
  for (int pass = 0; pass < 5; ++pass) {
    int changed = 0;
    for (size_t i = 0; i < n; ++i) {
      const float w = x[i] * x[i];
      const float old_l = static_cast<float>(levels[i]);
      float slx = sumlx - w * x[i] * old_l;
      if (!(slx > 0.0f)) continue;
      float sl2 = suml2 - w * old_l * old_l;
      const int new_l = clamp_symmetric(nearest_int(x[i] * sl2 / slx), nmax);
      if (new_l == levels[i]) continue;
      const float new_lf = static_cast<float>(new_l);
      slx += w * x[i] * new_lf;
      sl2 += w * new_lf * new_lf;
      if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
        levels[i] = static_cast<int8_t>(new_l);
        sumlx = slx;
        suml2 = sl2;
        ++changed;
      }
    }
    if (changed == 0) break;
  }
  for (size_t i = 0; i < n; ++i) levels[i] = static_cast<int8_t>(levels[i] + nmax);
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float make_qkx2_quants(const AffineSearch& search, std::span<const float> x, std::span<const float> weights,
                       std::span<uint8_t> levels, float& min_out) {
  const size_t n = x.size();
  assert(n >= 1 && n <= kMaxAffineGroup && weights.size() == n && levels.size() == n);
  const int nmax = search.nmax;
  float min = x[0], max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (size_t i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0.0f) min = 0.0f;
  if (max == min) {
    std::fill(levels.begin(), levels.end(), uint8_t{0});
    min_out = -min;
    return 0.0f;
  }
  auto error_term = [&](float diff) { return search.use_mad ? std::fabs(diff) : diff * diff; };
  float iscale = static_cast<float>(nmax) / (max - min);
  float scale = 1.0f / iscale;
  float best_error = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const int l = nearest_int(iscale * (x[i] - min));
    levels[i] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
    const float diff = scale * static_cast<float>(levels[i]) + min - x[i];
    best_error += weights[i] * error_term(diff);
  }
  if (search.nstep < 1) {
    min_out = -min;
    return scale;
  }
  uint8_t trial[kMaxAffineGroup];
  for (int is = 0; is <= search.nstep; ++is) {
    iscale = (search.rmin + search.rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
    float sum_l = 0.0f, sum_l2 = 0.0f, sum_xl = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      const int l = std::max(0, std::min(nmax, nearest_int(iscale * (x[i] - min))));
      trial[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      const float lf = static_cast<float>(l);
      sum_l += w * lf;
      sum_l2 += w * lf * lf;
      sum_xl += w * lf * x[i];
    }
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (!(det > 0.0f)) continue;
    float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
    float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
    if (this_min > 0.0f) {
      this_min = 0.0f;
      this_scale = sum_xl / sum_l2;
    }
    float error = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      const float diff = this_scale * static_cast<float>(trial[i]) + this_min - x[i];
      error += weights[i] * error_term(diff);
    }
    if (error < best_error) {
      std::copy_n(trial, n, levels.begin());
      best_error = error;
      scale = this_scale;
      min = this_min;
    }
  }
  min_out = -min;
  return scale;
}

}  // namespace ingot::quant::detail
