// kernels/cpu element-wise kernels (rms_norm, add_rms_norm, swiglu, softmax, rope) and attention,
// against double-precision formulas. Outputs start as NaN so an unwritten element fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kernels/cpu/activation.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/rope.h"
#include "kernels/quant/float_convert.h"

namespace ingot::cpu {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Uniform values in +-[0.05, 2], never zero.
std::vector<float> random_nonzero(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mag(0.05f, 2.0f);
  std::vector<float> v(n);
  for (float& f : v) f = (rng() & 1u) ? mag(rng) : -mag(rng);
  return v;
}

/// Every SimdPath this CPU runs, scalar first.
std::vector<SimdPath> supported_simd_paths() {
  std::vector<SimdPath> paths;
  for (SimdPath path : {SimdPath::kScalar, SimdPath::kAvx2, SimdPath::kAvx512})
    if (simd_path_supported(path)) paths.push_back(path);
  return paths;
}

TEST(CpuRmsNorm, MatchesDoubleFormula) {
  for (size_t n : {1u, 7u, 33u, 576u}) {
    const size_t rows = 3;
    const auto x = random_nonzero(rows * n, 1);
    const auto w = random_nonzero(n, 2);
    std::vector<float> out(x.size(), kNaN);
    const float eps = 1e-5f;
    rms_norm(x, w, eps, out);
    for (size_t r = 0; r < rows; ++r) {
      double ss = 0.0;
      for (size_t i = 0; i < n; ++i) ss += double{x[r * n + i]} * x[r * n + i];
      const double scale = 1.0 / std::sqrt(ss / static_cast<double>(n) + eps);
      for (size_t i = 0; i < n; ++i) {
        const double want = x[r * n + i] * scale * w[i];
        // Float steps after the double sum: mean, add, sqrt, divide, two multiplies: a few ulp
        // each.
        EXPECT_NEAR(out[r * n + i], want, 8 * FLT_EPSILON * std::fabs(want))
            << "n=" << n << " r=" << r << " i=" << i;
      }
    }
  }
}

TEST(CpuRmsNorm, InPlace) {
  const auto x = random_nonzero(66, 3);
  const auto w = random_nonzero(33, 4);
  std::vector<float> out(x.size(), kNaN);
  rms_norm(x, w, 1e-6f, out);
  std::vector<float> inplace = x;
  rms_norm(inplace, w, 1e-6f, inplace);
  EXPECT_EQ(inplace, out);
}

TEST(CpuAddRmsNorm, SumThenNorm) {
  const auto a = random_nonzero(3 * 33, 5);
  const auto b = random_nonzero(3 * 33, 6);
  const auto w = random_nonzero(33, 7);
  std::vector<float> sum(a.size(), kNaN), out(a.size(), kNaN), want(a.size(), kNaN);
  add_rms_norm(a, b, w, 1e-5f, sum, out);
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(sum[i], a[i] + b[i]) << i;
  rms_norm(sum, w, 1e-5f, want);
  EXPECT_EQ(out, want);
}

TEST(CpuSwiglu, MatchesDoubleFormulaOnEveryPath) {
  // 1003 values: 8- and 16-wide SIMD steps and a tail; gates up to +-100 reach the exponential's
  // clamps.
  for (SimdPath path : supported_simd_paths()) {
    SCOPED_TRACE(simd_path_name(path));
    for (float scale : {1.0f, 50.0f}) {
      auto gate = random_nonzero(1003, 8);
      for (float& g : gate) g *= scale;
      const auto up = random_nonzero(1003, 9);
      std::vector<float> out(gate.size(), kNaN);
      swiglu_with_path(path, gate, up, out);
      for (size_t i = 0; i < out.size(); ++i) {
        const double g = gate[i];
        const double want = g / (1.0 + std::exp(-g)) * up[i];
        // exp within 1.3 ulp, one add, one divide, one multiply: a few ulp of the exact value
        // (absolutely tiny where the clamp at e^88.5 stands in for e^100).
        EXPECT_NEAR(out[i], want, 6 * FLT_EPSILON * std::fabs(want) + 1e-30) << i;
      }
    }
  }
  EXPECT_FLOAT_EQ(silu(0.0f), 0.0f);
}

// ggml's GELU looks the gate up at fp16 precision and stores fp16: within a few fp16 ulps of
// the double-precision tanh formula (of the gate itself), exactly 0 at or below -10 and the
// gate itself at or above 10.
TEST(CpuGeglu, FollowsTheTanhFormulaAtFp16PrecisionAndClampsAtTen) {
  auto gate = random_nonzero(1003, 10);
  for (float& g : gate) g *= 6.0f;  // past +-10 now and then
  gate.insert(gate.end(), {-10.0f, -10.5f, 10.0f, 12.0f, -9.99f, 9.99f});
  auto up = random_nonzero(gate.size(), 11);
  std::vector<float> out(gate.size(), kNaN);
  geglu(gate, up, out);
  size_t clamped = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const double x = gate[i];
    if (x <= -10.0) {
      EXPECT_EQ(out[i], 0.0f) << x;
      ++clamped;
    } else if (x >= 10.0) {
      EXPECT_EQ(out[i], gate[i] * up[i]) << x;
      ++clamped;
    } else {
      const double gelu =
          0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
      // x rounded to fp16 moves gelu by at most |gelu'| (< 1.13) times half an ulp of x, and the
      // stored value by half an ulp more.
      const double ulp = std::ldexp(1.0, std::ilogb(std::max(std::fabs(x), 6.1e-5)) - 10);
      EXPECT_NEAR(out[i] / up[i], gelu, 1.13 * ulp / 2 + std::ldexp(std::fabs(gelu), -11) + 1e-7)
          << x;
    }
  }
  EXPECT_GE(clamped, 4u);
}

