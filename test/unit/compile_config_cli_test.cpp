// compiler/config: the flags, their MAX aliases, and defaults < config file < flags.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/config/command_line.h"

namespace ingot::config {
namespace {

using arch::CacheStrategy;
using arch::Encoding;
using arch::RopeType;

// Parses `flags` as ingot-compile would and builds the config.
Result<CompileConfig> from_flags(std::vector<std::string> flags) {
  cxxopts::Options options("ingot-compile");
  add_compile_config_options(options);
  std::vector<std::string> words = {"ingot-compile"};
  words.insert(words.end(), flags.begin(), flags.end());
  std::vector<const char*> argv;
  for (const std::string& word : words) argv.push_back(word.c_str());
  cxxopts::ParseResult result = options.parse(static_cast<int>(argv.size()), argv.data());
  return compile_config_from_args(result);
}

std::string error_of(std::vector<std::string> flags) {
  Result<CompileConfig> config = from_flags(std::move(flags));
  return config.ok() ? "" : config.status().message();
}

// A YAML file in the test's temp dir, removed at the end of the test. Named after the test:
// ctest runs each test as its own process, in parallel, and a shared name let one test's file
// vanish under another.
class TempYaml {
 public:
  explicit TempYaml(const std::string& text)
      : path_(testing::TempDir() + "/compile_config_cli_test." +
              testing::UnitTest::GetInstance()->current_test_info()->name() + ".yaml") {
    std::ofstream(path_) << text;
  }
  ~TempYaml() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ConfigFlags, NoFlagsGiveDefaults) {
  Result<CompileConfig> config = from_flags({});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(*config == CompileConfig());
}

TEST(ConfigFlags, EveryFlagSetsItsField) {
  Result<CompileConfig> config = from_flags(
      {"--encoding", "q6_k", "--rope-type", "neox", "--max-length", "4096", "--cache-strategy",
       "continuous", "--kv-cache-page-size", "256", "--enable-prefix-caching",
       "--device-memory-utilization", "0.75", "--cache-dtype", "float16", "--served-model-name",
       "tiny", "--allow-safetensors-weights-fp32-bf16-bidirectional-cast", "--encoding-override",
       "output.weight=q8_0", "--encoding-override", "blk.*.ffn_down.weight=q6_k"});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->quantization_encoding, Encoding::kQ6_K);
  EXPECT_EQ(config->rope_type, RopeType::kNeox);
  EXPECT_EQ(config->max_length, 4096);
  EXPECT_EQ(config->kv_cache.cache_strategy, CacheStrategy::kContinuous);
  EXPECT_EQ(config->kv_cache.kv_cache_page_size, 256);
  EXPECT_TRUE(config->kv_cache.enable_prefix_caching);
  EXPECT_DOUBLE_EQ(config->kv_cache.device_memory_utilization, 0.75);
  EXPECT_EQ(config->kv_cache.cache_dtype, CacheDType::kFloat16);
  EXPECT_EQ(config->served_model_name, "tiny");
  EXPECT_TRUE(config->allow_safetensors_weights_fp32_bf16_bidirectional_cast);
  ASSERT_EQ(config->overrides.size(), 2u);
  EXPECT_EQ(config->overrides[0], (EncodingOverride{"output.weight", Encoding::kQ8_0}));
  EXPECT_EQ(config->overrides[1], (EncodingOverride{"blk.*.ffn_down.weight", Encoding::kQ6_K}));
}

TEST(ConfigFlags, MaxSpellingsAreAliases) {
  Result<CompileConfig> config =
      from_flags({"--quantization-encoding", "bfloat16", "--kv-cache-format", "float8_e4m3fn",
                  "--allow-safetensors-weights-fp32-bf6-bidirectional-cast=true"});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->quantization_encoding, Encoding::kBfloat16);
  EXPECT_EQ(config->kv_cache.cache_dtype, CacheDType::kFloat8E4M3FN);
  EXPECT_TRUE(config->allow_safetensors_weights_fp32_bf16_bidirectional_cast);
}

TEST(ConfigFlags, BoolFlagsTakeExplicitValues) {
  Result<CompileConfig> config = from_flags({"--enable-prefix-caching=false"});
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->kv_cache.enable_prefix_caching);
  EXPECT_EQ(error_of({"--enable-prefix-caching=sometimes"}),
            "--enable-prefix-caching: 'sometimes' is not a boolean (true or false)");
}

