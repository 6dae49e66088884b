// compiler/config: resolve() against an architecture, MAX's defaulting and every error.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "compiler/config/resolve.h"

namespace ingot::config {
namespace {

using arch::CacheStrategy;
using arch::Encoding;
using arch::RopeType;

constexpr int64_t kContext = 8192;

arch::SupportedArchitecture llama() {
  arch::SupportedArchitecture arch;
  arch.name = "LlamaForCausalLM";
  arch.default_encoding = Encoding::kQ4_K;
  arch.supported_encodings = {
      {Encoding::kFloat32, {CacheStrategy::kPaged}},
      {Encoding::kBfloat16, {CacheStrategy::kPaged}},
      {Encoding::kQ4_K, {CacheStrategy::kPaged, CacheStrategy::kContinuous}},
      {Encoding::kQ6_K, {CacheStrategy::kContinuous, CacheStrategy::kPaged}},
      {Encoding::kQ8_0, {}},
  };
  arch.rope_type = RopeType::kNormal;
  return arch;
}

std::string error_of(CompileConfig config, const arch::SupportedArchitecture& arch = llama(),
                     int64_t context = kContext) {
  Status status = resolve(config, arch, context);
  return status.ok() ? "" : status.message();
}

TEST(Resolve, DefaultsComeFromTheArchitectureAndModel) {
  CompileConfig config;
  ASSERT_EQ(error_of(config), "");
  ASSERT_TRUE(resolve(config, llama(), kContext).ok());
  EXPECT_EQ(config.quantization_encoding, Encoding::kQ4_K);
  EXPECT_EQ(config.rope_type, RopeType::kNormal);
  EXPECT_EQ(config.kv_cache.cache_strategy, CacheStrategy::kPaged);  // first for q4_k
  EXPECT_EQ(config.kv_cache.cache_dtype, CacheDType::kFloat32);     // MAX: q4_k -> float32
  EXPECT_EQ(config.max_length, kContext);
  EXPECT_FALSE(config.served_model_name.has_value());
}

TEST(Resolve, ExplicitValuesAreKept) {
  CompileConfig config;
  config.quantization_encoding = Encoding::kQ6_K;
  config.rope_type = RopeType::kNeox;
  config.max_length = 1024;
  config.kv_cache.cache_strategy = CacheStrategy::kPaged;
  config.kv_cache.cache_dtype = CacheDType::kBfloat16;
  ASSERT_TRUE(resolve(config, llama(), kContext).ok());
  EXPECT_EQ(config.quantization_encoding, Encoding::kQ6_K);
  EXPECT_EQ(config.rope_type, RopeType::kNeox);
  EXPECT_EQ(config.max_length, 1024);
  EXPECT_EQ(config.kv_cache.cache_strategy, CacheStrategy::kPaged);
  EXPECT_EQ(config.kv_cache.cache_dtype, CacheDType::kBfloat16);  // explicit beats derived
}

TEST(Resolve, ModelDefaultStrategyIsTheEncodingsFirst) {
  CompileConfig config;
  config.quantization_encoding = Encoding::kQ6_K;
  ASSERT_TRUE(resolve(config, llama(), kContext).ok());
  EXPECT_EQ(config.kv_cache.cache_strategy, CacheStrategy::kContinuous);
}

TEST(Resolve, CacheDtypeDerivesFromTheResolvedEncoding) {
  CompileConfig config;
  config.quantization_encoding = Encoding::kBfloat16;
  ASSERT_TRUE(resolve(config, llama(), kContext).ok());
  EXPECT_EQ(config.kv_cache.cache_dtype, CacheDType::kBfloat16);
}

TEST(Resolve, UnsupportedEncodingListsTheSupportedOnes) {
  CompileConfig config;
  config.quantization_encoding = Encoding::kGptq;
  EXPECT_EQ(error_of(config),
            "--encoding: gptq is not supported by LlamaForCausalLM (supported: float32, "
            "bfloat16, q4_k, q6_k, q8_0)");
  arch::SupportedArchitecture empty = llama();
  empty.supported_encodings.clear();
  EXPECT_EQ(error_of(CompileConfig(), empty),
            "--encoding: q4_k is not supported by LlamaForCausalLM (supported: none)");
}

TEST(Resolve, CacheStrategyErrors) {
  CompileConfig config;
  config.quantization_encoding = Encoding::kFloat32;
  config.kv_cache.cache_strategy = CacheStrategy::kContinuous;
  EXPECT_EQ(error_of(config),
            "--cache-strategy: continuous is not supported by LlamaForCausalLM with float32 "
            "(supported: paged)");
  CompileConfig no_strategy;
  no_strategy.quantization_encoding = Encoding::kQ8_0;
  EXPECT_EQ(error_of(no_strategy),
            "--cache-strategy: LlamaForCausalLM lists no cache strategy for q8_0");
}

TEST(Resolve, CastNeedsAnExplicitEncoding) {
  CompileConfig config;
  config.allow_safetensors_weights_fp32_bf16_bidirectional_cast = true;
  EXPECT_EQ(error_of(config),
            "--allow-safetensors-weights-fp32-bf16-bidirectional-cast: needs --encoding (MAX: "
            "--quantization-encoding must be provided)");
  config.quantization_encoding = Encoding::kBfloat16;
  EXPECT_EQ(error_of(config), "");
}

TEST(Resolve, SafetensorsFloatCastsNeedTheFlag) {
  CompileConfig config;
  const auto cast_error = [&](std::optional<Encoding> stored) {
    Status status = check_safetensors_cast(config, stored);
    return status.ok() ? std::string() : status.message();
  };
  EXPECT_EQ(cast_error(Encoding::kFloat32), "");  // no --encoding: the weights keep their dtype
  config.quantization_encoding = Encoding::kBfloat16;
  EXPECT_EQ(cast_error(Encoding::kFloat32),
            "--encoding: bfloat16 would cast the float32 safetensors weights; pass "
            "--allow-safetensors-weights-fp32-bf16-bidirectional-cast");
  EXPECT_EQ(cast_error(Encoding::kBfloat16), "");
  EXPECT_EQ(cast_error(std::nullopt), "");  // a GGUF: the rule does not apply
  config.quantization_encoding = Encoding::kQ8_0;
  EXPECT_EQ(cast_error(Encoding::kFloat32), "");  // requantizing is not a float cast
  config.quantization_encoding = Encoding::kFloat32;
  EXPECT_NE(cast_error(Encoding::kBfloat16), "");
  config.allow_safetensors_weights_fp32_bf16_bidirectional_cast = true;
  EXPECT_EQ(cast_error(Encoding::kBfloat16), "");
}

TEST(Resolve, RopeTypeMustFitTheArchitecture) {
  CompileConfig none;
  none.rope_type = RopeType::kNone;
  EXPECT_EQ(error_of(none),
            "--rope-type: none would drop LlamaForCausalLM's rotary position embedding "
            "(LlamaForCausalLM's rope_type is normal)");
  CompileConfig yarn;
  yarn.rope_type = RopeType::kYarn;
  EXPECT_EQ(error_of(yarn),
            "--rope-type: yarn does not fit LlamaForCausalLM; only normal and neox may replace "
            "each other (LlamaForCausalLM's rope_type is normal)");

  arch::SupportedArchitecture no_rope = llama();
  no_rope.name = "NoRope";
  no_rope.rope_type = RopeType::kNone;
  CompileConfig neox;
  neox.rope_type = RopeType::kNeox;
  EXPECT_EQ(error_of(neox, no_rope),
            "--rope-type: neox does not apply: NoRope has no rotary embedding (NoRope's "
            "rope_type is none)");
  CompileConfig same;
  same.rope_type = RopeType::kNone;
  EXPECT_EQ(error_of(same, no_rope), "");

  arch::SupportedArchitecture longrope = llama();
  longrope.rope_type = RopeType::kLongrope;
  CompileConfig restated;
  restated.rope_type = RopeType::kLongrope;
  EXPECT_EQ(error_of(restated, longrope), "");
  CompileConfig normal;
  normal.rope_type = RopeType::kNormal;
  EXPECT_NE(error_of(normal, longrope).find("only normal and neox may replace each other"),
            std::string::npos);
}

TEST(Resolve, MaxLengthBounds) {
  CompileConfig zero;
  zero.max_length = 0;
  EXPECT_EQ(error_of(zero), "--max-length: must be positive, got 0");
  CompileConfig negative;
  negative.max_length = -5;
  EXPECT_EQ(error_of(negative), "--max-length: must be positive, got -5");
  CompileConfig too_long;
  too_long.max_length = kContext + 1;
  EXPECT_EQ(error_of(too_long),
            "--max-length: 8193 exceeds the model's context length (max position embeddings) "
            "of 8192");
  CompileConfig exact;
  exact.max_length = kContext;
  EXPECT_EQ(error_of(exact), "");
  EXPECT_EQ(error_of(CompileConfig(), llama(), 0),
            "--max-length: not set, and the model does not state its context length; pass "
            "--max-length");
  CompileConfig unknown_context;
  unknown_context.max_length = 100000;
  EXPECT_EQ(error_of(unknown_context, llama(), 0), "");
}

TEST(Resolve, PageSizeMustBeAPositiveMultipleOf128) {
  for (int64_t bad : {int64_t{0}, int64_t{-128}, int64_t{100}, int64_t{129}}) {
    CompileConfig config;
    config.kv_cache.kv_cache_page_size = bad;
    EXPECT_EQ(error_of(config), "--kv-cache-page-size: must be a positive multiple of 128, got " +
                                    std::to_string(bad));
  }
  CompileConfig good;
  good.kv_cache.kv_cache_page_size = 512;
  EXPECT_EQ(error_of(good), "");
}

TEST(Resolve, DeviceMemoryUtilizationInHalfOpenUnitInterval) {
  for (double bad : {0.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    CompileConfig config;
    config.kv_cache.device_memory_utilization = bad;
    std::string message = error_of(config);
    EXPECT_EQ(message.rfind("--device-memory-utilization: must be in (0, 1], got ", 0), 0u)
        << message;
  }
  CompileConfig one;
  one.kv_cache.device_memory_utilization = 1.0;
  EXPECT_EQ(error_of(one), "");
  CompileConfig bad;
  bad.kv_cache.device_memory_utilization = 1.5;
  EXPECT_EQ(error_of(bad), "--device-memory-utilization: must be in (0, 1], got 1.5");
}

TEST(Resolve, OverrideEncodingsMustBeSupportedAndPatternsUnique) {
  CompileConfig unsupported;
  unsupported.overrides = {{"output.weight", Encoding::kQ4_1}};
  EXPECT_EQ(error_of(unsupported),
            "--encoding-override: 'output.weight=q4_1': q4_1 is not supported by "
            "LlamaForCausalLM (supported: float32, bfloat16, q4_k, q6_k, q8_0)");
  CompileConfig twice;
  twice.overrides = {{"blk.*", Encoding::kQ6_K}, {"blk.*", Encoding::kQ8_0}};
  EXPECT_EQ(error_of(twice), "--encoding-override: pattern 'blk.*' is given twice");
  CompileConfig good;
  good.overrides = {{"output.weight", Encoding::kQ8_0}, {"blk.*.ffn_down.weight", Encoding::kQ6_K}};
  EXPECT_EQ(error_of(good), "");
}

}  // namespace
}  // namespace ingot::config