TEST(CpuSwiglu, Avx2AndAvx512GiveTheSameBits) {
  // exp8 takes exp16's steps, with 2^n in two exact multiplies instead of scalef.
  if (!simd_path_supported(SimdPath::kAvx512))
    GTEST_SKIP() << "this CPU lacks AVX-512F";
  auto gate = random_nonzero(4099, 11);
  for (size_t i = 0; i < gate.size(); ++i) gate[i] *= static_cast<float>(1 + i % 97);  // to +-196
  const auto up = random_nonzero(gate.size(), 12);
  std::vector<float> a(gate.size(), kNaN), b(gate.size(), kNaN);
  swiglu_with_path(SimdPath::kAvx2, gate, up, a);
  swiglu_with_path(SimdPath::kAvx512, gate, up, b);
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(std::bit_cast<uint32_t>(a[i]), std::bit_cast<uint32_t>(b[i])) << i;
}

TEST(CpuSoftmax, MatchesDoubleFormula) {
  for (size_t n : {1u, 7u, 33u, 1000u}) {
    auto x = random_nonzero(n, 10);
    for (float& v : x) v *= 10.0f;  // a wide range exercises the max subtraction
    const auto in = x;
    softmax(x);
    double max = in[0];
    for (float v : in) max = std::max(max, double{v});
    double sum = 0.0;
    for (float v : in) sum += std::exp(v - max);
    double total = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const double want = std::exp(in[i] - max) / sum;
      // x - max is exact-ish (one rounding, |x - max| <= 40 so that rounding moves exp by <= 40
      // ulp); expf adds an ulp, the scale one more.
      EXPECT_NEAR(x[i], want, 48 * FLT_EPSILON * want + 1e-30) << "n=" << n << " i=" << i;
      total += x[i];
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
  }
}

/// The rotation llama.cpp describes, in double: pair i turns by pos * base^(-2i/dim).
std::vector<double> rope_formula(const std::vector<float>& x, int64_t dim, int64_t pos, double base,
                                 bool neox) {
  std::vector<double> out(x.begin(), x.end());
  for (size_t head = 0; head < x.size(); head += static_cast<size_t>(dim)) {
    for (int64_t i = 0; i < dim / 2; ++i) {
      const double theta =
          static_cast<double>(pos) * std::pow(base, -2.0 * static_cast<double>(i) / dim);
      const size_t a = head + static_cast<size_t>(neox ? i : 2 * i);
      const size_t b = a + static_cast<size_t>(neox ? dim / 2 : 1);
      out[a] = x[a] * std::cos(theta) - x[b] * std::sin(theta);
      out[b] = x[a] * std::sin(theta) + x[b] * std::cos(theta);
    }
  }
  return out;
}

