// ArtifactBuilder: writes small valid .ingot artifacts straight with FlatBufferBuilder
// (no compiler), with knobs to corrupt every field the loader checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/schema/artifact_generated.h"

namespace ingot::testing {

/// One weight: its recorded fields and its bytes. Recorded offset, size and checksum
/// default to where the builder places `data`, its length and its XXH64.
struct TestWeight {
  std::string name;
  schema::Encoding encoding = schema::Encoding::float32;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> data;               ///< Placed 64-aligned in the segment, in order.
  std::optional<uint64_t> offset;          ///< Overrides the recorded offset.
  std::optional<uint64_t> size;            ///< Overrides the recorded size.
  std::optional<uint64_t> checksum;        ///< Overrides the recorded checksum.
  bool omit_name = false;                  ///< Leaves the name field out.
};

/// One plan value (see schema::Value).
struct TestValue {
  schema::ValueKind kind = schema::ValueKind::activation;
  uint32_t features = 0;
  uint32_t rows = 0;
  uint64_t arena_offset = 0;
  uint32_t weight = 0;
};

/// One kernel of the plan, with an optional integer parameter.
struct TestKernel {
  std::string name;
  std::vector<uint32_t> inputs;
  std::vector<uint32_t> outputs;
  std::vector<std::pair<std::string, int64_t>> params;
};

/// Everything build_artifact writes. Start from default_artifact_spec() and break one thing.
struct ArtifactSpec {
  std::string identifier = "INGT";
  bool with_version = true;
  uint16_t major = 1;
  uint16_t minor = 0;
  std::vector<TestWeight> weights;
  bool with_plan = true;
  std::vector<TestValue> values;
  std::vector<TestKernel> kernels;
  std::vector<uint32_t> plan_inputs;
  std::vector<uint32_t> plan_outputs;
  uint64_t arena_bytes = 0;
  uint32_t max_tokens = 8;
  bool with_tokenizer = true;
  std::vector<std::string> tokens;
  std::vector<int8_t> token_types;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  uint8_t space_prefix = 0;  ///< The tokenizer's SpacePrefix, raw, so tests can store bad ones.
  std::optional<uint64_t> segment_size;      ///< Overrides the recorded segment size.
  std::optional<uint64_t> segment_checksum;  ///< Overrides the recorded segment checksum.
  uint64_t segment_tail = 0;                 ///< Zero bytes after the last weight, inside the segment.
  /// Set: load_format dummy with this seed; the file ends where the segment would start (unless
  /// keep_segment_bytes), and the weights' data only sizes the table.
  std::optional<uint64_t> dummy_seed;
  bool keep_segment_bytes = false;
  std::optional<uint8_t> load_format;  ///< Overrides the recorded load_format value.
};

/// A small llama-like plan over three weights (q8_0 embedding [16, 64], f32 norm
/// [64], q4_k output [16, 256]) with random non-zero bytes from `seed`, and a
/// 16-token tokenizer.
ArtifactSpec default_artifact_spec(uint32_t seed = 1);

/// One weight in every encoding this build supports (float32, bfloat16, f16, q4_0,
/// q4_1, q8_0, q4_k, q6_k, float8_e4m3fn), each an input of one kernel.
ArtifactSpec all_encodings_artifact_spec(uint32_t seed = 2);

/// all_encodings_artifact_spec with dummy weights from `seed`: float8_e4m3fn, which has no dummy
/// fill, becomes bfloat16, so every weight is made at load.
ArtifactSpec dummy_artifact_spec(uint64_t seed = 3);

/// A plan with no weights (an empty segment): ids in, a one-kernel stand-in out.
ArtifactSpec no_weights_artifact_spec();

/// Random non-zero bytes of the exact encoded size of `shape` in `encoding`.
std::vector<uint8_t> random_weight_bytes(schema::Encoding encoding,
                                         const std::vector<uint64_t>& shape, uint32_t seed);

/// A built artifact and where its parts landed.
struct BuiltArtifact {
  std::vector<uint8_t> bytes;
  uint64_t flatbuffer_end = 0;   ///< 4 + size prefix.
  uint64_t segment_offset = 0;   ///< First byte of the weight segment.
  std::vector<uint64_t> weight_offsets;  ///< Where each weight's data was placed (segment-relative).
};

/// Serializes `spec`: size-prefixed FlatBuffer, zero padding to 4096, weight segment.
BuiltArtifact build_artifact(const ArtifactSpec& spec);

/// Writes `bytes` to `path`; false on failure.
bool write_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace ingot::testing
