// kernels/cuda against the CPU kernels (kernels/cpu, kernels/quant) on random inputs at odd
// sizes, with every output buffer poisoned with NaN first so unwritten elements show. Without a
// GPU every test skips, saying why.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernels/cpu/activation.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/rope.h"
#include "kernels/cuda/attention_schedule.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/quant/dequantize.h"
#include "kernels/quant/float_convert.h"
#include "kernels/quant/ggml_type.h"
#include "kernels/quant/quantize.h"
#include "runtime/sampling/sampling.h"

namespace ingot::cuda {
namespace {

#define SKIP_WITHOUT_GPU()                                          \
  do {                                                              \
    std::string why;                                                \
    if (!device_available(&why)) GTEST_SKIP() << "no GPU: " << why; \
  } while (0)

/// Device memory of n elements of T, freed on scope exit.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t n) : n_(n) {
    EXPECT_EQ(cudaMalloc(&data_, std::max<size_t>(1, n) * sizeof(T)), cudaSuccess);
  }
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) { upload(host); }
  ~DeviceBuffer() { cudaFree(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return static_cast<T*>(data_); }
  void upload(const std::vector<T>& host) {
    EXPECT_EQ(cudaMemcpy(data_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice),
              cudaSuccess);
    // A pageable copy may return before its DMA lands; kernels on a non-blocking stream would
    // not wait for it.
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  }
  std::vector<T> download() const {
    std::vector<T> host(n_);
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(host.data(), data_, n_ * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return host;
  }

 private:
  void* data_ = nullptr;
  size_t n_;
};

/// A buffer of n floats, all NaN.
std::unique_ptr<DeviceBuffer<float>> poisoned(size_t n) {
  return std::make_unique<DeviceBuffer<float>>(std::vector<float>(n, std::nanf("")));
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

/// `rows` rows of n random values encoded as `type`, and the same dequantized.
struct Weights {
  std::vector<uint8_t> bytes;
  std::vector<float> values;
};

Weights random_weights(GgmlType type, int64_t rows, int64_t n, uint32_t seed) {
  Weights w;
  const auto src = random_floats(static_cast<size_t>(rows * n), seed);
  w.bytes.resize(*quant::row_bytes(type, static_cast<uint64_t>(rows * n)));
  EXPECT_TRUE(quant::quantize_row(type, src, w.bytes).ok());
  w.values.resize(src.size());
  EXPECT_TRUE(quant::dequantize_row(type, w.bytes, w.values).ok());
  return w;
}

constexpr GgmlType kTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0,
                               GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K};

int64_t odd_length(GgmlType type) {
  return type == GgmlType::Q4_K || type == GgmlType::Q6_K ? 256 * 3 : 32 * 7;
}

/// Checks y (tokens x rows, stride rows) against double dots, within `relative` of sum |w x|
/// plus float summation error.
void check_products(const Weights& w, const std::vector<float>& x, int64_t rows, int64_t n,
                    int64_t tokens, const std::vector<float>& y, double relative) {
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t r = 0; r < rows; ++r) {
      double want = 0.0, magnitude = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const double p = double{w.values[r * n + i]} * x[t * n + i];
        want += p;
        magnitude += std::fabs(p);
      }
      ASSERT_NEAR(y[t * rows + r], want, (relative + n * FLT_EPSILON) * magnitude)
          << "token " << t << " row " << r;
    }
}

TEST(CudaKernels, GemvMatchesTheDequantizedDotForEveryType) {
  SKIP_WITHOUT_GPU();
  constexpr int64_t kRows = 37;
  for (GgmlType type : kTypes) {
    SCOPED_TRACE(std::string(quant::type_traits(type).name));
    const int64_t n = odd_length(type);
    const Weights w = random_weights(type, kRows, n, 3);
    DeviceBuffer<uint8_t> dw(w.bytes);
    for (int64_t tokens : {1, 3, 8}) {
      const auto x = random_floats(static_cast<size_t>(tokens * n), 5);
      DeviceBuffer<float> dx(x);
      const auto dy = poisoned(static_cast<size_t>(tokens * kRows));
      ASSERT_EQ(gemv(type, dw.get(), kRows, n, dx.get(), tokens, dy->get(), kRows, nullptr),
                cudaSuccess);
      check_products(w, x, kRows, n, tokens, dy->download(), 0.0);
    }
  }
}

TEST(CudaKernels, GemmMatchesTheDequantizedDotWithinBfloat16Rounding) {
  SKIP_WITHOUT_GPU();
  constexpr int64_t kRows = 45, kTokens = 19;
  std::string why;
  Blas* blas = blas_create(&why);
  ASSERT_NE(blas, nullptr) << why;
  for (GgmlType type : kTypes) {
    SCOPED_TRACE(std::string(quant::type_traits(type).name));
    const int64_t n = odd_length(type);
    const Weights w = random_weights(type, kRows, n, 7);
    const auto x = random_floats(static_cast<size_t>(kTokens * n), 9);
    DeviceBuffer<uint8_t> dw(w.bytes);
    DeviceBuffer<float> dx(x);
    DeviceBuffer<uint8_t> scratch(gemm_scratch_bytes(kRows, n, kTokens));
    const auto dy = poisoned(static_cast<size_t>(kTokens * kRows));
    ASSERT_EQ(gemm(*blas, type, dw.get(), kRows, n, dx.get(), kTokens, dy->get(), kRows,
                   scratch.get(), nullptr),
              cudaSuccess);
    // Both factors rounded to bfloat16: each product within 2 * 2^-8 of exact.
    check_products(w, x, kRows, n, kTokens, dy->download(), 2.0 / 256.0);
  }
  blas_destroy(blas);
}

