// Dummy weights (--load-format dummy, as vLLM names it): deterministic, valid and never-zero
// bytes in any weight encoding, made block by block from a seed with integer operations only,
// so a host fill and a device fill give the same bytes. Values are about +-1/sqrt(row length),
// norm weights in [0.5, 1): activations stay finite through any depth.
#pragma once

#include <cstdint>

#include "kernels/quant/ggml_type.h"

#if defined(__CUDACC__)
#define INGOT_HOST_DEVICE __host__ __device__
#else
#define INGOT_HOST_DEVICE
#endif

namespace ingot::quant::dummy {

/// What filling one weight needs: its block format, its value magnitude and its random stream.
struct FillParams {
  GgmlType type = GgmlType::F32;
  uint32_t block_bytes = 4;  ///< bytes of one block (of one element for float types)
  int exponent = 0;          ///< values lie within +-2^exponent
  bool positive = false;     ///< norm weights: [2^(exponent-1), 2^exponent)
  uint64_t seed = 0;
  uint64_t stream = 0;       ///< the weight's index in the artifact
};

/// The fill parameters of weight `stream` of `type` with rows of `row_length` values; `norm`
/// for a 1-D weight, which scales features.
FillParams fill_params(GgmlType type, uint64_t row_length, bool norm, uint64_t seed,
                       uint64_t stream);

/// Whether the fill knows `type` (the encodings an artifact may hold).
bool fill_supported(GgmlType type);

/// splitmix64's finalizer: a bijective mix of 64 bits.
INGOT_HOST_DEVICE inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Random word `word` of one weight's stream.
INGOT_HOST_DEVICE inline uint64_t random_word(const FillParams& p, uint64_t word) {
  return mix64(mix64(p.seed ^ mix64(p.stream + 0x9e3779b97f4a7c15ULL)) + word);
}

/// The binary16 bits of 2^exponent; exponents below -14 give subnormals, down to -24.
INGOT_HOST_DEVICE inline uint16_t fp16_pow2(int exponent) {
  if (exponent < -24) exponent = -24;
  if (exponent > 15) exponent = 15;
  return exponent >= -14 ? static_cast<uint16_t>((exponent + 15) << 10)
                         : static_cast<uint16_t>(1u << (exponent + 24));
}

/// The bits of a float value with `exponent_bits` and `mantissa_bits` drawn from `r`: a random
/// sign (none when positive), an exponent within 3 below the top, a random mantissa.
INGOT_HOST_DEVICE inline uint32_t float_bits(const FillParams& p, uint64_t r, int bias,
                                             int mantissa_bits, int min_exponent) {
  int exponent = p.positive ? p.exponent - 1 : p.exponent - 1 - static_cast<int>((r >> 1) & 3);
  if (exponent < min_exponent) exponent = min_exponent;
  const uint32_t sign = p.positive ? 0u : static_cast<uint32_t>(r & 1);
  const uint32_t mantissa = static_cast<uint32_t>(r >> 3) & ((1u << mantissa_bits) - 1);
  const int width = 1 + mantissa_bits + (bias == 127 ? 8 : 5);
  return (sign << (width - 1)) | (static_cast<uint32_t>(exponent + bias) << mantissa_bits) |
         mantissa;
}

/// Writes `bytes` little-endian bytes of `value` to `out`.
INGOT_HOST_DEVICE inline void store_le(uint8_t* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

/// Writes block `block` of a weight (p.block_bytes bytes: one element for float types).
INGOT_HOST_DEVICE inline void fill_block(const FillParams& p, uint64_t block, uint8_t* out) {
  switch (p.type) {
    case GgmlType::F32:
      store_le(out, float_bits(p, random_word(p, block), 127, 23, -126), 4);
      return;
    case GgmlType::BF16:
      store_le(out, float_bits(p, random_word(p, block), 127, 7, -126), 2);
      return;
    case GgmlType::F16:
      store_le(out, float_bits(p, random_word(p, block), 15, 10, -14), 2);
      return;
    default: break;
  }
  // Quantized blocks: random quants (every bit pattern is a valid quant), then scales that
  // bound the values by 2^exponent.
  const uint64_t words = (p.block_bytes + 7) / 8;
  for (uint64_t w = 0; w < words; ++w) {
    const uint64_t left = p.block_bytes - w * 8;
    store_le(out + w * 8, random_word(p, block * words + w), left < 8 ? static_cast<int>(left) : 8);
  }
  // Quants are made symmetric about zero: a mean shared by every weight would add the same
  // vector to every output, and through the layers the hidden state would stop depending on the
  // input.
  const int e = p.exponent;
  switch (p.type) {
    case GgmlType::Q4_0:  // d * (q - 8); nibble 0 (-8) becomes 8 (0)
      store_le(out, fp16_pow2(e - 3), 2);
      for (int i = 2; i < 18; ++i) {
        const uint8_t lo = out[i] & 15, hi = out[i] >> 4;
        out[i] = static_cast<uint8_t>((lo == 0 ? 8 : lo) | (hi == 0 ? 8 : hi) << 4);
      }
      break;
    case GgmlType::Q4_1:  // d * q + m, m = -7.5 d (15 * 2^(e-4) is 1.875 * 2^(e-1))
      store_le(out, fp16_pow2(e - 3), 2);
      store_le(out + 2, (e - 1 >= -14 ? fp16_pow2(e - 1) | 0x380u : fp16_pow2(e)) | 0x8000u, 2);
      break;
    case GgmlType::Q8_0:  // d * q; -128 becomes 0
      store_le(out, fp16_pow2(e - 7), 2);
      for (int i = 2; i < 34; ++i) out[i] = out[i] == 0x80 ? 0 : out[i];
      break;
    case GgmlType::Q4_K:                      // d * sc * q - dmin * m, 6-bit sc and m
      store_le(out, fp16_pow2(e - 10), 2);
      store_le(out + 2, fp16_pow2(e - 7), 2);  // centres the mean: 2^-7 * 31.5 ~ 2^-10 * 236
      break;
    case GgmlType::Q6_K: store_le(out + 208, fp16_pow2(e - 12), 2); break;  // d * sc * (q - 32)
    default: break;
  }
}

}  // namespace ingot::quant::dummy
