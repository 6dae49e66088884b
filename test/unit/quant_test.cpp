// kernels/quant: round-trip error bounds on fresh random data, exact cases,
// the row API's size and type checks, and robustness to garbage input.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/quant/blocks.h"
#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/ggml_type.h"
#include "kernels/quant/quantize.h"

namespace ingot::quant {
namespace {

// Gaussian values, never zero, with one standard deviation per `group` values
// drawn log-uniformly from 1e-3 .. 1e3 (so the bounds below must hold at any
// scale, including where the fp16 scales lose precision).
std::vector<float> random_row(size_t n, size_t group, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> log_scale(-3.0f, 3.0f);
  std::vector<float> x(n);
  float sigma = 1.0f;
  for (size_t i = 0; i < n; ++i) {
    if (i % group == 0) sigma = std::pow(10.0f, log_scale(rng));
    float v = normal(rng) * sigma;
    if (v == 0.0f) v = sigma * 1e-3f;
    x[i] = v;
  }
  return x;
}

std::vector<uint8_t> encoded(GgmlType type, const std::vector<float>& x) {
  std::vector<uint8_t> bytes(*row_bytes(type, x.size()));
  const Status status = quantize_row(type, x, bytes);
  EXPECT_TRUE(status.ok()) << status.message();
  return bytes;
}

std::vector<float> decoded(GgmlType type, const std::vector<uint8_t>& bytes, size_t n) {
  std::vector<float> y(n);
  const Status status = dequantize_row(type, bytes, y);
  EXPECT_TRUE(status.ok()) << status.message();
  return y;
}

struct RoundTripCase {
  GgmlType type;
  size_t blocks;    // odd on purpose
  double expected;  // model of RMSE(x - y) / RMS(x), see below
};

// Error model. A uniform quantizer with step s has error RMS s / sqrt(12). For
// Gaussian values of deviation sigma, a group of n has a largest magnitude of
// about 2.0 sigma (n = 16), 2.5 sigma (n = 32) or 3.0 sigma (n = 256), and a
// range (max - min) of about 3.5 sigma (n = 16) or 4.1 sigma (n = 32). The step
// is that magnitude over half the levels for symmetric formats (q4_0: amax / 8)
// and that range over levels - 1 for formats with a min (q4_1: range / 15).
// The K-quant searches clip a little to do better than that; the fp16 scales
// and the 4/6/8-bit group scales cost a little. Measured over 200 seeds, the
// mean over a row's blocks stays within 0.9-1.2x the model and the worst block
// reaches 1.75x. The bounds are 1.3x and 2x: a quantizer whose typical error is
// 30% above the model fails.
constexpr double kSqrt12 = 3.4641016151377544;
constexpr double kMeanFactor = 1.3;
constexpr double kWorstFactor = 2.0;

class QuantRoundTripTest : public testing::TestWithParam<RoundTripCase> {};

TEST_P(QuantRoundTripTest, RelativeRmsePerBlockMatchesTheErrorModel) {
  const RoundTripCase& c = GetParam();
  const TypeTraits traits = type_traits(c.type);
  const size_t n = c.blocks * traits.block_elems;
  const std::vector<float> x = random_row(n, traits.block_elems, 1234u + static_cast<uint32_t>(c.type));
  const std::vector<float> y = decoded(c.type, encoded(c.type, x), n);
  ASSERT_EQ(y.size(), n);

  double worst = 0.0, total = 0.0;
  for (size_t b = 0; b < c.blocks; ++b) {
    double err2 = 0.0, sig2 = 0.0;
    for (size_t i = b * traits.block_elems; i < (b + 1) * traits.block_elems; ++i) {
      err2 += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
      sig2 += static_cast<double>(x[i]) * x[i];
    }
    const double rel = std::sqrt(err2 / sig2);
    worst = std::max(worst, rel);
    total += rel;
  }
  const double mean = total / static_cast<double>(c.blocks);
  EXPECT_LE(mean, kMeanFactor * c.expected) << traits.name << " (model " << c.expected << ")";
  EXPECT_LE(worst, kWorstFactor * c.expected) << traits.name << " (model " << c.expected << ")";
}

INSTANTIATE_TEST_SUITE_P(
    BlockTypes, QuantRoundTripTest,
    testing::Values(
        RoundTripCase{GgmlType::Q4_0, 33, 2.5 / 8 / kSqrt12},
        RoundTripCase{GgmlType::Q4_1, 33, 4.1 / 15 / kSqrt12},
        RoundTripCase{GgmlType::Q5_0, 33, 2.5 / 16 / kSqrt12},
        RoundTripCase{GgmlType::Q5_1, 33, 4.1 / 31 / kSqrt12},
        RoundTripCase{GgmlType::Q8_0, 33, 2.5 / 127 / kSqrt12},
        RoundTripCase{GgmlType::Q2_K, 7, 3.5 / 3 / kSqrt12},    // groups of 16, 2 bits + min
        RoundTripCase{GgmlType::Q3_K, 7, 2.0 / 4 / kSqrt12},    // groups of 16, symmetric 3 bits
        RoundTripCase{GgmlType::Q4_K, 7, 4.1 / 15 / kSqrt12},   // groups of 32, 4 bits + min
        RoundTripCase{GgmlType::Q5_K, 7, 4.1 / 31 / kSqrt12},   // groups of 32, 5 bits + min
        RoundTripCase{GgmlType::Q6_K, 7, 2.0 / 32 / kSqrt12},   // groups of 16, symmetric 6 bits
        RoundTripCase{GgmlType::Q8_K, 7, 3.0 / 127 / kSqrt12},  // one group of 256
        // The IQ4 grid is finer than Q4_0's steps near zero: no worse than Q4_0.
        RoundTripCase{GgmlType::IQ4_NL, 33, 2.5 / 8 / kSqrt12},
        RoundTripCase{GgmlType::IQ4_XS, 7, 2.5 / 8 / kSqrt12}),  // 6-bit group scales
    [](const testing::TestParamInfo<RoundTripCase>& info) {
      return std::string(type_traits(info.param.type).name);
    });

// fp16 and bf16 keep 11 and 8 significant bits: round-to-nearest is off by at
// most half an ulp, 2^-11 and 2^-8 of the value, inside the normal range.
TEST(QuantRoundTrip, HalfAndBfloatErrorIsHalfAnUlp) {
  std::vector<float> x = random_row(1001, 7, 99);
  for (float& v : x) v = std::clamp(v, -6.0e4f, 6.0e4f);
  for (float& v : x) v = std::fabs(v) < 1e-4f ? std::copysign(1e-4f, v) : v;  // stay out of fp16 subnormals
  const std::vector<float> h = decoded(GgmlType::F16, encoded(GgmlType::F16, x), x.size());
  const std::vector<float> b = decoded(GgmlType::BF16, encoded(GgmlType::BF16, x), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_LE(std::fabs(h[i] - x[i]), std::ldexp(std::fabs(x[i]), -11)) << x[i];
    EXPECT_LE(std::fabs(b[i] - x[i]), std::ldexp(std::fabs(x[i]), -8)) << x[i];
  }
}

TEST(QuantRoundTrip, F32IsACopyThatKeepsNanPayloads) {
  std::vector<float> x = random_row(37, 37, 5);
  x[3] = std::bit_cast<float>(0x7fa5a5a5u);
  x[4] = std::numeric_limits<float>::infinity();
  const std::vector<uint8_t> bytes = encoded(GgmlType::F32, x);
  ASSERT_EQ(std::memcmp(bytes.data(), x.data(), bytes.size()), 0);
  const std::vector<float> y = decoded(GgmlType::F32, bytes, x.size());
  EXPECT_EQ(std::memcmp(y.data(), x.data(), bytes.size()), 0);
}

// Values on the quantizer's own grid come back exactly: for symmetric formats,
// a power-of-two scale d and the largest magnitude at the grid's negative end.
TEST(QuantRoundTrip, GridValuesAreExact) {
  struct Grid { GgmlType type; int low, high; };  // quant range [low, high], x = d * q
  for (const Grid g : {Grid{GgmlType::Q4_0, -8, 7}, Grid{GgmlType::Q5_0, -16, 15}, Grid{GgmlType::Q8_0, -127, 127}}) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> q(g.low, g.high);
    std::vector<float> x(3 * kQK);
    for (size_t i = 0; i < x.size(); ++i) {
      int v = 0;
      while (v == 0) v = q(rng);
      const float d = std::ldexp(1.0f, static_cast<int>(i / kQK) * 3 - 4);  // one scale per block
      x[i] = d * static_cast<float>(i % kQK == 5 ? g.low : v);  // pins the block's extreme value
    }
    const std::vector<float> y = decoded(g.type, encoded(g.type, x), x.size());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]) << type_traits(g.type).name << " at " << i;
  }
}

