// GgufFile on valid files built byte by byte, and on every kind of corrupt file.
#include "compiler/import/gguf/gguf_file.h"

#include <gtest/gtest.h>

#include "test/support/allocation_tracker.h"
#include "test/support/gguf_builder.h"

namespace ingot::gguf {
namespace {

using testing::GgufBuilder;
using testing::make_sample_gguf;

Result<GgufFile> parse_bytes(const std::vector<uint8_t>& bytes, std::string name = "sample.gguf") {
  return GgufFile::parse(MappedFile::borrow(bytes, std::move(name)));
}

// Parses bytes that must be rejected; checks the one-line message names the file,
// the field and a byte offset, and that no allocation exceeded the file size.
std::string expect_rejected(const std::vector<uint8_t>& bytes, const std::string& field) {
  testing::reset_largest_allocation();
  Result<GgufFile> file = parse_bytes(bytes, "bad.gguf");
  size_t largest = testing::largest_allocation();
  EXPECT_FALSE(file.ok());
  if (file.ok()) return "";
  const std::string& message = file.status().message();
  EXPECT_EQ(message.rfind("bad.gguf: ", 0), 0u) << message;
  EXPECT_NE(message.find(field), std::string::npos)
      << "wanted field '" << field << "' in: " << message;
  EXPECT_NE(message.find(" at byte "), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_LE(largest, std::max<size_t>(bytes.size(), 4096)) << message;
  return message;
}

TEST(GgufFile, ReadsEveryValueTypeV3AndV2) {
  for (uint32_t version : {2u, 3u}) {
    std::vector<uint8_t> bytes = make_sample_gguf(version);
    Result<GgufFile> file = parse_bytes(bytes);
    ASSERT_TRUE(file.ok()) << file.status().message();
    EXPECT_EQ(file->version(), version);
    EXPECT_EQ(file->alignment(), 64u);
    EXPECT_EQ(file->metadata().size(), 18u);
    EXPECT_EQ(*file->get_string("general.architecture"), "llama");
    EXPECT_EQ(file->find("test.u8")->uint_value, 200u);
    EXPECT_EQ(file->find("test.i8")->int_value, -100);
    EXPECT_EQ(file->find("test.u16")->uint_value, 60000u);
    EXPECT_EQ(file->find("test.i16")->int_value, -30000);
    EXPECT_EQ(file->find("test.i32")->int_value, -2000000000);
    EXPECT_EQ(*file->get_float("test.f32"), 0.15625);
    EXPECT_TRUE(*file->get_bool("test.bool"));
    EXPECT_EQ(*file->get_uint("test.u64"), 18000000000000000000ull);
    EXPECT_EQ(file->find("test.i64")->int_value, -9000000000000000000ll);
    EXPECT_EQ(*file->get_float("test.f64"), -2.5e-300);
    EXPECT_EQ(*file->get_string("test.utf8"), "h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c");

    auto strings = file->get_array("test.strings", ValueType::kString);
    ASSERT_TRUE(strings.ok());
    ASSERT_EQ((*strings)->strings.size(), 3u);
    EXPECT_EQ((*strings)->strings[0], "a b");
    EXPECT_EQ((*strings)->strings[1], "");
    EXPECT_EQ((*strings)->strings[2], "\xf0\x9f\x98\x80");
    auto ints = file->get_array("test.ints", ValueType::kInt32);
    ASSERT_TRUE(ints.ok());
    EXPECT_EQ((*ints)->integer_element(1), -1);
    EXPECT_EQ((*ints)->integer_element(3), 2147483647);
    const MetadataValue* nested = file->find("test.nested");
    ASSERT_EQ(nested->arrays.size(), 2u);
    EXPECT_EQ(nested->arrays[0].integer_element(1), 2);
    EXPECT_EQ(nested->arrays[1].strings[0], "x");
    EXPECT_EQ(file->find("test.bools")->integer_element(1), 0);
    EXPECT_EQ(file->find("test.floats")->numeric_element(1), -0.25);

    ASSERT_EQ(file->tensors().size(), 3u);
    EXPECT_EQ(file->data_offset() % 64, 0u);
    const TensorInfo* q8 = file->find_tensor("c.q8_0");
    ASSERT_NE(q8, nullptr);
    EXPECT_EQ(q8->type, quant::GgmlType::Q8_0);
    EXPECT_EQ(q8->dims, (std::vector<uint64_t>{32, 2}));
    EXPECT_EQ(q8->elements, 64u);
    EXPECT_EQ(q8->bytes, 68u);
    EXPECT_EQ(file->tensor_bytes(*q8).data(), bytes.data() + file->data_offset() + 128);

    const TensorInfo* f32 = file->find_tensor("a.f32");
    auto floats = file->tensor_as<float>(*f32, quant::GgmlType::F32);
    ASSERT_TRUE(floats.ok()) << floats.status().message();
    ASSERT_EQ(floats->size(), 6u);
    EXPECT_EQ((*floats)[2], 3.5f);
    EXPECT_EQ((*floats)[5], 100.0f);
    EXPECT_FALSE(file->tensor_as<float>(*q8, quant::GgmlType::F32).ok());
  }
}

TEST(GgufFile, TypedGettersNameTheKeyOnError) {
  std::vector<uint8_t> bytes = make_sample_gguf();
  Result<GgufFile> file = parse_bytes(bytes);
  ASSERT_TRUE(file.ok());
  auto missing = file->get_uint("no.such.key");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "sample.gguf: missing metadata key 'no.such.key'");
  auto wrong = file->get_string("test.u8");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "sample.gguf: metadata 'test.u8' is UINT8, expected STRING");
  EXPECT_FALSE(file->get_uint("test.i8").ok());  // negative
  EXPECT_FALSE(file->get_array("test.ints", ValueType::kString).ok());
}

TEST(GgufFile, EveryTruncationIsRejected) {
  std::vector<uint8_t> bytes = make_sample_gguf();
  Result<GgufFile> whole = parse_bytes(bytes);
  ASSERT_TRUE(whole.ok());
  size_t data_end = whole->data_offset() + 128 + 68;
  ASSERT_EQ(data_end, bytes.size());
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + length);
    Result<GgufFile> file = parse_bytes(prefix, "bad.gguf");
    ASSERT_FALSE(file.ok()) << "a " << length << "-byte prefix parsed";
    EXPECT_EQ(file.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(file.status().message().find(" at byte "), std::string::npos);
  }
}

