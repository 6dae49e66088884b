// Scalar dequantization references, bit-exact with ggml's dequantize_row_*.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/quant/blocks.h"
#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::quant {

/// Decodes one Q4_0 block into 32 floats.
void dequantize_block(const BlockQ4_0& block, std::span<float, kQK> out);
/// Decodes one Q4_1 block into 32 floats.
void dequantize_block(const BlockQ4_1& block, std::span<float, kQK> out);
/// Decodes one Q5_0 block into 32 floats.
void dequantize_block(const BlockQ5_0& block, std::span<float, kQK> out);
/// Decodes one Q5_1 block into 32 floats.
void dequantize_block(const BlockQ5_1& block, std::span<float, kQK> out);
/// Decodes one Q8_0 block into 32 floats.
void dequantize_block(const BlockQ8_0& block, std::span<float, kQK> out);
/// Decodes one Q2_K super-block into 256 floats.
void dequantize_block(const BlockQ2_K& block, std::span<float, kQK_K> out);
/// Decodes one Q3_K super-block into 256 floats.
void dequantize_block(const BlockQ3_K& block, std::span<float, kQK_K> out);
/// Decodes one Q4_K super-block into 256 floats.
void dequantize_block(const BlockQ4_K& block, std::span<float, kQK_K> out);
/// Decodes one Q5_K super-block into 256 floats.
void dequantize_block(const BlockQ5_K& block, std::span<float, kQK_K> out);
/// Decodes one Q6_K super-block into 256 floats.
void dequantize_block(const BlockQ6_K& block, std::span<float, kQK_K> out);
/// Decodes one Q8_K super-block into 256 floats.
void dequantize_block(const BlockQ8_K& block, std::span<float, kQK_K> out);
/// Decodes one IQ4_NL block into 32 floats.
void dequantize_block(const BlockIQ4_NL& block, std::span<float, kQK> out);
/// Decodes one IQ4_XS super-block into 256 floats.
void dequantize_block(const BlockIQ4_XS& block, std::span<float, kQK_K> out);

/// True when dequantize_row handles `type`.
bool can_dequantize(GgmlType type);

/// Decodes the raw little-endian bytes of `type` in `src` into `dst`, which
/// must hold exactly the number of values those bytes encode. Supported:
/// F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K,
/// Q8_K, IQ4_NL, IQ4_XS. `src` needs no alignment. Fails with kInvalidArgument on a size
/// mismatch and kUnimplemented on any other type.
Status dequantize_row(GgmlType type, std::span<const uint8_t> src, std::span<float> dst);

}  // namespace ingot::quant
