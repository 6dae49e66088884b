#include "compiler/emit/artifact_writer.h"

#include <xxhash.h>

#include "compiler/config/cache_dtype.h"
#include "compiler/emit/atomic_file.h"
#include "compiler/emit/plan_export.h"
#include "compiler/emit/weight_encoder.h"
#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/gguf/sampling_defaults.h"
#include "runtime/artifact/format.h"

namespace ingot::emit {
namespace {

namespace fb = flatbuffers;
using artifact::align_up;

// Weight placement in the segment and the checksums the second build records.
struct Layout {
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> sizes;
  std::vector<uint64_t> checksums;
  uint64_t segment_size = 0;
  uint64_t segment_checksum = 0;
};

schema::RopeType schema_rope(arch::RopeType rope) { return static_cast<schema::RopeType>(rope); }

fb::Offset<schema::HyperParameters> hyper_parameters(fb::FlatBufferBuilder& b,
                                                     mlir::ModuleOp module) {
  auto dict = module->getAttrOfType<mlir::DictionaryAttr>("ingot.hyper_parameters");
  auto get_int = [&](llvm::StringRef key) -> uint32_t {
    auto attr = dict ? dict.getAs<mlir::IntegerAttr>(key) : nullptr;
    return attr ? static_cast<uint32_t>(attr.getInt()) : 0;
  };
  auto get_float = [&](llvm::StringRef key) -> double {
    auto attr = dict ? dict.getAs<mlir::FloatAttr>(key) : nullptr;
    return attr ? attr.getValueAsDouble() : 0.0;
  };
  auto tied = dict ? dict.getAs<mlir::BoolAttr>("tied_embeddings") : nullptr;
  return schema::CreateHyperParameters(
      b, get_int("block_count"), get_int("context_length"), get_int("embedding_length"),
      get_int("feed_forward_length"), get_int("head_count"), get_int("head_count_kv"),
      get_int("head_dim"), get_int("vocab_size"), get_float("rms_norm_eps"),
      get_float("rope_freq_base"), tied && tied.getValue());
}

fb::Offset<schema::CompileConfig> compile_config(fb::FlatBufferBuilder& b,
                                                 const config::CompileConfig& c,
                                                 int64_t target_num_new_tokens) {
  std::string dtype(config::cache_dtype_name(
      c.kv_cache.cache_dtype.value_or(config::cache_dtype_for_encoding(c.quantization_encoding))));
  return schema::CreateCompileConfig(
      b, b.CreateString(c.model_path), b.CreateString(c.model_name()),
      static_cast<schema::Encoding>(c.quantization_encoding.value_or(arch::Encoding::kFloat32)),
      schema_rope(c.rope_type.value_or(arch::RopeType::kNormal)), c.max_length.value_or(0),
      static_cast<schema::CacheStrategy>(c.kv_cache.cache_strategy),
      static_cast<uint32_t>(c.kv_cache.kv_cache_page_size), c.kv_cache.enable_prefix_caching,
      c.kv_cache.device_memory_utilization, b.CreateString(dtype),
      static_cast<uint32_t>(target_num_new_tokens));
}

static_assert(static_cast<int>(schema::SpacePrefix::after_special) ==
                  static_cast<int>(tokenizer::SpacePrefix::kAfterSpecial) &&
              static_cast<int>(schema::SpacePrefix::metaspace_always) ==
                  static_cast<int>(tokenizer::SpacePrefix::kMetaspaceAlways) &&
              static_cast<int>(schema::SpacePrefix::metaspace_first) ==
                  static_cast<int>(tokenizer::SpacePrefix::kMetaspaceFirst));

Result<fb::Offset<schema::Tokenizer>> tokenizer(fb::FlatBufferBuilder& b,
                                                const gguf::GgufFile& file) {
  INGOT_ASSIGN_OR_RETURN(tokenizer::TokenizerSpec spec, gguf::tokenizer_spec_from_gguf(file));
  std::vector<int8_t> types;
  for (tokenizer::TokenType type : spec.token_types) types.push_back(static_cast<int8_t>(type));
  return schema::CreateTokenizer(
      b, b.CreateString(spec.model), b.CreateString(spec.pre), b.CreateVectorOfStrings(spec.tokens),
      b.CreateVector(types), b.CreateVectorOfStrings(spec.merges), spec.bos_id.value_or(-1),
      spec.eos_id.value_or(-1), spec.eot_id.value_or(-1), spec.unk_id.value_or(-1),
      spec.pad_id.value_or(-1), spec.add_bos, spec.add_eos, b.CreateVector(spec.scores),
      spec.add_space_prefix, static_cast<schema::SpacePrefix>(spec.space_prefix),
      spec.split_at_spaces);
}

// MAX's sampling_params_defaults: the model's own where it has them; a field it lacks is left
// out, so readers get the schema's default (MAX's SamplingParams default).
fb::Offset<schema::GenerationDefaults> generation_defaults(fb::FlatBufferBuilder& b,
                                                          const gguf::SamplingDefaults& s) {
  schema::GenerationDefaultsBuilder out(b);
  if (s.temperature) out.add_temperature(*s.temperature);
  if (s.top_k) out.add_top_k(*s.top_k);
  if (s.top_p) out.add_top_p(*s.top_p);
  if (s.min_p) out.add_min_p(*s.min_p);
  if (s.repetition_penalty) out.add_repetition_penalty(*s.repetition_penalty);
  return out.Finish();
}

// Builds the whole size-prefixed Model buffer for `layout`. Defaults are forced so
// that the size does not depend on the checksum values.
Result<std::vector<uint8_t>> build_model(const ArtifactInputs& in, const Layout& layout) {
  fb::FlatBufferBuilder b(1 << 20);
  b.ForceDefaults(true);
  mlir::FailureOr<ExportedPlan> exported = export_plan(in.module, b);
  if (mlir::failed(exported)) {
    return make_error(StatusCode::kInvalidArgument, "the module is not an exportable plan");
  }
  std::vector<fb::Offset<schema::Weight>> weights;
  for (size_t i = 0; i < exported->weights.size(); ++i) {
    const WeightSpec& spec = exported->weights[i];
    weights.push_back(schema::CreateWeight(
        b, b.CreateString(spec.name), spec.encoding, b.CreateVector(spec.shape),
        layout.offsets.empty() ? 0 : layout.offsets[i], layout.sizes.empty() ? 0 : layout.sizes[i],
        layout.checksums.empty() ? 0 : layout.checksums[i], b.CreateVectorOfStrings(spec.sources)));
  }
  fb::Offset<schema::Tokenizer> tok;
  std::string chat_template;
  gguf::SamplingDefaults sampling;
  if (in.gguf != nullptr) {
    INGOT_ASSIGN_OR_RETURN(tok, tokenizer(b, *in.gguf));
    if (auto value = in.gguf->get_string("tokenizer.chat_template"); value.ok())
      chat_template = *value;
    INGOT_ASSIGN_OR_RETURN(sampling, gguf::read_sampling_defaults(*in.gguf));
  }
  auto arch = in.module->getAttrOfType<mlir::StringAttr>("ingot.architecture");
  schema::FormatVersion version(artifact::kFormatMajor, artifact::kFormatMinor);
  auto model = schema::CreateModel(
      b, &version, b.CreateString("ingot " INGOT_VERSION),
      b.CreateString(arch ? arch.getValue().str() : ""), hyper_parameters(b, in.module),
      compile_config(b, *in.config, in.target_num_new_tokens), tok, b.CreateString(chat_template),
      generation_defaults(b, sampling), exported->plan, b.CreateVector(weights),
      layout.segment_size, layout.segment_checksum,
      in.dummy_seed ? schema::LoadFormat::dummy : schema::LoadFormat::segment,
      in.dummy_seed.value_or(0));
  schema::FinishSizePrefixedModelBuffer(b, model);
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

}  // namespace

Result<WriteSummary> write_artifact(const ArtifactInputs& in, const std::string& path,
                                    const ProgressFunction& progress) {
  // Pass 1: sizes and offsets (the plan export also yields the weight list).
  fb::FlatBufferBuilder scratch;
  mlir::FailureOr<ExportedPlan> exported = export_plan(in.module, scratch);
  if (mlir::failed(exported)) {
    return make_error(StatusCode::kInvalidArgument, "the module is not an exportable plan");
  }
  Layout layout;
  for (const WeightSpec& spec : exported->weights) {
    INGOT_ASSIGN_OR_RETURN(uint64_t size, encoded_size(spec));
    uint64_t offset = 0;
    align_up(layout.segment_size, artifact::kWeightAlignment, offset);
    layout.offsets.push_back(offset);
    layout.sizes.push_back(size);
    layout.segment_size = offset + size;
  }
  layout.checksums.assign(layout.offsets.size(), 0);
  INGOT_ASSIGN_OR_RETURN(std::vector<uint8_t> draft, build_model(in, layout));
  uint64_t segment_offset = 0;
  align_up(draft.size(), artifact::kSegmentAlignment, segment_offset);

  INGOT_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::create(path));
  if (in.dummy_seed) {  // the FlatBuffer alone, padded to where the segment would start
    INGOT_RETURN_IF_ERROR(file.write_at(0, draft));
    INGOT_RETURN_IF_ERROR(file.resize(segment_offset));
    INGOT_RETURN_IF_ERROR(file.commit());
    return WriteSummary{segment_offset, layout.segment_size, exported->weights.size()};
  }

