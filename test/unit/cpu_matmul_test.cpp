// kernels/cpu matmul: the dequantize-and-dot reference against a double dot product, every fast
// path this CPU supports against the reference within a derived bound, and the SIMD paths bit
// for bit against the scalar mirror of their integer algorithm. Outputs start as NaN.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/q8_activation.h"
#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/quantize.h"

namespace ingot::cpu {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr MatmulPath kAllPaths[] = {MatmulPath::kReference, MatmulPath::kScalar, MatmulPath::kAvx2,
                                    MatmulPath::kAvx512Vnni, MatmulPath::kAmx};

std::vector<float> random_nonzero(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mag(0.05f, 2.0f);
  std::vector<float> v(n);
  for (float& f : v) f = (rng() & 1u) ? mag(rng) : -mag(rng);
  return v;
}

struct Case {
  GgmlType type;
  int64_t rows, row_length, tokens;
  bool extreme = false;  ///< quants at their largest magnitudes rather than random
};

/// Blocks of 32 that quantize to the largest stored quants: one element at -M, the rest at
/// 7M/8 (nibbles 0 and 15 for Q4_0, Q4_1 and Q4_K), M varying from block to block.
std::vector<float> extreme_weights(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    const float m = 0.5f + 0.25f * static_cast<float>(i / 32 % 7);
    v[i] = i % 32 == 0 ? -m : 0.875f * m;
  }
  return v;
}

/// Blocks of 32 equal values, the sign alternating by block: every activation quant is +-127.
std::vector<float> extreme_activations(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i / 32 % 2 ? 1.5f : -1.5f;
  return v;
}

struct Fixture {
  std::vector<uint8_t> w;  // encoded weights
  std::vector<float> wf;   // the same weights dequantized
  std::vector<float> x;
};

Fixture make_fixture(const Case& c, uint32_t seed) {
  Fixture f;
  const auto n = static_cast<size_t>(c.rows * c.row_length);
  const auto src = c.extreme ? extreme_weights(n) : random_nonzero(n, seed);
  f.w.resize(*quant::row_bytes(c.type, static_cast<uint64_t>(c.rows * c.row_length)));
  EXPECT_TRUE(quant::quantize_row(c.type, src, f.w).ok());
  f.wf.resize(src.size());
  EXPECT_TRUE(quant::dequantize_row(c.type, f.w, f.wf).ok());
  const auto x_count = static_cast<size_t>(c.tokens * c.row_length);
  f.x = c.extreme ? extreme_activations(x_count) : random_nonzero(x_count, seed + 1);
  return f;
}

std::vector<float> run(MatmulPath path, const Case& c, const Fixture& f) {
  std::vector<float> y(static_cast<size_t>(c.rows * c.tokens), kNaN);
  const Status s = matmul_with_path(path, c.type, f.w.data(), c.rows, c.row_length, f.x.data(),
                                    c.tokens, y.data());
  EXPECT_TRUE(s.ok()) << s.message();
  for (float v : y) EXPECT_TRUE(std::isfinite(v)) << matmul_path_name(path);
  return y;
}

/// Error bound of a fast path against the reference for output (t, r).
double fast_path_bound(const Case& c, const Fixture& f, int64_t t, int64_t r) {
  const float* x = &f.x[static_cast<size_t>(t * c.row_length)];
  const float* w = &f.wf[static_cast<size_t>(r * c.row_length)];
  double abs_dot = 0.0, quant_err = 0.0;
  for (int64_t b = 0; b < c.row_length; b += 32) {
    double amax = 0.0, wsum = 0.0;
    for (int64_t j = b; j < std::min(b + 32, c.row_length); ++j) {
      amax = std::max(amax, std::fabs(double{x[j]}));
      wsum += std::fabs(double{w[j]});
      abs_dot += std::fabs(double{w[j]} * x[j]);
    }
    // x is quantized per block of 32 with step d = amax/127 and rounding to nearest, so each
    // element moves by at most d/2 = amax/254 (1% slack for the float rounding of d and x/d).
    quant_err += 1.01 * amax / 254.0 * wsum;
  }
  const bool quantizes_x = matmul_packs(c.type);
  // Both sides sum n float products in different orders: each within n*eps*sum|w*x| of exact.
  return (quantizes_x ? quant_err : 0.0) + 2.0 * c.row_length * FLT_EPSILON * abs_dot;
}

