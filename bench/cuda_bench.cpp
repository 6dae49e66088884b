// cuda-bench: the CUDA kernels at Llama-3.1-8B shapes on random weights, each against its
// roofline: decode products and attention read their bytes once, so time x measured
// device-to-device bandwidth over bytes gives the fraction reached; prefill products and prefill
// attention against the best bf16 cuBLAS rate measured in the same run. Prints a Markdown
// table; without a GPU, says why and exits 0.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kernels/cuda/attention_schedule.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/quant/ggml_type.h"

namespace {

using ingot::cuda::GgmlType;

#define CHECK(call)                                                                     \
  do {                                                                                  \
    const cudaError_t status_ = (call);                                                 \
    if (status_ != cudaSuccess) {                                                       \
      std::fprintf(stderr, "cuda-bench: %s: %s\n", #call, cudaGetErrorString(status_)); \
      std::exit(1);                                                                     \
    }                                                                                   \
  } while (0)

/// Device bytes filled with random bytes; fp16 scales of the block types are overwritten with a
/// small value so every block decodes to finite numbers (never zeros).
void* random_weights(GgmlType type, int64_t rows, int64_t n, uint32_t seed) {
  const uint64_t block = ingot::quant::type_traits(type).block_bytes;
  const uint64_t values = ingot::quant::type_traits(type).block_elems;
  const uint64_t bytes = static_cast<uint64_t>(rows * n) / values * block;
  std::vector<uint8_t> host(bytes);
  std::mt19937 rng(seed);
  for (auto& b : host) b = static_cast<uint8_t>(rng());
  const uint16_t scale = 0x2000;  // fp16 ~0.0078; bf16 values get the same bit pattern's range
  if (type == GgmlType::BF16) {
    for (uint64_t i = 0; i + 1 < bytes; i += 2)
      host[i + 1] = static_cast<uint8_t>(0x3c | (host[i + 1] & 0x80));
  } else if (type != GgmlType::F32 && type != GgmlType::F16) {
    const uint64_t scale_at = type == GgmlType::Q6_K ? 208 : 0;  // Q6_K keeps d last
    for (uint64_t at = 0; at < bytes; at += block) {
      host[at + scale_at] = scale & 0xff;
      host[at + scale_at + 1] = scale >> 8;
      if (type == GgmlType::Q4_1 || type == GgmlType::Q4_K) {
        host[at + 2] = scale & 0xff;
        host[at + 3] = scale >> 8;
      }
    }
  }
  void* device = nullptr;
  CHECK(cudaMalloc(&device, bytes));
  CHECK(cudaMemcpy(device, host.data(), bytes, cudaMemcpyHostToDevice));
  return device;
}

/// Median milliseconds of `reps` runs of `fn` (after 3 warm-ups), timed with CUDA events.
double time_ms(const std::function<void()>& fn, int reps = 20) {
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < 3; ++i) fn();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    CHECK(cudaEventRecord(start));
    fn();
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float elapsed = 0;
    CHECK(cudaEventElapsedTime(&elapsed, start, stop));
    ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms[ms.size() / 2];
}


/// Causal prefill attention of `tokens` tokens from position 0 at 32 heads on 8 KV heads of 128
/// (Llama-3.1-8B), bf16 cache: the tensor-core kernel, then the flash-decoding kernel taking
/// every token, each against `matrix_rate` (the best bf16 cuBLAS rate measured before).
void bench_prefill_attention(int64_t tokens, double matrix_rate, const float* q, float* out) {
  const ingot::cuda::AttentionDims dims{32, 8, 128, 0.088f};
  const int64_t kv_features = dims.num_kv_heads * dims.head_dim;
  void *keys = nullptr, *values = nullptr, *scratch = nullptr;
  CHECK(cudaMalloc(&keys, tokens * kv_features * 2));
  CHECK(cudaMalloc(&values, tokens * kv_features * 2));
  CHECK(cudaMemset(keys, 0x3c, tokens * kv_features * 2));  // bf16 ~0.0115, never zero
  CHECK(cudaMemset(values, 0x3c, tokens * kv_features * 2));
  std::vector<int32_t> host_rows(static_cast<size_t>(tokens)), zeros(host_rows.size(), 0);
  for (int64_t j = 0; j < tokens; ++j) host_rows[static_cast<size_t>(j)] = static_cast<int32_t>(j);
  const auto schedule = ingot::cuda::schedule_attention(zeros, host_rows, true);
  int32_t *rows = nullptr, *table = nullptr;
  ingot::cuda::QueryTile* tiles = nullptr;
  CHECK(cudaMalloc(&rows, tokens * 4));
  CHECK(cudaMalloc(&table, tokens * 4));
  CHECK(cudaMalloc(&tiles, schedule.tiles.size() * sizeof(ingot::cuda::QueryTile)));
  CHECK(cudaMemcpy(rows, host_rows.data(), tokens * 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(table, zeros.data(), tokens * 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(tiles, schedule.tiles.data(),
                   schedule.tiles.size() * sizeof(ingot::cuda::QueryTile), cudaMemcpyHostToDevice));
  CHECK(cudaMalloc(&scratch, ingot::cuda::attention_scratch_bytes(dims, tokens, tokens)));
  const ingot::cuda::KvLayer layer{keys, values, ingot::cuda::KvType::kBF16, rows};
  const ingot::cuda::TokenSlots slots{table, rows, tokens};  // positions 0, 1, ... as the rows
  // Causal: token t's q.k and p.v products over t + 1 positions, for every head.
  const double flops = 4.0 * dims.num_heads * dims.head_dim * tokens * (tokens + 1) / 2;
  const auto report = [&](const char* kernel, double ms) {
    const double rate = flops / (ms * 1e-3);
    std::printf("| %s | 32/8 heads x 128, %lld tokens, bf16 | %.3f ms | %.0f TFLOP/s | %.0f%% |\n",
                kernel, static_cast<long long>(tokens), ms, rate / 1e12,
                100.0 * rate / matrix_rate);
  };
  report("attention prefill (tensor cores)", time_ms([&] {
           CHECK(ingot::cuda::prefill_attention(dims, q, layer, tiles,
                                                static_cast<int64_t>(schedule.tiles.size()), slots,
                                                out, nullptr));
         }, 10));
  report("attention prefill (flash-decoding)", time_ms([&] {
           CHECK(ingot::cuda::attention(dims, q, layer, tokens, slots, out, scratch, nullptr));
         }, 5));
  for (void* p : {keys, values, scratch, static_cast<void*>(rows), static_cast<void*>(table),
                  static_cast<void*>(tiles)})
    CHECK(cudaFree(p));
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row out as it is made, should it be killed
  std::string why;
  if (!ingot::cuda::device_available(&why)) {
    std::printf("cuda-bench: no GPU (%s); nothing measured\n", why.c_str());
    return 0;
  }
  cudaDeviceProp properties{};
  CHECK(cudaGetDeviceProperties(&properties, 0));

  // Device-to-device copy: bytes read plus written per second, the decode roofline's bandwidth.
  const double bandwidth = ingot::cuda::copy_bandwidth(&why);
  if (bandwidth <= 0) {
    std::fprintf(stderr, "cuda-bench: measuring the copy bandwidth failed: %s\n", why.c_str());
    return 1;
  }

  std::string blas_problem;
  ingot::cuda::Blas* blas = ingot::cuda::blas_create(&blas_problem);
  if (!blas) {
    std::fprintf(stderr, "cuda-bench: %s\n", blas_problem.c_str());
    return 1;
  }
  std::printf("%s, %d SMs; device-to-device copy %.0f GB/s (read + write)\n\n", properties.name,
              properties.multiProcessorCount, bandwidth / 1e9);
  std::printf("| kernel | shape | time | rate | roofline fraction |\n|---|---|---|---|---|\n");

  // Llama-3.1-8B's projections: q (4096x4096), gate/up (14336x4096), down (4096x14336),
  // logits (128256x4096).
  struct Shape {
    const char* name;
    int64_t rows, n;
  };
  const Shape shapes[] = {{"q_proj 4096x4096", 4096, 4096},
                          {"gate 14336x4096", 14336, 4096},
                          {"down 4096x14336", 4096, 14336},
                          {"logits 128256x4096", 128256, 4096}};
  float *x = nullptr, *y = nullptr;
  const int64_t prefill = 2048;
  CHECK(cudaMalloc(&x, sizeof(float) * prefill * 14336));
  CHECK(cudaMalloc(&y, sizeof(float) * prefill * 128256));
  CHECK(cudaMemset(x, 0x3c, sizeof(float) * prefill * 14336));  // ~0.0115 everywhere
  for (GgmlType type :
       {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::BF16}) {
    for (const Shape& s : shapes) {
      void* w = random_weights(type, s.rows, s.n, 7);
      const double bytes = static_cast<double>(s.rows * s.n) /
                           ingot::quant::type_traits(type).block_elems *
                           ingot::quant::type_traits(type).block_bytes;
      const double ms = time_ms(
          [&] { CHECK(ingot::cuda::gemv(type, w, s.rows, s.n, x, 1, y, s.rows, nullptr)); });
      std::printf("| gemv %s | %s, 1 token | %.3f ms | %.0f GB/s | %.0f%% |\n",
                  std::string(ingot::quant::type_traits(type).name).c_str(), s.name, ms,
                  bytes / (ms * 1e-3) / 1e9, 100.0 * bytes / (ms * 1e-3) / bandwidth);
      CHECK(cudaFree(w));
    }
  }
  // Prefill: bf16 products of 2048 tokens; the best rate is the prefill roofline.
  double matrix_rate = 0;
  for (const Shape& s : shapes) {
    void* w = random_weights(GgmlType::BF16, s.rows, s.n, 9);
    void* scratch = nullptr;
    CHECK(cudaMalloc(&scratch, ingot::cuda::gemm_scratch_bytes(s.rows, s.n, prefill)));
    const double ms = time_ms(
        [&] {
          CHECK(ingot::cuda::gemm(*blas, GgmlType::BF16, w, s.rows, s.n, x, prefill, y, s.rows,
                                  scratch, nullptr));
        },
        10);
    const double flops = 2.0 * s.rows * s.n * prefill;
    matrix_rate = std::max(matrix_rate, flops / (ms * 1e-3));
    std::printf("| gemm bf16 | %s, %lld tokens | %.3f ms | %.0f TFLOP/s | |\n", s.name,
                static_cast<long long>(prefill), ms, flops / (ms * 1e-3) / 1e12);
    CHECK(cudaFree(scratch));
    CHECK(cudaFree(w));
  }
  bench_prefill_attention(prefill, matrix_rate, x, y);
  // Decode attention at 32 heads on 8 KV heads of 128, bf16 cache, long contexts.
  for (int64_t context : {4096, 32768}) {
    const ingot::cuda::AttentionDims dims{32, 8, 128, 0.088f};
    const int64_t kv_features = dims.num_kv_heads * dims.head_dim;
    void *keys = nullptr, *values = nullptr, *scratch = nullptr;
    int32_t* rows = nullptr;
    CHECK(cudaMalloc(&keys, context * kv_features * 2));
    CHECK(cudaMalloc(&values, context * kv_features * 2));
    CHECK(cudaMemset(keys, 0x3c, context * kv_features * 2));
    CHECK(cudaMemset(values, 0x3c, context * kv_features * 2));
    std::vector<int32_t> host_rows(static_cast<size_t>(context));
    for (int64_t j = 0; j < context; ++j)
      host_rows[static_cast<size_t>(j)] = static_cast<int32_t>(j);
    CHECK(cudaMalloc(&rows, context * 4));
    CHECK(cudaMemcpy(rows, host_rows.data(), context * 4, cudaMemcpyHostToDevice));
    CHECK(cudaMalloc(&scratch, ingot::cuda::attention_scratch_bytes(dims, 1, context)));
    const ingot::cuda::KvLayer layer{keys, values, ingot::cuda::KvType::kBF16, rows};
    int32_t* slot = nullptr;  // the one decode token: table 0, position context - 1
    const int32_t host_slot[2] = {0, static_cast<int32_t>(context - 1)};
    CHECK(cudaMalloc(&slot, sizeof host_slot));
    CHECK(cudaMemcpy(slot, host_slot, sizeof host_slot, cudaMemcpyHostToDevice));
    const ingot::cuda::TokenSlots slots{slot, slot + 1, context};
    const double ms = time_ms([&] {
      CHECK(ingot::cuda::attention(dims, x, layer, 1, slots, y, scratch, nullptr));
    });
    const double bytes = 2.0 * context * kv_features * 2;
    std::printf(
        "| attention decode | 32/8 heads x 128, %lld positions, bf16 | %.3f ms | %.0f GB/s | "
        "%.0f%% |\n",
        static_cast<long long>(context), ms, bytes / (ms * 1e-3) / 1e9,
        100.0 * bytes / (ms * 1e-3) / bandwidth);
    CHECK(cudaFree(keys));
    CHECK(cudaFree(values));
    CHECK(cudaFree(rows));
    CHECK(cudaFree(slot));
    CHECK(cudaFree(scratch));
  }
  ingot::cuda::blas_destroy(blas);
  CHECK(cudaFree(x));
  CHECK(cudaFree(y));
  return 0;
}