TEST(CudaKernels, RmsNormWithAndWithoutTheResidual) {
  SKIP_WITHOUT_GPU();
  constexpr int64_t kTokens = 5, kN = 579;
  const auto x = random_floats(kTokens * kN, 11), residual = random_floats(kTokens * kN, 12);
  const auto weight = random_floats(kN, 13, 0.5f, 1.5f);
  DeviceBuffer<float> dx(x), dr(residual), dw(weight);
  const auto sum = poisoned(kTokens * kN), out = poisoned(kTokens * kN);
  std::vector<float> want_sum(kTokens * kN), want(kTokens * kN);
  ASSERT_EQ(
      rms_norm(dx.get(), dr.get(), dw.get(), 1e-5f, kTokens, kN, sum->get(), out->get(), nullptr),
      cudaSuccess);
  cpu::add_rms_norm(x, residual, weight, 1e-5f, want_sum, want);
  const auto got_sum = sum->download(), got = out->download();
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got_sum[i], want_sum[i]) << i;
    ASSERT_NEAR(got[i], want[i], 1e-5f * (1.0f + std::fabs(want[i]))) << i;
  }
  ASSERT_EQ(rms_norm(dx.get(), nullptr, dw.get(), 1e-5f, kTokens, kN, nullptr, out->get(), nullptr),
            cudaSuccess);
  cpu::rms_norm(x, weight, 1e-5f, want);
  const auto plain = out->download();
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(plain[i], want[i], 1e-5f * (1.0f + std::fabs(want[i]))) << i;
}

/// Rope + cache write, then attention, for 37 tokens written in two steps (30, then 7) into
/// Slots of `tokens` consecutive tokens of one sequence (its row table first in KvLayer::rows) at
/// positions first, first + 1, ...
struct OneSequence {
  OneSequence(int64_t tokens, int64_t first)
      : table(std::vector<int32_t>(static_cast<size_t>(tokens), 0)),
        positions(iota(tokens, first)) {
    slots = {table.get(), positions.get(), first + tokens};
  }
  static std::vector<int32_t> iota(int64_t tokens, int64_t first) {
    std::vector<int32_t> v(static_cast<size_t>(tokens));
    for (int64_t t = 0; t < tokens; ++t)
      v[static_cast<size_t>(t)] = static_cast<int32_t>(first + t);
    return v;
  }
  DeviceBuffer<int32_t> table, positions;
  TokenSlots slots;
};

/// scattered cache rows, against cpu::rope_apply and cpu::attend.
void check_rope_and_attention(KvType kv_type, int64_t head_dim, bool neox) {
  SCOPED_TRACE("head_dim " + std::to_string(head_dim) + (neox ? " neox" : " normal") + " kv " +
               std::to_string(static_cast<int>(kv_type)));
  constexpr int64_t kHeads = 9, kKvHeads = 3, kTokens = 37, kCacheRows = 64, kFirst = 30;
  const AttentionDims dims{kHeads, kKvHeads, head_dim, 0.21f};
  const int64_t q_features = kHeads * head_dim, kv_features = kKvHeads * head_dim;
  const int64_t rope_dims = head_dim - 16;  // the last 16 dimensions pass through
  cpu::RopeSpec spec;
  spec.neox = neox;
  spec.dims = rope_dims;
  spec.base = 10000.0f;
  std::vector<float> cos_sin(kTokens * rope_dims);
  for (int64_t t = 0; t < kTokens; ++t)
    cpu::rope_angles(spec, t, {cos_sin.data() + t * rope_dims, static_cast<size_t>(rope_dims)});
  auto q = random_floats(kTokens * q_features, 21), k = random_floats(kTokens * kv_features, 22);
  const auto v = random_floats(kTokens * kv_features, 23);
  std::vector<int32_t> rows(kTokens);
  for (int64_t j = 0; j < kTokens; ++j) rows[j] = static_cast<int32_t>((j * 17 + 5) % kCacheRows);

  const size_t element = kv_type == KvType::kF32 ? 4 : 2;
  DeviceBuffer<float> dq(q), dk(k), dv(v), dcs(cos_sin);
  DeviceBuffer<int32_t> drows(rows);
  DeviceBuffer<uint8_t> keys(kCacheRows * kv_features * element),
      values(kCacheRows * kv_features * element);
  const KvLayer layer{keys.get(), values.get(), kv_type, drows.get()};
  const auto rotated = poisoned(kTokens * q_features);  // every element written, rotated or not
  for (auto [first, count] : {std::pair<int64_t, int64_t>{0, kFirst}, {kFirst, kTokens - kFirst}}) {
    const OneSequence chunk(count, first);
    const QkvRows qkv{dq.get() + first * q_features, dk.get() + first * kv_features,
                      dv.get() + first * kv_features, q_features, kv_features};
    ASSERT_EQ(rope_kv_write(dims, rope_dims, neox, dcs.get() + first * rope_dims, count,
                            chunk.slots, qkv, rotated->get() + first * q_features, layer, nullptr),
              cudaSuccess);
  }

  // The CPU side: rotate, store through kv_store_row, attend.
  const cpu::KvDType cpu_type = kv_type == KvType::kF32   ? cpu::KvDType::kF32
                                : kv_type == KvType::kF16 ? cpu::KvDType::kF16
                                                          : cpu::KvDType::kBF16;
  std::vector<uint8_t> cpu_keys(keys.download().size()), cpu_values(cpu_keys.size());
  for (int64_t t = 0; t < kTokens; ++t) {
    const std::span<const float> cs(cos_sin.data() + t * rope_dims, static_cast<size_t>(rope_dims));
    cpu::rope_apply(spec, cs, q.data() + t * q_features, kHeads, head_dim);
    cpu::rope_apply(spec, cs, k.data() + t * kv_features, kKvHeads, head_dim);
    cpu::kv_store_row(cpu_type, cpu_keys.data(), kv_features, rows[t], k.data() + t * kv_features);
    cpu::kv_store_row(cpu_type, cpu_values.data(), kv_features, rows[t],
                      v.data() + t * kv_features);
  }
  const auto got_q = rotated->download();
  for (size_t i = 0; i < q.size(); ++i) ASSERT_NEAR(got_q[i], q[i], 1e-6f) << "q " << i;
  // Written rows must match exactly (the rotation is the same float arithmetic; rounding to the
  // cache type is the same rounding); unwritten rows are not compared.
  const auto got_keys = keys.download(), got_values = values.download();
  for (int32_t row : rows) {
    const size_t at = static_cast<size_t>(row * kv_features) * element;
    const size_t bytes = static_cast<size_t>(kv_features) * element;
    EXPECT_EQ(0, std::memcmp(got_values.data() + at, cpu_values.data() + at, bytes)) << row;
    for (int64_t i = 0; i < kv_features; ++i) {
      float a = 0, b = 0;
      if (kv_type == KvType::kF32) {
        std::memcpy(&a, got_keys.data() + at + i * 4, 4);
        std::memcpy(&b, cpu_keys.data() + at + i * 4, 4);
      } else {
        uint16_t ha, hb;
        std::memcpy(&ha, got_keys.data() + at + i * 2, 2);
        std::memcpy(&hb, cpu_keys.data() + at + i * 2, 2);
        const bool bf16 = kv_type == KvType::kBF16;
        a = bf16 ? quant::bf16_to_fp32(ha) : quant::fp16_to_fp32(ha);
        b = bf16 ? quant::bf16_to_fp32(hb) : quant::fp16_to_fp32(hb);
      }
      ASSERT_NEAR(a, b, 1e-6f + 4e-3f * std::fabs(b)) << "key row " << row << " element " << i;
    }
  }

  // Attention over all 37 tokens at once (prefill) and the last one alone (decode).
  DeviceBuffer<uint8_t> scratch(attention_scratch_bytes(dims, kTokens, kTokens));
  const auto out = poisoned(kTokens * q_features);
  const OneSequence all(kTokens, 0);
  ASSERT_EQ(attention(dims, rotated->get(), layer, kTokens, all.slots, out->get(), scratch.get(),
                      nullptr),
            cudaSuccess);
  const auto got = out->download();
  const cpu::KvView view{got_keys.data(), got_values.data(), cpu_type, kv_features, rows.data()};
  const cpu::AttentionShape shape{kHeads, kKvHeads, head_dim, dims.scale};
  std::vector<float> want(q_features),
      scores(static_cast<size_t>(cpu::attention_scratch_floats(shape, kTokens)));
  for (int64_t t = 0; t < kTokens; ++t) {
    cpu::attend_with_path(cpu::SimdPath::kScalar, shape, got_q.data() + t * q_features, view,
                          t + 1, 0, kHeads, want.data(), scores);
    for (int64_t i = 0; i < q_features; ++i)
      ASSERT_NEAR(got[t * q_features + i], want[i], 1e-5f) << "token " << t << " element " << i;
  }
  const auto last = poisoned(q_features);
  const OneSequence decode(1, kTokens - 1);
  ASSERT_EQ(attention(dims, rotated->get() + (kTokens - 1) * q_features, layer, 1, decode.slots,
                      last->get(), scratch.get(), nullptr),
            cudaSuccess);
  const auto got_last = last->download();
  for (int64_t i = 0; i < q_features; ++i)
    ASSERT_NEAR(got_last[i], got[(kTokens - 1) * q_features + i], 1e-6f) << i;
}

