// compiler/config: defaults, enum names, MAX's cache dtype table, encoding overrides.
#include <gtest/gtest.h>

#include "compiler/arch/supported_architecture.h"
#include "compiler/config/cache_dtype.h"
#include "compiler/config/compile_config.h"
#include "compiler/config/encoding_override.h"

namespace ingot::config {
namespace {

using arch::CacheStrategy;
using arch::Encoding;
using arch::RopeType;

TEST(CompileConfigDefaults, MatchMaxDefaults) {
  CompileConfig config;
  EXPECT_EQ(config.model_path, "");
  EXPECT_TRUE(config.weight_path.empty());
  EXPECT_FALSE(config.quantization_encoding.has_value());
  EXPECT_FALSE(config.rope_type.has_value());
  EXPECT_FALSE(config.max_length.has_value());
  EXPECT_FALSE(config.served_model_name.has_value());
  EXPECT_FALSE(config.allow_safetensors_weights_fp32_bf16_bidirectional_cast);
  EXPECT_FALSE(config.config_file.has_value());
  EXPECT_FALSE(config.section_name.has_value());
  EXPECT_EQ(config.kv_cache.cache_strategy, CacheStrategy::kModelDefault);
  EXPECT_EQ(config.kv_cache.kv_cache_page_size, 128);
  EXPECT_FALSE(config.kv_cache.enable_prefix_caching);
  EXPECT_DOUBLE_EQ(config.kv_cache.device_memory_utilization, 0.9);
  EXPECT_FALSE(config.kv_cache.cache_dtype.has_value());
  EXPECT_TRUE(config.overrides.empty());
}

TEST(CompileConfigNames, EncodingRoundTrip) {
  const char* expected[] = {"float32", "bfloat16", "f16",  "q4_k",          "q4_0",
                            "q4_1",    "q6_k",     "q8_0", "float8_e4m3fn", "float4_e2m1fnx2",
                            "gptq"};
  ASSERT_EQ(arch::all_encodings().size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    Encoding encoding = arch::all_encodings()[i];
    EXPECT_EQ(arch::encoding_name(encoding), expected[i]);
    Encoding parsed = Encoding::kGptq;
    ASSERT_TRUE(arch::parse_encoding(expected[i], parsed)) << expected[i];
    EXPECT_EQ(parsed, encoding);
  }
  Encoding out;
  EXPECT_FALSE(arch::parse_encoding("Q4_K", out));
  EXPECT_FALSE(arch::parse_encoding("q5_k", out));
  EXPECT_FALSE(arch::parse_encoding("", out));
}

TEST(CompileConfigNames, RopeTypeRoundTrip) {
  const char* expected[] = {"none", "normal", "neox", "longrope", "yarn"};
  ASSERT_EQ(arch::all_rope_types().size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    RopeType rope = arch::all_rope_types()[i];
    EXPECT_EQ(arch::rope_type_name(rope), expected[i]);
    RopeType parsed = RopeType::kYarn;
    ASSERT_TRUE(arch::parse_rope_type(expected[i], parsed));
    EXPECT_EQ(parsed, rope);
  }
  RopeType out;
  EXPECT_FALSE(arch::parse_rope_type("llama3", out));
}

TEST(CompileConfigNames, CacheStrategyRoundTrip) {
  const char* expected[] = {"model_default", "continuous", "paged"};
  ASSERT_EQ(arch::all_cache_strategies().size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    CacheStrategy strategy = arch::all_cache_strategies()[i];
    EXPECT_EQ(arch::cache_strategy_name(strategy), expected[i]);
    CacheStrategy parsed = CacheStrategy::kPaged;
    ASSERT_TRUE(arch::parse_cache_strategy(expected[i], parsed));
    EXPECT_EQ(parsed, strategy);
  }
  CacheStrategy out;
  EXPECT_FALSE(arch::parse_cache_strategy("naive", out));
}

TEST(CompileConfigNames, WeightsFormatRoundTrip) {
  const char* expected[] = {"gguf", "safetensors"};
  ASSERT_EQ(arch::all_weights_formats().size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    arch::WeightsFormat format = arch::all_weights_formats()[i];
    EXPECT_EQ(arch::weights_format_name(format), expected[i]);
    arch::WeightsFormat parsed = arch::WeightsFormat::kSafetensors;
    ASSERT_TRUE(arch::parse_weights_format(expected[i], parsed));
    EXPECT_EQ(parsed, format);
  }
  arch::WeightsFormat out;
  EXPECT_FALSE(arch::parse_weights_format("pytorch", out));
}

TEST(CompileConfigNames, CacheDTypeRoundTripAnyCase) {
  const char* expected[] = {"float32", "bfloat16", "float16", "float8_e4m3fn"};
  ASSERT_EQ(all_cache_dtypes().size(), std::size(expected));
  for (size_t i = 0; i < std::size(expected); ++i) {
    CacheDType dtype = all_cache_dtypes()[i];
    EXPECT_EQ(cache_dtype_name(dtype), expected[i]);
    CacheDType parsed = CacheDType::kFloat8E4M3FN;
    ASSERT_TRUE(parse_cache_dtype(expected[i], parsed));
    EXPECT_EQ(parsed, dtype);
  }
  CacheDType parsed = CacheDType::kFloat32;
  ASSERT_TRUE(parse_cache_dtype("BFloat16", parsed));  // MAX lower-cases kv_cache_format.
  EXPECT_EQ(parsed, CacheDType::kBfloat16);
  EXPECT_FALSE(parse_cache_dtype("fp16", parsed));
}

// MAX's set_cache_dtype_given_quantization_encoding, plus ingot's f16, q4_1 and q8_0.
TEST(CacheDTypeForEncoding, MaxTableForEveryEncoding) {
  struct Row {
    Encoding encoding;
    CacheDType dtype;
  };
  const Row table[] = {
      {Encoding::kFloat32, CacheDType::kFloat32},
      {Encoding::kBfloat16, CacheDType::kBfloat16},
      {Encoding::kFloat16, CacheDType::kFloat16},
      {Encoding::kQ4_K, CacheDType::kFloat32},
      {Encoding::kQ4_0, CacheDType::kFloat32},
      {Encoding::kQ4_1, CacheDType::kFloat32},
      {Encoding::kQ6_K, CacheDType::kFloat32},
      {Encoding::kQ8_0, CacheDType::kFloat32},
      {Encoding::kFloat8E4M3FN, CacheDType::kBfloat16},
      {Encoding::kFloat4E2M1FNx2, CacheDType::kBfloat16},
      {Encoding::kGptq, CacheDType::kBfloat16},
  };
  ASSERT_EQ(std::size(table), arch::all_encodings().size());
  for (const Row& row : table) {
    EXPECT_EQ(cache_dtype_for_encoding(row.encoding), row.dtype)
        << arch::encoding_name(row.encoding);
  }
  EXPECT_EQ(cache_dtype_for_encoding(std::nullopt), CacheDType::kFloat32);
}

TEST(EncodingOverride, ParsesPatternAndEncoding) {
  Result<EncodingOverride> parsed = parse_encoding_override("blk.*.ffn_down.weight=q6_k");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->pattern, "blk.*.ffn_down.weight");
  EXPECT_EQ(parsed->encoding, Encoding::kQ6_K);
  EXPECT_EQ(encoding_override_text(*parsed), "blk.*.ffn_down.weight=q6_k");
  // Split at the last '=': a pattern may itself hold one.
  Result<EncodingOverride> with_equals = parse_encoding_override("a=b=q8_0");
  ASSERT_TRUE(with_equals.ok());
  EXPECT_EQ(with_equals->pattern, "a=b");
}

TEST(EncodingOverride, RejectsMalformedText) {
  EXPECT_EQ(parse_encoding_override("output.weight").status().message(),
            "'output.weight' is not PATTERN=ENCODING");
  EXPECT_EQ(parse_encoding_override("=q8_0").status().message(),
            "'=q8_0' has an empty tensor name pattern");
  std::string message = parse_encoding_override("output.weight=q5_0").status().message();
  EXPECT_EQ(message.rfind("'q5_0' is not an encoding (one of: float32, bfloat16", 0), 0u)
      << message;
}

TEST(GlobMatch, StarQuestionAndLiterals) {
  EXPECT_TRUE(glob_match("output.weight", "output.weight"));
  EXPECT_FALSE(glob_match("output.weight", "output.weight2"));
  EXPECT_TRUE(glob_match("blk.*.ffn_down.weight", "blk.0.ffn_down.weight"));
  EXPECT_TRUE(glob_match("blk.*.ffn_down.weight", "blk.29.ffn_down.weight"));
  EXPECT_FALSE(glob_match("blk.*.ffn_down.weight", "blk.0.ffn_up.weight"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*.weight", "blk.1.attn_q.weight"));  // '*' crosses dots.
  EXPECT_TRUE(glob_match("blk.?.attn_*", "blk.7.attn_k.weight"));
  EXPECT_FALSE(glob_match("blk.?.attn_*", "blk.17.attn_k.weight"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
  EXPECT_FALSE(glob_match("", "x"));
}

TEST(CompileConfig, EncodingForTensorFirstMatchWins) {
  CompileConfig config;
  config.quantization_encoding = Encoding::kQ4_K;
  config.overrides = {{"output.weight", Encoding::kQ8_0},
                      {"blk.*.ffn_down.weight", Encoding::kQ6_K},
                      {"blk.*", Encoding::kQ4_0}};
  EXPECT_EQ(config.encoding_for_tensor("output.weight"), Encoding::kQ8_0);
  EXPECT_EQ(config.encoding_for_tensor("blk.3.ffn_down.weight"), Encoding::kQ6_K);
  EXPECT_EQ(config.encoding_for_tensor("blk.3.attn_q.weight"), Encoding::kQ4_0);
  EXPECT_EQ(config.encoding_for_tensor("token_embd.weight"), Encoding::kQ4_K);
}

TEST(CompileConfig, ModelNameIsServedNameOrPath) {
  CompileConfig config;
  config.model_path = "models/smollm2.gguf";
  EXPECT_EQ(config.model_name(), "models/smollm2.gguf");
  config.served_model_name = "smollm2";
  EXPECT_EQ(config.model_name(), "smollm2");
}

}  // namespace
}  // namespace ingot::config
