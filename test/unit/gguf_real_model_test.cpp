// GgufFile on the real SmolLM2 GGUF against the `gguf` package's reading of it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "compiler/import/gguf/gguf_file.h"
#include "test/support/real_model.h"

namespace ingot::gguf {
namespace {

using nlohmann::json;

class GgufRealModel : public ::testing::Test {
 protected:
  void SetUp() override {
    INGOT_SKIP_WITHOUT_REAL_MODEL();
    Result<GgufFile> file = GgufFile::open(testing::real_model_path());
    ASSERT_TRUE(file.ok()) << file.status().message();
    file_.emplace(std::move(file).value());
    std::ifstream in(INGOT_GOLDEN_DIR "/model/tensors.json");
    ASSERT_TRUE(in) << "missing golden tensors.json";
    golden_ = json::parse(in);
  }
  std::optional<GgufFile> file_;
  json golden_;
};

TEST_F(GgufRealModel, HeaderMatchesGolden) {
  const json& header = golden_["header"];
  EXPECT_EQ(file_->version(), header["version"].get<uint32_t>());
  EXPECT_EQ(file_->tensors().size(), header["tensor_count"].get<size_t>());
  EXPECT_EQ(file_->metadata().size(), header["kv_count"].get<size_t>());
  EXPECT_EQ(file_->alignment(), header["alignment"].get<uint64_t>());
  EXPECT_EQ(file_->data_offset(), header["data_offset"].get<uint64_t>());
}

TEST_F(GgufRealModel, EveryTensorMatchesGolden) {
  const json& tensors = golden_["tensors"];
  ASSERT_EQ(file_->tensors().size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& ours = file_->tensors()[i];
    const json& theirs = tensors[i];
    SCOPED_TRACE(theirs["name"].get<std::string>());
    EXPECT_EQ(ours.name, theirs["name"].get<std::string>());
    EXPECT_EQ(static_cast<uint32_t>(ours.type), theirs["type_id"].get<uint32_t>());
    EXPECT_EQ(quant::type_traits(ours.type).name, theirs["type"].get<std::string>());
    EXPECT_EQ(ours.dims, theirs["shape"].get<std::vector<uint64_t>>());
    EXPECT_EQ(ours.elements, theirs["n_elements"].get<uint64_t>());
    EXPECT_EQ(ours.offset, theirs["offset"].get<uint64_t>());
    EXPECT_EQ(file_->data_offset() + ours.offset, theirs["file_offset"].get<uint64_t>());
    EXPECT_EQ(ours.bytes, theirs["n_bytes"].get<uint64_t>());
  }
}

TEST_F(GgufRealModel, EveryMetadataValueMatchesGolden) {
  const json& metadata = golden_["metadata"];
  ASSERT_EQ(file_->metadata().size(), metadata.size());
  for (size_t i = 0; i < metadata.size(); ++i) {
    const MetadataEntry& ours = file_->metadata()[i];
    const json& theirs = metadata[i];
    SCOPED_TRACE(theirs["key"].get<std::string>());
    EXPECT_EQ(ours.key, theirs["key"].get<std::string>());
    EXPECT_EQ(value_type_name(ours.value.type), theirs["type"].get<std::string>());
    const MetadataValue& v = ours.value;
    if (v.type == ValueType::kArray) {
      EXPECT_EQ(value_type_name(v.element_type), theirs["element_type"].get<std::string>());
      EXPECT_EQ(v.count, theirs["length"].get<uint64_t>());
      const json& shown = theirs.contains("value") ? theirs["value"] : theirs["first"];
      for (size_t e = 0; e < shown.size(); ++e) {
        if (v.element_type == ValueType::kString) {
          EXPECT_EQ(v.strings[e], shown[e].get<std::string>());
        } else {
          EXPECT_EQ(v.numeric_element(e), shown[e].get<double>());
        }
      }
    } else if (v.type == ValueType::kString) {
      EXPECT_EQ(v.string_value, theirs["value"].get<std::string>());
    } else if (v.type == ValueType::kBool) {
      EXPECT_EQ(v.uint_value != 0, theirs["value"].get<bool>());
    } else {
      EXPECT_EQ(*v.as_float(), theirs["value"].get<double>());
    }
  }
}

TEST_F(GgufRealModel, TensorViewsAreZeroCopyAndTyped) {
  const TensorInfo* norm = file_->find_tensor("output_norm.weight");
  ASSERT_NE(norm, nullptr);
  auto weights = file_->tensor_as<float>(*norm, quant::GgmlType::F32);
  ASSERT_TRUE(weights.ok()) << weights.status().message();
  EXPECT_EQ(weights->size(), 576u);
  const TensorInfo* embed = file_->find_tensor("token_embd.weight");
  ASSERT_NE(embed, nullptr);
  EXPECT_EQ(file_->tensor_bytes(*embed).size(), 30081024u);
}

}  // namespace
}  // namespace ingot::gguf
