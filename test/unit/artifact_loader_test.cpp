// runtime/artifact: Artifact::open/parse on artifacts built by test/support/artifact_builder.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/dummy_fill.h"
#include "runtime/artifact/format.h"
#include "test/support/allocation_tracker.h"
#include "test/support/artifact_builder.h"

namespace ingot::artifact {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::ArtifactSpec;
using testing::BuiltArtifact;
using testing::build_artifact;
using testing::default_artifact_spec;

constexpr char kName[] = "m.ingot";

Result<Artifact> parse_bytes(const std::vector<uint8_t>& bytes, LoadOptions options = {}) {
  return Artifact::parse(MappedFile::borrow(bytes, kName), options);
}

// The error must be one line, name the file, a field and a byte offset.
void expect_located_error(const Status& status, StatusCode code = StatusCode::kDataLoss) {
  EXPECT_EQ(status.code(), code) << status.message();
  EXPECT_THAT(status.message(), StartsWith(std::string(kName) + ": "));
  EXPECT_THAT(status.message(), HasSubstr(" at byte "));
  EXPECT_EQ(status.message().find('\n'), std::string::npos);
}

Status parse_error(const ArtifactSpec& spec, LoadOptions options = {}) {
  BuiltArtifact built = build_artifact(spec);
  Result<Artifact> artifact = parse_bytes(built.bytes, options);
  if (artifact.ok()) return Status::ok_status();
  return artifact.status();
}

// The file offset an error names ("... at byte N: ...").
uint64_t error_offset(const Status& status) {
  const std::string& m = status.message();
  size_t at = m.find(" at byte ");
  return at == std::string::npos ? ~uint64_t{0} : std::stoull(m.substr(at + 9));
}

uint64_t read_u64(const std::vector<uint8_t>& bytes, uint64_t at) {
  uint64_t value = 0;
  std::memcpy(&value, bytes.data() + at, sizeof(value));
  return value;
}

// A loaded artifact must be safe to read everywhere it claims to have data.
void touch_everything(const Artifact& artifact) {
  volatile uint8_t sink = 0;
  for (size_t i = 0; i < artifact.weight_count(); ++i) {
    std::span<const uint8_t> bytes = artifact.weight_bytes(i);
    ASSERT_FALSE(bytes.empty());
    ASSERT_GE(bytes.data(), artifact.segment().data());
    ASSERT_LE(bytes.data() + bytes.size(), artifact.segment().data() + artifact.segment().size());
    sink = sink ^ bytes.front() ^ bytes.back();
  }
  (void)sink;
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("artifact_loader_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST(ArtifactLoader, ValidArtifactLoadsWithZeroCopyViews) {
  ArtifactSpec spec = default_artifact_spec();
  BuiltArtifact built = build_artifact(spec);
  TempDir dir;
  const std::string path = dir.file("valid.ingot");
  ASSERT_TRUE(testing::write_file(path, built.bytes));

  Result<Artifact> artifact = Artifact::open(path);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->path(), path);
  EXPECT_EQ(artifact->segment_offset(), built.segment_offset);
  EXPECT_EQ(artifact->segment_offset() % kSegmentAlignment, 0u);
  EXPECT_EQ(artifact->segment().size(), built.bytes.size() - built.segment_offset);
  const schema::Model& model = artifact->model();
  EXPECT_EQ(model.version()->major(), kFormatMajor);
  EXPECT_EQ(model.architecture()->str(), "llama");
  EXPECT_EQ(model.tokenizer()->tokens()->size(), spec.tokens.size());
  EXPECT_EQ(model.plan()->kernels()->size(), spec.kernels.size());
  ASSERT_EQ(artifact->weight_count(), spec.weights.size());
  for (size_t i = 0; i < spec.weights.size(); ++i) {
    std::span<const uint8_t> view = artifact->weight_bytes(i);
    // Zero copy: the view is the segment's own memory, 64-byte aligned.
    EXPECT_EQ(view.data(), artifact->segment().data() + built.weight_offsets[i]);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(view.data()) % kWeightAlignment, 0u);
    EXPECT_EQ(std::vector<uint8_t>(view.begin(), view.end()), spec.weights[i].data) << i;
  }
  EXPECT_TRUE(artifact->weight_bytes(spec.weights.size()).empty());