TEST(CudaKernels, RopeCacheWriteAndAttentionMatchTheCpu) {
  SKIP_WITHOUT_GPU();
  for (KvType kv : {KvType::kF32, KvType::kF16, KvType::kBF16})
    for (int64_t head_dim : {64, 96, 128})
      for (bool neox : {false, true}) check_rope_and_attention(kv, head_dim, neox);
}

TEST(CudaKernels, AttentionSplitsLongContexts) {
  SKIP_WITHOUT_GPU();
  // 300 positions: three splits of the flash-decoding kernel, merged.
  constexpr int64_t kCount = 300, kHeads = 4, kKvHeads = 2, kDim = 64;
  const AttentionDims dims{kHeads, kKvHeads, kDim, 0.125f};
  const auto keys = random_floats(kCount * kKvHeads * kDim, 31);
  const auto values = random_floats(kCount * kKvHeads * kDim, 32);
  const auto q = random_floats(kHeads * kDim, 33, -3.0f, 3.0f);
  std::vector<int32_t> rows(kCount);
  for (int64_t j = 0; j < kCount; ++j) rows[j] = static_cast<int32_t>(kCount - 1 - j);
  DeviceBuffer<float> dk(keys), dv(values), dq(q);
  DeviceBuffer<int32_t> drows(rows);
  DeviceBuffer<uint8_t> scratch(attention_scratch_bytes(dims, 1, kCount));
  const auto out = poisoned(kHeads * kDim);
  const KvLayer layer{dk.get(), dv.get(), KvType::kF32, drows.get()};
  const OneSequence decode(1, kCount - 1);
  ASSERT_EQ(attention(dims, dq.get(), layer, 1, decode.slots, out->get(), scratch.get(), nullptr),
            cudaSuccess);
  const cpu::KvView view{keys.data(), values.data(), cpu::KvDType::kF32, kKvHeads * kDim,
                         rows.data()};
  std::vector<float> want(kHeads * kDim), scores(static_cast<size_t>(cpu::attention_scratch_floats(
                                              {kHeads, kKvHeads, kDim, 0.125f}, kCount)));
  cpu::attend_with_path(cpu::SimdPath::kScalar, {kHeads, kKvHeads, kDim, 0.125f}, q.data(),
                        view, kCount, 0, kHeads, want.data(), scores);
  const auto got = out->download();
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST(CudaKernels, OneStepMixesTheTokensOfSeveralSequences) {
  SKIP_WITHOUT_GPU();
  // Three sequences of 40, 300 and 7 positions, their row tables concatenated; a step of 3 + 1 +
  // 2 tokens at their last positions (the 300-position one takes several splits), written
  // through rope_kv_write, then attended, each token over its own sequence only.
  constexpr int64_t kHeads = 6, kKvHeads = 2, kDim = 64, kCacheRows = 400;
  const std::vector<int64_t> lengths = {40, 300, 7}, step_tokens = {3, 1, 2};
  const AttentionDims dims{kHeads, kKvHeads, kDim, 0.125f};
  const int64_t q_features = kHeads * kDim, kv_features = kKvHeads * kDim;
  std::vector<int32_t> tables, table_of, positions;
  int64_t longest = 0;
  std::vector<int32_t> shuffled(kCacheRows);
  for (int64_t r = 0; r < kCacheRows; ++r)
    shuffled[r] = static_cast<int32_t>((r * 151 + 7) % kCacheRows);
  int64_t next_row = 0;
  for (size_t s = 0; s < lengths.size(); ++s) {
    const auto start = static_cast<int32_t>(tables.size());
    for (int64_t j = 0; j < lengths[s]; ++j) tables.push_back(shuffled[next_row++]);
    for (int64_t t = 0; t < step_tokens[s]; ++t) {
      table_of.push_back(start);
      positions.push_back(static_cast<int32_t>(lengths[s] - step_tokens[s] + t));
    }
    longest = std::max(longest, lengths[s]);
  }
  const int64_t tokens = static_cast<int64_t>(positions.size());
  // The cache before the step: random rows everywhere (the step overwrites its own).
  auto keys = random_floats(kCacheRows * kv_features, 51),
       values = random_floats(kCacheRows * kv_features, 52);
  auto q = random_floats(tokens * q_features, 53);
  const auto k = random_floats(tokens * kv_features, 54),
             v = random_floats(tokens * kv_features, 55);
  DeviceBuffer<float> dkeys(keys), dvalues(values), dq(q), dk(k), dv(v);
  DeviceBuffer<int32_t> drows(tables), dtable(table_of), dpositions(positions);
  const KvLayer layer{dkeys.get(), dvalues.get(), KvType::kF32, drows.get()};
  const TokenSlots slots{dtable.get(), dpositions.get(), longest};
  // Queries rotated in place (rope_dims 0: left as they are).
  const QkvRows qkv{dq.get(), dk.get(), dv.get(), q_features, kv_features};
  ASSERT_EQ(rope_kv_write(dims, 0, false, nullptr, tokens, slots, qkv, dq.get(), layer, nullptr),
            cudaSuccess);
  DeviceBuffer<uint8_t> scratch(attention_scratch_bytes(dims, tokens, longest));
  const auto out = poisoned(tokens * q_features);
  ASSERT_EQ(attention(dims, dq.get(), layer, tokens, slots, out->get(), scratch.get(), nullptr),
            cudaSuccess);
  const auto got = out->download();
  // The CPU: the same rows written, then each token over its own table.
  for (int64_t t = 0; t < tokens; ++t) {
    const int32_t row = tables[table_of[t] + positions[t]];
    std::memcpy(keys.data() + row * kv_features, k.data() + t * kv_features, kv_features * 4);
    std::memcpy(values.data() + row * kv_features, v.data() + t * kv_features, kv_features * 4);
  }
  EXPECT_EQ(dkeys.download(), keys);
  EXPECT_EQ(dvalues.download(), values);
  std::vector<float> want(q_features), scores(static_cast<size_t>(cpu::attention_scratch_floats(
                                           {kHeads, kKvHeads, kDim, 0.125f}, longest)));
  for (int64_t t = 0; t < tokens; ++t) {
    const cpu::KvView view{keys.data(), values.data(), cpu::KvDType::kF32, kv_features,
                           tables.data() + table_of[t]};
    cpu::attend_with_path(cpu::SimdPath::kScalar, {kHeads, kKvHeads, kDim, 0.125f},
                          q.data() + t * q_features, view, positions[t] + 1, 0, kHeads, want.data(),
                          scores);
    for (int64_t i = 0; i < q_features; ++i)
      ASSERT_NEAR(got[t * q_features + i], want[i], 1e-5f) << "token " << t << " element " << i;
  }
}

TEST(CudaKernels, ScheduleSendsPrefillRunsToTilesAndTheRestToDecode) {
  // Host code: runs without a GPU. Tokens: a decode token of sequence 0; 150 positions of
  // sequence 1 (tiles of 64, 64, 22); 10 of sequence 2 (too short: decode); 16 of sequence 3 (one
  // tile); 20 tokens of sequence 4 with a gap after the 8th (runs of 8 and 12: decode).
  std::vector<int32_t> table, positions;
  const auto run = [&](int32_t sequence_table, int32_t first, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
      table.push_back(sequence_table);
      positions.push_back(first + i);
    }
  };
  run(0, 41, 1);
  run(100, 7, 150);
  run(300, 0, 10);
  run(400, 3, 16);
  run(500, 0, 8);
  run(500, 9, 12);
  const AttentionSchedule schedule = schedule_attention(table, positions, true);
  ASSERT_EQ(schedule.tiles.size(), 4u);
  const std::vector<std::pair<int32_t, int32_t>> tiles = {{1, 64}, {65, 64}, {129, 22}, {161, 16}};
  for (size_t i = 0; i < tiles.size(); ++i) {
    EXPECT_EQ(schedule.tiles[i].first, tiles[i].first) << i;
    EXPECT_EQ(schedule.tiles[i].count, tiles[i].second) << i;
  }
  std::vector<int32_t> decode = {0};
  for (int32_t t = 151; t < 161; ++t) decode.push_back(t);
  for (int32_t t = 177; t < 197; ++t) decode.push_back(t);
  EXPECT_EQ(schedule.decode_tokens, decode);
  EXPECT_EQ(schedule.decode_longest, 42);  // the decode token at position 41

  // Without the prefill kernel every token decodes; an empty step schedules nothing.
  const AttentionSchedule all = schedule_attention(table, positions, false);
  EXPECT_TRUE(all.tiles.empty());
  EXPECT_EQ(all.decode_tokens.size(), table.size());
  EXPECT_EQ(all.decode_longest, 157);  // sequence 1's last position, 156
  const AttentionSchedule none = schedule_attention({}, {}, true);
  EXPECT_TRUE(none.tiles.empty() && none.decode_tokens.empty());

  // The one-kernel decode takes steps whose tokens all belong to different sequences.
  EXPECT_FALSE(schedule.one_token_per_sequence);
  EXPECT_FALSE(all.one_token_per_sequence);
  EXPECT_TRUE(
      schedule_attention(std::vector<int32_t>{0, 50, 9}, std::vector<int32_t>{4, 4, 70}, true)
          .one_token_per_sequence);
  EXPECT_FALSE(
      schedule_attention(std::vector<int32_t>{0, 50, 50}, std::vector<int32_t>{4, 4, 5}, true)
          .one_token_per_sequence);
}