TEST(GgufFile, RejectsBadMagicAndVersion) {
  std::vector<uint8_t> bytes = make_sample_gguf();
  bytes[0] = 'X';
  EXPECT_NE(expect_rejected(bytes, "magic").find("not a GGUF file"), std::string::npos);
  for (uint32_t version : {0u, 1u, 4u, 0xffffffffu}) {
    bytes = make_sample_gguf();
    std::memcpy(bytes.data() + 4, &version, 4);
    expect_rejected(bytes, "version");
  }
}

TEST(GgufFile, RejectsAbsurdCounts) {
  GgufBuilder tensors;
  tensors.header(3, uint64_t{1} << 63, 0);
  expect_rejected(tensors.bytes(), "tensor_count");
  GgufBuilder kvs;
  kvs.header(3, 0, uint64_t{1} << 62);
  expect_rejected(kvs.bytes(), "kv_count");
  GgufBuilder string;
  string.header(3, 0, 1).u64(uint64_t{1} << 40).u64(0).u64(0);
  expect_rejected(string.bytes(), "metadata[0].key");
  GgufBuilder value;
  value.header(3, 0, 1).key("k", 8).u64(uint64_t{1} << 40).str("tail");
  expect_rejected(value.bytes(), "metadata 'k'");
  GgufBuilder array;
  array.header(3, 0, 1).key("k", 9).u32(10).u64(uint64_t{1} << 61).u64(1);
  expect_rejected(array.bytes(), "metadata 'k'.count");
  GgufBuilder strings;
  strings.header(3, 0, 1).key("k", 9).u32(8).u64(uint64_t{1} << 40).str("a");
  expect_rejected(strings.bytes(), "metadata 'k'.count");
  GgufBuilder arrays;
  arrays.header(3, 0, 1).key("k", 9).u32(9).u64(uint64_t{1} << 40).u32(0).u64(0);
  expect_rejected(arrays.bytes(), "metadata 'k'.count");
}