  // Moving keeps the map, so views taken before the move stay valid.
  const uint8_t* first = artifact->weight_bytes(0).data();
  Artifact moved = std::move(artifact).value();
  EXPECT_EQ(moved.weight_bytes(0).data(), first);
  EXPECT_EQ(moved.weight_bytes(0)[0], spec.weights[0].data[0]);
}

TEST(ArtifactLoader, BorrowedViewsPointIntoTheCallersBytes) {
  BuiltArtifact built = build_artifact(default_artifact_spec(7));
  Result<Artifact> artifact = parse_bytes(built.bytes);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  const uint8_t* begin = built.bytes.data();
  for (size_t i = 0; i < artifact->weight_count(); ++i) {
    EXPECT_EQ(artifact->weight_bytes(i).data(),
              begin + built.segment_offset + built.weight_offsets[i]);
  }
  EXPECT_EQ(&artifact->model(), schema::GetSizePrefixedModel(begin));
}


TEST(ArtifactLoader, EverySupportedEncodingLoads) {
  ArtifactSpec spec = testing::all_encodings_artifact_spec();
  BuiltArtifact built = build_artifact(spec);
  Result<Artifact> artifact = parse_bytes(built.bytes);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  ASSERT_EQ(artifact->weight_count(), spec.weights.size());
  for (size_t i = 0; i < spec.weights.size(); ++i) {
    EXPECT_EQ(artifact->weight_bytes(i).size(), spec.weights[i].data.size()) << spec.weights[i].name;
  }
  // q4_k [2, 256] is 2 x 144 bytes; q6_k [1, 512] is 2 x 210; float8 [5, 7] is 35.
  EXPECT_EQ(artifact->weight_bytes(6).size(), 288u);
  EXPECT_EQ(artifact->weight_bytes(7).size(), 420u);
  EXPECT_EQ(artifact->weight_bytes(8).size(), 35u);
}

TEST(ArtifactLoader, EmptySegmentLoads) {
  BuiltArtifact built = build_artifact(testing::no_weights_artifact_spec());
  Result<Artifact> artifact = parse_bytes(built.bytes);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->weight_count(), 0u);
  EXPECT_TRUE(artifact->segment().empty());
  EXPECT_EQ(built.bytes.size(), built.segment_offset);
}