TEST(QuantBlocks, RowApiMatchesBlockApiAndIgnoresAlignment) {
  const std::vector<float> x = random_row(3 * kQK_K, kQK_K, 11);
  const std::vector<uint8_t> bytes = encoded(GgmlType::Q4_K, x);
  // Block by block through the typed API.
  std::vector<float> expected(x.size());
  for (size_t b = 0; b < 3; ++b) {
    const BlockQ4_K block = quantize_q4_K(std::span(x).subspan(b * kQK_K).first<kQK_K>());
    ASSERT_EQ(std::memcmp(&block, bytes.data() + b * sizeof(block), sizeof(block)), 0) << b;
    dequantize_block(block, std::span(expected).subspan(b * kQK_K).first<kQK_K>());
  }
  // The row API from a deliberately misaligned copy.
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  std::vector<float> y(x.size());
  ASSERT_TRUE(dequantize_row(GgmlType::Q4_K, std::span(shifted).subspan(1), y).ok());
  EXPECT_EQ(std::memcmp(y.data(), expected.data(), 4 * y.size()), 0);
}

TEST(QuantBlocks, Q8KGroupSumsAndZeroInput) {
  const std::vector<float> x = random_row(kQK_K, kQK_K, 3);
  const BlockQ8_K block = quantize_q8_K(std::span(x).first<kQK_K>());
  for (size_t g = 0; g < kQK_K / 16; ++g) {
    int sum = 0;
    for (size_t i = 0; i < 16; ++i) sum += block.qs[16 * g + i];
    EXPECT_EQ(block.bsums[g], sum) << g;
  }
  const std::vector<float> zeros(kQK_K, 0.0f);
  const BlockQ8_K zero_block = quantize_q8_K(std::span(zeros).first<kQK_K>());
  const BlockQ8_K all_zero{};
  EXPECT_EQ(std::memcmp(&zero_block, &all_zero, sizeof(all_zero)), 0);
}