  // Pass 2: encode each weight into place, hashing the segment as it goes.
  XXH64_state_t* segment_hash = XXH64_createState();
  XXH64_reset(segment_hash, 0);
  static const std::vector<uint8_t> kZeros(artifact::kWeightAlignment, 0);
  uint64_t written = 0;
  Status status;
  XXH64_state_t* weight_hash = XXH64_createState();
  for (size_t i = 0; i < exported->weights.size() && status.ok(); ++i) {
    XXH64_update(segment_hash, kZeros.data(), layout.offsets[i] - written);  // alignment padding
    XXH64_reset(weight_hash, 0);
    uint64_t at = segment_offset + layout.offsets[i];
    status = encode_weight(*in.gguf, exported->weights[i], [&](std::span<const uint8_t> bytes) {
      XXH64_update(weight_hash, bytes.data(), bytes.size());
      XXH64_update(segment_hash, bytes.data(), bytes.size());
      Status wrote = file.write_at(at, bytes);
      at += bytes.size();
      return wrote;
    });
    layout.checksums[i] = XXH64_digest(weight_hash);
    written = layout.offsets[i] + layout.sizes[i];
    if (progress)
      progress(static_cast<double>(written) / std::max<uint64_t>(1, layout.segment_size));
  }
  XXH64_freeState(weight_hash);
  layout.segment_checksum = XXH64_digest(segment_hash);
  XXH64_freeState(segment_hash);
  INGOT_RETURN_IF_ERROR(status);

  // Pass 3: the final FlatBuffer, the same size as the draft, then commit.
  INGOT_ASSIGN_OR_RETURN(std::vector<uint8_t> model, build_model(in, layout));
  if (model.size() != draft.size()) {
    return make_error(StatusCode::kInternal, path + ": the FlatBuffer changed size between passes");
  }
  INGOT_RETURN_IF_ERROR(file.write_at(0, model));
  INGOT_RETURN_IF_ERROR(file.resize(segment_offset + layout.segment_size));
  INGOT_RETURN_IF_ERROR(file.commit());
  return WriteSummary{segment_offset + layout.segment_size, layout.segment_size,
                      exported->weights.size()};
}

}  // namespace ingot::emit