TEST(ArtifactLoader, MissingFileIsNotFound) {
  Result<Artifact> artifact = Artifact::open("/nonexistent/dir/m.ingot");
  ASSERT_FALSE(artifact.ok());
  EXPECT_EQ(artifact.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(artifact.status().message(), HasSubstr("/nonexistent/dir/m.ingot"));
}

void expect_truncation_fails(const BuiltArtifact& built, size_t length) {
  std::vector<uint8_t> cut(built.bytes.begin(), built.bytes.begin() + length);
  for (bool checksums : {true, false}) {
    Result<Artifact> artifact = parse_bytes(cut, {checksums});
    ASSERT_FALSE(artifact.ok()) << "truncated to " << length << " bytes loaded";
    expect_located_error(artifact.status());
  }
}

TEST(ArtifactLoader, TruncationAtEverySectionBoundaryFails) {
  BuiltArtifact built = build_artifact(default_artifact_spec());
  ASSERT_LT(built.flatbuffer_end + 64, built.segment_offset);  // there is padding to cut into
  std::vector<size_t> lengths = {0, 1, 3, 4, 7, 8, 11, 12, 16,
                                 built.flatbuffer_end - 1, built.flatbuffer_end,
                                 built.flatbuffer_end + 1, (built.flatbuffer_end + built.segment_offset) / 2,
                                 built.segment_offset - 1, built.segment_offset, built.segment_offset + 1,
                                 built.bytes.size() - 1};
  for (uint64_t offset : built.weight_offsets) {
    lengths.push_back(built.segment_offset + offset);
    lengths.push_back(built.segment_offset + offset + 1);
  }
  for (size_t length : lengths) {
    SCOPED_TRACE(length);
    expect_truncation_fails(built, length);
  }
  // The padding and the segment are reported as the segment, not the FlatBuffer.
  std::vector<uint8_t> in_padding(built.bytes.begin(), built.bytes.begin() + built.flatbuffer_end + 8);
  EXPECT_THAT(parse_bytes(in_padding).status().message(), HasSubstr("weight segment at byte"));
  std::vector<uint8_t> in_segment(built.bytes.begin(), built.bytes.end() - 5);
  Status status = parse_bytes(in_segment).status();
  EXPECT_THAT(status.message(), HasSubstr("weight_segment_size at byte"));
  EXPECT_THAT(status.message(), HasSubstr("(truncated)"));
  EXPECT_EQ(read_u64(built.bytes, error_offset(status)), built.bytes.size() - built.segment_offset);
}

TEST(ArtifactLoader, TruncationAtRandomPointsFails) {
  BuiltArtifact built = build_artifact(default_artifact_spec(11));
  std::mt19937 rng(1234);
  std::uniform_int_distribution<size_t> point(0, built.bytes.size() - 1);
  for (int i = 0; i < 200; ++i) {
    size_t length = point(rng);
    SCOPED_TRACE(length);
    expect_truncation_fails(built, length);
  }
}

TEST(ArtifactLoader, TrailingBytesFail) {
  BuiltArtifact built = build_artifact(default_artifact_spec());
  built.bytes.push_back(0);
  Status status = parse_bytes(built.bytes).status();
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("(trailing bytes)"));
}

TEST(ArtifactLoader, RecordedSegmentSizeMustMatchTheFile) {
  ArtifactSpec spec = default_artifact_spec();
  spec.segment_size = 1;
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("weight_segment_size at byte"));
}

TEST(ArtifactLoader, FlippedFlatBufferBytesFailOrLoadSafely) {
  BuiltArtifact built = build_artifact(default_artifact_spec(5));
  int failures = 0;
  for (size_t at = 0; at < built.flatbuffer_end; ++at) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      std::vector<uint8_t> bytes = built.bytes;
      bytes[at] ^= mask;
      for (bool checksums : {true, false}) {
        Result<Artifact> artifact = parse_bytes(bytes, {checksums});
        if (artifact.ok()) {
          touch_everything(*artifact);
        } else {
          ++failures;
          EXPECT_THAT(artifact.status().message(), StartsWith(std::string(kName) + ": "));
          EXPECT_EQ(artifact.status().message().find('\n'), std::string::npos);
        }
      }
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(ArtifactLoader, FlippedPaddingByteFails) {
  BuiltArtifact built = build_artifact(default_artifact_spec());
  built.bytes[built.segment_offset - 1] = 1;
  Status status = parse_bytes(built.bytes).status();
  expect_located_error(status);
  EXPECT_EQ(error_offset(status), built.segment_offset - 1);
}

TEST(ArtifactLoader, FlippedWeightByteFailsTheChecksumUnlessSkipped) {
  ArtifactSpec spec = default_artifact_spec();
  BuiltArtifact built = build_artifact(spec);
  std::vector<uint64_t> positions;
  for (size_t i = 0; i < spec.weights.size(); ++i) {
    uint64_t start = built.segment_offset + built.weight_offsets[i];
    positions.push_back(start);
    positions.push_back(start + spec.weights[i].data.size() / 2);
    positions.push_back(start + spec.weights[i].data.size() - 1);
  }
  for (uint64_t at : positions) {
    SCOPED_TRACE(at);
    std::vector<uint8_t> bytes = built.bytes;
    bytes[at] ^= 0x10;
    Status status = parse_bytes(bytes).status();
    expect_located_error(status);
    EXPECT_THAT(status.message(), HasSubstr("checksum mismatch"));
    Result<Artifact> unchecked = parse_bytes(bytes, {.verify_checksums = false});
    ASSERT_TRUE(unchecked.ok()) << unchecked.status().message();
    touch_everything(*unchecked);
  }
}

TEST(ArtifactLoader, WrongWeightChecksumIsReportedAtItsBytes) {
  ArtifactSpec spec = default_artifact_spec();
  spec.weights[1].checksum = 12345;
  BuiltArtifact built = build_artifact(spec);
  Status status = parse_bytes(built.bytes).status();
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("weights[1].checksum at byte"));
  EXPECT_EQ(error_offset(status), built.segment_offset + built.weight_offsets[1]);
  EXPECT_TRUE(parse_bytes(built.bytes, {.verify_checksums = false}).ok());

  ArtifactSpec whole = default_artifact_spec();
  whole.segment_checksum = 1;
  status = parse_error(whole);
  EXPECT_THAT(status.message(), HasSubstr("weight_segment_checksum at byte"));
  EXPECT_THAT(status.message(), HasSubstr("checksum mismatch"));
}

