// kernels/quant against golden vectors from gguf-py and the real ggml
// (test/golden/quant/README.md): dequantize must give the reference floats bit
// for bit, quantize the reference bytes bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/quant/dequantize.h"
#include "kernels/quant/ggml_type.h"
#include "kernels/quant/quantize.h"

namespace ingot::quant {
namespace {

const std::string kGoldenDir = std::string(INGOT_GOLDEN_DIR) + "/quant/";

// One golden file: floats and bytes of one type; `direction` says which is the input.
struct GoldenVector {
  uint32_t type = 0;
  uint32_t direction = 0;  // 0: bytes -> floats (dequantize), 1: floats -> bytes (quantize)
  std::vector<float> floats;
  std::vector<uint8_t> bytes;
};

// Reads the format of test/golden/quant/README.md: "INGOTQV1", u32 type,
// u32 direction, u64 value count, u64 byte count, the floats, the bytes.
testing::AssertionResult load_golden(const std::string& path, GoldenVector& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return testing::AssertionFailure() << "cannot open " << path;
  const std::vector<uint8_t> data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  constexpr size_t kHeader = 32;
  if (data.size() < kHeader || std::memcmp(data.data(), "INGOTQV1", 8) != 0) {
    return testing::AssertionFailure() << path << ": missing INGOTQV1 header";
  }
  uint64_t values = 0, bytes = 0;
  std::memcpy(&out.type, data.data() + 8, 4);
  std::memcpy(&out.direction, data.data() + 12, 4);
  std::memcpy(&values, data.data() + 16, 8);
  std::memcpy(&bytes, data.data() + 24, 8);
  if (values > data.size() || bytes > data.size() || data.size() != kHeader + 4 * values + bytes) {
    return testing::AssertionFailure() << path << ": header counts do not match the file size " << data.size();
  }
  out.floats.resize(values);
  std::memcpy(out.floats.data(), data.data() + kHeader, 4 * values);
  out.bytes.assign(data.begin() + static_cast<std::ptrdiff_t>(kHeader + 4 * values), data.end());
  return testing::AssertionSuccess();
}

// Bitwise float equality where any NaN equals any NaN (payloads may differ
// between numpy and ggml; the NaN-ness may not).
bool same_float(float a, float b) {
  uint32_t ab = 0, bb = 0;
  std::memcpy(&ab, &a, 4);
  std::memcpy(&bb, &b, 4);
  return ab == bb || (std::isnan(a) && std::isnan(b));
}

struct GoldenCase {
  const char* name;  // file stem, ggml's lower-case type name
  GgmlType type;
};

class QuantGoldenTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(QuantGoldenTest, DequantizeMatchesReferenceBitwise) {
  GoldenVector golden;
  ASSERT_TRUE(load_golden(kGoldenDir + GetParam().name + ".dequant.bin", golden));
  ASSERT_EQ(golden.type, static_cast<uint32_t>(GetParam().type));
  ASSERT_EQ(golden.direction, 0u);
  ASSERT_FALSE(golden.floats.empty());

  std::vector<float> out(golden.floats.size());
  const Status status = dequantize_row(GetParam().type, golden.bytes, out);
  ASSERT_TRUE(status.ok()) << status.message();
  size_t mismatches = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!same_float(out[i], golden.floats[i]) && ++mismatches <= 5) {
      ADD_FAILURE() << "value " << i << ": got " << out[i] << ", reference " << golden.floats[i];
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << out.size() << " values";
}

TEST_P(QuantGoldenTest, QuantizeMatchesGgmlBitwise) {
  GoldenVector golden;
  ASSERT_TRUE(load_golden(kGoldenDir + GetParam().name + ".quant.bin", golden));
  ASSERT_EQ(golden.type, static_cast<uint32_t>(GetParam().type));
  ASSERT_EQ(golden.direction, 1u);
  ASSERT_FALSE(golden.bytes.empty());

  std::vector<uint8_t> out(golden.bytes.size(), 0xAB);
  const Status status = quantize_row(GetParam().type, golden.floats, out);
  ASSERT_TRUE(status.ok()) << status.message();
  const uint32_t block_bytes = type_traits(GetParam().type).block_bytes;
  size_t mismatches = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != golden.bytes[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "block " << i / block_bytes << " byte " << i % block_bytes << ": got "
                    << int{out[i]} << ", ggml " << int{golden.bytes[i]};
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << out.size() << " bytes";
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, QuantGoldenTest,
    testing::Values(GoldenCase{"f32", GgmlType::F32}, GoldenCase{"f16", GgmlType::F16},
                    GoldenCase{"bf16", GgmlType::BF16}, GoldenCase{"q4_0", GgmlType::Q4_0},
                    GoldenCase{"q4_1", GgmlType::Q4_1}, GoldenCase{"q5_0", GgmlType::Q5_0},
                    GoldenCase{"q5_1", GgmlType::Q5_1}, GoldenCase{"q8_0", GgmlType::Q8_0},
                    GoldenCase{"q2_k", GgmlType::Q2_K}, GoldenCase{"q3_k", GgmlType::Q3_K},
                    GoldenCase{"q4_k", GgmlType::Q4_K}, GoldenCase{"q5_k", GgmlType::Q5_K},
                    GoldenCase{"q6_k", GgmlType::Q6_K}, GoldenCase{"q8_k", GgmlType::Q8_K},
                    GoldenCase{"iq4_nl", GgmlType::IQ4_NL}, GoldenCase{"iq4_xs", GgmlType::IQ4_XS}),
    [](const testing::TestParamInfo<GoldenCase>& info) { return std::string(info.param.name); });

// ggml_type.cpp's geometry table must agree with ggml_blck_size/ggml_type_size,
// in both directions.
TEST(QuantGoldenTypeTable, MatchesGgml) {
  std::ifstream file(kGoldenDir + "type_sizes.txt");
  ASSERT_TRUE(file) << "missing type_sizes.txt";
  std::vector<uint32_t> ggml_ids;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    uint32_t id = 0, elems = 0, bytes = 0;
    std::string name;
    ASSERT_TRUE(fields >> id >> name >> elems >> bytes) << line;
    ggml_ids.push_back(id);
    const std::optional<TypeTraits> traits = type_traits(id);
    ASSERT_TRUE(traits.has_value()) << "ggml type " << name << " (" << id << ") missing from the table";
    EXPECT_EQ(traits->name, name);
    EXPECT_EQ(traits->block_elems, elems) << name;
    EXPECT_EQ(traits->block_bytes, bytes) << name;
  }
  EXPECT_GE(ggml_ids.size(), 30u);
  for (uint32_t id = 0; id < 256; ++id) {
    if (type_traits(id)) {
      EXPECT_NE(std::find(ggml_ids.begin(), ggml_ids.end(), id), ggml_ids.end()) << "id " << id << " is not a ggml type";
    }
  }
}

}  // namespace
}  // namespace ingot::quant
