// The GPU device against the CPU device on dummy-weight artifacts (scripts/bundle-gpu.sh makes
// them; no compiler needed, so this runs in runtime-only builds on GPU machines): the same
// tokens' logits, teacher-forced, through prefill steps and through one-token decode steps.
// Skips, saying why, without a GPU or without the artifacts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/generate/engine.h"

namespace ingot::generate {
namespace {

namespace fs = std::filesystem;

// Where the dummy artifacts are: $INGOT_PARITY_ARTIFACTS, else the bundle in the source tree.
fs::path artifact_dir() {
  if (const char* dir = std::getenv("INGOT_PARITY_ARTIFACTS")) return dir;
  return fs::path(INGOT_SOURCE_DIR) / ".gpu-bundle" / "artifacts";
}

// The SmolLM2-shaped artifacts (small enough for the CPU reference).
std::vector<fs::path> artifacts() {
  std::vector<fs::path> out;
  if (!fs::is_directory(artifact_dir())) return out;
  for (const auto& entry : fs::directory_iterator(artifact_dir()))
    if (entry.path().filename().string().rfind("smollm2-135m-", 0) == 0) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The artifact at `path` on `device`, with a cache of `sequences` contexts of `context`.
std::unique_ptr<Engine> open_engine(const std::string& device, const fs::path& path,
                                    int64_t context, int64_t sequences, bool graphs = true) {
  device::ExecutorOptions options;
  options.device = device;
  options.cuda_graphs = graphs;
  options.max_context = context;
  options.max_sequences = sequences;
  auto engine = Engine::open(path.string(), options);
  EXPECT_TRUE(engine.ok()) << engine.status().message();
  return engine.ok() ? std::move(*engine) : nullptr;
}

// Every row's logits for `tokens`: the first `prefill` in one call (prefill steps), then one
// token per call (decode steps); on CUDA those replay captured graphs unless `graphs` is off.
std::vector<float> logits_on(const std::string& device, const fs::path& path,
                             const std::vector<int32_t>& tokens, size_t prefill,
                             bool graphs = true) {
  std::unique_ptr<Engine> engine = open_engine(device, path, 512, 1, graphs);
  if (!engine) return {};
  Conversation conversation(*engine);
  std::vector<float> all;
  std::vector<int32_t> rows(prefill);
  for (size_t i = 0; i < prefill; ++i) rows[i] = static_cast<int32_t>(i);
  auto first = conversation.evaluate(std::span(tokens).first(prefill), rows);
  EXPECT_TRUE(first.ok()) << first.status().message();
  if (!first.ok()) return {};
  all = std::move(*first);
  const int32_t row = 0;
  for (size_t t = prefill; t < tokens.size(); ++t) {
    auto next = conversation.evaluate(std::span(tokens).subspan(t, 1), std::span(&row, 1));
    EXPECT_TRUE(next.ok()) << next.status().message();
    if (!next.ok()) return {};
    all.insert(all.end(), next->begin(), next->end());
  }
  return all;
}

// Why the GPU tests cannot run here ("" when they can).
std::string skip_reason(const std::vector<fs::path>& paths) {
  if (device::available_devices().find("cuda") == std::string::npos)
    return "this build has no CUDA device";
  if (paths.empty()) return "no smollm2-135m-* artifacts in " + artifact_dir().string();
  if (auto bandwidth = device::gpu_copy_bandwidth(); !bandwidth.ok())
    return "no GPU: " + bandwidth.status().message();
  return "";
}

// Largest difference between two rows of logits over the spread of the first one.
double relative_difference(const float* want, const float* got, size_t vocab) {
  double sum = 0, squares = 0, diff = 0;
  for (size_t v = 0; v < vocab; ++v) {
    sum += want[v];
    squares += double(want[v]) * want[v];
    diff = std::max(diff, std::fabs(double(want[v]) - got[v]));
  }
  const double mean = sum / vocab;
  return diff / std::sqrt(std::max(1e-30, squares / vocab - mean * mean));
}

// Three sequences (prompts of 5, 70 and 1 tokens, prefilled one by one), then one step with a
// decode token of the first, a 20-token chunk of the second and a decode token of the third: with
// a 16-bit cache, the chunk takes the tensor-core prefill kernel and the others flash-decoding.
std::vector<float> batched_step_logits(const std::string& device, const fs::path& path) {
  std::unique_ptr<Engine> engine = open_engine(device, path, 256, 3);
  if (!engine) return {};
  device::Executor& executor = engine->executor();
  std::vector<device::KvSequence> sequences(3);
  std::mt19937 rng(11);
  std::vector<float> ignored(executor.vocab_size());
  const int32_t last = 0;
  for (size_t s = 0; s < 3; ++s) {
    std::vector<int32_t> prompt(std::vector<size_t>{5, 70, 1}[s]);
    for (int32_t& id : prompt) id = 1000 + static_cast<int32_t>(rng() % 40000);
    const int32_t row = static_cast<int32_t>(prompt.size() - 1);
    const Status status = executor.step({prompt, &sequences[s], std::span(&row, 1), ignored.data()});
    EXPECT_TRUE(status.ok()) << status.message();
  }
  const std::vector<int32_t> a = {4242}, c = {31337};
  std::vector<int32_t> b(20);
  for (size_t i = 0; i < b.size(); ++i) b[i] = 7 + static_cast<int32_t>(i);
  const std::vector<int32_t> b_rows = {0, 19};
  const std::vector<device::SequenceChunk> chunks = {{a, &sequences[0], std::span(&last, 1)},
                                                     {b, &sequences[1], b_rows},
                                                     {c, &sequences[2], std::span(&last, 1)}};
  std::vector<float> logits(4 * static_cast<size_t>(executor.vocab_size()));
  const Status status = executor.step_batch({chunks, logits.data()});
  EXPECT_TRUE(status.ok()) << status.message();
  for (auto& sequence : sequences) executor.cache().release(sequence);
  return logits;
}

TEST(DeviceParity, CudaBatchedStepFollowsTheCpus) {
  const std::vector<fs::path> paths = artifacts();
  if (const std::string why = skip_reason(paths); !why.empty()) GTEST_SKIP() << why;
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.filename().string());
    const std::vector<float> cpu = batched_step_logits("cpu", path);
    const std::vector<float> gpu = batched_step_logits("cuda", path);
    ASSERT_EQ(cpu.size(), gpu.size());
    const size_t vocab = cpu.size() / 4;
    for (size_t r = 0; r < 4; ++r)
      EXPECT_LT(relative_difference(cpu.data() + r * vocab, gpu.data() + r * vocab, vocab), 0.15)
          << "output row " << r;
  }
}

// Twelve sequences (prompts of 2 to 13 tokens, prefilled one by one), then three steps that
// decode one token of each: wider than the matrix-vector products take, so on CUDA cuBLAS runs in
// them, and they are captured as graphs (updated in place from one to the next) unless `graphs`
// is off. Every step's logits, one row per sequence.
std::vector<float> wide_decode_logits(const std::string& device, const fs::path& path,
                                      bool graphs = true) {
  constexpr size_t kSequences = 12;
  std::unique_ptr<Engine> engine = open_engine(device, path, 64, kSequences, graphs);
  if (!engine) return {};
  device::Executor& executor = engine->executor();
  const size_t vocab = static_cast<size_t>(executor.vocab_size());
  std::vector<device::KvSequence> sequences(kSequences);
  std::mt19937 rng(13);
  std::vector<float> ignored(vocab);
  for (size_t s = 0; s < kSequences; ++s) {
    std::vector<int32_t> prompt(2 + s);
    for (int32_t& id : prompt) id = 1000 + static_cast<int32_t>(rng() % 40000);
    const int32_t row = static_cast<int32_t>(prompt.size() - 1);
    const Status status =
        executor.step({prompt, &sequences[s], std::span(&row, 1), ignored.data()});
    EXPECT_TRUE(status.ok()) << status.message();
  }
  std::vector<float> all;
  const int32_t row = 0;
  for (int step = 0; step < 3; ++step) {
    std::vector<int32_t> ids(kSequences);
    for (int32_t& id : ids) id = 1000 + static_cast<int32_t>(rng() % 40000);
    std::vector<device::SequenceChunk> chunks;
    for (size_t s = 0; s < kSequences; ++s)
      chunks.push_back({std::span(&ids[s], 1), &sequences[s], std::span(&row, 1)});
    std::vector<float> logits(kSequences * vocab);
    const Status status = executor.step_batch({chunks, logits.data()});
    EXPECT_TRUE(status.ok()) << status.message();
    all.insert(all.end(), logits.begin(), logits.end());
  }
  for (auto& sequence : sequences) executor.cache().release(sequence);
  return all;
}

TEST(DeviceParity, CudaWideDecodeStepsFollowTheCpusWithAndWithoutGraphs) {
  const std::vector<fs::path> paths = artifacts();
  if (const std::string why = skip_reason(paths); !why.empty()) GTEST_SKIP() << why;
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.filename().string());
    const std::vector<float> cpu = wide_decode_logits("cpu", path);
    const std::vector<float> gpu = wide_decode_logits("cuda", path);
    ASSERT_EQ(cpu.size(), gpu.size());
    EXPECT_EQ(gpu, wide_decode_logits("cuda", path, /*graphs=*/false));
    const size_t rows = 3 * 12, vocab = cpu.size() / rows;
    for (size_t r = 0; r < rows; ++r)
      EXPECT_LT(relative_difference(cpu.data() + r * vocab, gpu.data() + r * vocab, vocab), 0.15)
          << "row " << r;
  }
}

