// Where tests find the real SmolLM2 GGUF (fetched by scripts/fetch-model.sh).
#pragma once

#include <filesystem>
#include <string>

namespace ingot::testing {

/// Path of the real model; INGOT_SMOLLM2_GGUF overrides the default under models/.
inline std::string real_model_path() {
  if (const char* path = std::getenv("INGOT_SMOLLM2_GGUF")) return path;
  return INGOT_SOURCE_DIR "/models/SmolLM2-135M-Instruct.Q4_1.gguf";
}

}  // namespace ingot::testing

/// Skips the current test, saying why, when the real model has not been fetched.
#define INGOT_SKIP_WITHOUT_REAL_MODEL()                                                 \
  do {                                                                                  \
    if (!std::filesystem::exists(::ingot::testing::real_model_path())) {                \
      GTEST_SKIP() << "real model not found at " << ::ingot::testing::real_model_path() \
                   << " (run scripts/fetch-model.sh)";                                  \
    }                                                                                   \
  } while (0)