/// prefill_attention (and the decode kernel on the step's other tokens) against cpu::attend over
/// a 16-bit cache of random rows: one step of a 77-token chunk at positions 30-106 of one
/// sequence (its first 30 rows cached before), a 20-token chunk from position 0 of another, and a
/// decode token of a third at position 200, the row tables scattered.
void check_prefill_attention(KvType kv_type, int64_t head_dim) {
  SCOPED_TRACE("head_dim " + std::to_string(head_dim) + " kv " +
               std::to_string(static_cast<int>(kv_type)));
  constexpr int64_t kHeads = 8, kKvHeads = 2, kCacheRows = 512;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const AttentionDims dims{kHeads, kKvHeads, head_dim, scale};
  const int64_t q_features = kHeads * head_dim, kv_features = kKvHeads * head_dim;
  const bool bf16 = kv_type == KvType::kBF16;
  // The cache: random rows, stored as the 16-bit type, and the same as floats for the CPU.
  const auto cache_floats = random_floats(2 * kCacheRows * kv_features, 61, -2.0f, 2.0f);
  std::vector<uint16_t> cache(cache_floats.size());
  for (size_t i = 0; i < cache.size(); ++i)
    cache[i] = bf16 ? quant::fp32_to_bf16(cache_floats[i]) : quant::fp32_to_fp16(cache_floats[i]);
  const uint16_t* host_keys = cache.data();
  const uint16_t* host_values = cache.data() + kCacheRows * kv_features;

  struct Sequence {
    int64_t first, count;  // this step's positions
  };
  const std::vector<Sequence> sequences = {{30, 77}, {0, 20}, {200, 1}};
  std::vector<int32_t> tables, table_of, positions;
  std::vector<int32_t> starts;
  int64_t next_row = 0;
  for (const Sequence& s : sequences) {
    starts.push_back(static_cast<int32_t>(tables.size()));
    for (int64_t j = 0; j < s.first + s.count; ++j)
      tables.push_back(static_cast<int32_t>((next_row++ * 211 + 13) % kCacheRows));
    for (int64_t t = 0; t < s.count; ++t) {
      table_of.push_back(starts.back());
      positions.push_back(static_cast<int32_t>(s.first + t));
    }
  }
  ASSERT_LE(next_row, kCacheRows);
  const int64_t tokens = static_cast<int64_t>(positions.size());
  const auto q = random_floats(tokens * q_features, 62, -2.0f, 2.0f);
  const AttentionSchedule schedule = schedule_attention(table_of, positions, true);
  ASSERT_EQ(schedule.tiles.size(), 3u);  // 64 + 13 queries, then 20
  ASSERT_EQ(schedule.decode_tokens.size(), 1u);

  DeviceBuffer<uint16_t> dcache(cache);
  DeviceBuffer<float> dq(q);
  DeviceBuffer<int32_t> drows(tables), dtable(table_of), dpositions(positions),
      ddecode(schedule.decode_tokens);
  DeviceBuffer<QueryTile> dtiles(schedule.tiles);
  const KvLayer layer{dcache.get(), dcache.get() + kCacheRows * kv_features, kv_type, drows.get()};
  const TokenSlots slots{dtable.get(), dpositions.get(), 201};
  const auto out = poisoned(tokens * q_features);
  ASSERT_EQ(
      prefill_attention(dims, dq.get(), layer, dtiles.get(),
                        static_cast<int64_t>(schedule.tiles.size()), slots, out->get(), nullptr),
      cudaSuccess);
  DeviceBuffer<uint8_t> scratch(attention_scratch_bytes(dims, 1, schedule.decode_longest));
  const TokenSlots decode_slots{dtable.get(), dpositions.get(), schedule.decode_longest};
  ASSERT_EQ(attention(dims, dq.get(), layer, 1, decode_slots, out->get(), scratch.get(), nullptr,
                      ddecode.get()),
            cudaSuccess);
  const auto got = out->download();

  // Queries and probabilities round to the cache type on the tensor cores: 8 bits of bfloat16
  // or 11 of float16 against the CPU's floats, on outputs of magnitude up to 2.
  const float tolerance = bf16 ? 3e-2f : 5e-3f;
  const cpu::KvDType cpu_type = bf16 ? cpu::KvDType::kBF16 : cpu::KvDType::kF16;
  std::vector<float> want(q_features), scores(static_cast<size_t>(cpu::attention_scratch_floats(
                                           {kHeads, kKvHeads, head_dim, dims.scale}, 256)));
  for (int64_t t = 0; t < tokens; ++t) {
    const cpu::KvView view{host_keys, host_values, cpu_type, kv_features,
                           tables.data() + table_of[t]};
    cpu::attend_with_path(cpu::SimdPath::kScalar, {kHeads, kKvHeads, head_dim, dims.scale},
                          q.data() + t * q_features, view, positions[t] + 1, 0, kHeads, want.data(),
                          scores);
    const float bound = t == tokens - 1 ? 2e-5f : tolerance;  // the decode token: float math
    for (int64_t i = 0; i < q_features; ++i)
      ASSERT_NEAR(got[t * q_features + i], want[i], bound) << "token " << t << " element " << i;
  }
}

