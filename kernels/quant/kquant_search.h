// The scale searches behind ggml's K-quant reference quantizers (internal).
//
// Each one reproduces the ggml function it names, including the order of every
// float operation, because the chosen quants flip on the last bit of a sum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ingot::quant::detail {

/// Below this group maximum ggml treats a group as all zeros.
inline constexpr float kGroupMaxEps = 1e-15f;

/// ggml's make_qx_quants with rmse_type 1 and no importance weights: symmetric
/// quants in [0, 2*nmax) (stored biased by nmax) with a scale fitted by
/// weighted least squares (weights x^2) over 19 candidate scales. Returns the scale.
float make_qx_quants(int nmax, std::span<const float> x, std::span<int8_t> levels);

/// ggml's make_q3_quants with do_rmse: symmetric quants in [0, 2*nmax) refined
/// one at a time for up to 5 passes. Returns the scale.
float make_q3_quants(int nmax, std::span<const float> x, std::span<int8_t> levels);

/// Settings of make_qkx2_quants' scale search.
struct AffineSearch {
  int nmax;      ///< largest quant
  float rmin;    ///< first candidate offset added to nmax
  float rdelta;  ///< step between candidates
  int nstep;     ///< candidates are rmin + rdelta * [0, nstep]
  bool use_mad;  ///< minimize weighted absolute (true) or squared (false) error
};

/// Largest group make_qkx2_quants takes (Q4_K and Q5_K use 32, Q2_K 16).
inline constexpr size_t kMaxAffineGroup = 32;

/// ggml's make_qkx2_quants: affine quants in [0, nmax] for x = scale * q - min,
/// with min >= 0 returned in `min_out`, fitted by weighted least squares over
/// the candidate scales. `x`, `weights` and `levels` hold the same number of
/// values, 1 to kMaxAffineGroup. Returns the scale.
float make_qkx2_quants(const AffineSearch& search, std::span<const float> x, std::span<const float> weights,
                       std::span<uint8_t> levels, float& min_out);

}  // namespace ingot::quant::detail
