#include "test/support/artifact_builder.h"

#include <xxhash.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "runtime/artifact/format.h"
#include "runtime/artifact/weight_size.h"

namespace ingot::testing {

namespace fb = flatbuffers;
using schema::Encoding;
using schema::ValueKind;

std::vector<uint8_t> random_weight_bytes(Encoding encoding, const std::vector<uint64_t>& shape,
                                         uint32_t seed) {
  uint64_t rows = shape.size() == 2 ? shape[0] : 1;
  Result<uint64_t> bytes = artifact::encoded_weight_bytes(encoding, rows, shape.back());
  std::vector<uint8_t> out(bytes.ok() ? *bytes : 0);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(1, 255);
  for (uint8_t& b : out) b = static_cast<uint8_t>(byte(rng));
  return out;
}

ArtifactSpec default_artifact_spec(uint32_t seed) {
  ArtifactSpec spec;
  const uint32_t vocab = 16, embed = 64, hidden = 256;
  auto weight = [&](std::string name, Encoding encoding, std::vector<uint64_t> shape) {
    TestWeight w;
    w.name = std::move(name);
    w.encoding = encoding;
    w.shape = std::move(shape);
    w.data = random_weight_bytes(encoding, w.shape, seed * 31 + static_cast<uint32_t>(spec.weights.size()));
    spec.weights.push_back(std::move(w));
  };
  weight("token_embd.weight", Encoding::q8_0, {vocab, embed});
  weight("output_norm.weight", Encoding::float32, {embed});
  weight("output.weight", Encoding::q4_k, {vocab, hidden});

  // ids -> embedding -> rmsnorm -> (pad to 256: a stand-in kernel) -> matmul -> logits.
  const uint32_t T = spec.max_tokens;
  spec.values = {
      {ValueKind::input, 1, 0, 0, 0},                                   // 0 token ids
      {ValueKind::weight, 0, 0, 0, 0},                                  // 1 token_embd
      {ValueKind::activation, embed, 0, 0, 0},                          // 2 hidden
      {ValueKind::weight, 0, 0, 0, 1},                                  // 3 output_norm
      {ValueKind::activation, embed, 0, uint64_t{T} * embed * 4, 0},    // 4 normed
      {ValueKind::activation, hidden, 0, uint64_t{T} * embed * 8, 0},   // 5 widened
      {ValueKind::weight, 0, 0, 0, 2},                                  // 6 output
      {ValueKind::activation, vocab, 1, 0, 0},                          // 7 logits (last token)
  };
  spec.arena_bytes = uint64_t{T} * embed * 8 + uint64_t{T} * hidden * 4;
  spec.kernels = {
      {"embedding.q8_0", {0, 1}, {2}, {}},
      {"rms_norm", {2, 3}, {4}, {{"eps_e6", 1}}},
      {"pad_features", {4}, {5}, {{"width", hidden}}},
      {"matmul.q4_k", {5, 6}, {7}, {{"last_token_only", 1}}},
  };
  spec.plan_inputs = {0};
  spec.plan_outputs = {7};
  for (uint32_t i = 0; i < vocab; ++i) {
    spec.tokens.push_back(i == 0 ? "<s>" : i == 1 ? "</s>" : std::string(1, static_cast<char>('a' + i)));
    spec.token_types.push_back(i < 2 ? 3 : 1);
  }
  spec.bos_id = 0;
  spec.eos_id = 1;
  return spec;
}

ArtifactSpec all_encodings_artifact_spec(uint32_t seed) {
  ArtifactSpec spec = default_artifact_spec(seed);
  spec.weights.clear();
  spec.values = {{ValueKind::input, 1, 0, 0, 0}};
  TestKernel touch{"touch_weights", {0}, {}, {}};
  const std::pair<Encoding, std::vector<uint64_t>> kinds[] = {
      {Encoding::float32, {2, 32}}, {Encoding::bfloat16, {2, 32}}, {Encoding::f16, {3, 32}},
      {Encoding::q4_0, {2, 64}},    {Encoding::q4_1, {2, 32}},     {Encoding::q8_0, {1, 96}},
      {Encoding::q4_k, {2, 256}},   {Encoding::q6_k, {1, 512}},    {Encoding::float8_e4m3fn, {5, 7}},
  };
  for (const auto& [encoding, shape] : kinds) {
    TestWeight w;
    w.name = std::string("w.") + schema::EnumNameEncoding(encoding);
    w.encoding = encoding;
    w.shape = shape;
    w.data = random_weight_bytes(encoding, shape, seed * 131 + static_cast<uint32_t>(spec.weights.size()));
    touch.inputs.push_back(static_cast<uint32_t>(spec.values.size()));
    spec.values.push_back({ValueKind::weight, 0, 0, 0, static_cast<uint32_t>(spec.weights.size())});
    spec.weights.push_back(std::move(w));
  }
  touch.outputs.push_back(static_cast<uint32_t>(spec.values.size()));
  spec.values.push_back({ValueKind::activation, 4, 0, 0, 0});
  spec.kernels = {touch};
  spec.plan_inputs = {0};
  spec.plan_outputs = {touch.outputs[0]};
  spec.arena_bytes = uint64_t{spec.max_tokens} * 4 * 4;
  return spec;
}

ArtifactSpec no_weights_artifact_spec() {
  ArtifactSpec spec = default_artifact_spec(3);
  spec.weights.clear();
  spec.values = {{ValueKind::input, 1, 0, 0, 0}, {ValueKind::activation, 16, 1, 0, 0}};
  spec.kernels = {{"one_hot", {0}, {1}, {}}};
  spec.plan_inputs = {0};
  spec.plan_outputs = {1};
  spec.arena_bytes = 64;
  return spec;
}

ArtifactSpec dummy_artifact_spec(uint64_t seed) {
  ArtifactSpec spec = all_encodings_artifact_spec();
  for (TestWeight& w : spec.weights) {
    if (w.encoding != schema::Encoding::float8_e4m3fn) continue;
    w.encoding = schema::Encoding::bfloat16;
    w.data = random_weight_bytes(w.encoding, w.shape, 5);
  }
  spec.dummy_seed = seed;
  return spec;
}

namespace {

fb::Offset<schema::Plan> build_plan(fb::FlatBufferBuilder& b, const ArtifactSpec& spec) {
  std::vector<fb::Offset<schema::Value>> values;
  for (const TestValue& v : spec.values) {
    values.push_back(schema::CreateValue(b, v.kind, v.features, v.rows, v.arena_offset, v.weight));
  }
  std::vector<fb::Offset<schema::Kernel>> kernels;
  for (const TestKernel& k : spec.kernels) {
    std::vector<fb::Offset<schema::Param>> params;
    for (const auto& [name, value] : k.params) {
      params.push_back(schema::CreateParam(b, b.CreateString(name), schema::ParamKind::integer, value));
    }
    kernels.push_back(schema::CreateKernel(b, b.CreateString(k.name), b.CreateVector(k.inputs),
                                           b.CreateVector(k.outputs), b.CreateVector(params),
                                           b.CreateVectorOfStrings(std::vector<std::string>{k.name})));
  }
  return schema::CreatePlan(b, b.CreateVector(values), b.CreateVector(kernels),
                            b.CreateVector(spec.plan_inputs), b.CreateVector(spec.plan_outputs),
                            spec.arena_bytes, spec.max_tokens);
}

}  // namespace

BuiltArtifact build_artifact(const ArtifactSpec& spec) {
  BuiltArtifact out;
  // The segment: each weight's data at the next 64-byte boundary, then the tail.
  std::vector<uint8_t> segment;
  for (const TestWeight& w : spec.weights) {
    uint64_t at = 0;
    artifact::align_up(segment.size(), artifact::kWeightAlignment, at);
    segment.resize(at);
    out.weight_offsets.push_back(at);
    segment.insert(segment.end(), w.data.begin(), w.data.end());
  }
  segment.resize(segment.size() + spec.segment_tail);

  fb::FlatBufferBuilder b;
  std::vector<fb::Offset<schema::Weight>> weights;
  for (size_t i = 0; i < spec.weights.size(); ++i) {
    const TestWeight& w = spec.weights[i];
    weights.push_back(schema::CreateWeight(
        b, w.omit_name ? 0 : b.CreateString(w.name), w.encoding, b.CreateVector(w.shape),
        w.offset.value_or(out.weight_offsets[i]), w.size.value_or(w.data.size()),
        w.checksum.value_or(XXH64(w.data.data(), w.data.size(), 0)),
        b.CreateVectorOfStrings(std::vector<std::string>{w.name})));
  }
  fb::Offset<schema::Tokenizer> tokenizer = 0;
  if (spec.with_tokenizer) {
    tokenizer = schema::CreateTokenizer(b, b.CreateString("gpt2"), b.CreateString("default"),
                                        b.CreateVectorOfStrings(spec.tokens),
                                        b.CreateVector(spec.token_types),
                                        b.CreateVectorOfStrings(std::vector<std::string>{"a b"}),
                                        spec.bos_id, spec.eos_id, -1, -1, -1, false, false, 0,
                                        false, static_cast<schema::SpacePrefix>(spec.space_prefix));
  }
  auto plan = spec.with_plan ? build_plan(b, spec) : 0;
  auto hyper = schema::CreateHyperParameters(b, 1, 64, 64, 256, 4, 4, 16,
                                             static_cast<uint32_t>(spec.tokens.size()), 1e-5f,
                                             10000.0, false);
  schema::FormatVersion version(spec.major, spec.minor);
  auto model = schema::CreateModel(
      b, spec.with_version ? &version : nullptr, b.CreateString("artifact_builder"),
      b.CreateString("llama"), hyper, 0, tokenizer, b.CreateString("{{ messages }}"),
      schema::CreateGenerationDefaults(b), plan, b.CreateVector(weights),
      spec.segment_size.value_or(segment.size()),
      spec.segment_checksum.value_or(spec.dummy_seed ? 0 : XXH64(segment.data(), segment.size(), 0)),
      static_cast<schema::LoadFormat>(spec.load_format.value_or(
          static_cast<uint8_t>(spec.dummy_seed ? schema::LoadFormat::dummy
                                               : schema::LoadFormat::segment))),
      spec.dummy_seed.value_or(0));
  std::string identifier = spec.identifier;
  identifier.resize(4, ' ');
  b.FinishSizePrefixed(model, identifier.c_str());

  out.flatbuffer_end = b.GetSize();
  artifact::align_up(out.flatbuffer_end, artifact::kSegmentAlignment, out.segment_offset);
  out.bytes.assign(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  out.bytes.resize(out.segment_offset, 0);
  if (!spec.dummy_seed || spec.keep_segment_bytes)
    out.bytes.insert(out.bytes.end(), segment.begin(), segment.end());
  return out;
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file);
}

}  // namespace ingot::testing