TEST(ConfigFlags, ErrorsNameTheFlagAsGiven) {
  EXPECT_EQ(error_of({"--max-length", "12k"}), "--max-length: '12k' is not an integer");
  EXPECT_EQ(error_of({"--kv-cache-page-size", "-"}), "--kv-cache-page-size: '-' is not an integer");
  EXPECT_EQ(error_of({"--device-memory-utilization", "nan"}),
            "--device-memory-utilization: 'nan' is not a finite number");
  EXPECT_EQ(error_of({"--quantization-encoding", "int4"}).rfind(
                "--quantization-encoding: 'int4' is not an encoding (one of: float32", 0),
            0u);
  EXPECT_EQ(error_of({"--rope-type", "rotary"}).rfind("--rope-type: 'rotary' is not a rope type", 0),
            0u);
  EXPECT_EQ(error_of({"--cache-strategy", "naive"})
                .rfind("--cache-strategy: 'naive' is not a cache strategy", 0),
            0u);
  EXPECT_EQ(error_of({"--cache-dtype", "int8"}).rfind("--cache-dtype: 'int8' is not a cache dtype", 0),
            0u);
  EXPECT_EQ(error_of({"--encoding-override", "output.weight"}),
            "--encoding-override: 'output.weight' is not PATTERN=ENCODING");
  EXPECT_EQ(error_of({"--encoding", "q4_0", "--quantization-encoding", "q4_0"}),
            "--encoding: also given as --quantization-encoding; give one of them");
  EXPECT_EQ(error_of({"--section-name", "main"}), "--section-name: needs --config-file");
  EXPECT_EQ(error_of({"--config-file", "/nonexistent/c.yaml"}),
            "/nonexistent/c.yaml: cannot open: No such file or directory");
}

TEST(ConfigFlags, LastRepeatOfAScalarFlagWins) {
  Result<CompileConfig> config = from_flags({"--max-length", "100", "--max-length", "200"});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->max_length, 200);
}

TEST(ConfigFlags, PrecedenceDefaultsThenFileThenFlags) {
  TempYaml yaml(
      "main:\n"
      "  quantization_encoding: q4_0\n"
      "  max_length: 1024\n"
      "  served_model_name: from-file\n"
      "  overrides: ['output.weight=q8_0']\n"
      "  kv_cache:\n"
      "    kv_cache_page_size: 256\n"
      "    enable_prefix_caching: true\n");
  Result<CompileConfig> config =
      from_flags({"--config-file", yaml.path(), "--section-name", "main", "--max-length", "2048",
                  "--enable-prefix-caching=false", "--encoding-override", "blk.*=q6_k"});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->config_file, yaml.path());
  EXPECT_EQ(config->section_name, "main");
  EXPECT_EQ(config->quantization_encoding, Encoding::kQ4_0);  // file
  EXPECT_EQ(config->served_model_name, "from-file");          // file
  EXPECT_EQ(config->kv_cache.kv_cache_page_size, 256);        // file
  EXPECT_EQ(config->max_length, 2048);                        // flag beats file
  EXPECT_FALSE(config->kv_cache.enable_prefix_caching);       // flag beats file
  EXPECT_DOUBLE_EQ(config->kv_cache.device_memory_utilization, 0.9);  // default
  // A list flag replaces the file's list.
  ASSERT_EQ(config->overrides.size(), 1u);
  EXPECT_EQ(config->overrides[0], (EncodingOverride{"blk.*", Encoding::kQ6_K}));
}

TEST(ConfigFlags, ConfigFileErrorsPassThrough) {
  TempYaml yaml("max_length: 10\nmax_lenght: 20\n");
  EXPECT_EQ(error_of({"--config-file", yaml.path()}), yaml.path() + ":2: max_lenght: unknown option");
}

TEST(ConfigFlags, HelpNamesMaxFieldsAndDefaults) {
  cxxopts::Options options("ingot-compile");
  options.set_width(1000);  // One line per option, so no phrase is wrapped.
  add_compile_config_options(options);
  std::string help = options.help();
  for (const char* text :
       {"--encoding ENC", "MAX: quantization_encoding", "--quantization-encoding",
        "MAX: kv_cache.kv_cache_page_size", "(default: 128)", "(default: 0.9)",
        "--encoding-override PATTERN=ENC", "MAX: config_file", "MAX: section_name",
        "allow_safetensors_weights_fp32_bf6_bidirectional_cast (sic)"}) {
    EXPECT_NE(help.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace ingot::config
