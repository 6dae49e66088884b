// ggml's quantized block layouts, byte for byte (ggml/src/ggml-common.h).
//
// fp16 fields are stored as their raw binary16 bits (see float_convert.h), and
// multi-byte fields are little-endian, as in GGUF files. The static members do
// not take space; the static_asserts below pin size and field offsets.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "kernels/quant/ggml_type.h"

namespace ingot::quant {

static_assert(std::endian::native == std::endian::little,
              "block structs mirror GGUF's little-endian bytes");

/// Values per block of the legacy formats (Q4_0 .. Q8_0).
inline constexpr size_t kQK = 32;
/// Values per super-block of the K-quants.
inline constexpr size_t kQK_K = 256;
/// Bytes of packed 6-bit scales and mins in Q4_K and Q5_K.
inline constexpr size_t kKScaleBytes = 12;

/// 4-bit, symmetric: x = d * (q - 8).
struct BlockQ4_0 {
  static constexpr GgmlType kType = GgmlType::Q4_0;
  static constexpr size_t kElems = kQK;
  uint16_t d;               ///< fp16 scale
  uint8_t qs[kQK / 2];      ///< element j in the low nibble of qs[j], element j+16 in the high nibble
};

/// 4-bit with offset: x = d * q + m.
struct BlockQ4_1 {
  static constexpr GgmlType kType = GgmlType::Q4_1;
  static constexpr size_t kElems = kQK;
  uint16_t d;               ///< fp16 scale
  uint16_t m;               ///< fp16 minimum
  uint8_t qs[kQK / 2];
};

/// 5-bit, symmetric: x = d * (q - 16).
struct BlockQ5_0 {
  static constexpr GgmlType kType = GgmlType::Q5_0;
  static constexpr size_t kElems = kQK;
  uint16_t d;
  uint8_t qh[4];            ///< bit j of this little-endian word is bit 4 of element j
  uint8_t qs[kQK / 2];
};

/// 5-bit with offset: x = d * q + m.
struct BlockQ5_1 {
  static constexpr GgmlType kType = GgmlType::Q5_1;
  static constexpr size_t kElems = kQK;
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};

/// 8-bit, symmetric: x = d * q.
struct BlockQ8_0 {
  static constexpr GgmlType kType = GgmlType::Q8_0;
  static constexpr size_t kElems = kQK;
  uint16_t d;
  int8_t qs[kQK];
};

/// 2-bit K-quant: 16 groups of 16, x = d * sc * q - dmin * m, 4-bit sc and m.
struct BlockQ2_K {
  static constexpr GgmlType kType = GgmlType::Q2_K;
  static constexpr size_t kElems = kQK_K;
  uint8_t scales[kQK_K / 16];  ///< low nibble: scale, high nibble: min
  uint8_t qs[kQK_K / 4];
  uint16_t d;                  ///< fp16 super-scale of the scales
  uint16_t dmin;               ///< fp16 super-scale of the mins
};

/// 3-bit K-quant: 16 groups of 16, x = d * (sc - 32) * (q - 4), 6-bit sc.
struct BlockQ3_K {
  static constexpr GgmlType kType = GgmlType::Q3_K;
  static constexpr size_t kElems = kQK_K;
  uint8_t hmask[kQK_K / 8];  ///< high bit of each quant (set means no -4)
  uint8_t qs[kQK_K / 4];     ///< low 2 bits of each quant
  uint8_t scales[12];        ///< 16 scales of 6 bits
  uint16_t d;
};

/// 4-bit K-quant: 8 groups of 32, x = d * sc * q - dmin * m, 6-bit sc and m.
struct BlockQ4_K {
  static constexpr GgmlType kType = GgmlType::Q4_K;
  static constexpr size_t kElems = kQK_K;
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQK_K / 2];
};

/// 5-bit K-quant: as Q4_K plus one high bit per quant.
struct BlockQ5_K {
  static constexpr GgmlType kType = GgmlType::Q5_K;
  static constexpr size_t kElems = kQK_K;
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};

