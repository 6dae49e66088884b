// Scalar quantization references, bit-exact with ggml's quantize_row_*_ref
// (what llama-quantize and gguf writers produce when no importance matrix is
// given).
//
// Bit-exactness needs the same float operations in the same order as ggml, with
// no contraction into FMA; kernels/quant/CMakeLists.txt builds these files with
// -ffp-contract=off. NaN or inf inputs give an unspecified block, never
// undefined behaviour.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/quant/blocks.h"
#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::quant {

/// Quantizes 32 floats to Q4_0 like quantize_row_q4_0_ref.
BlockQ4_0 quantize_q4_0(std::span<const float, kQK> x);
/// Quantizes 32 floats to Q4_1 like quantize_row_q4_1_ref.
BlockQ4_1 quantize_q4_1(std::span<const float, kQK> x);
/// Quantizes 32 floats to Q5_0 like quantize_row_q5_0_ref.
BlockQ5_0 quantize_q5_0(std::span<const float, kQK> x);
/// Quantizes 32 floats to Q5_1 like quantize_row_q5_1_ref.
BlockQ5_1 quantize_q5_1(std::span<const float, kQK> x);
/// Quantizes 32 floats to Q8_0 like quantize_row_q8_0_ref.
BlockQ8_0 quantize_q8_0(std::span<const float, kQK> x);
/// Quantizes 256 floats to Q2_K like quantize_row_q2_K_ref.
BlockQ2_K quantize_q2_K(std::span<const float, kQK_K> x);
/// Quantizes 256 floats to Q3_K like quantize_row_q3_K_ref.
BlockQ3_K quantize_q3_K(std::span<const float, kQK_K> x);
/// Quantizes 256 floats to Q4_K like quantize_row_q4_K_ref.
BlockQ4_K quantize_q4_K(std::span<const float, kQK_K> x);
/// Quantizes 256 floats to Q5_K like quantize_row_q5_K_ref.
BlockQ5_K quantize_q5_K(std::span<const float, kQK_K> x);
/// Quantizes 256 floats to Q6_K like quantize_row_q6_K_ref.
BlockQ6_K quantize_q6_K(std::span<const float, kQK_K> x);
/// Quantizes 256 floats to Q8_K like quantize_row_q8_K_ref (an all-zero input gives an all-zero block).
BlockQ8_K quantize_q8_K(std::span<const float, kQK_K> x);
/// Quantizes 32 floats to IQ4_NL like quantize_row_iq4_nl_ref.
BlockIQ4_NL quantize_iq4_nl(std::span<const float, kQK> x);
/// Quantizes 256 floats to IQ4_XS like quantize_row_iq4_xs_ref.
BlockIQ4_XS quantize_iq4_xs(std::span<const float, kQK_K> x);

/// The Q8_0 block of exactly the values of an IQ4_NL block: the same scale, each grid value
/// (-127 .. 113) as its quant.
void iq4_nl_as_q8_0(const BlockIQ4_NL& block, std::span<BlockQ8_0, 1> out);
/// The 8 Q8_0 blocks of an IQ4_XS super-block: each group's scale rounded to fp16, each grid
/// value as its quant (exact wherever the group scale is an fp16 value).
void iq4_xs_as_q8_0(const BlockIQ4_XS& block, std::span<BlockQ8_0, kQK_K / kQK> out);

/// True when transcode_row re-encodes `from` as `to` without requantizing: IQ4_NL and IQ4_XS
/// as Q8_0, whose grid holds their values.
bool can_transcode(GgmlType from, GgmlType to);

/// Re-encodes the bytes of `from` in `src` as `to` into `dst` (both whole blocks of the same
/// values) block by block, no alignment needed; kUnimplemented where !can_transcode(from, to),
/// kInvalidArgument on a size mismatch.
Status transcode_row(GgmlType from, std::span<const uint8_t> src, GgmlType to,
                     std::span<uint8_t> dst);

/// True when quantize_row handles `type`.
bool can_quantize(GgmlType type);

/// Encodes `src` as `type` into `dst`, which must be exactly the encoded size
/// (for block types `src` must be a whole number of blocks). Supported: F32,
/// F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K,
/// IQ4_NL, IQ4_XS. `dst` needs no alignment. Fails with kInvalidArgument on a size mismatch and
/// kUnimplemented on any other type.
Status quantize_row(GgmlType type, std::span<const float> src, std::span<uint8_t> dst);

}  // namespace ingot::quant
