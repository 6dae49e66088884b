// Round trip: compile a model, write its artifact, load it, and find every weight
// equal to the encoder's output and the plan equal to the module that was written.
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/emit/artifact_writer.h"
#include "compiler/emit/plan_export.h"
#include "compiler/emit/weight_encoder.h"
#include "ir/IngotDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "kernels/quant/dequantize.h"
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

std::vector<float> decode(quant::GgmlType type, std::span<const uint8_t> bytes, uint64_t elements) {
  std::vector<float> values(elements);
  Status status = quant::dequantize_row(type, bytes, values);
  EXPECT_TRUE(status.ok()) << status.message();
  return values;
}

// Every 2-D weight of `model` (all of `source` type) is stored as `stand_in`, the encoding the
// runtime has kernels for, and decodes to within `tolerance` of the source: the RMS of the
// difference over the RMS of the source's values.
void expect_stand_ins_near_source(const std::string& model, quant::GgmlType source,
                                  quant::GgmlType stand_in, double tolerance) {
  driver::CompileRequest request;
  request.config.model_path = model;
  mlir::MLIRContext context;
  std::string error;
  auto compiled = driver::compile_to_mlir(request, context, error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  flatbuffers::FlatBufferBuilder scratch;
  auto exported = emit::export_plan(*compiled->module, scratch);
  ASSERT_TRUE(mlir::succeeded(exported));
  int checked = 0;
  for (const emit::WeightSpec& spec : exported->weights) {
    if (spec.shape.size() != 2) continue;
    std::vector<float> original;  // the sources' rows, stacked as the weight stacks them
    for (const std::string& name : spec.sources) {
      const gguf::TensorInfo* tensor = compiled->source->find_tensor(name);
      ASSERT_NE(tensor, nullptr) << name;
      ASSERT_EQ(tensor->type, source) << name;
      std::vector<float> rows =
          decode(tensor->type, compiled->source->tensor_bytes(*tensor), tensor->elements);
      original.insert(original.end(), rows.begin(), rows.end());
    }
    EXPECT_EQ(spec.type, stand_in) << spec.name;
    std::vector<uint8_t> stored;
    Status status = emit::encode_weight(*compiled->source, spec, [&](std::span<const uint8_t> b) {
      stored.insert(stored.end(), b.begin(), b.end());
      return Status();
    });
    ASSERT_TRUE(status.ok()) << status.message();
    std::vector<float> values = decode(spec.type, stored, original.size());
    double diff = 0, norm = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      diff += (values[i] - original[i]) * (values[i] - original[i]);
      norm += original[i] * original[i];
    }
    ASSERT_GT(norm, 0.0) << spec.name;
    EXPECT_LT(std::sqrt(diff / norm), tolerance) << spec.name;
    ++checked;
  }
  EXPECT_GE(checked, 8);  // embedding, attention, FFN (fused or not) of 2 layers at least
}

// GGUF types the runtime has no kernels for are requantized to q8_0 or q6_k, close to their
// values, and round-trip through the artifact like any other weight.
TEST(ArtifactRoundTrip, TypesWithoutKernelsBecomeNearbyEncodings) {
  struct Case {
    quant::GgmlType source, stand_in;
    double tolerance;  // about twice the measured error (0.005 for q8_0, 0.017 for q6_k)
  };
  for (Case c : {Case{quant::GgmlType::Q5_0, quant::GgmlType::Q8_0, 0.01},
                 Case{quant::GgmlType::Q5_1, quant::GgmlType::Q8_0, 0.01},
                 Case{quant::GgmlType::Q5_K, quant::GgmlType::Q6_K, 0.04},
                 Case{quant::GgmlType::Q3_K, quant::GgmlType::Q6_K, 0.04},
                 Case{quant::GgmlType::Q2_K, quant::GgmlType::Q6_K, 0.04},
                 Case{quant::GgmlType::IQ4_NL, quant::GgmlType::Q8_0, 0.01},
                 Case{quant::GgmlType::IQ4_XS, quant::GgmlType::Q8_0, 0.01}}) {
    SCOPED_TRACE(quant::type_traits(c.source).name);
    std::string model = temp_path(std::string(quant::type_traits(c.source).name) + ".gguf");
    testing::TinyLlamaOptions options;
    options.hidden = 256;
    options.ffn = 512;
    options.weight_type = c.source;
    ASSERT_TRUE(testing::write_tiny_llama_gguf(model, options).ok());
    expect_stand_ins_near_source(model, c.source, c.stand_in, c.tolerance);
    round_trip(model, "");
    round_trip(model, "q4_0");
    fs::remove(model);
  }
}

TEST(ArtifactRoundTrip, RealSmolLM2) {
  INGOT_SKIP_WITHOUT_REAL_MODEL();
  round_trip(testing::real_model_path(), "");
  round_trip(testing::real_model_path(), "q8_0");
}

}  // namespace
}  // namespace ingot
