// Dummy weights (--load-format dummy): the fill of every encoding, the artifact that has no
// segment, and a dummy SmolLM2-shaped model run on the CPU.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/dummy_weights.h"
#include "runtime/artifact/dummy_fill.h"
#include "runtime/device/cpu/plan_binding.h"
#include "runtime/generate/engine.h"
#include "runtime/pipeline/scheduler.h"
#include "test/support/compile_artifact.h"

namespace ingot {
namespace {

using quant::GgmlType;
namespace dummy = quant::dummy;

constexpr GgmlType kTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0,
                               GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K};

// `rows` rows of `row_length` values of a weight, filled and dequantized.
std::vector<float> filled(const dummy::FillParams& p, uint64_t rows, uint64_t row_length) {
  const uint64_t row_bytes = *quant::row_bytes(p.type, row_length);
  std::vector<uint8_t> bytes(rows * row_bytes);
  for (uint64_t b = 0; b < bytes.size() / p.block_bytes; ++b)
    dummy::fill_block(p, b, bytes.data() + b * p.block_bytes);
  std::vector<float> values(rows * row_length);
  for (uint64_t r = 0; r < rows; ++r) {
    const Status status = quant::dequantize_row(
        p.type, std::span<const uint8_t>(bytes).subspan(r * row_bytes, row_bytes),
        std::span<float>(values).subspan(r * row_length, row_length));
    EXPECT_TRUE(status.ok()) << status.message();
  }
  return values;
}

TEST(DummyFill, EveryEncodingGivesBoundedCentredNonZeroValues) {
  for (GgmlType type : kTypes) {
    SCOPED_TRACE(std::string(quant::type_traits(type).name));
    const bool blocks = quant::type_traits(type).block_elems > 1;
    const uint64_t row_length = blocks ? 768 : 771;  // odd where the format allows it
    const dummy::FillParams p = dummy::fill_params(type, row_length, false, 11, 3);
    EXPECT_EQ(p.exponent, -5);  // 2^-5 ~ 1/sqrt(771)
    const std::vector<float> v = filled(p, 5, row_length);
    const double bound = std::ldexp(1.0, p.exponent);
    double sum = 0, squares = 0;
    size_t zeros = 0;
    for (float x : v) {
      ASSERT_TRUE(std::isfinite(x));
      ASSERT_LE(std::fabs(x), bound);
      zeros += x == 0.0f;
      sum += x;
      squares += double(x) * x;
    }
    const double mean = sum / v.size(), rms = std::sqrt(squares / v.size());
    EXPECT_LT(zeros, v.size() / 6);  // q4_0 and q8_0 map their lowest quant to 0
    EXPECT_LT(std::fabs(mean), 0.05 * bound);
    EXPECT_GT(rms, bound / 8);
  }
}

TEST(DummyFill, NormWeightsArePositiveAroundOne) {
  for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16}) {
    const std::vector<float> v = filled(dummy::fill_params(type, 577, true, 5, 1), 1, 577);
    for (float x : v) {
      ASSERT_GE(x, 0.5f);
      ASSERT_LT(x, 1.0f);
    }
  }
}

TEST(DummyFill, TheSeedAndTheWeightChooseTheBytes) {
  for (GgmlType type : kTypes) {
    SCOPED_TRACE(std::string(quant::type_traits(type).name));
    const auto a = filled(dummy::fill_params(type, 256, false, 1, 0), 3, 256);
    EXPECT_EQ(a, filled(dummy::fill_params(type, 256, false, 1, 0), 3, 256));
    EXPECT_NE(a, filled(dummy::fill_params(type, 256, false, 2, 0), 3, 256));
    EXPECT_NE(a, filled(dummy::fill_params(type, 256, false, 1, 1), 3, 256));
  }
}

TEST(DummyFill, Fp16PowersOfTwoIncludeSubnormals) {
  EXPECT_EQ(dummy::fp16_pow2(0), 0x3c00);
  EXPECT_EQ(dummy::fp16_pow2(-14), 0x0400);
  EXPECT_EQ(dummy::fp16_pow2(-15), 0x0200);
  EXPECT_EQ(dummy::fp16_pow2(-24), 0x0001);
  EXPECT_EQ(dummy::fp16_pow2(15), 0x7800);
}

// A SmolLM2-shaped dummy artifact, compiled once per seed.
class DummyArtifact : public ::testing::Test {
 protected:
  static std::string compile(uint64_t seed) {
    const std::string path =
        testing::temp_artifact_path("dummy_" + std::to_string(seed) + ".ingot");
    driver::CompileRequest request;
    request.dummy = driver::DummyModel{"llama", "smollm2-135m", seed};
    request.config.model_path = "dummy:smollm2-135m";
    request.config.quantization_encoding = arch::Encoding::kQ8_0;
    request.config.max_length = 256;
    const Status status = testing::compile_request(std::move(request), path);
    EXPECT_TRUE(status.ok()) << status.message();
    return path;
  }
  static void SetUpTestSuite() {
    seed0_ = compile(0);
    seed1_ = compile(1);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove(seed0_);
    std::filesystem::remove(seed1_);
  }

