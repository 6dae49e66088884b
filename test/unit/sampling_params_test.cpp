// runtime/sampling: SamplingParams::validate() and Sampler::create().
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "runtime/sampling/sampling.h"

namespace ingot::sampling {
namespace {

// Each invalid field fails validate() with a one-line message naming it.
TEST(SamplingTest, ValidationNamesTheField) {
  EXPECT_TRUE(SamplingParams{}.validate().ok());
  struct Case {
    void (*mutate)(SamplingParams&);
    const char* field;
  };
  const Case cases[] = {
      {[](SamplingParams& p) { p.temperature = -0.1f; }, "temperature"},
      {[](SamplingParams& p) { p.temperature = NAN; }, "temperature"},
      {[](SamplingParams& p) { p.top_k = 0; }, "top_k"},
      {[](SamplingParams& p) { p.top_k = -2; }, "top_k"},
      {[](SamplingParams& p) { p.top_p = 0.0f; }, "top_p"},
      {[](SamplingParams& p) { p.top_p = 1.5f; }, "top_p"},
      {[](SamplingParams& p) { p.min_p = -0.1f; }, "min_p"},
      {[](SamplingParams& p) { p.min_p = 1.1f; }, "min_p"},
      {[](SamplingParams& p) { p.repetition_penalty = 0.0f; }, "repetition_penalty"},
      {[](SamplingParams& p) { p.frequency_penalty = INFINITY; }, "frequency_penalty"},
      {[](SamplingParams& p) { p.presence_penalty = NAN; }, "presence_penalty"},
      {[](SamplingParams& p) { p.max_new_tokens = -1; }, "max_new_tokens"},
      {[](SamplingParams& p) { p.min_new_tokens = -1; }, "min_new_tokens"},
      {[](SamplingParams& p) { p.max_new_tokens = 4, p.min_new_tokens = 5; }, "min_new_tokens"},
      {[](SamplingParams& p) {
         p.stop_token_ids = {2, -1};
       },
       "stop_token_ids"},
      {[](SamplingParams& p) { p.stop = {""}; }, "stop"},
  };
  for (const Case& c : cases) {
    SamplingParams params;
    c.mutate(params);
    Status status = params.validate();
    ASSERT_FALSE(status.ok()) << c.field;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(c.field), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find('\n'), std::string::npos);
    EXPECT_FALSE(Sampler::create(params).ok()) << c.field;
  }
  EXPECT_TRUE(Sampler::create(SamplingParams{}).ok());
}

}  // namespace
}  // namespace ingot::sampling