void check_case(const Case& c) {
  SCOPED_TRACE(std::string(quant::type_traits(c.type).name) + " rows=" + std::to_string(c.rows) +
               " n=" + std::to_string(c.row_length) + " tokens=" + std::to_string(c.tokens));
  const Fixture f = make_fixture(c, static_cast<uint32_t>(c.rows * 131 + c.row_length + c.tokens));
  const auto ref = run(MatmulPath::kReference, c, f);
  for (int64_t t = 0; t < c.tokens; ++t) {
    for (int64_t r = 0; r < c.rows; ++r) {
      double want = 0.0, abs_dot = 0.0;
      for (int64_t i = 0; i < c.row_length; ++i) {
        const double p = double{f.wf[static_cast<size_t>(r * c.row_length + i)]} *
                         f.x[static_cast<size_t>(t * c.row_length + i)];
        want += p;
        abs_dot += std::fabs(p);
      }
      // A left-to-right float sum of n products is within n*eps*sum|p| of the exact sum.
      ASSERT_NEAR(ref[static_cast<size_t>(t * c.rows + r)], want,
                  c.row_length * FLT_EPSILON * abs_dot);
    }
  }
  std::vector<float> scalar;
  for (MatmulPath path : kAllPaths) {
    if (path == MatmulPath::kReference || !matmul_path_supported(path)) continue;
    SCOPED_TRACE(matmul_path_name(path));
    const auto y = run(path, c, f);
    for (int64_t t = 0; t < c.tokens; ++t)
      for (int64_t r = 0; r < c.rows; ++r) {
        const size_t k = static_cast<size_t>(t * c.rows + r);
        ASSERT_NEAR(y[k], ref[k], fast_path_bound(c, f, t, r)) << "t=" << t << " r=" << r;
      }
    if (path == MatmulPath::kScalar) scalar = y;
    // The SIMD paths run the scalar path's integer algorithm with the same float operations in
    // the same order (or fall back to the reference for types without a fast kernel).
    else
      EXPECT_EQ(0, std::memcmp(y.data(), scalar.data(), y.size() * sizeof(float)));
  }
}

TEST(CpuMatmul, AllTypesSizesAndPaths) {
  const GgmlType block_types[] = {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1};
  const GgmlType float_types[] = {GgmlType::F32, GgmlType::F16, GgmlType::BF16};
  const GgmlType k_types[] = {GgmlType::Q4_K, GgmlType::Q6_K};
  // 11 tokens: a full tile of the AVX-512 kernel (8) and of the AVX2 one (4) plus a tail of 3,
  // and a partial AMX tile; 37: two full AMX tiles (16) and a tail; 6: a tail of 2. Rows: 7 ends
  // in a panel's first 8-row half, 45 in its second (the AVX2 nibble kernel stores both).
  for (int64_t rows : {7, 45})
    for (int64_t tokens : {1, 3, 6, 11, 37}) {
      // 5 blocks: tail only; 13: one group of 8 plus a tail; 24: groups only.
      for (GgmlType type : block_types)
        for (int64_t n : {32 * 5, 32 * 13, 256 * 3}) check_case({type, rows, n, tokens});
      for (GgmlType type : float_types)
        for (int64_t n : {37, 32 * 5, 32 * 13, 256 * 3}) check_case({type, rows, n, tokens});
      for (GgmlType type : k_types) check_case({type, rows, 256 * 3, tokens});
    }
}

TEST(CpuMatmul, FloatWeightsOverSeveralBlocksOfTokens) {
  // AVX2's float kernel takes tokens in blocks of 192 KiB of activations: 64 tokens of 768.
  for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16})
    check_case({type, 13, 768, 70});
}

TEST(CpuMatmul, LargestQuantsMatchTheScalarPathBitForBit) {
  // Where the integer sums are largest. AVX2 adds maddubs' 16-bit pair sums over runs of groups
  // before widening them: 8 groups of nibbles (8 * 2 * 15 * 127 = 30480) and 2 of Q6_K's 6-bit
  // quants (2 * 2 * 63 * 127 = 32004); runs of 3 of those overflow, which this case catches.
  for (GgmlType type :
       {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K})
    for (int64_t tokens : {1, 5}) check_case({type, 19, 256 * 3, tokens, true});
}

/// The flags of /proc/cpuinfo's first processor, or "" where there is none.
std::string cpu_flags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0) return line + " ";
  return "";
}

TEST(CpuMatmul, PathSupportMatchesTheCpuFlags) {
  const std::string flags = cpu_flags();
  if (flags.empty()) GTEST_SKIP() << "no /proc/cpuinfo";
  const auto has = [&](const char* flag) {
    return flags.find(std::string(" ") + flag + " ") != std::string::npos;
  };
  EXPECT_TRUE(matmul_path_supported(MatmulPath::kScalar));
  EXPECT_EQ(matmul_path_supported(MatmulPath::kAvx2), has("avx2") && has("fma"));
  EXPECT_EQ(matmul_path_supported(MatmulPath::kAvx512Vnni),
            has("avx2") && has("fma") && has("avx512f") && has("avx512bw") && has("avx512vl") &&
                has("avx512_vnni"));
  // Linux lists the AMX flags only where it supports the tile state, which it grants on request.
  EXPECT_EQ(matmul_path_supported(MatmulPath::kAmx),
            matmul_path_supported(MatmulPath::kAvx512Vnni) && has("amx_tile") && has("amx_int8"));
  EXPECT_TRUE(matmul_path_supported(best_matmul_path()));
  std::printf("best matmul path: %s\n", matmul_path_name(best_matmul_path()));
}