TEST(GgufFile, RejectsBadValues) {
  GgufBuilder type;
  type.header(3, 0, 1).key("k", 13).u32(0);
  expect_rejected(type.bytes(), "metadata 'k'.type");
  GgufBuilder element;
  element.header(3, 0, 1).key("k", 9).u32(99).u64(0);
  expect_rejected(element.bytes(), "metadata 'k'.type");
  GgufBuilder boolean;
  boolean.header(3, 0, 1).key("k", 7).put<uint8_t>(2).pad_to(8);
  expect_rejected(boolean.bytes(), "metadata 'k'");
  GgufBuilder duplicate;
  duplicate.header(3, 0, 2).kv_u32("k", 1).kv_u32("k", 2);
  expect_rejected(duplicate.bytes(), "metadata[1].key");
  GgufBuilder deep;
  deep.header(3, 0, 1).key("k", 9);
  for (int i = 0; i < 20; ++i) deep.u32(9).u64(1);
  deep.u32(4).u64(0);
  expect_rejected(deep.bytes(), "nested too deeply");
  for (uint32_t alignment : {0u, 3u, 48u}) {
    GgufBuilder b;
    b.header(3, 0, 1).kv_u32("general.alignment", alignment);
    expect_rejected(b.bytes(), "general.alignment");
  }
  GgufBuilder alignment_type;
  alignment_type.header(3, 0, 1).kv_str("general.alignment", "32");
  expect_rejected(alignment_type.bytes(), "general.alignment");
}

// A file with one tensor info and 64 bytes of data; `edit` changes the record.
std::vector<uint8_t> one_tensor(const std::vector<uint64_t>& dims, uint32_t type, uint64_t offset,
                                size_t data_bytes = 64) {
  GgufBuilder b;
  b.header(3, 1, 0).tensor("t", dims, type, offset).pad_to(32);
  b.data(std::vector<uint8_t>(data_bytes, 0x5a));
  return b.bytes();
}

TEST(GgufFile, RejectsBadTensorInfos) {
  EXPECT_TRUE(parse_bytes(one_tensor({16}, 0, 0)).ok());
  expect_rejected(one_tensor({16}, 0, 64), "tensor 't'.offset");  // past the end
  expect_rejected(one_tensor({16}, 0, 8), "tensor 't'.offset");   // misaligned
  expect_rejected(one_tensor({17}, 0, 0), "tensor 't'.offset");   // 68 bytes > 64
  expect_rejected(one_tensor({16}, 5, 0), "tensor 't'.type");     // retired type id
  expect_rejected(one_tensor({16}, 1000, 0), "tensor 't'.type");  // unknown type id
  expect_rejected(one_tensor({33}, 2, 0), "tensor 't'.type");     // not whole Q4_0 blocks
  expect_rejected(one_tensor({}, 0, 0), "tensor 't'.n_dims");
  expect_rejected(one_tensor({1, 1, 1, 1, 1}, 0, 0), "tensor 't'.n_dims");
  expect_rejected(one_tensor({uint64_t{1} << 32, uint64_t{1} << 32}, 0, 0), "tensor 't'.dims[1]");
  expect_rejected(one_tensor({uint64_t{1} << 63}, 0, 0), "tensor 't'.dims[0]");
  // Element count fits int64, but the byte size is checked against the data size.
  expect_rejected(one_tensor({uint64_t{1} << 61}, 0, 0), "tensor 't'.offset");

  GgufBuilder overlap;
  overlap.header(3, 2, 0).tensor("a", {16}, 0, 0).tensor("b", {16}, 0, 32).pad_to(32);
  overlap.data(std::vector<uint8_t>(128, 1));
  expect_rejected(overlap.bytes(), "overlaps tensor 'a'");
  GgufBuilder duplicate;
  duplicate.header(3, 2, 0).tensor("a", {8}, 0, 0).tensor("a", {8}, 0, 32).pad_to(32);
  duplicate.data(std::vector<uint8_t>(64, 1));
  expect_rejected(duplicate.bytes(), "duplicate tensor name");
  GgufBuilder long_name;
  long_name.header(3, 1, 0).tensor(std::string(64, 'n'), {8}, 0, 0).pad_to(32);
  long_name.data(std::vector<uint8_t>(32, 1));
  expect_rejected(long_name.bytes(), "tensor_infos[0].name");
}

TEST(GgufFile, EmptyFileAndNoTensors) {
  expect_rejected({}, "magic");
  GgufBuilder b;
  b.header(3, 0, 1).kv_str("general.name", "empty");
  Result<GgufFile> file = parse_bytes(b.bytes());
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_TRUE(file->tensors().empty());
}

TEST(GgufFile, OpenReportsMissingFile) {
  Result<GgufFile> file = GgufFile::open("/nonexistent/model.gguf");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("/nonexistent/model.gguf"), std::string::npos);
}

}  // namespace
}  // namespace ingot::gguf