// --- The row API's checks ---------------------------------------------------

const GgmlType kSupported[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16,   GgmlType::Q4_0,
                               GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,   GgmlType::Q8_0,
                               GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K,   GgmlType::Q5_K,
                               GgmlType::Q6_K, GgmlType::Q8_K, GgmlType::IQ4_NL, GgmlType::IQ4_XS};

TEST(QuantRowApi, RejectsSizeMismatchesForEveryType) {
  for (const GgmlType type : kSupported) {
    const TypeTraits t = type_traits(type);
    const size_t elems = 3 * t.block_elems, bytes = 3 * t.block_bytes;
    std::vector<float> floats(elems + 1, 1.0f);
    std::vector<uint8_t> raw(bytes + 1, 0);

    // A partial block of bytes (block types and the 2/4-byte element types).
    Status s = dequantize_row(type, std::span(raw).first(bytes + 1), std::span(floats).first(elems));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t.name;
    EXPECT_NE(s.message().find(t.name), std::string::npos) << s.message();
    // Whole blocks but the wrong number of destination floats.
    s = dequantize_row(type, std::span(raw).first(bytes), std::span(floats).first(elems + 1));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t.name;
    s = dequantize_row(type, std::span(raw).first(bytes), std::span(floats).first(elems - 1));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t.name;
    // Quantize: wrong destination size either way.
    s = quantize_row(type, std::span(floats).first(elems), std::span(raw).first(bytes + 1));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t.name;
    s = quantize_row(type, std::span(floats).first(elems), std::span(raw).first(bytes - 1));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t.name;
    if (t.block_elems > 1) {  // a partial block of input values
      s = quantize_row(type, std::span(floats).first(elems + 1), std::span(raw).first(bytes));
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t.name;
    }
    // Empty rows are fine.
    EXPECT_TRUE(dequantize_row(type, {}, {}).ok()) << t.name;
    EXPECT_TRUE(quantize_row(type, {}, {}).ok()) << t.name;
    EXPECT_TRUE(can_quantize(type) && can_dequantize(type)) << t.name;
  }
}

TEST(QuantRowApi, RejectsUnsupportedAndUnknownTypes) {
  std::vector<float> floats(256, 1.0f);
  std::vector<uint8_t> raw(1024, 0);
  for (const GgmlType type :
       {GgmlType::Q8_1, GgmlType::IQ2_XXS, GgmlType::TQ1_0, GgmlType::MXFP4, GgmlType::I32,
        GgmlType::F64, static_cast<GgmlType>(4), static_cast<GgmlType>(1000)}) {
    EXPECT_FALSE(can_dequantize(type));
    EXPECT_FALSE(can_quantize(type));
    const Status d = dequantize_row(type, raw, floats);
    const Status q = quantize_row(type, floats, raw);
    EXPECT_EQ(d.code(), StatusCode::kUnimplemented) << d.message();
    EXPECT_EQ(q.code(), StatusCode::kUnimplemented) << q.message();
    EXPECT_NE(d.message().find("not supported"), std::string::npos) << d.message();
  }
}

// --- Transcoding IQ4 to Q8_0 ---------------------------------------------------