  /// The logits of every position of `tokens`, run in one step from an empty sequence.
  static std::vector<float> logits(const std::string& path, const std::vector<int32_t>& tokens) {
    device::ExecutorOptions options;
    options.max_context = 256;
    options.max_sequences = 1;
    auto engine = generate::Engine::open(path, options);
    EXPECT_TRUE(engine.ok()) << engine.status().message();
    if (!engine.ok()) return {};
    generate::Conversation conversation(**engine);
    std::vector<int32_t> rows(tokens.size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int32_t>(i);
    auto out = conversation.evaluate(tokens, rows);
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? *out : std::vector<float>{};
  }

  static inline std::string seed0_, seed1_;
};

TEST_F(DummyArtifact, HoldsNoSegmentAndFillsTheWeightsAtLoad) {
  EXPECT_LT(std::filesystem::file_size(seed0_), 1u << 20);
  auto artifact = artifact::Artifact::open(seed0_);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_TRUE(artifact->has_dummy_weights());
  EXPECT_TRUE(artifact->dummy_weights_filled());
  EXPECT_EQ(artifact->model().tokenizer(), nullptr);
  EXPECT_GT(artifact->model().weight_segment_size(), 70u << 20);
  // Every weight holds exactly the blocks fill_block makes.
  for (uint32_t i = 0; i < artifact->weight_count(); i += 17) {
    auto params = artifact::dummy_fill_params(artifact->model(), i, seed0_);
    ASSERT_TRUE(params.ok());
    const std::span<const uint8_t> bytes = artifact->weight_bytes(i);
    std::vector<uint8_t> block(params->block_bytes);
    for (uint64_t b : {uint64_t{0}, bytes.size() / params->block_bytes - 1}) {
      dummy::fill_block(*params, b, block.data());
      ASSERT_TRUE(std::equal(block.begin(), block.end(), bytes.begin() + b * block.size()))
          << "weight " << i << " block " << b;
    }
  }
  // A device that fills its own copy gets the table and reserved, unwritten host memory.
  auto reserved = artifact::Artifact::open(seed0_, {.fill_dummy_weights = false});
  ASSERT_TRUE(reserved.ok());
  EXPECT_FALSE(reserved->dummy_weights_filled());
  EXPECT_EQ(reserved->segment().size(), artifact->segment().size());
}

TEST_F(DummyArtifact, RefusesBytesAfterTheFlatBuffer) {
  const std::string path = testing::temp_artifact_path("dummy_trailing.ingot");
  std::filesystem::copy_file(seed0_, path, std::filesystem::copy_options::overwrite_existing);
  std::ofstream(path, std::ios::app | std::ios::binary) << "weights";
  auto artifact = artifact::Artifact::open(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(artifact.ok());
  EXPECT_NE(artifact.status().message().find("load_format"), std::string::npos)
      << artifact.status().message();
  EXPECT_NE(artifact.status().message().find("is dummy, but the file holds 7 bytes"),
            std::string::npos)
      << artifact.status().message();
}

TEST_F(DummyArtifact, RunsOnTheCpuWithFiniteLogitsThatTheSeedDecides) {
  const std::vector<int32_t> tokens = {1, 9038, 2114, 13, 44, 807, 31, 1995, 40001, 77, 5};
  const std::vector<float> a = logits(seed0_, tokens);
  ASSERT_EQ(a.size(), tokens.size() * 49152);
  double sum = 0, squares = 0;
  for (float x : a) {
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    squares += double(x) * x;
  }
  const double spread = std::sqrt(squares / a.size() - (sum / a.size()) * (sum / a.size()));
  EXPECT_GT(spread, 1e-3);  // the logits tell tokens apart
  EXPECT_EQ(a, logits(seed0_, tokens));  // the same seed, the same model
  EXPECT_NE(a, logits(seed1_, tokens));  // another seed, another model
}

TEST_F(DummyArtifact, StepAndSampleTakesOneSettingPerOutputRowAndNoLogitsBuffer) {
  device::ExecutorOptions options;
  options.max_context = 64;
  options.max_sequences = 2;
  auto engine = generate::Engine::open(seed0_, options);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  device::Executor& executor = (*engine)->executor();
  device::KvSequence a, b;
  const std::vector<int32_t> ta = {5, 6, 7}, tb = {8, 9};
  const std::vector<int32_t> rows_a = {1, 2}, rows_b = {1};
  const std::vector<device::SequenceChunk> chunks = {{ta, &a, rows_a}, {tb, &b, rows_b}};
  const device::BatchRequest request{chunks, nullptr};  // no host logits: they stay put
  std::vector<sampling::RowSampling> settings(3);
  settings[1].temperature = 0.0f;
  settings[2].top_k = 5;
  settings[2].uniform = 0.25;
  std::vector<int32_t> ids(3, -1);
  const Status short_settings =
      executor.step_and_sample(request, std::span(settings).first(2), ids);
  EXPECT_EQ(short_settings.code(), StatusCode::kInvalidArgument) << short_settings.message();
  EXPECT_EQ(a.length, 0);  // refused before running
  ASSERT_TRUE(executor.step_and_sample(request, settings, ids).ok());
  for (int32_t id : ids) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, executor.vocab_size());
  }
  EXPECT_EQ(a.length, 3);
  EXPECT_EQ(b.length, 2);
  executor.cache().release(a);
  executor.cache().release(b);
}

