// CompiledModelTest: a gtest suite over one model, compiled once into a temporary artifact and
// opened for every test of the suite; each test skips, saying why, when the model is absent.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "runtime/generate/engine.h"
#include "test/support/compile_artifact.h"

namespace ingot::testing {

/// Derived supplies `static std::string model()` (the GGUF or folder; "" when absent),
/// `static const char* artifact_name()` and `static const char* missing_model()` (why tests
/// skip without it), and may set the context with `static int64_t max_context()`. Tests reach
/// the engine as `engine_`.
template <typename Derived>
class CompiledModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Derived::model().empty()) return;
    path_ = temp_artifact_path(Derived::artifact_name());
    config::CompileConfig config;
    config.model_path = Derived::model();
    auto engine = compile_and_open(config, path_, Derived::max_context());
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    engine_ = std::move(*engine).release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  void SetUp() override {
    if (Derived::model().empty()) GTEST_SKIP() << Derived::missing_model();
    ASSERT_NE(engine_, nullptr);
  }

  static int64_t max_context() { return 512; }

  static inline generate::Engine* engine_ = nullptr;
  static inline std::string path_;
};

}  // namespace ingot::testing