void check_rope(bool neox) {
  const int64_t dim = 64;
  const int64_t heads = 3;
  for (int64_t pos : {0, 1, 17, 123}) {
    const auto in =
        random_nonzero(static_cast<size_t>(heads * dim), 11 + static_cast<uint32_t>(pos));
    auto x = in;
    if (neox)
      rope_neox(x, dim, pos, 10000.0f);
    else
      rope_normal(x, dim, pos, 10000.0f);
    const auto want = rope_formula(in, dim, pos, 10000.0, neox);
    for (size_t k = 0; k < x.size(); ++k) {
      const int64_t i = static_cast<int64_t>(neox ? k % dim % (dim / 2) : k % dim / 2);
      // ggml builds theta_i as i float multiplies by a float power: relative error about
      // (i + 2) ulp, so an angle error of theta_i * (i + 2) * eps; sin/cos and the rotation add a
      // few ulp of the pair's magnitude (<= 4, from random_nonzero).
      const double theta =
          static_cast<double>(pos) * std::pow(10000.0, -2.0 * static_cast<double>(i) / dim);
      const double tol = 4.0 * (theta * (i + 2) * FLT_EPSILON + 8 * FLT_EPSILON);
      EXPECT_NEAR(x[k], want[k], tol) << (neox ? "neox" : "normal") << " pos=" << pos << " k=" << k;
    }
    if (pos == 0) {
      EXPECT_EQ(x, in);
    }
  }
}

TEST(CpuRope, NormalMatchesFormula) { check_rope(false); }
TEST(CpuRope, NeoxMatchesFormula) { check_rope(true); }