TEST(ArtifactLoader, WrongIdentifierIsNotAnArtifact) {
  ArtifactSpec spec = default_artifact_spec();
  spec.identifier = "GGUF";
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("not an ingot artifact"));
  EXPECT_EQ(error_offset(status), 8u);

  // A GGUF file is rejected as not an artifact, not as a huge FlatBuffer, and the error says
  // how to make one from it.
  std::vector<uint8_t> gguf = {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_THAT(parse_bytes(gguf).status().message(),
              HasSubstr("not an ingot artifact but a GGUF model; compile it first"));
}

TEST(ArtifactLoader, OversizedPrefixFails) {
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 'I', 'N', 'G', 'T', 0, 0, 0, 0};
  Status status = parse_bytes(bytes).status();
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("size prefix at byte 0"));
}

TEST(ArtifactLoader, PrefixOverTheFlatBufferLimitFails) {
  // A sparse file just over 2 GiB whose prefix claims nearly all of it.
  TempDir dir;
  const std::string path = dir.file("huge.ingot");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const uint32_t prefix = 0x7ffffffcu;
  uint8_t header[12] = {0, 0, 0, 0, 0, 0, 0, 0, 'I', 'N', 'G', 'T'};
  std::memcpy(header, &prefix, 4);
  ASSERT_EQ(::write(fd, header, sizeof(header)), static_cast<ssize_t>(sizeof(header)));
  ASSERT_EQ(::ftruncate(fd, (int64_t{1} << 31) + 4096), 0);
  ::close(fd);
  Result<Artifact> artifact = Artifact::open(path);
  ASSERT_FALSE(artifact.ok());
  EXPECT_EQ(artifact.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(artifact.status().message(), HasSubstr("2 GiB"));
  EXPECT_THAT(artifact.status().message(), StartsWith(path + ": size prefix at byte 0"));
}

TEST(ArtifactLoader, NewerMajorIsUnimplemented) {
  ArtifactSpec spec = default_artifact_spec();
  spec.major = kFormatMajor + 1;
  Status status = parse_error(spec);
  expect_located_error(status, StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(), HasSubstr("format version " + std::to_string(kFormatMajor + 1) +
                                          ".0, this runtime reads " + std::to_string(kFormatMajor) +
                                          ".x"));
  spec.major = 0;
  expect_located_error(parse_error(spec));
}

TEST(ArtifactLoader, NewerMinorIsUnimplemented) {
  ArtifactSpec spec = default_artifact_spec();
  spec.minor = kFormatMinor + 1;
  Status status = parse_error(spec);
  expect_located_error(status, StatusCode::kUnimplemented);
  EXPECT_THAT(status.message(), HasSubstr("version at byte"));
}

TEST(ArtifactLoader, OlderOrEqualMinorLoads) {
  for (uint16_t minor = 0; minor <= kFormatMinor; ++minor) {
    ArtifactSpec spec = default_artifact_spec();
    spec.minor = minor;
    EXPECT_TRUE(parse_error(spec).ok()) << minor;
  }
}

TEST(ArtifactLoader, MissingVersionFails) {
  ArtifactSpec spec = default_artifact_spec();
  spec.with_version = false;
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("version at byte"));
}

