// A model's own sampling defaults: llama.cpp's general.sampling.* keys in a GGUF, and a Hugging
// Face folder's generation_config.json, which the folder's GGUF view turns into those keys.
#include "compiler/import/gguf/sampling_defaults.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "compiler/import/gguf/gguf_view.h"
#include "compiler/import/hf/hf_import.h"
#include "test/support/gguf_builder.h"

namespace ingot::gguf {
namespace {

using testing::GgufBuilder;

// A GGUF holding only the `kvs` key/values that `write` adds.
Result<SamplingDefaults> defaults_of(uint64_t kvs, const std::function<void(GgufBuilder&)>& write) {
  GgufBuilder b;
  b.header(3, 0, kvs);
  write(b);
  const std::vector<uint8_t> bytes = b.bytes();
  Result<GgufFile> file = GgufFile::parse(MappedFile::borrow(bytes, "s.gguf"));
  if (!file.ok()) return file.status();
  return read_sampling_defaults(*file);
}

void expect_defaults(const SamplingDefaults& got, int32_t top_k, float top_p, float min_p,
                     float temperature, float repetition_penalty) {
  EXPECT_EQ(got.top_k, top_k);
  EXPECT_EQ(got.top_p, top_p);
  EXPECT_EQ(got.min_p, min_p);
  EXPECT_EQ(got.temperature, temperature);
  EXPECT_EQ(got.repetition_penalty, repetition_penalty);
}

TEST(SamplingDefaults, ReadsLlamaCppsKeys) {
  auto none = defaults_of(0, [](GgufBuilder&) {});
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->top_k || none->top_p || none->min_p || none->temperature ||
               none->repetition_penalty);
  auto all = defaults_of(5, [](GgufBuilder& b) {
    b.key(kSamplingTopK, 5).put<int32_t>(40);  // INT32, as gguf-py writes it
    b.key(kSamplingTopP, 6).put<float>(0.95f);
    b.key(kSamplingMinP, 6).put<float>(0.05f);
    b.key(kSamplingTemp, 6).put<float>(0.7f);
    b.key(kSamplingPenaltyRepeat, 6).put<float>(1.1f);
  });
  ASSERT_TRUE(all.ok()) << all.status().message();
  expect_defaults(*all, 40, 0.95f, 0.05f, 0.7f, 1.1f);
  // llama.cpp's top_k of 0 or less keeps every token: MAX's -1.
  auto zero = defaults_of(1, [](GgufBuilder& b) { b.key(kSamplingTopK, 5).put<int32_t>(0); });
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->top_k, -1);
}

TEST(SamplingDefaults, RefusesValuesOutOfRange) {
  const std::vector<std::pair<std::function<void(GgufBuilder&)>, std::string>> cases = {
      {[](GgufBuilder& b) { b.key(kSamplingTopP, 6).put<float>(1.5f); }, "top_p' is 1.5"},
      {[](GgufBuilder& b) { b.key(kSamplingTopP, 6).put<float>(0.0f); }, "not in (0, 1]"},
      {[](GgufBuilder& b) { b.key(kSamplingMinP, 6).put<float>(-0.1f); }, "not in [0, 1]"},
      {[](GgufBuilder& b) { b.key(kSamplingTemp, 6).put<float>(-1.0f); }, "negative"},
      {[](GgufBuilder& b) { b.key(kSamplingPenaltyRepeat, 6).put<float>(0.0f); }, "not positive"},
      {[](GgufBuilder& b) { b.key(kSamplingTemp, 8).str("hot"); }, "temp' is not a number"},
      {[](GgufBuilder& b) { b.key(kSamplingTopK, 7).put<uint8_t>(1); }, "top_k' is not a number"},
  };
  for (const auto& [write, message] : cases) {
    auto got = defaults_of(1, write);
    ASSERT_FALSE(got.ok()) << message;
    EXPECT_NE(got.status().message().find("s.gguf: metadata 'general.sampling."),
              std::string::npos)
        << got.status().message();
    EXPECT_NE(got.status().message().find(message), std::string::npos) << got.status().message();
  }
}

// generation_config.json's fields become the keys; what MAX's sampling defaults have no field
// for (do_sample, max_length) is left out, and a bad value names the file and its own key.
TEST(SamplingDefaults, GenerationConfigBecomesTheKeys) {
  auto json = hf::parse_json("generation_config.json",
                             R"({"do_sample": true, "temperature": 0.6, "top_p": 0.9,
                                 "top_k": 50, "min_p": 0.02, "repetition_penalty": 1.05,
                                 "max_length": 4096, "eos_token_id": [1, 2]})");
  ASSERT_TRUE(json.ok()) << json.status().message();
  GgufViewBuilder view("folder");
  ASSERT_TRUE(hf::add_generation_config_keys(*json, view).ok());
  const GgufFile file = std::move(view).finish();
  auto defaults = read_sampling_defaults(file);
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  expect_defaults(*defaults, 50, 0.9f, 0.02f, 0.6f, 1.05f);

  for (const auto& [text, message] :
       {std::pair{R"({"top_p": 1.5})", "'top_p' is 1.500000: not in (0, 1]"},
        std::pair{R"({"temperature": "hot"})", "'temperature'"},
        std::pair{R"({"top_k": 2.5})", "'top_k' is 2.500000: not an integer"}}) {
    auto bad = hf::parse_json("generation_config.json", text);
    ASSERT_TRUE(bad.ok());
    GgufViewBuilder other("folder");
    const Status status = hf::add_generation_config_keys(*bad, other);
    ASSERT_FALSE(status.ok()) << text;
    EXPECT_NE(status.message().find("generation_config.json"), std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find(message), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace ingot::gguf