TEST(CpuRope, NormalAndNeoxPairDifferently) {
  // A head whose only non-zero elements are x[0] and x[1]: normal rotates them together, neox
  // rotates x[0] with x[dim/2] (zero) and x[1] with x[dim/2 + 1] (zero).
  std::vector<float> normal(8, 0.0f), neox(8, 0.0f);
  normal[0] = neox[0] = 1.0f;
  normal[1] = neox[1] = 2.0f;
  rope_normal(normal, 8, 1, 10000.0f);
  rope_neox(neox, 8, 1, 10000.0f);
  EXPECT_NEAR(normal[0], std::cos(1.0) - 2 * std::sin(1.0), 1e-6);
  EXPECT_NEAR(normal[1], std::sin(1.0) + 2 * std::cos(1.0), 1e-6);
  EXPECT_NEAR(neox[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(neox[4], std::sin(1.0), 1e-6);
  const double theta1 = std::pow(10000.0, -2.0 / 8);
  EXPECT_NEAR(neox[1], 2 * std::cos(theta1), 1e-6);
  EXPECT_NEAR(neox[5], 2 * std::sin(theta1), 1e-6);
}

// Llama 3's per-pair factors divide each angle (with linear scaling on top, as ggml applies
// freq_scale after the division): cos and sin against the double formula at several positions.
TEST(CpuRope, FreqFactorsDivideEachAngle) {
  RopeSpec spec;
  spec.dims = 18;
  spec.base = 500000.0f;
  spec.freq_scale = 0.25f;
  spec.attn_factor = 1.5f;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> factor(1.0f, 8.0f);
  for (int64_t i = 0; i < spec.dims / 2; ++i) spec.freq_factors.push_back(factor(rng));
  std::vector<float> cos_sin(static_cast<size_t>(spec.dims));
  for (int64_t pos : {1, 29, 4099}) {
    rope_angles(spec, pos, cos_sin);
    for (int64_t i = 0; i < spec.dims / 2; ++i) {
      const double theta = 0.25 * static_cast<double>(pos) *
                           std::pow(500000.0, -2.0 * static_cast<double>(i) / spec.dims) /
                           spec.freq_factors[static_cast<size_t>(i)];
      // The angle carries (i + 3) float roundings (see check_rope), so its error scales with it.
      const double tol = 1.5 * (theta * (i + 3) * FLT_EPSILON + 4 * FLT_EPSILON);
      EXPECT_NEAR(cos_sin[static_cast<size_t>(2 * i)], 1.5 * std::cos(theta), tol)
          << pos << " " << i;
      EXPECT_NEAR(cos_sin[static_cast<size_t>(2 * i + 1)], 1.5 * std::sin(theta), tol)
          << pos << " " << i;
    }
  }
  // Factors of 1 are no factors at all.
  RopeSpec plain = spec;
  plain.freq_factors.clear();
  RopeSpec ones = plain;
  ones.freq_factors.assign(static_cast<size_t>(spec.dims / 2), 1.0f);
  std::vector<float> a(cos_sin.size()), b(cos_sin.size());
  rope_angles(plain, 77, a);
  rope_angles(ones, 77, b);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace ingot::cpu

// attend: grouped-query attention over a scattered KV cache against a double formula, on every
// path this CPU has, at head_dim 40 (no AVX-512 kernel) and the kernel sizes 32, 64 and 128, with
// 37 positions (one chunk) and 150 (three, the last partial), 9 query heads on 3 kv heads, and
// head ranges that start and end inside a group.
void check_attention(ingot::cpu::KvDType dtype, ingot::cpu::SimdPath path, int64_t dim,
                     float scale, int64_t count) {
  using namespace ingot::cpu;
  SCOPED_TRACE(std::string(simd_path_name(path)) + " head_dim " + std::to_string(dim) +
               " scale " + std::to_string(scale) + " positions " + std::to_string(count) +
               (dtype == KvDType::kF32   ? " f32"
                : dtype == KvDType::kF16 ? " f16"
                                         : " bf16"));
  constexpr int64_t kHeads = 9, kKvHeads = 3, kRows = 211;
  std::mt19937 rng(static_cast<uint32_t>(7 + dim));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> q(kHeads * dim), keys(kRows * kKvHeads * dim), values(keys.size());
  for (float& v : q) v = dist(rng);
  for (float& v : keys) v = dist(rng);
  for (float& v : values) v = dist(rng);
  std::vector<int32_t> rows(count);
  for (int64_t j = 0; j < count; ++j) rows[j] = static_cast<int32_t>((j * 17 + 5) % kRows);
  // 16-bit caches are filled through kv_store_row; the reference sees what they store.
  const bool narrow = dtype != KvDType::kF32;
  std::vector<uint16_t> k16(keys.size()), v16(values.size());
  for (int64_t r = 0; narrow && r < kRows; ++r) {
    kv_store_row(dtype, k16.data(), kKvHeads * dim, r, &keys[r * kKvHeads * dim]);
    kv_store_row(dtype, v16.data(), kKvHeads * dim, r, &values[r * kKvHeads * dim]);
  }
  for (size_t i = 0; narrow && i < keys.size(); ++i) {
    const bool bf16 = dtype == KvDType::kBF16;
    keys[i] = bf16 ? ingot::quant::bf16_to_fp32(k16[i]) : ingot::quant::fp16_to_fp32(k16[i]);
    values[i] = bf16 ? ingot::quant::bf16_to_fp32(v16[i]) : ingot::quant::fp16_to_fp32(v16[i]);
  }
  const KvView view{narrow ? static_cast<const void*>(k16.data()) : keys.data(),
                    narrow ? static_cast<const void*>(v16.data()) : values.data(), dtype,
                    kKvHeads * dim, rows.data()};
  const AttentionShape shape{kHeads, kKvHeads, dim, scale};
  std::vector<float> out(q.size(), std::numeric_limits<float>::quiet_NaN());
  std::vector<float> scratch(static_cast<size_t>(attention_scratch_floats(shape, count)));
  for (auto [begin, end] : {std::pair<int64_t, int64_t>{0, 2}, {2, 7}, {7, 9}})
    attend_with_path(path, shape, q.data(), view, count, begin, end, out.data(), scratch);
  for (int64_t h = 0; h < kHeads; ++h) {
    const int64_t kv = h / (kHeads / kKvHeads);
    std::vector<double> s(count);
    double max = -1e30, sum = 0;
    for (int64_t j = 0; j < count; ++j) {
      double d = 0;
      for (int64_t i = 0; i < dim; ++i)
        d += double{q[h * dim + i]} * keys[(rows[j] * kKvHeads + kv) * dim + i];
      s[j] = d * scale;
      max = std::max(max, s[j]);
    }
    for (double& v : s) sum += (v = std::exp(v - max));
    for (int64_t i = 0; i < dim; ++i) {
      double want = 0;
      for (int64_t j = 0; j < count; ++j)
        want += s[j] / sum * values[(rows[j] * kKvHeads + kv) * dim + i];
      ASSERT_NEAR(out[h * dim + i], want, 1e-5) << "head " << h << " dim " << i;
    }
  }
}

void check_attention_paths(ingot::cpu::KvDType dtype) {
  for (ingot::cpu::SimdPath path : ingot::cpu::supported_simd_paths()) {
    for (int64_t dim : {40, 32, 64, 128})
      for (float scale : {0.158f, 3.0f})  // 3: wide scores
        for (int64_t count : {37, 150}) check_attention(dtype, path, dim, scale, count);
  }
}

TEST(CpuAttention, Float32CacheMatchesFormula) { check_attention_paths(ingot::cpu::KvDType::kF32); }
TEST(CpuAttention, Float16CacheMatchesFormula) { check_attention_paths(ingot::cpu::KvDType::kF16); }
TEST(CpuAttention, BFloat16CacheMatchesFormula) {
  check_attention_paths(ingot::cpu::KvDType::kBF16);
}

// The executor shares a token's chunks among threads and combines them by head: chunks computed
// in any order into their own partials, then combined in head ranges, give attend's bits.
TEST(CpuAttention, ChunksComputedApartCombineToAttendBitForBit) {
  using namespace ingot::cpu;
  constexpr int64_t kHeads = 9, kKvHeads = 3, kDim = 64, kCount = 301, kRows = 331;
  const AttentionShape shape{kHeads, kKvHeads, kDim, 0.125f};
  const std::vector<float> q = random_nonzero(kHeads * kDim, 29);
  const std::vector<float> keys = random_nonzero(kRows * kKvHeads * kDim, 30);
  const std::vector<float> values = random_nonzero(keys.size(), 31);
  std::vector<int32_t> rows(kCount);
  for (int64_t j = 0; j < kCount; ++j) rows[j] = static_cast<int32_t>((j * 37 + 11) % kRows);
  const KvView view{keys.data(), values.data(), KvDType::kF32, kKvHeads * kDim, rows.data()};
  for (SimdPath path : supported_simd_paths()) {
    SCOPED_TRACE(simd_path_name(path));
    std::vector<float> scratch(static_cast<size_t>(attention_scratch_floats(shape, kCount)));
    std::vector<float> want(q.size());
    attend_with_path(path, shape, q.data(), view, kCount, 0, kHeads, want.data(), scratch);

    const int64_t chunks = attention_chunks(kCount);
    ASSERT_EQ(chunks, 5);
    const int64_t stride = attention_partial_floats(shape);
    std::vector<float> partials(static_cast<size_t>(chunks * stride),
                                std::numeric_limits<float>::quiet_NaN());
    std::vector<float> scores(static_cast<size_t>(kAttentionChunk * kHeads));
    for (int64_t c : {3, 0, 4, 2, 1})
      attend_chunk(path, shape, q.data(), view, kCount, c, 0, kHeads, partials.data() + c * stride,
                   scores);
    std::vector<float> got(q.size(), std::numeric_limits<float>::quiet_NaN());
    for (auto [begin, end] : {std::pair<int64_t, int64_t>{4, 9}, {0, 1}, {1, 4}})
      combine_chunks(shape, partials.data(), chunks, begin, end, got.data());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i])) << i;
  }
}