TEST(CpuMatmul, RowSharesOfPackedWeightsMatchTheWhole) {
  const Case c{GgmlType::Q4_1, 41, 32 * 7, 5};
  const Fixture f = make_fixture(c, 7);
  const auto whole = run(best_matmul_path(), c, f);
  PackedWeights packed;
  ASSERT_TRUE(pack_weights(c.type, f.w.data(), c.rows, c.row_length, packed).ok());
  MatmulInput in;
  ASSERT_TRUE(
      prepare_matmul(best_matmul_path(), c.type, c.row_length, f.x.data(), c.tokens, in).ok());
  ASSERT_TRUE(matmul_reads_packed(in));
  std::vector<float> y(whole.size(), kNaN);
  const MatmulWeights w{f.w.data(), &packed};
  for (auto [begin, end] : {std::pair<int64_t, int64_t>{16, 32}, {32, 41}, {0, 16}})
    ASSERT_TRUE(matmul_rows(in, w, begin, end, y.data(), c.rows).ok());
  EXPECT_EQ(0, std::memcmp(y.data(), whole.data(), y.size() * sizeof(float)));
  // Shares must start and end on panel boundaries (or at the last row), and need the packing.
  EXPECT_EQ(matmul_rows(in, w, 8, 16, y.data(), c.rows).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matmul_rows(in, w, 0, 24, y.data(), c.rows).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matmul_rows(in, {f.w.data(), nullptr}, 0, 16, y.data(), c.rows).code(),
            StatusCode::kInvalidArgument);
}

// Activation quantization: the SIMD rows equal the scalar ones byte for byte, and the scalar ones
// follow llama.cpp's q8_0/q8_1 formula, on random blocks plus an all-zero one and a block of ties.
TEST(CpuMatmul, ActivationQuantizationMatchesTheFormula) {
  constexpr int64_t kTokens = 3, kBlocks = 5;
  std::vector<float> x = random_nonzero(kTokens * kBlocks * 32, 99);
  std::fill(x.begin() + 32, x.begin() + 64, 0.0f);  // block 1: all zero
  for (int j = 0; j < 32; ++j) x[64 + j] = (j % 2 ? -1.0f : 1.0f) * (j + 0.5f) * 127.0f / 31.5f;
  Q8Activations simd, scalar;
  resize_activations(kTokens, kBlocks, simd);
  resize_activations(kTokens, kBlocks, scalar);
  quantize_activation_rows(x.data(), 0, kTokens, simd);
  quantize_activation_rows_scalar(x.data(), 0, 2, scalar);  // two shares, as threads split them
  quantize_activation_rows_scalar(x.data(), 2, kTokens, scalar);
  EXPECT_EQ(simd.qs, scalar.qs);
  EXPECT_EQ(simd.sum, scalar.sum);
  EXPECT_EQ(simd.sum_lo, scalar.sum_lo);
  EXPECT_EQ(0, std::memcmp(simd.d.data(), scalar.d.data(), simd.d.size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(simd.s.data(), scalar.s.data(), simd.s.size() * sizeof(float)));
  for (size_t b = 0; b < size_t(kTokens * kBlocks); ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[b * 32 + j]));
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int sum = 0, sum_lo = 0;
    for (int j = 0; j < 32; ++j) {
      const int q = static_cast<int>(std::nearbyint(x[b * 32 + j] * id));
      ASSERT_EQ(scalar.qs[b * 32 + j], q) << "block " << b << " element " << j;
      sum += q;
      if (j < 16) sum_lo += q;
    }
    EXPECT_EQ(scalar.sum[b], sum);
    EXPECT_EQ(scalar.sum_lo[b], sum_lo);
    EXPECT_EQ(scalar.d[b], quant::fp16_to_fp32(quant::fp32_to_fp16(amax / 127.0f)));
  }
  EXPECT_EQ(scalar.d[1], 0.0f);
}

TEST(CpuMatmul, RejectsBadShapesAndTypes) {
  std::vector<uint8_t> w(1024, 0);
  std::vector<float> x(64, 1.0f), y(4, kNaN);
  EXPECT_EQ(matmul(GgmlType::Q4_0, w.data(), 1, 48, x.data(), 1, y.data()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(matmul(GgmlType::Q4_K, w.data(), 1, 32, x.data(), 1, y.data()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(matmul(GgmlType::IQ2_XXS, w.data(), 1, 256, x.data(), 1, y.data()).code(),
            StatusCode::kUnimplemented);
  EXPECT_TRUE(matmul(GgmlType::Q4_0, w.data(), 0, 32, x.data(), 1, y.data()).ok());
}

}  // namespace
}  // namespace ingot::cpu
