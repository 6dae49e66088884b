// fp16 and bf16 conversions: every 16-bit pattern, every rounding boundary
// between neighbouring halves, and the special values.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/quant/float_convert.h"

namespace ingot::quant {
namespace {

uint32_t bits_of(float f) { return std::bit_cast<uint32_t>(f); }
float from_bits(uint32_t b) { return std::bit_cast<float>(b); }
bool is_half_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x03ff) != 0; }

// The conversions are constexpr; pin a few values at compile time.
static_assert(fp32_to_fp16(1.0f) == 0x3c00);
static_assert(fp32_to_fp16(-2.0f) == 0xc000);
static_assert(fp16_to_fp32(0x3555) == 0x1.554p-2f);
static_assert(fp32_to_bf16(1.0f) == 0x3f80);
static_assert(bf16_to_fp32(0xc0a0) == -5.0f);

// The exact value of a finite half, computed independently in double.
double half_value(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, exponent - 25);
  return (h & 0x8000) ? -magnitude : magnitude;
}

TEST(QuantFp16, EveryHalfWidensExactlyAndRoundTrips) {
  for (uint32_t i = 0; i <= 0xffff; ++i) {
    const uint16_t h = static_cast<uint16_t>(i);
    const float f = fp16_to_fp32(h);
    if (is_half_nan(h)) {
      // Sign and payload kept, quiet bit set; narrowing gives ggml's canonical NaN.
      EXPECT_EQ(bits_of(f), (uint32_t{h & 0x8000u} << 16) | 0x7fc00000u | (uint32_t{h & 0x3ffu} << 13)) << h;
      EXPECT_EQ(fp32_to_fp16(f), (h & 0x8000) | 0x7e00) << h;
      continue;
    }
    if ((h & 0x7fff) == 0x7c00) {
      EXPECT_TRUE(std::isinf(f)) << h;
    } else {
      EXPECT_EQ(static_cast<double>(f), half_value(h)) << h;
    }
    EXPECT_EQ(std::signbit(f), (h & 0x8000) != 0) << h;
    EXPECT_EQ(fp32_to_fp16(f), h) << h;
  }
}

// Between each pair of neighbouring finite halves: the exact midpoint goes to
// the even one, one fp32 ulp either side goes to the nearer one.
TEST(QuantFp16, RoundsToNearestTiesToEvenAtEveryBoundary) {
  for (uint16_t h = 0; h < 0x7bff; ++h) {
    const uint16_t next = static_cast<uint16_t>(h + 1);
    const double mid = (half_value(h) + half_value(next)) / 2;  // exact in float: 12 significant bits
    const float midf = static_cast<float>(mid);
    ASSERT_EQ(static_cast<double>(midf), mid);
    const uint16_t even = (h & 1) ? next : h;
    EXPECT_EQ(fp32_to_fp16(midf), even) << h;
    EXPECT_EQ(fp32_to_fp16(-midf), even | 0x8000) << h;
    EXPECT_EQ(fp32_to_fp16(std::nextafter(midf, 0.0f)), h) << h;
    EXPECT_EQ(fp32_to_fp16(std::nextafter(midf, 1e9f)), next) << h;
  }
}

TEST(QuantFp16, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(inf), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(-inf), 0xfc00);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(fp32_to_fp16(std::nextafter(65520.0f, 0.0f)), 0x7bff);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00);  // the tie rounds to the even neighbour, inf
  EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::max()), 0x7c00);
  EXPECT_EQ(fp32_to_fp16(0x1p-24f), 0x0001);
  EXPECT_EQ(fp32_to_fp16(0x1p-25f), 0x0000);  // tie between 0 and the smallest subnormal
  EXPECT_EQ(fp32_to_fp16(std::nextafter(0x1p-25f, 1.0f)), 0x0001);
  EXPECT_EQ(fp32_to_fp16(-0x1p-26f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(fp32_to_fp16(std::nextafter(0x1p-14f, 0.0f)), 0x0400);  // rounds up into the normals
  EXPECT_EQ(fp32_to_fp16(from_bits(0x7fc00000u)), 0x7e00);
  EXPECT_EQ(fp32_to_fp16(from_bits(0xff800001u)), 0xfe00);  // signalling, negative
}

TEST(QuantBf16, EveryPatternWidensExactlyAndRoundTrips) {
  for (uint32_t i = 0; i <= 0xffff; ++i) {
    const uint16_t b = static_cast<uint16_t>(i);
    const float f = bf16_to_fp32(b);
    EXPECT_EQ(bits_of(f), i << 16);
    const bool nan = (b & 0x7f80) == 0x7f80 && (b & 0x7f) != 0;
    EXPECT_EQ(fp32_to_bf16(f), nan ? (b | 0x40) : b) << i;
  }
}

TEST(QuantBf16, RoundsToNearestTiesToEvenIncludingSubnormals) {
  for (uint32_t b = 0; b < 0x7f80; ++b) {  // every finite non-negative bf16, subnormals included
    const uint32_t mid = (b << 16) | 0x8000u;
    const uint16_t even = static_cast<uint16_t>((b & 1) ? b + 1 : b);
    EXPECT_EQ(fp32_to_bf16(from_bits(mid)), even) << b;
    EXPECT_EQ(fp32_to_bf16(from_bits(mid - 1)), b) << b;
    EXPECT_EQ(fp32_to_bf16(from_bits(mid + 1)), b + 1) << b;
    EXPECT_EQ(fp32_to_bf16(from_bits(mid | 0x80000000u)), even | 0x8000) << b;
  }
  // Current ggml keeps fp32 subnormals (older versions flushed them to zero).
  EXPECT_EQ(fp32_to_bf16(from_bits(0x00010000u)), 0x0001);
  EXPECT_EQ(fp32_to_bf16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // rounds to inf
  EXPECT_EQ(fp32_to_bf16(from_bits(0x7f800001u)), 0x7fc0);              // NaN made quiet
  EXPECT_EQ(fp32_to_bf16(from_bits(0xffa5a5a5u)), 0xffe5);              // payload truncated, sign kept
}

}  // namespace
}  // namespace ingot::quant