// Prefill attends a tile of tokens chunk by chunk: each token's result must be attend's bits, at
// counts that end inside, at and past chunk edges, in no order, on every path and cache type.
TEST(CpuAttention, TileOfTokensGivesAttendsBitsForEachToken) {
  using namespace ingot::cpu;
  constexpr int64_t kHeads = 9, kKvHeads = 3, kRows = 331;
  const std::vector<int64_t> counts = {65, 1, 301, 64, 130, 17, 128, 300, 2, 129, 63};
  for (KvDType dtype : {KvDType::kF32, KvDType::kF16, KvDType::kBF16})
    for (int64_t dim : {40, 64}) {
      const AttentionShape shape{kHeads, kKvHeads, dim, 0.3f};
      const int64_t q_features = kHeads * dim, tokens = static_cast<int64_t>(counts.size());
      const std::vector<float> q = random_nonzero(static_cast<size_t>(tokens * q_features), 41);
      const std::vector<float> keys = random_nonzero(kRows * kKvHeads * dim, 42);
      const std::vector<float> values = random_nonzero(keys.size(), 43);
      std::vector<uint16_t> k16(keys.size()), v16(values.size());
      for (int64_t r = 0; r < kRows && dtype != KvDType::kF32; ++r) {
        kv_store_row(dtype, k16.data(), kKvHeads * dim, r, &keys[r * kKvHeads * dim]);
        kv_store_row(dtype, v16.data(), kKvHeads * dim, r, &values[r * kKvHeads * dim]);
      }
      std::vector<int32_t> rows(301);
      for (size_t j = 0; j < rows.size(); ++j) rows[j] = static_cast<int32_t>((j * 37 + 11) % kRows);
      const bool narrow = dtype != KvDType::kF32;
      const KvView view{narrow ? static_cast<const void*>(k16.data()) : keys.data(),
                        narrow ? static_cast<const void*>(v16.data()) : values.data(), dtype,
                        kKvHeads * dim, rows.data()};
      for (SimdPath path : supported_simd_paths()) {
        SCOPED_TRACE(std::string(simd_path_name(path)) + " head_dim " + std::to_string(dim) +
                     " dtype " + std::to_string(static_cast<int>(dtype)));
        std::vector<float> want(q.size());
        std::vector<float> scratch(static_cast<size_t>(attention_scratch_floats(shape, 301)));
        for (int64_t i = 0; i < tokens; ++i)
          attend_with_path(path, shape, q.data() + i * q_features, view, counts[i], 0, kHeads,
                           want.data() + i * q_features, scratch);
        std::vector<float> tile_scratch(
            static_cast<size_t>(attention_tile_scratch_floats(shape, kAttentionTile, 301)));
        for (int64_t tile : {int64_t{1}, int64_t{4}, kAttentionTile}) {
          std::vector<float> got(q.size(), kNaN);
          for (int64_t first = 0; first < tokens; first += tile) {
            const auto n = static_cast<size_t>(std::min(tile, tokens - first));
            attend_tile(path, shape, q.data() + first * q_features, view,
                        std::span(counts).subspan(static_cast<size_t>(first), n),
                        got.data() + first * q_features, tile_scratch);
          }
          for (size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i]))
                << "tile " << tile << " float " << i;
        }
      }
    }
}

// A tile's partial results stay within 4 MiB: long contexts take fewer tokens a tile, down to one.
TEST(CpuAttention, TilesShrinkForLongContexts) {
  using namespace ingot::cpu;
  const AttentionShape smollm{9, 3, 64, 0.125f}, llama8b{32, 8, 128, 0.088f};
  EXPECT_EQ(attention_tile_tokens(smollm, 2048), kAttentionTile);
  EXPECT_EQ(attention_tile_tokens(smollm, 8192), (1 << 20) / (128 * 9 * 66));  // 13
  EXPECT_EQ(attention_tile_tokens(llama8b, 131072), 1);
  for (int64_t longest : {1, 640, 8192, 131072})
    for (const AttentionShape& shape : {smollm, llama8b})
      EXPECT_LE(attention_tile_scratch_floats(shape, attention_tile_tokens(shape, longest),
                                              longest),
                std::max<int64_t>(kAttentionChunk * shape.num_heads + (1 << 20),
                                  attention_scratch_floats(shape, longest)));
}