TEST(CudaKernels, PrefillAttentionMatchesTheCpu) {
  SKIP_WITHOUT_GPU();
  std::string unsupported;
  for (KvType kv : {KvType::kF16, KvType::kBF16})
    for (int64_t head_dim : {64, 96, 128, 256}) {
      if (prefill_attention_supports({8, 2, head_dim, 1.0f}, kv))
        check_prefill_attention(kv, head_dim);
      else
        unsupported.append(1, ' ').append(std::to_string(head_dim));
    }
  if (!unsupported.empty())
    GTEST_SKIP() << "no prefill kernel on this GPU for head_dim" << unsupported;
}

/// rope_attention_decode (reading packed q|k|v rows) against rope_kv_write then attention
/// (reading three buffers): three sequences of 40, 300 and 7 positions, one decode token each, the
/// cache random before the step.
void check_rope_attention_decode(KvType kv_type, int64_t head_dim, bool neox) {
  SCOPED_TRACE("head_dim " + std::to_string(head_dim) + (neox ? " neox" : " normal") + " kv " +
               std::to_string(static_cast<int>(kv_type)));
  constexpr int64_t kHeads = 6, kKvHeads = 2, kCacheRows = 400;
  const AttentionDims dims{kHeads, kKvHeads, head_dim, 0.125f};
  const int64_t q_features = kHeads * head_dim, kv_features = kKvHeads * head_dim;
  const int64_t rope_dims = head_dim - 16;  // the last 16 dimensions pass through
  const std::vector<int32_t> lengths = {40, 300, 7};
  std::vector<int32_t> tables, table_of, positions;
  for (int32_t length : lengths) {
    table_of.push_back(static_cast<int32_t>(tables.size()));
    positions.push_back(length - 1);
    for (int32_t j = 0; j < length; ++j)
      tables.push_back(static_cast<int32_t>((tables.size() * 151 + 7) % kCacheRows));
  }
  const int64_t tokens = static_cast<int64_t>(positions.size());
  cpu::RopeSpec spec;
  spec.neox = neox;
  spec.dims = rope_dims;
  spec.base = 10000.0f;
  std::vector<float> cos_sin(tokens * rope_dims);
  for (int64_t t = 0; t < tokens; ++t)
    cpu::rope_angles(spec, positions[t],
                     {cos_sin.data() + t * rope_dims, static_cast<size_t>(rope_dims)});
  const size_t element = kv_type == KvType::kF32 ? 4 : 2;
  std::vector<uint8_t> cache(2 * kCacheRows * kv_features * element);
  std::mt19937 rng(71);
  for (size_t i = 0; i < cache.size(); i += 2) {  // finite values of every type: exponent bits low
    cache[i] = static_cast<uint8_t>(rng());
    cache[i + 1] = static_cast<uint8_t>(rng() & 0x3b);
  }
  const auto q = random_floats(tokens * q_features, 72);
  const auto k = random_floats(tokens * kv_features, 73),
             v = random_floats(tokens * kv_features, 74);
  DeviceBuffer<float> dq(q), dk(k), dv(v), dcs(cos_sin);
  DeviceBuffer<int32_t> drows(tables), dtable(table_of), dpositions(positions);
  DeviceBuffer<uint8_t> two_kernels(cache), one_kernel(cache);
  const TokenSlots slots{dtable.get(), dpositions.get(), 300};
  const uint64_t plane = cache.size() / 2;
  const auto layer = [&](DeviceBuffer<uint8_t>& c) {
    return KvLayer{c.get(), c.get() + plane, kv_type, drows.get()};
  };
  DeviceBuffer<uint8_t> scratch(attention_scratch_bytes(dims, tokens, 300));
  const auto rotated = poisoned(tokens * q_features);
  const auto want = poisoned(tokens * q_features), got = poisoned(tokens * q_features);
  const QkvRows apart{dq.get(), dk.get(), dv.get(), q_features, kv_features};
  ASSERT_EQ(rope_kv_write(dims, rope_dims, neox, dcs.get(), tokens, slots, apart, rotated->get(),
                          layer(two_kernels), nullptr),
            cudaSuccess);
  ASSERT_EQ(attention(dims, rotated->get(), layer(two_kernels), tokens, slots, want->get(),
                      scratch.get(), nullptr),
            cudaSuccess);
  // The one kernel reads them as the executor passes a q|k|v projection's output: packed rows.
  const int64_t width = q_features + 2 * kv_features;
  std::vector<float> packed;
  for (int64_t t = 0; t < tokens; ++t) {
    packed.insert(packed.end(), q.begin() + t * q_features, q.begin() + (t + 1) * q_features);
    packed.insert(packed.end(), k.begin() + t * kv_features, k.begin() + (t + 1) * kv_features);
    packed.insert(packed.end(), v.begin() + t * kv_features, v.begin() + (t + 1) * kv_features);
  }
  DeviceBuffer<float> dpacked(packed);
  const QkvRows together{dpacked.get(), dpacked.get() + q_features,
                         dpacked.get() + q_features + kv_features, width, width};
  ASSERT_EQ(rope_attention_decode(dims, rope_dims, neox, dcs.get(), together, layer(one_kernel),
                                  tokens, slots, got->get(), scratch.get(), nullptr),
            cudaSuccess);
  const auto w = want->download(), g = got->download();
  for (size_t i = 0; i < w.size(); ++i) ASSERT_NEAR(g[i], w[i], 1e-5f) << i;
  // The same cache rows written: the rotation is the same arithmetic, rounded alike (a float
  // cache may differ in the last bit where the compiler contracted differently).
  const auto a = two_kernels.download(), b = one_kernel.download();
  for (size_t i = 0; i < a.size(); i += element) {
    if (element == 2) {
      ASSERT_LE(std::abs(int{a[i] | (a[i + 1] << 8)} - int{b[i] | (b[i + 1] << 8)}), 1) << i;
    } else {
      float x, y;
      std::memcpy(&x, a.data() + i, 4);
      std::memcpy(&y, b.data() + i, 4);
      ASSERT_NEAR(x, y, 1e-6f * (1.0f + std::fabs(x))) << i;
    }
  }
}