TEST_F(DummyArtifact, EveryAttentionFindsItsQueriesKeysAndValuesInTheProjection) {
  // What lets the CUDA device skip the splits: the compiler's plan and arena make each fused
  // attention's q, k and v the split's outputs, read by nothing else, with the projection's rows
  // intact while the attention writes.
  auto artifact = artifact::Artifact::open(seed0_, {.fill_dummy_weights = false});
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  auto plan = cpu::bind_plan(*artifact);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int attentions = 0;
  for (size_t i = 0; i < plan->kernels.size(); ++i) {
    const auto packed = cpu::packed_qkv(*plan, i);
    if (plan->kernels[i].name != "fused_attention") {
      EXPECT_FALSE(packed) << i;
      continue;
    }
    ++attentions;
    ASSERT_TRUE(packed) << "kernel " << i;
    EXPECT_EQ(packed->split, i - 1);
    EXPECT_EQ(packed->offset, plan->input_offsets[i - 1][0]);
    EXPECT_EQ(packed->width, 9 * 64 + 2 * 3 * 64);
  }
  EXPECT_EQ(attentions, 30);
  // Another reader of a split output, or an attention output over the projection, keeps the
  // split. Kernels: embedding, rms_norm, matmul, split, fused_attention (4), matmul (5).
  constexpr size_t kFirst = 4;
  ASSERT_EQ(plan->kernels[kFirst].name, "fused_attention");
  cpu::BoundPlan edited = std::move(*plan);
  const uint64_t queries = edited.output_offsets[kFirst - 1][0];
  const uint64_t attended = edited.input_offsets[kFirst + 1][0];
  edited.input_offsets[kFirst + 1][0] = queries;  // the output projection reads the queries
  EXPECT_FALSE(cpu::packed_qkv(edited, kFirst));
  edited.input_offsets[kFirst + 1][0] = attended;
  ASSERT_TRUE(cpu::packed_qkv(edited, kFirst));
  edited.output_offsets[kFirst][0] = edited.input_offsets[kFirst - 1][0] + 1;
  EXPECT_FALSE(cpu::packed_qkv(edited, kFirst));

  // read_qkv_in_place points the attentions at the columns and skips the splits.
  auto in_place = cpu::bind_plan(*artifact);
  ASSERT_TRUE(in_place.ok());
  cpu::read_qkv_in_place(*in_place);
  for (size_t i = 0; i < in_place->kernels.size(); ++i) {
    const auto& kernel = in_place->kernels[i];
    EXPECT_EQ(kernel.skipped, kernel.name == "split") << i;
    if (kernel.name != "fused_attention") continue;
    EXPECT_EQ(kernel.qkv_stride, 960);
    const uint64_t rows = in_place->input_offsets[i - 1][0];
    EXPECT_EQ(in_place->input_offsets[i][0], rows);
    EXPECT_EQ(in_place->input_offsets[i][1], rows + 576);
    EXPECT_EQ(in_place->input_offsets[i][2], rows + 576 + 192);
  }
}

TEST_F(DummyArtifact, ThePipelineServesItOnTokenIds) {
  device::ExecutorOptions options;
  options.max_context = 256;
  options.max_sequences = 4;
  auto engine = generate::Engine::open(seed0_, options);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_FALSE((*engine)->has_tokenizer());
  auto pipe = pipeline::TextGenerationPipeline::create(**engine, {});
  ASSERT_TRUE(pipe.ok()) << pipe.status().message();
  pipeline::Scheduler scheduler(**pipe);
  pipeline::TextRequest stop;
  stop.request_id = "stop";
  stop.prompt = {5, 6, 7};
  stop.sampling.stop = {"\n"};
  EXPECT_FALSE(scheduler.submit(stop).ok());  // stop strings need a tokenizer
  pipeline::TextRequest request;
  request.request_id = "ids";
  request.prompt = {5, 6, 7, 8, 9};
  request.sampling.temperature = 0.0f;
  request.sampling.max_new_tokens = 6;
  ASSERT_TRUE(scheduler.submit(request).ok());
  size_t tokens = 0;
  while (!scheduler.idle()) {
    auto responses = scheduler.run_once();
    ASSERT_TRUE(responses.ok()) << responses.status().message();
    for (auto& [id, r] : *responses) tokens += r.tokens.size();
  }
  EXPECT_EQ(tokens, 6u);
}

}  // namespace
}  // namespace ingot
