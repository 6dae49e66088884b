// cpu-matmul-bench: one thread's matmul over SmolLM2's gate/up shape (1536 rows of 576), on every
// SIMD path this CPU supports at 1 to 512 tokens, for Q4_0, Q8_0, (where ROW_LENGTH is a multiple
// of 256) Q4_K and Q6_K, and BF16 (one float kernel, AVX2's, serves every SIMD path): a Markdown
// table of microseconds and GMAC/s, medians of 7 timed runs after a warm-up, with each path's
// speed against avx512vnni's.
//
// Usage: cpu-matmul-bench [ROWS ROW_LENGTH [MAX_TOKENS]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/matmul.h"
#include "kernels/quant/ggml_type.h"
#include "kernels/quant/quantize.h"

namespace {

using ingot::cpu::MatmulPath;
using ingot::quant::GgmlType;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "cpu-matmul-bench: error: %s\n", what.c_str());
  std::exit(2);
}

/// Median seconds of one matmul_rows call over all rows.
double median_seconds(const ingot::cpu::MatmulInput& in, const ingot::cpu::MatmulWeights& w,
                      int64_t rows, std::vector<float>& y) {
  const int calls = static_cast<int>(std::max<int64_t>(1, 2048 / in.tokens));
  std::vector<double> times;
  for (int run = 0; run < 8; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int c = 0; c < calls; ++c)
      if (!ingot::cpu::matmul_rows(in, w, 0, rows, y.data(), rows).ok()) fail("matmul_rows failed");
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (run > 0) times.push_back(took.count() / calls);  // run 0 warms the caches
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 2 ? std::atoll(argv[1]) : 1536;
  const int64_t n = argc > 2 ? std::atoll(argv[2]) : 576;
  const int64_t max_tokens = argc > 3 ? std::atoll(argv[3]) : 512;
  if (rows <= 0 || n <= 0 || n % 32 != 0)
    fail("ROWS must be positive, ROW_LENGTH a multiple of 32");
  if (max_tokens <= 0) fail("MAX_TOKENS must be positive");
  const MatmulPath paths[] = {MatmulPath::kAvx512Vnni, MatmulPath::kAvx2, MatmulPath::kAmx};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::printf("one thread, %lld rows of %lld, median of 7 runs; ratio: against avx512vnni\n\n",
              static_cast<long long>(rows), static_cast<long long>(n));
  std::printf("| type | tokens | path | us | GMAC/s | ratio |\n|---|---|---|---|---|---|\n");
  for (GgmlType type :
       {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::BF16}) {
    if ((type == GgmlType::Q4_K || type == GgmlType::Q6_K) && n % 256 != 0) continue;
    std::vector<float> source(static_cast<size_t>(rows * n));
    for (float& v : source) v = value(rng);
    std::vector<uint8_t> weights(*ingot::quant::row_bytes(type, static_cast<uint64_t>(rows * n)));
    if (!ingot::quant::quantize_row(type, source, weights).ok()) fail("quantize failed");
    const bool packs = ingot::cpu::matmul_packs(type);
    ingot::cpu::PackedWeights packed;
    if (packs && !ingot::cpu::pack_weights(type, weights.data(), rows, n, packed).ok())
      fail("pack failed");
    const ingot::cpu::MatmulWeights w{weights.data(), packs ? &packed : nullptr};
    for (int64_t tokens : {1, 4, 8, 12, 16, 64, 512}) {
      if (tokens > max_tokens) break;
      std::vector<float> x(static_cast<size_t>(tokens * n));
      for (float& v : x) v = value(rng);
      std::vector<float> y(static_cast<size_t>(tokens * rows));
      double vnni = 0.0;
      for (MatmulPath path : paths) {
        if (!ingot::cpu::matmul_path_supported(path)) continue;
        if (!packs && path != MatmulPath::kAvx2) continue;
        ingot::cpu::MatmulInput in;
        if (!ingot::cpu::prepare_matmul(path, type, n, x.data(), tokens, in).ok())
          fail("prepare_matmul failed");
        const double seconds = median_seconds(in, w, rows, y);
        if (path == MatmulPath::kAvx512Vnni) vnni = seconds;
        const std::string name(ingot::quant::type_traits(type).name);
        std::printf("| %s | %lld | %s | %.1f | %.1f | ", name.c_str(),
                    static_cast<long long>(tokens), ingot::cpu::matmul_path_name(path),
                    seconds * 1e6, static_cast<double>(rows * n * tokens) / seconds / 1e9);
        if (vnni > 0.0)
          std::printf("%.2fx |\n", vnni / seconds);
        else
          std::printf("- |\n");
      }
    }
  }
  return 0;
}