TEST(CudaKernels, RopeAttentionDecodeIsRopeKvWriteThenAttention) {
  SKIP_WITHOUT_GPU();
  for (KvType kv : {KvType::kF32, KvType::kF16, KvType::kBF16})
    for (int64_t head_dim : {64, 96, 128})
      for (bool neox : {false, true}) check_rope_attention_decode(kv, head_dim, neox);
}

TEST(CudaKernels, SwigluEmbeddingAndArgmax) {
  SKIP_WITHOUT_GPU();
  constexpr int64_t kCount = 1003;
  const auto gate = random_floats(kCount, 41, -6.0f, 6.0f), up = random_floats(kCount, 42);
  DeviceBuffer<float> dg(gate), du(up);
  const auto out = poisoned(kCount);
  ASSERT_EQ(swiglu(dg.get(), du.get(), kCount, out->get(), nullptr), cudaSuccess);
  std::vector<float> want(kCount);
  cpu::swiglu(gate, up, want);
  const auto got = out->download();
  for (int64_t i = 0; i < kCount; ++i)
    ASSERT_NEAR(got[i], want[i], 1e-6f * (1 + std::fabs(want[i])));

  // The embedding is the CPU's dequantize_row, bit for bit, for every weight type.
  const std::vector<int32_t> ids = {10, 0, 7, 7};
  DeviceBuffer<int32_t> dids(ids);
  for (GgmlType type : kTypes) {
    const int64_t n = odd_length(type);
    const Weights table = random_weights(type, 11, n, 43);
    DeviceBuffer<uint8_t> dt(table.bytes);
    const auto rows = poisoned(ids.size() * static_cast<size_t>(n));
    ASSERT_EQ(embedding(type, dt.get(), n, dids.get(), 4, rows->get(), nullptr), cudaSuccess);
    const auto got_rows = rows->download();
    for (size_t t = 0; t < ids.size(); ++t)
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(got_rows[t * n + i], table.values[ids[t] * n + i])
            << quant::type_traits(type).name << " token " << t << " element " << i;
  }

  // Three rows of an odd vocabulary; the last has its maximum twice (the lower index wins).
  constexpr int64_t kVocab = 4099;
  auto logits = random_floats(3 * kVocab, 44);
  logits[2 * kVocab + 100] = 5.0f;
  logits[2 * kVocab + 3000] = 5.0f;
  DeviceBuffer<float> dl(logits);
  DeviceBuffer<int32_t> best(std::vector<int32_t>(3, -1));
  ASSERT_EQ(argmax(dl.get(), 3, kVocab, best.get(), nullptr), cudaSuccess);
  const auto got_best = best.download();
  for (int64_t r = 0; r < 3; ++r) {
    const auto begin = logits.begin() + r * kVocab;
    EXPECT_EQ(got_best[r], std::max_element(begin, begin + kVocab) - begin) << r;
  }
  EXPECT_EQ(got_best[2], 100);
}