// Random IQ4 bytes (every index and group scale), fp16 scales finite and of either sign.
std::vector<uint8_t> random_iq4(GgmlType type, size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(blocks * type_traits(type).block_bytes);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> log_scale(-12.0f, 2.0f);
  for (size_t b = 0; b < blocks; ++b) {
    const float d = std::exp2(log_scale(rng)) * (rng() % 2 ? 1.0f : -1.0f);
    const uint16_t bits = fp32_to_fp16(d);
    std::memcpy(bytes.data() + b * type_traits(type).block_bytes, &bits, 2);  // d comes first
  }
  return bytes;
}

// IQ4_NL's values are Q8_0 values: transcoded, they decode to the same bits.
TEST(QuantTranscode, Iq4NlBecomesQ8_0Exactly) {
  const size_t blocks = 67;
  const std::vector<uint8_t> source = random_iq4(GgmlType::IQ4_NL, blocks, 5);
  std::vector<uint8_t> q8(blocks * sizeof(BlockQ8_0));
  ASSERT_TRUE(transcode_row(GgmlType::IQ4_NL, source, GgmlType::Q8_0, q8).ok());
  const std::vector<float> want = decoded(GgmlType::IQ4_NL, source, blocks * kQK);
  const std::vector<float> got = decoded(GgmlType::Q8_0, q8, blocks * kQK);
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i])) << i;
}

// IQ4_XS's group scales d * (s - 32) take up to 17 significant bits; rounded to Q8_0's fp16
// scale, each value moves by at most half an fp16 ulp of its group scale times 127, and not at
// all where the group scale is an fp16 value.
TEST(QuantTranscode, Iq4XsBecomesQ8_0WithinTheGroupScaleRounding) {
  const size_t blocks = 13;
  const std::vector<uint8_t> source = random_iq4(GgmlType::IQ4_XS, blocks, 6);
  std::vector<uint8_t> q8(blocks * kQK_K / kQK * sizeof(BlockQ8_0));
  ASSERT_TRUE(transcode_row(GgmlType::IQ4_XS, source, GgmlType::Q8_0, q8).ok());
  const std::vector<float> want = decoded(GgmlType::IQ4_XS, source, blocks * kQK_K);
  const std::vector<float> got = decoded(GgmlType::Q8_0, q8, blocks * kQK_K);
  size_t exact = 0;
  for (size_t g = 0; g < want.size() / kQK; ++g) {
    float scale = 0.0f;  // the group scale's magnitude, from its largest value
    for (size_t j = 0; j < kQK; ++j) scale = std::max(scale, std::fabs(want[g * kQK + j]) / 127);
    bool same = true;
    for (size_t j = 0; j < kQK; ++j) {
      const size_t i = g * kQK + j;
      EXPECT_LE(std::fabs(got[i] - want[i]), std::ldexp(scale, -11) * 127 * 1.01f) << i;
      same &= got[i] == want[i];
    }
    exact += same;
  }
  EXPECT_GT(exact, 0u);  // small scale multipliers (powers of two, ...) stay exact
}

TEST(QuantTranscode, RefusesOtherPairsAndWrongSizes) {
  EXPECT_FALSE(can_transcode(GgmlType::Q4_0, GgmlType::Q8_0));
  EXPECT_FALSE(can_transcode(GgmlType::IQ4_NL, GgmlType::Q4_0));
  std::vector<uint8_t> src(3 * sizeof(BlockIQ4_NL)), dst(3 * sizeof(BlockQ8_0));
  EXPECT_EQ(transcode_row(GgmlType::Q4_0, src, GgmlType::Q8_0, dst).code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(
      transcode_row(GgmlType::IQ4_NL, std::span(src).first(src.size() - 1), GgmlType::Q8_0, dst)
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      transcode_row(GgmlType::IQ4_NL, src, GgmlType::Q8_0, std::span(dst).first(dst.size() - 1))
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_TRUE(transcode_row(GgmlType::IQ4_NL, src, GgmlType::Q8_0, dst).ok());
}

// NaN and inf give meaningless blocks but no crash or undefined behaviour (the
// float-to-int conversions saturate); dequantizing garbage blocks is total too.
TEST(QuantRowApi, NonFiniteInputIsHandled) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = random_row(kQK_K, kQK_K, 17);
  x[0] = nan;
  x[40] = inf;
  x[77] = -inf;
  for (const GgmlType type : kSupported) {
    std::vector<uint8_t> bytes(*row_bytes(type, x.size()));
    EXPECT_TRUE(quantize_row(type, x, bytes).ok()) << type_traits(type).name;
    std::vector<float> y(x.size());
    EXPECT_TRUE(dequantize_row(type, bytes, y).ok()) << type_traits(type).name;
  }
}

}  // namespace
}  // namespace ingot::quant