TEST(ArtifactLoader, WeightOffsetOutOfBoundsFails) {
  ArtifactSpec spec = default_artifact_spec();
  BuiltArtifact valid = build_artifact(spec);
  const uint64_t segment_size = valid.bytes.size() - valid.segment_offset;
  for (uint64_t offset : {segment_size + 64 - segment_size % 64, uint64_t{1} << 40,
                          ~uint64_t{0} - 63}) {
    SCOPED_TRACE(offset);
    spec.weights[2].offset = offset;
    BuiltArtifact built = build_artifact(spec);
    Status status = parse_bytes(built.bytes).status();
    expect_located_error(status);
    EXPECT_THAT(status.message(), HasSubstr("weights[2].offset at byte"));
    EXPECT_THAT(status.message(), HasSubstr("run past"));
    EXPECT_EQ(read_u64(built.bytes, error_offset(status)), offset);  // the field's own bytes
  }
  // The last weight reaching one byte past the segment.
  spec = default_artifact_spec();
  spec.weights[2].offset = valid.weight_offsets[2] + 64;
  EXPECT_THAT(parse_error(spec).message(), HasSubstr("run past"));
}

TEST(ArtifactLoader, OverlappingWeightsFail) {
  ArtifactSpec spec = default_artifact_spec();
  BuiltArtifact valid = build_artifact(spec);
  spec.weights[1].offset = valid.weight_offsets[0] + 64;  // inside weights[0]
  BuiltArtifact built = build_artifact(spec);
  Status status = parse_bytes(built.bytes, {.verify_checksums = false}).status();
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("weights[1].offset at byte"));
  EXPECT_THAT(status.message(), HasSubstr("overlap weights[0]"));
  EXPECT_EQ(read_u64(built.bytes, error_offset(status)), valid.weight_offsets[0] + 64);

  // Two entries for the same bytes overlap too.
  spec = default_artifact_spec();
  spec.weights[2].offset = valid.weight_offsets[1];
  spec.weights[2].shape = spec.weights[1].shape;
  spec.weights[2].encoding = spec.weights[1].encoding;
  spec.weights[2].size = spec.weights[1].data.size();
  EXPECT_THAT(parse_error(spec).message(), HasSubstr("overlap"));
}

TEST(ArtifactLoader, MisalignedWeightOffsetFails) {
  ArtifactSpec spec = default_artifact_spec();
  BuiltArtifact valid = build_artifact(spec);
  spec.weights[1].offset = valid.weight_offsets[1] + 8;
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("weights[1].offset at byte"));
  EXPECT_THAT(status.message(), HasSubstr("not a multiple of 64"));
}

TEST(ArtifactLoader, WrongWeightSizeFails) {
  ArtifactSpec spec = default_artifact_spec();
  spec.weights[0].size = spec.weights[0].data.size() - 34;
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("weights[0].size at byte"));
  EXPECT_THAT(status.message(), HasSubstr("needs 1088"));
}