TEST(CudaKernels, DummyFillMakesTheHostFillsBytes) {
  SKIP_WITHOUT_GPU();
  for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0,
                        GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K}) {
    SCOPED_TRACE(std::string(quant::type_traits(type).name));
    const uint64_t row_length = 768, rows = 37;
    const quant::dummy::FillParams p = quant::dummy::fill_params(type, row_length, false, 99, 4);
    const uint64_t bytes = *quant::row_bytes(type, row_length) * rows;
    std::vector<uint8_t> host(bytes);
    for (uint64_t b = 0; b < bytes / p.block_bytes; ++b)
      quant::dummy::fill_block(p, b, host.data() + b * p.block_bytes);
    DeviceBuffer<uint8_t> device(std::vector<uint8_t>(bytes, 0xAB));  // poisoned
    ASSERT_EQ(fill_dummy(p, bytes / p.block_bytes, device.get(), nullptr), cudaSuccess);
    EXPECT_EQ(device.download(), host);
  }
}

TEST(CudaKernels, SamplingPicksTheCpuSamplersIds) {
  SKIP_WITHOUT_GPU();
  // Every filter alone and together, a greedy row among them, many uniforms: the same ids as
  // sampling::sample_row on the same rows.
  constexpr int64_t kVocab = 3001;
  std::vector<RowSampling> kinds(7);
  kinds[0].temperature = 0.8f;  // no filter: the draw walks ids in order
  kinds[1].top_k = 40;
  kinds[2].top_p = 0.9f;
  kinds[3].min_p = 0.05f;
  kinds[4] = {100, 0.8f, 0.02f, 1.3f, 0.0};  // all of them
  kinds[5].temperature = 0.0f;               // greedy
  kinds[6] = {-1, 0.5f, 0.0f, 0.25f, 0.0};
  std::mt19937_64 rng(5);
  for (int round = 0; round < 20; ++round) {
    std::vector<RowSampling> rows = kinds;
    for (RowSampling& r : rows) r.uniform = double(rng() >> 11) * 0x1.0p-53;
    const int64_t n = static_cast<int64_t>(rows.size());
    const auto logits = random_floats(n * kVocab, 60 + round, -6.0f, 6.0f);
    DeviceBuffer<float> dl(logits);
    DeviceBuffer<int32_t> out(n);
    DeviceBuffer<uint8_t> scratch(sample_scratch_bytes(n, kVocab));
    ASSERT_EQ(sample(dl.get(), n, kVocab, rows, out.get(), scratch.get(),
                     sample_scratch_bytes(n, kVocab), nullptr),
              cudaSuccess);
    const auto got = out.download();
    for (int64_t r = 0; r < n; ++r)
      EXPECT_EQ(got[r], sampling::sample_row({logits.data() + r * kVocab, kVocab}, rows[r]))
          << "round " << round << " row " << r;
  }
}

TEST(CudaKernels, ProgrammaticLaunchesComputeWhatPlainLaunchesDo) {
  SKIP_WITHOUT_GPU();
  cudaDeviceProp properties{};
  ASSERT_EQ(cudaGetDeviceProperties(&properties, 0), cudaSuccess);
  // Every build has sm_90a code, which a Hopper GPU runs: there the kernels must wait.
  if (properties.major == 9) {
    EXPECT_TRUE(programmatic_launch_compiled());
  }
  if (!programmatic_launch_compiled())
    GTEST_SKIP() << "these kernels run from pre-sm_90 code here: no programmatic launch";
  // A decode-like chain on one stream (norm, product, SwiGLU, residual add), each kernel reading
  // the one before: the same bytes with programmatic dependent launches as without.
  constexpr int64_t kTokens = 3, kN = 256, kRows = 2 * 129;
  const Weights w = random_weights(GgmlType::Q4_0, kRows, kN, 71);
  const auto x = random_floats(kTokens * kN, 72), norm = random_floats(kN, 73, 0.5f, 1.5f);
  DeviceBuffer<uint8_t> dw(w.bytes);
  DeviceBuffer<float> dx(x), dnorm(norm), normed(kTokens * kN), product(kTokens * kRows),
      gated(kTokens * kRows / 2), sum(kTokens * kRows / 2);
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  const auto chain = [&](bool programmatic) {
    set_programmatic_launch(programmatic);
    EXPECT_EQ(
        rms_norm(dx.get(), nullptr, dnorm.get(), 1e-5f, kTokens, kN, nullptr, normed.get(), stream),
        cudaSuccess);
    EXPECT_EQ(gemv(GgmlType::Q4_0, dw.get(), kRows, kN, normed.get(), kTokens, product.get(), kRows,
                   stream),
              cudaSuccess);
    EXPECT_EQ(swiglu(product.get(), product.get() + kTokens * kRows / 2, kTokens * kRows / 2,
                     gated.get(), stream),
              cudaSuccess);
    EXPECT_EQ(add(gated.get(), product.get(), kTokens * kRows / 2, sum.get(), stream), cudaSuccess);
    set_programmatic_launch(false);
    return sum.download();
  };
  const auto plain = chain(false);
  EXPECT_EQ(chain(true), plain);
  EXPECT_TRUE(std::all_of(plain.begin(), plain.end(), [](float v) { return std::isfinite(v); }));
  cudaStreamDestroy(stream);
}