/// 6-bit K-quant: 16 groups of 16, x = d * sc * (q - 32), 8-bit signed sc.
struct BlockQ6_K {
  static constexpr GgmlType kType = GgmlType::Q6_K;
  static constexpr size_t kElems = kQK_K;
  uint8_t ql[kQK_K / 2];   ///< low 4 bits of each quant
  uint8_t qh[kQK_K / 4];   ///< high 2 bits of each quant
  int8_t scales[kQK_K / 16];
  uint16_t d;
};

/// 8-bit K-quant used for activations: x = d * q, with an fp32 scale.
struct BlockQ8_K {
  static constexpr GgmlType kType = GgmlType::Q8_K;
  static constexpr size_t kElems = kQK_K;
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];  ///< sum of each group of 16 quants
};

/// 4-bit non-linear: x = d * kIq4Values[q], the same grid for every block.
struct BlockIQ4_NL {
  static constexpr GgmlType kType = GgmlType::IQ4_NL;
  static constexpr size_t kElems = kQK;
  uint16_t d;           ///< fp16 scale
  uint8_t qs[kQK / 2];  ///< as Q4_0: element j low nibble of qs[j], element j+16 high
};

/// 4-bit non-linear super-block: 8 groups of 32, x = d * (ls - 32) * kIq4Values[q], with a
/// 6-bit group scale ls (low 4 bits in scales_l, high 2 in scales_h).
struct BlockIQ4_XS {
  static constexpr GgmlType kType = GgmlType::IQ4_XS;
  static constexpr size_t kElems = kQK_K;
  uint16_t d;                    ///< fp16 super-block scale
  uint16_t scales_h;             ///< bits 2g, 2g+1: the high bits of group g's scale
  uint8_t scales_l[kQK_K / 64];  ///< group g's low 4 bits: nibble g % 2 of byte g / 2
  uint8_t qs[kQK_K / 2];         ///< group g in qs[16g, 16g+16), laid out as IQ4_NL's
};

/// The IQ4 grid (ggml's kvalues_iq4nl): denser near zero, where weights cluster.
inline constexpr int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                          1,    13,   25,  38,  53,  69,  89,  113};

static_assert(sizeof(BlockQ4_0) == 18 && offsetof(BlockQ4_0, qs) == 2);
static_assert(sizeof(BlockQ4_1) == 20 && offsetof(BlockQ4_1, qs) == 4);
static_assert(sizeof(BlockQ5_0) == 22 && offsetof(BlockQ5_0, qh) == 2 && offsetof(BlockQ5_0, qs) == 6);
static_assert(sizeof(BlockQ5_1) == 24 && offsetof(BlockQ5_1, qh) == 4 && offsetof(BlockQ5_1, qs) == 8);
static_assert(sizeof(BlockQ8_0) == 34 && offsetof(BlockQ8_0, qs) == 2);
static_assert(sizeof(BlockQ2_K) == 84 && offsetof(BlockQ2_K, qs) == 16 && offsetof(BlockQ2_K, d) == 80 &&
              offsetof(BlockQ2_K, dmin) == 82);
static_assert(sizeof(BlockQ3_K) == 110 && offsetof(BlockQ3_K, qs) == 32 && offsetof(BlockQ3_K, scales) == 96 &&
              offsetof(BlockQ3_K, d) == 108);
static_assert(sizeof(BlockQ4_K) == 144 && offsetof(BlockQ4_K, scales) == 4 && offsetof(BlockQ4_K, qs) == 16);
static_assert(sizeof(BlockQ5_K) == 176 && offsetof(BlockQ5_K, qh) == 16 && offsetof(BlockQ5_K, qs) == 48);
static_assert(sizeof(BlockQ6_K) == 210 && offsetof(BlockQ6_K, qh) == 128 && offsetof(BlockQ6_K, scales) == 192 &&
              offsetof(BlockQ6_K, d) == 208);
static_assert(sizeof(BlockIQ4_NL) == 18 && offsetof(BlockIQ4_NL, qs) == 2);
static_assert(sizeof(BlockIQ4_XS) == 136 && offsetof(BlockIQ4_XS, scales_l) == 4 &&
              offsetof(BlockIQ4_XS, qs) == 8);
static_assert(sizeof(BlockQ8_K) == 292 && offsetof(BlockQ8_K, qs) == 4 && offsetof(BlockQ8_K, bsums) == 260);

}  // namespace ingot::quant