TEST(ArtifactLoader, BadShapesFail) {
  struct Case {
    schema::Encoding encoding;
    std::vector<uint64_t> shape;
    const char* problem;
  };
  const Case cases[] = {
      {schema::Encoding::float32, {uint64_t{1} << 33, uint64_t{1} << 33}, "overflows"},
      {schema::Encoding::float32, {1, uint64_t{1} << 62}, "overflow"},
      {schema::Encoding::float8_e4m3fn, {uint64_t{1} << 32, uint64_t{1} << 32}, "overflows"},
      {schema::Encoding::q4_k, {16, 100}, "not a whole number of q4_k blocks"},
      {schema::Encoding::q4_0, {3, 48}, "not a whole number of q4_0 blocks"},
      {schema::Encoding::float32, {}, "has 0 dimensions"},
      {schema::Encoding::float32, {2, 2, 2}, "has 3 dimensions"},
      {schema::Encoding::float32, {0, 64}, "is 0"},
      {schema::Encoding::float32, {64, 0}, "is 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.problem);
    ArtifactSpec spec = default_artifact_spec();
    spec.weights[1].encoding = c.encoding;
    spec.weights[1].shape = c.shape;
    Status status = parse_error(spec);
    expect_located_error(status);
    EXPECT_THAT(status.message(), HasSubstr("weights[1].shape at byte"));
    EXPECT_THAT(status.message(), HasSubstr(c.problem));
  }
}

TEST(ArtifactLoader, UnsupportedAndUnknownEncodingsFail) {
  for (schema::Encoding encoding : {schema::Encoding::float4_e2m1fnx2, schema::Encoding::gptq}) {
    ArtifactSpec spec = default_artifact_spec();
    spec.weights[1].encoding = encoding;
    Status status = parse_error(spec);
    expect_located_error(status, StatusCode::kUnimplemented);
    EXPECT_THAT(status.message(), HasSubstr("weights[1].encoding at byte"));
    EXPECT_THAT(status.message(), HasSubstr("not supported"));
  }
  ArtifactSpec spec = default_artifact_spec();
  spec.weights[1].encoding = static_cast<schema::Encoding>(200);
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("unknown encoding 200"));
}

TEST(ArtifactLoader, MissingWeightNameFails) {
  ArtifactSpec spec = default_artifact_spec();
  spec.weights[2].omit_name = true;
  Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("weights[2].name at byte"));
}

