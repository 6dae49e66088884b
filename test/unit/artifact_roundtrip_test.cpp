// Round trip: compile a model, write its artifact, load it, and find every weight
// equal to the encoder's output and the plan equal to the module that was written.
#include <filesystem>

#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/emit/artifact_writer.h"
#include "compiler/emit/plan_export.h"
#include "compiler/emit/weight_encoder.h"
#include "ir/IngotDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "runtime/artifact/artifact.h"
#include "test/support/real_model.h"
#include "test/support/tiny_llama.h"

namespace ingot {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("ingot_roundtrip_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

// Compiles `model` with `encoding` ("" keeps the source's), writes the artifact,
// loads it back, and checks weights and plan against what was written.
void round_trip(const std::string& model, const std::string& encoding) {
  driver::CompileRequest request;
  request.config.model_path = model;
  if (!encoding.empty()) {
    arch::Encoding parsed;
    ASSERT_TRUE(arch::parse_encoding(encoding, parsed));
    request.config.quantization_encoding = parsed;
  }
  mlir::MLIRContext context;
  std::string error;
  auto compiled = driver::compile_to_mlir(request, context, error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  std::string path = temp_path(fs::path(model).filename().string() + "." + encoding + ".ingot");
  emit::ArtifactInputs inputs;
  inputs.gguf = &*compiled->source;
  inputs.module = *compiled->module;
  inputs.config = &request.config;
  inputs.target_num_new_tokens = request.max_tokens_per_step;
  auto summary = emit::write_artifact(inputs, path, nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status().message();

  auto artifact = artifact::Artifact::open(path);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  const schema::Model& m = artifact->model();

  // Every weight view equals the encoder's output for that weight.
  flatbuffers::FlatBufferBuilder scratch;
  auto exported = emit::export_plan(*compiled->module, scratch);
  ASSERT_TRUE(mlir::succeeded(exported));
  ASSERT_EQ(artifact->weight_count(), exported->weights.size());
  for (size_t i = 0; i < exported->weights.size(); ++i) {
    const emit::WeightSpec& spec = exported->weights[i];
    std::vector<uint8_t> expected;
    Status status = emit::encode_weight(*compiled->source, spec, [&](std::span<const uint8_t> bytes) {
      expected.insert(expected.end(), bytes.begin(), bytes.end());
      return Status();
    });
    ASSERT_TRUE(status.ok()) << status.message();
    std::span<const uint8_t> stored = artifact->weight_bytes(i);
    ASSERT_EQ(stored.size(), expected.size()) << spec.name;
    EXPECT_TRUE(std::equal(stored.begin(), stored.end(), expected.begin())) << spec.name;
    EXPECT_EQ(m.weights()->Get(i)->name()->str(), spec.name);
    EXPECT_EQ(m.weights()->Get(i)->encoding(), spec.encoding) << spec.name;
  }

  // The plan read back is the module's kernel sequence.
  auto forward = compiled->module->lookupSymbol<mlir::func::FuncOp>("forward");
  std::vector<ir::KernelOp> kernels;
  forward.walk([&](ir::KernelOp op) { kernels.push_back(op); });
  const schema::Plan* plan = m.plan();
  ASSERT_NE(plan, nullptr);
  ASSERT_EQ(plan->kernels()->size(), kernels.size());
  for (size_t i = 0; i < kernels.size(); ++i) {
    const schema::Kernel* stored = plan->kernels()->Get(i);
    EXPECT_EQ(stored->name()->str(), kernels[i].getKernel().str());
    ASSERT_EQ(stored->fused()->size(), kernels[i].getFused().size());
    for (size_t f = 0; f < stored->fused()->size(); ++f) {
      EXPECT_EQ(stored->fused()->Get(f)->str(),
                mlir::cast<mlir::StringAttr>(kernels[i].getFused()[f]).getValue().str());
    }
    EXPECT_EQ(stored->inputs()->size(), kernels[i].getInputs().size());
    EXPECT_EQ(stored->outputs()->size(), kernels[i].getNumResults());
    EXPECT_EQ(stored->params()->size(), kernels[i].getParams().size());
  }
  EXPECT_EQ(static_cast<int64_t>(plan->arena_bytes()),
            forward->getAttrOfType<mlir::IntegerAttr>("ingot.arena_bytes").getInt());
  EXPECT_EQ(m.tokenizer()->tokens()->size(), m.hyper_parameters()->vocab_size());
  fs::remove(path);
}

TEST(ArtifactRoundTrip, TinyLlamaKeepingAndRequantizing) {
  std::string model = temp_path("tiny.gguf");
  testing::TinyLlamaOptions options;
  options.weight_type = quant::GgmlType::Q8_0;
  ASSERT_TRUE(testing::write_tiny_llama_gguf(model, options).ok());
  round_trip(model, "");
  round_trip(model, "q4_0");
  round_trip(model, "bfloat16");
  fs::remove(model);
}

TEST(ArtifactRoundTrip, RealSmolLM2) {
  INGOT_SKIP_WITHOUT_REAL_MODEL();
  round_trip(testing::real_model_path(), "");
  round_trip(testing::real_model_path(), "q8_0");
}

}  // namespace
}  // namespace ingot