TEST(DeviceParity, CudaLogitsFollowTheCpusOnDummyModels) {
  const std::vector<fs::path> paths = artifacts();
  if (const std::string why = skip_reason(paths); !why.empty()) GTEST_SKIP() << why;
  std::mt19937 rng(7);
  std::vector<int32_t> tokens(150);
  for (int32_t& id : tokens) id = 1000 + static_cast<int32_t>(rng() % 40000);
  const size_t prefill = 133;  // odd: partial tiles in the prefill products
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.filename().string());
    const std::vector<float> cpu = logits_on("cpu", path, tokens, prefill);
    const std::vector<float> gpu = logits_on("cuda", path, tokens, prefill);
    ASSERT_EQ(cpu.size(), gpu.size());
    // The decode steps ran as replayed CUDA graphs: exactly what their launches compute.
    EXPECT_EQ(gpu, logits_on("cuda", path, tokens, prefill, /*graphs=*/false));
    const size_t vocab = cpu.size() / tokens.size();
    double worst = 0;
    size_t decided = 0, agreed = 0;
    for (size_t r = 0; r < tokens.size(); ++r) {
      const float* c = cpu.data() + r * vocab;
      const float* g = gpu.data() + r * vocab;
      // The spread of the row's logits (a shift common to all of them changes nothing).
      double sum = 0, squares = 0, diff = 0;
      for (size_t v = 0; v < vocab; ++v) {
        ASSERT_TRUE(std::isfinite(g[v])) << "row " << r << " logit " << v;
        sum += c[v];
        squares += double(c[v]) * c[v];
        diff = std::max(diff, std::fabs(double(c[v]) - g[v]));
      }
      const double spread = std::sqrt(std::max(0.0, squares / vocab - (sum / vocab) * (sum / vocab)));
      worst = std::max(worst, diff / spread);
      // Where the CPU's choice is clear, the GPU makes it too.
      std::vector<size_t> order(vocab);
      for (size_t v = 0; v < vocab; ++v) order[v] = v;
      std::partial_sort(order.begin(), order.begin() + 2, order.end(),
                        [&](size_t a, size_t b) { return c[a] > c[b]; });
      if (c[order[0]] - c[order[1]] > 0.1 * spread) {
        ++decided;
        agreed += std::max_element(g, g + vocab) - g == static_cast<ptrdiff_t>(order[0]);
      }
    }
    std::printf("%s: largest logit difference %.4f of the row's spread; %zu of %zu clear choices "
                "agree\n", path.filename().c_str(), worst, agreed, decided);
    EXPECT_LT(worst, 0.15);
    EXPECT_GT(decided, tokens.size() / 10);  // the check is not vacuous
    EXPECT_EQ(agreed, decided);
  }
}

}  // namespace
}  // namespace ingot::generate