TEST(ArtifactLoader, BadPlanIdsFail) {
  struct Case {
    const char* field;
    void (*mutate)(ArtifactSpec&);
  };
  const Case cases[] = {
      {"plan.values[3].weight at byte", [](ArtifactSpec& s) { s.values[3].weight = 3; }},
      {"plan.values[1].weight at byte", [](ArtifactSpec& s) { s.values[1].weight = 0xffffffffu; }},
      {"plan.kernels[1].inputs[1] at byte", [](ArtifactSpec& s) { s.kernels[1].inputs[1] = 8; }},
      {"plan.kernels[3].outputs[0] at byte", [](ArtifactSpec& s) { s.kernels[3].outputs[0] = 99; }},
      {"plan.kernels[0].outputs[0] at byte", [](ArtifactSpec& s) { s.kernels[0].outputs[0] = 1; }},
      {"plan.inputs[0] at byte", [](ArtifactSpec& s) { s.plan_inputs[0] = 8; }},
      {"plan.inputs[0] at byte", [](ArtifactSpec& s) { s.plan_inputs[0] = 2; }},
      {"plan.outputs[0] at byte", [](ArtifactSpec& s) { s.plan_outputs = {7, 1000}; s.plan_outputs[0] = 1000; }},
      {"plan.outputs[0] at byte", [](ArtifactSpec& s) { s.plan_outputs[0] = 6; }},
      {"plan.values[5].arena_offset at byte", [](ArtifactSpec& s) { s.values[5].arena_offset += 4; }},
      {"plan.values[4].arena_offset at byte", [](ArtifactSpec& s) { s.values[4].arena_offset = ~uint64_t{0}; }},
      {"plan.values[2].features at byte", [](ArtifactSpec& s) { s.values[2].features = 0xffffffffu; s.max_tokens = 0xffffffffu; s.values[2].rows = 0xffffffffu; }},
      {"plan.values[0].kind at byte", [](ArtifactSpec& s) { s.values[0].kind = static_cast<schema::ValueKind>(9); }},
      {"plan.max_tokens at byte", [](ArtifactSpec& s) { s.max_tokens = 0; }},
      {"plan.kernels[2].name at byte", [](ArtifactSpec& s) { s.kernels[2].name.clear(); }},
      {"plan at byte", [](ArtifactSpec& s) { s.with_plan = false; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    ArtifactSpec spec = default_artifact_spec();
    c.mutate(spec);
    Status status = parse_error(spec);
    expect_located_error(status);
    EXPECT_THAT(status.message(), HasSubstr(c.field));
  }
}

TEST(ArtifactLoader, ActivationThatExactlyFillsTheArenaLoads) {
  ArtifactSpec spec = default_artifact_spec();
  spec.values[7].rows = 0;  // max_tokens rows of logits at offset 0 still fit
  EXPECT_TRUE(parse_error(spec).ok());
  spec.arena_bytes -= 1;  // values[5] ends exactly at arena_bytes
  EXPECT_THAT(parse_error(spec).message(), HasSubstr("plan.values[5].arena_offset"));
}

TEST(ArtifactLoader, BadTokenizerFails) {
  struct Case {
    const char* field;
    void (*mutate)(ArtifactSpec&);
  };
  const Case cases[] = {
      {"tokenizer at byte", [](ArtifactSpec& s) { s.with_tokenizer = false; }},
      {"tokenizer.tokens at byte", [](ArtifactSpec& s) { s.tokens.clear(); s.token_types.clear(); }},
      {"tokenizer.token_types at byte", [](ArtifactSpec& s) { s.token_types.pop_back(); }},
      {"tokenizer.bos_id at byte", [](ArtifactSpec& s) { s.bos_id = 16; }},
      {"tokenizer.eos_id at byte", [](ArtifactSpec& s) { s.eos_id = -2; }},
      {"tokenizer.space_prefix at byte", [](ArtifactSpec& s) { s.space_prefix = 3; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    ArtifactSpec spec = default_artifact_spec();
    c.mutate(spec);
    Status status = parse_error(spec);
    expect_located_error(status);
    EXPECT_THAT(status.message(), HasSubstr(c.field));
  }
  ArtifactSpec spec = default_artifact_spec();
  spec.token_types.clear();  // empty types are allowed
  spec.eos_id = -1;
  spec.space_prefix = 2;  // metaspace_first, the largest
  EXPECT_TRUE(parse_error(spec).ok());
}

TEST(ArtifactLoader, NeverAllocatesMoreThanTheFile) {
  std::vector<std::vector<uint8_t>> inputs;
  for (const ArtifactSpec& spec :
       {default_artifact_spec(), testing::all_encodings_artifact_spec(), testing::no_weights_artifact_spec()}) {
    BuiltArtifact built = build_artifact(spec);
    inputs.push_back(built.bytes);
    inputs.emplace_back(built.bytes.begin(), built.bytes.begin() + built.flatbuffer_end);
    std::vector<uint8_t> flipped = built.bytes;
    flipped[flipped.size() / 3] ^= 0x5a;
    inputs.push_back(flipped);
  }
  // Many weights: the overlap check's scratch is 4 bytes per weight at most.
  ArtifactSpec many = testing::no_weights_artifact_spec();
  for (int i = 0; i < 500; ++i) {
    testing::TestWeight w;
    w.name = std::to_string(i);
    w.name.insert(0, 1, 'w');
    w.shape = {1};
    w.data = {1, 2, 3, 4};
    many.weights.push_back(w);
  }
  inputs.push_back(build_artifact(many).bytes);
  for (const std::vector<uint8_t>& bytes : inputs) {
    MappedFile file = MappedFile::borrow(bytes, kName);
    testing::reset_largest_allocation();
    Result<Artifact> artifact = Artifact::parse(std::move(file));
    size_t largest = testing::largest_allocation();
    EXPECT_LE(largest, bytes.size()) << (artifact.ok() ? "ok" : artifact.status().message());
  }
  Result<Artifact> artifact = parse_bytes(inputs.back());
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->weight_count(), 500u);
}

TEST(ArtifactLoader, DummyWeightsAreMadeFromTheSeed) {
  const ArtifactSpec spec = testing::dummy_artifact_spec(77);
  BuiltArtifact built = build_artifact(spec);
  EXPECT_EQ(built.bytes.size(), built.segment_offset);  // no segment in the file
  Result<Artifact> artifact = parse_bytes(built.bytes);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  ASSERT_TRUE(artifact->has_dummy_weights());
  ASSERT_TRUE(artifact->dummy_weights_filled());
  touch_everything(*artifact);
  for (uint32_t i = 0; i < artifact->weight_count(); ++i) {
    Result<quant::dummy::FillParams> params = dummy_fill_params(artifact->model(), i, kName);
    ASSERT_TRUE(params.ok()) << params.status().message();
    const std::span<const uint8_t> bytes = artifact->weight_bytes(i);
    std::vector<uint8_t> want(bytes.size());
    for (uint64_t b = 0; b < bytes.size() / params->block_bytes; ++b)
      quant::dummy::fill_block(*params, b, want.data() + b * params->block_bytes);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), bytes.begin())) << "weight " << i;
  }
  EXPECT_GE(artifact->weight_count(), 9u);  // every encoding with a block format
}