TEST(CudaKernels, RejectBadArguments) {
  // Argument checks run before any launch, so they hold with or without a GPU.
  EXPECT_EQ(gemv(GgmlType::Q4_0, nullptr, 4, 48, nullptr, 1, nullptr, 4, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(gemv(GgmlType::Q4_0, nullptr, 4, 64, nullptr, kMaxGemvTokens + 1, nullptr, 4, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(gemv(GgmlType::IQ2_XXS, nullptr, 4, 256, nullptr, 1, nullptr, 4, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(attention({4, 3, 64, 1.0f}, nullptr, {}, 1, {}, nullptr, nullptr, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(attention({4, 2, 40, 1.0f}, nullptr, {}, 1, {}, nullptr, nullptr, nullptr),
            cudaErrorInvalidValue);
  int scratch = 0;  // a step's tokens need their slots
  EXPECT_EQ(attention({4, 2, 64, 1.0f}, nullptr, {}, 1, {}, nullptr, &scratch, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(rope_kv_write({4, 2, 64, 1.0f}, 0, false, nullptr, 1, {}, {}, nullptr, {}, nullptr),
            cudaErrorInvalidValue);
  // With everything else given (host pointers, never read: the checks come first), a missing
  // cache plane, or queries rotated in place from rows wider than their heads.
  const int32_t slot = 0;
  const TokenSlots slots{&slot, &slot, 1};
  float x[1] = {};
  const QkvRows dense{x, x, x, 4 * 64, 2 * 64}, fused{x, x, x, 8 * 64, 2 * 64};
  const KvLayer no_values{x, nullptr, KvType::kF16, &slot}, cache{x, x, KvType::kF16, &slot};
  EXPECT_EQ(rope_kv_write({4, 2, 64, 1.0f}, 0, false, nullptr, 1, slots, dense, x, no_values,
                          nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(rope_kv_write({4, 2, 64, 1.0f}, 0, false, nullptr, 1, slots, fused, x, cache, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(attention({4, 2, 64, 1.0f}, x, no_values, 1, slots, x, &scratch, nullptr),
            cudaErrorInvalidValue);
  const RowSampling bad_top_p{-1, 1.5f, 0.0f, 1.0f, 0.5};
  EXPECT_EQ(sample(nullptr, 1, 10, std::span(&bad_top_p, 1), nullptr, nullptr, 0, nullptr),
            cudaErrorInvalidValue);
  // CUB's segmented sort counts items in int: more logits than that are refused, unsized.
  const std::vector<RowSampling> two_rows(2, RowSampling{-1, 1.0f, 0.0f, 1.0f, 0.5});
  EXPECT_EQ(sample(nullptr, 2, INT32_MAX, two_rows, nullptr, nullptr, 0, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(sample_scratch_bytes(2, INT32_MAX), 0u);
  EXPECT_EQ(sample_scratch_bytes(int64_t{1} << 40, int64_t{1} << 40), 0u);  // no int64 overflow
  const RowSampling bad_uniform{-1, 1.0f, 0.0f, 1.0f, 1.0};
  EXPECT_EQ(sample(nullptr, 1, 10, std::span(&bad_uniform, 1), nullptr, nullptr, 0, nullptr),
            cudaErrorInvalidValue);
  // The prefill kernel takes 16-bit caches at head dimensions with a kernel only.
  EXPECT_FALSE(prefill_attention_supports({4, 2, 64, 1.0f}, KvType::kF32));
  EXPECT_FALSE(prefill_attention_supports({4, 2, 80, 1.0f}, KvType::kBF16));
  EXPECT_FALSE(prefill_attention_supports({4, 3, 64, 1.0f}, KvType::kBF16));
  EXPECT_EQ(prefill_attention({4, 2, 64, 1.0f}, nullptr, {nullptr, nullptr, KvType::kF32, nullptr},
                              nullptr, 1, {}, nullptr, nullptr),
            cudaErrorInvalidValue);
  // Chunks of gemv while re-reading the weight costs less than widening it for cuBLAS.
  EXPECT_EQ(gemv_token_limit(GgmlType::BF16), kMaxGemvTokens);
  EXPECT_EQ(gemv_token_limit(GgmlType::Q4_0), 8 * kMaxGemvTokens);  // 8 x 0.5625 < 4.5625 bytes
  EXPECT_EQ(gemv_token_limit(GgmlType::Q8_0), 4 * kMaxGemvTokens);  // 4 x 1.0625 < 5.0625
  EXPECT_EQ(gemv_token_limit(GgmlType::F16), 2 * kMaxGemvTokens);   // 2 x 2 < 6
  EXPECT_EQ(gemv_token_limit(GgmlType::F32), kMaxGemvTokens);       // 1 x 4 < 8
  EXPECT_FALSE(supports_weight_type(GgmlType::IQ2_XXS));
  EXPECT_TRUE(supports_weight_type(GgmlType::Q6_K));
}

}  // namespace
}  // namespace ingot::cuda
