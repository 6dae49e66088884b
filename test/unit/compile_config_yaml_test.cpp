// compiler/config: the YAML config file (MAX keys, sections, errors with line numbers).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "compiler/config/config_file.h"
#include "compiler/config/value_text.h"

namespace ingot::config {
namespace {

using arch::CacheStrategy;
using arch::Encoding;
using arch::RopeType;

// Applies `yaml` (labelled "cfg.yaml") onto a default config; returns the error or "".
std::string apply_text(const std::string& yaml, CompileConfig& config,
                  std::optional<std::string> section = std::nullopt) {
  Status status = apply_config_yaml(yaml, "cfg.yaml", section, config);
  return status.ok() ? "" : status.message();
}

std::string error_of(const std::string& yaml, std::optional<std::string> section = std::nullopt) {
  CompileConfig config;
  return apply_text(yaml, config, section);
}

TEST(ConfigYaml, ReadsEveryMaxKey) {
  CompileConfig config;
  ASSERT_EQ(apply_text("model_path: models/m.gguf\n"
                  "weight_path: [a.safetensors, b.safetensors]\n"
                  "quantization_encoding: q4_k\n"
                  "rope_type: neox\n"
                  "max_length: 2048\n"
                  "served_model_name: tiny\n"
                  "allow_safetensors_weights_fp32_bf6_bidirectional_cast: true\n"
                  "cache_strategy: paged\n"
                  "kv_cache_page_size: 256\n"
                  "enable_prefix_caching: yes\n"
                  "device_memory_utilization: 0.5\n"
                  "cache_dtype: bfloat16\n"
                  "overrides: ['output.weight=q8_0', 'blk.*.ffn_down.weight=q6_k']\n",
                  config),
            "");
  EXPECT_EQ(config.model_path, "models/m.gguf");
  EXPECT_EQ(config.weight_path, (std::vector<std::string>{"a.safetensors", "b.safetensors"}));
  EXPECT_EQ(config.quantization_encoding, Encoding::kQ4_K);
  EXPECT_EQ(config.rope_type, RopeType::kNeox);
  EXPECT_EQ(config.max_length, 2048);
  EXPECT_EQ(config.served_model_name, "tiny");
  EXPECT_TRUE(config.allow_safetensors_weights_fp32_bf16_bidirectional_cast);
  EXPECT_EQ(config.kv_cache.cache_strategy, CacheStrategy::kPaged);
  EXPECT_EQ(config.kv_cache.kv_cache_page_size, 256);
  EXPECT_TRUE(config.kv_cache.enable_prefix_caching);
  EXPECT_DOUBLE_EQ(config.kv_cache.device_memory_utilization, 0.5);
  EXPECT_EQ(config.kv_cache.cache_dtype, CacheDType::kBfloat16);
  ASSERT_EQ(config.overrides.size(), 2u);
  EXPECT_EQ(config.overrides[1], (EncodingOverride{"blk.*.ffn_down.weight", Encoding::kQ6_K}));
}

TEST(ConfigYaml, AcceptsCorrectedCastSpellingAndKvCacheFormat) {
  CompileConfig config;
  ASSERT_EQ(apply_text("allow_safetensors_weights_fp32_bf16_bidirectional_cast: true\n"
                  "kv_cache_format: FLOAT8_E4M3FN\n",
                  config),
            "");
  EXPECT_TRUE(config.allow_safetensors_weights_fp32_bf16_bidirectional_cast);
  EXPECT_EQ(config.kv_cache.cache_dtype, CacheDType::kFloat8E4M3FN);
}

TEST(ConfigYaml, KvCacheKeysMayNestUnderKvCache) {
  CompileConfig config;
  ASSERT_EQ(apply_text("kv_cache:\n  cache_strategy: continuous\n  kv_cache_page_size: 512\n", config),
            "");
  EXPECT_EQ(config.kv_cache.cache_strategy, CacheStrategy::kContinuous);
  EXPECT_EQ(config.kv_cache.kv_cache_page_size, 512);
}

TEST(ConfigYaml, OverridesAsMappingAndSingleValue) {
  CompileConfig config;
  ASSERT_EQ(apply_text("overrides:\n  output.weight: q8_0\n  'blk.*': q4_0\n", config), "");
  ASSERT_EQ(config.overrides.size(), 2u);
  EXPECT_EQ(config.overrides[0], (EncodingOverride{"output.weight", Encoding::kQ8_0}));
  EXPECT_EQ(config.overrides[1], (EncodingOverride{"blk.*", Encoding::kQ4_0}));
  ASSERT_EQ(apply_text("weight_path: one.gguf\n", config), "");
  EXPECT_EQ(config.weight_path, std::vector<std::string>{"one.gguf"});
}

TEST(ConfigYaml, NullResetsOptionalFields) {
  CompileConfig config;
  config.max_length = 100;
  config.quantization_encoding = Encoding::kQ4_0;
  ASSERT_EQ(apply_text("max_length: ~\nquantization_encoding: null\n", config), "");
  EXPECT_FALSE(config.max_length.has_value());
  EXPECT_FALSE(config.quantization_encoding.has_value());
}

TEST(ConfigYaml, EmptyDocumentChangesNothing) {
  CompileConfig config;
  ASSERT_EQ(apply_text("", config), "");
  ASSERT_EQ(apply_text("# only a comment\n", config), "");
  EXPECT_TRUE(config == CompileConfig()) << to_yaml(config);
}

TEST(ConfigYaml, SectionSelectsOneMapping) {
  const std::string yaml =
      "draft:\n  max_length: 512\n"
      "main:\n  max_length: 4096\n  kv_cache:\n    kv_cache_page_size: 256\n";
  CompileConfig config;
  ASSERT_EQ(apply_text(yaml, config, "main"), "");
  EXPECT_EQ(config.max_length, 4096);
  EXPECT_EQ(config.kv_cache.kv_cache_page_size, 256);
  EXPECT_EQ(error_of(yaml, "other"), "cfg.yaml: section 'other' not found (sections: draft, main)");
  EXPECT_EQ(error_of("main:\n", "main"), "cfg.yaml:1: main: section is empty");
  EXPECT_EQ(error_of("main: 3\n", "main"),
            "cfg.yaml:1: main: expected the section to be a mapping, got a single value");
  // Without --section-name the sections are unknown top-level keys, as in MAX.
  EXPECT_EQ(error_of(yaml), "cfg.yaml:1: draft: unknown option");
}

TEST(ConfigYaml, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(error_of("max_length: 10\nbogus: 1\n"), "cfg.yaml:2: bogus: unknown option");
  EXPECT_EQ(error_of("\n\nmax_length: abc\n"), "cfg.yaml:3: max_length: 'abc' is not an integer");
  EXPECT_EQ(error_of("max_length: 1.5\n"), "cfg.yaml:1: max_length: '1.5' is not an integer");
  EXPECT_EQ(error_of("max_length: 99999999999999999999\n"),
            "cfg.yaml:1: max_length: '99999999999999999999' is not an int64 integer");
  EXPECT_EQ(error_of("max_length: [1, 2]\n"),
            "cfg.yaml:1: max_length: expected a single value, got a list");
  EXPECT_EQ(error_of("enable_prefix_caching: maybe\n"),
            "cfg.yaml:1: enable_prefix_caching: 'maybe' is not a boolean (true or false)");
  EXPECT_EQ(error_of("device_memory_utilization: lots\n"),
            "cfg.yaml:1: device_memory_utilization: 'lots' is not a finite number");
  EXPECT_EQ(error_of("device_memory_utilization: .inf\n"),
            "cfg.yaml:1: device_memory_utilization: '.inf' is not a finite number");
  EXPECT_EQ(error_of("rope_type: llama3\n"),
            "cfg.yaml:1: rope_type: 'llama3' is not a rope type (one of: none, normal, neox, "
            "longrope, yarn)");
  EXPECT_EQ(error_of("cache_strategy: naive\n"),
            "cfg.yaml:1: cache_strategy: 'naive' is not a cache strategy (one of: "
            "model_default, continuous, paged)");
  EXPECT_EQ(error_of("cache_dtype: fp8\n"),
            "cfg.yaml:1: cache_dtype: 'fp8' is not a cache dtype (one of: float32, bfloat16, "
            "float16, float8_e4m3fn)");
  EXPECT_EQ(error_of("quantization_encoding: q5_k\n"),
            "cfg.yaml:1: quantization_encoding: 'q5_k' is not an encoding (one of: float32, "
            "bfloat16, f16, q4_k, q4_0, q4_1, q6_k, q8_0, float8_e4m3fn, float4_e2m1fnx2, "
            "gptq)");
  EXPECT_EQ(error_of("kv_cache_page_size:\n"), "cfg.yaml:1: kv_cache_page_size: needs a value");
  EXPECT_EQ(error_of("overrides:\n  - output.weight\n"),
            "cfg.yaml:2: overrides: 'output.weight' is not PATTERN=ENCODING");
  EXPECT_EQ(error_of("overrides: {a: [q8_0]}\n"),
            "cfg.yaml:1: overrides: expected PATTERN: ENCODING entries");
  EXPECT_EQ(error_of("weight_path: {a: b}\n"),
            "cfg.yaml:1: weight_path: expected a list, got a mapping");
  EXPECT_EQ(error_of("weight_path: [[a]]\n"),
            "cfg.yaml:1: weight_path: expected list items to be single values, got a list");
}

TEST(ConfigYaml, StructuralErrors) {
  EXPECT_EQ(error_of("- a\n- b\n"),
            "cfg.yaml:1: expected a mapping of option names, got a list");
  EXPECT_EQ(error_of("max_length: 1\nmax_length: 2\n"),
            "cfg.yaml:2: max_length: is set twice (first at line 1)");
  EXPECT_EQ(error_of("cache_dtype: float32\nkv_cache:\n  kv_cache_format: bfloat16\n"),
            "cfg.yaml:3: kv_cache.kv_cache_format: is set twice (first at line 1)");
  EXPECT_EQ(error_of("kv_cache:\n  max_length: 5\n"),
            "cfg.yaml:2: kv_cache.max_length: is not a KV cache option; put it at the top level");
  EXPECT_EQ(error_of("kv_cache: 5\n"), "cfg.yaml:1: kv_cache: expected a mapping, got a single value");
  EXPECT_EQ(error_of("trust_remote_code: true\n"),
            "cfg.yaml:1: trust_remote_code: is a MAX option ingot does not use");
  EXPECT_EQ(error_of("config_file: other.yaml\n"),
            "cfg.yaml:1: config_file: cannot be set inside a config file");
  EXPECT_EQ(error_of("[1, 2]: x\n"), "cfg.yaml:1: expected an option name, got a list");
}

TEST(ConfigYaml, SyntaxErrorCarriesLine) {
  std::string message = error_of("max_length: 1\nrope_type: [neox\n");
  EXPECT_EQ(message.rfind("cfg.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find("YAML syntax error"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(ConfigYaml, FileErrorsAndRealFile) {
  CompileConfig config;
  Status missing = apply_config_file("/nonexistent/ingot.yaml", std::nullopt, config);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            "/nonexistent/ingot.yaml: cannot open: No such file or directory");
  // A directory once read as an empty config, so the flags alone applied without a word.
  const std::string dir = testing::TempDir();
  Status directory = apply_config_file(dir, std::nullopt, config);
  EXPECT_EQ(directory.message(), dir + ": is a directory, not a file");

  std::string path = testing::TempDir() + "/compile_config_yaml_test.yaml";
  {
    std::ofstream out(path);
    out << "model:\n  max_length: 1024\n  bad_key: 1\n";
  }
  Status status = apply_config_file(path, std::string("model"), config);
  EXPECT_EQ(status.message(), path + ":3: bad_key: unknown option");
  std::remove(path.c_str());
}

TEST(ConfigYaml, ToYamlRoundTrips) {
  CompileConfig config;
  config.model_path = "m.gguf";
  config.weight_path = {"a.safetensors"};
  config.quantization_encoding = Encoding::kFloat4E2M1FNx2;
  config.rope_type = RopeType::kYarn;
  config.max_length = 777;
  config.served_model_name = "123";
  config.allow_safetensors_weights_fp32_bf16_bidirectional_cast = true;
  config.kv_cache.cache_strategy = CacheStrategy::kContinuous;
  config.kv_cache.kv_cache_page_size = 384;
  config.kv_cache.enable_prefix_caching = true;
  config.kv_cache.device_memory_utilization = 0.3;
  config.kv_cache.cache_dtype = CacheDType::kFloat16;
  config.overrides = {{"blk.*.ffn_down.weight", Encoding::kQ6_K}};
  std::string yaml = to_yaml(config);
  CompileConfig read_back;
  ASSERT_EQ(apply_text(yaml, read_back), "") << yaml;
  EXPECT_TRUE(read_back == config) << yaml << "---\n" << to_yaml(read_back);
  EXPECT_NE(yaml.find("allow_safetensors_weights_fp32_bf6_bidirectional_cast: true"),
            std::string::npos);
  EXPECT_NE(yaml.find("device_memory_utilization: 0.3\n"), std::string::npos) << yaml;

  CompileConfig defaults;
  CompileConfig defaults_back;
  ASSERT_EQ(apply_text(to_yaml(defaults), defaults_back), "");
  EXPECT_TRUE(defaults_back == defaults) << to_yaml(defaults_back);
}

// Values must be text that writes back to YAML unchanged (the config fuzzer found
// a pattern with invalid UTF-8 that did not).
TEST(ConfigYaml, RejectsValuesThatAreNotPlainText) {
  EXPECT_EQ(error_of("served_model_name: \"a\\x00b\"\n"),
            "cfg.yaml:1: served_model_name: is not UTF-8 text without control characters");
  EXPECT_EQ(error_of("overrides:\n  - \"blk.\xf3\xff\xff\xff.w=q8_0\"\n"),
            "cfg.yaml:2: overrides: is not UTF-8 text without control characters");
  EXPECT_EQ(error_of("served_model_name: \"\xc0\xaf\"\n"),
            "cfg.yaml:1: served_model_name: is not UTF-8 text without control characters");
}

TEST(ConfigText, PlainTextIsWellFormedUtf8WithoutControls) {
  EXPECT_TRUE(is_plain_text(""));
  EXPECT_TRUE(is_plain_text("blk.*.ffn_down.weight\tq6_k"));
  EXPECT_TRUE(is_plain_text("h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_plain_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_plain_text("line\nbreak"));
  EXPECT_FALSE(is_plain_text("\x7f"));
  EXPECT_FALSE(is_plain_text("\xc2\x85"));          // C1 control (NEL)
  EXPECT_FALSE(is_plain_text("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_plain_text("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_plain_text("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_plain_text("\xe4\xb8"));          // truncated
  EXPECT_FALSE(is_plain_text("\xff"));
}

}  // namespace
}  // namespace ingot::config