TEST(ArtifactLoader, DummyWeightsInEncodingsWithoutAFillAreRefused) {
  ArtifactSpec spec = testing::all_encodings_artifact_spec();
  spec.dummy_seed = 1;
  const Status status = parse_error(spec);
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented) << status.message();
  EXPECT_THAT(status.message(), HasSubstr("no dummy fill for float8_e4m3fn"));
  // A device that fills its own copy gets the table, and the loader fills nothing.
  EXPECT_TRUE(parse_error(spec, {.fill_dummy_weights = false}).ok());
}

TEST(ArtifactLoader, DummyArtifactsMayLackATokenizerOthersMayNot) {
  ArtifactSpec spec = default_artifact_spec();
  spec.with_tokenizer = false;
  expect_located_error(parse_error(spec));
  spec.dummy_seed = 9;
  EXPECT_TRUE(parse_error(spec).ok());
}

TEST(ArtifactLoader, DummyArtifactWithSegmentBytesFails) {
  ArtifactSpec spec = default_artifact_spec();
  spec.dummy_seed = 9;
  spec.keep_segment_bytes = true;
  const Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("load_format at byte"));
  EXPECT_THAT(status.message(), HasSubstr("is dummy, but the file holds"));
}

TEST(ArtifactLoader, UnknownLoadFormatFails) {
  ArtifactSpec spec = default_artifact_spec();
  spec.load_format = 7;
  const Status status = parse_error(spec);
  expect_located_error(status);
  EXPECT_THAT(status.message(), HasSubstr("unknown value 7"));
}

TEST(ArtifactLoader, DummySegmentBeyondTheHostsMemoryIsRefused) {
  ArtifactSpec spec = default_artifact_spec();
  spec.dummy_seed = 9;
  spec.segment_size = uint64_t{1} << 46;  // 64 TiB: reserving or filling must refuse
  const Status status = parse_error(spec);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.message();
  EXPECT_THAT(status.message(), HasSubstr("dummy weights"));
  EXPECT_EQ(status.message().find('\n'), std::string::npos);
}

TEST(ArtifactLoader, MisalignedBufferIsRejected) {
  BuiltArtifact built = build_artifact(default_artifact_spec());
  std::vector<uint8_t> shifted(built.bytes.size() + 1);
  std::memcpy(shifted.data() + 1, built.bytes.data(), built.bytes.size());
  Result<Artifact> artifact =
      Artifact::parse(MappedFile::borrow({shifted.data() + 1, built.bytes.size()}, kName));
  ASSERT_FALSE(artifact.ok());
  EXPECT_EQ(artifact.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingot::artifact
