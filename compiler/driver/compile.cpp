#include "compiler/driver/compile.h"

#include <map>
#include <optional>

#include "compiler/arch/registry.h"
#include "compiler/config/resolve.h"
#include "compiler/import/hf/hf_folder.h"
#include "ir/IngotDialect.h"

namespace ingot::driver {
namespace {

// The model's context length ({arch}.context_length), or 0 when it does not say.
int64_t model_context_length(const gguf::GgufFile& file, std::string_view architecture) {
  Result<uint64_t> length = file.get_uint(std::string(architecture) + ".context_length");
  return length.ok() ? static_cast<int64_t>(*length) : 0;
}

// The encoding that holds most 2-D weight bytes, as the weights are read (gguf_read_encoding):
// what MAX infers for a GGUF.
std::optional<arch::Encoding> dominant_encoding(const gguf::GgufFile& file) {
  std::map<arch::Encoding, uint64_t> bytes;
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    if (tensor.dims.size() != 2) continue;
    if (std::optional<arch::ReadEncoding> read = arch::gguf_read_encoding(tensor.type))
      bytes[read->encoding] += tensor.bytes;
  }
  std::optional<arch::Encoding> best;
  for (const auto& [encoding, count] : bytes) {
    if (!best || count > bytes[*best]) best = encoding;
  }
  return best;
}

// What a compilation builds from: the architecture, and a model file or a preset.
struct Source {
  const arch::Architecture* architecture = nullptr;
  const arch::Preset* preset = nullptr;  // set for a dummy model
  std::optional<gguf::GgufFile> file;    // set otherwise
  int64_t context_length = 0;            // the model's own (0 when it does not say)
  bool from_safetensors = false;         // a Hugging Face folder (q and k keep NeoX pairs)

  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> build(const arch::BuildOptions& options,
                                                           mlir::MLIRContext& context) const {
    return preset ? preset->build(options, context) : architecture->build(*file, options, context);
  }
};

// The error for an unknown architecture name, listing the known ones.
std::string unknown_architecture(const std::string& where, std::string_view name) {
  std::string error = where + ": architecture '" + std::string(name) + "' is not supported (known:";
  for (const arch::Architecture& known : arch::registered_architectures()) {
    for (const std::string& gguf_name : known.info.gguf_names) error += " " + gguf_name;
  }
  return error + ")";
}

// A preset of request.dummy; its weights stay those of the preset's source (bfloat16) unless
// --encoding asks otherwise.
std::optional<Source> dummy_source(const DummyModel& dummy, std::string& error) {
  Source source;
  source.architecture = arch::find_architecture(dummy.architecture);
  if (!source.architecture) {
    error = unknown_architecture("--arch", dummy.architecture);
    return std::nullopt;
  }
  const arch::Preset* preset = arch::find_preset(*source.architecture, dummy.preset);
  if (!preset) {
    error = "--preset: '" + dummy.preset + "' is not a " + dummy.architecture + " preset (known:";
    for (const arch::Preset& known : source.architecture->presets) error += " " + known.name;
    error += ")";
    return std::nullopt;
  }
  source.preset = preset;
  source.context_length = preset->context_length;
  return source;
}

// A GGUF file, or a Hugging Face folder read as one (its safetensors files, or MAX's
// weight_path where given).
std::optional<Source> model_source(const std::string& path,
                                   const std::vector<std::string>& weight_path,
                                   std::string& error) {
  const bool folder = hf::is_hf_folder(path);
  if (!weight_path.empty() && !folder) {
    error = path + ": weight_path names weight files, which only a Hugging Face folder takes "
                   "(a GGUF holds its own)";
    return std::nullopt;
  }
  Result<gguf::GgufFile> file =
      folder ? hf::open_hf_folder(path, weight_path) : gguf::GgufFile::open(path);
  if (!file.ok()) {
    error = file.status().message();
    return std::nullopt;
  }
  Result<std::string_view> name = file->get_string("general.architecture");
  if (!name.ok()) {
    error = name.status().message();
    return std::nullopt;
  }
  Source source;
  source.architecture = arch::find_architecture(*name);
  if (!source.architecture) {
    error = unknown_architecture(path, *name);
    return std::nullopt;
  }
  source.context_length = model_context_length(*file, *name);
  source.from_safetensors = folder;
  source.file = std::move(file).value();
  return source;
}

}  // namespace

mlir::FailureOr<Compiled> compile_to_mlir(CompileRequest& request, mlir::MLIRContext& context,
                                          std::string& error) {
  if (request.max_tokens_per_step <= 0 || request.max_tokens_per_step > kMaxTokensPerStep) {
    error = "--target-num-new-tokens: must be between 1 and " +
            std::to_string(kMaxTokensPerStep) + ", got " +
            std::to_string(request.max_tokens_per_step);
    return mlir::failure();
  }
  config::CompileConfig& config = request.config;
  std::optional<Source> source = request.dummy ? dummy_source(*request.dummy, error)
                                               : model_source(config.model_path, config.weight_path, error);
  if (!source) return mlir::failure();
  const std::optional<arch::Encoding> stored =
      source->file ? dominant_encoding(*source->file) : arch::Encoding::kBfloat16;
  Status cast =
      config::check_safetensors_cast(config, source->from_safetensors ? stored : std::nullopt);
  if (!cast.ok()) {
    error = cast.message();
    return mlir::failure();
  }
  // Without --encoding every weight keeps the source's own encoding (MAX infers the
  // encoding from a GGUF); the dominant one stands for it in validation.
  bool keep_source = !config.quantization_encoding.has_value();
  if (keep_source) config.quantization_encoding = stored;
  // MAX's rule: GGUF llama weights have q and k permuted for adjacent rope pairs;
  // safetensors ones keep the NeoX pairs, so that is their default rope.
  arch::SupportedArchitecture info = source->architecture->info;
  if (source->from_safetensors && info.rope_type == arch::RopeType::kNormal)
    info.rope_type = arch::RopeType::kNeox;
  Status resolved = config::resolve(config, info, source->context_length);
  if (!resolved.ok()) {
    error = resolved.message();
    return mlir::failure();
  }
  request.pipeline.encoding =
      keep_source ? "" : std::string(arch::encoding_name(*config.quantization_encoding));
  request.pipeline.overrides.clear();
  for (const config::EncodingOverride& entry : config.overrides) {
    request.pipeline.overrides.push_back(entry.pattern + "=" +
                                         std::string(arch::encoding_name(entry.encoding)));
  }

  arch::BuildOptions build;
  build.rope_type = *config.rope_type;
  build.max_length = *config.max_length;
  build.max_tokens_per_step = request.max_tokens_per_step;
  build.keep_source_encodings = keep_source;
  auto module = source->build(build, context);
  if (mlir::failed(module)) return mlir::failure();

  mlir::PassManager pm(&context);
  if (mlir::failed(build_pipeline(pm, request.pipeline, error))) return mlir::failure();
  if (request.print_ir_after_all) {
    context.disableMultithreading();
    pm.enableIRPrinting([](mlir::Pass*, mlir::Operation*) { return false; },
                        [](mlir::Pass*, mlir::Operation*) { return true; },
                        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (request.timing) pm.enableTiming();
  if (mlir::failed(pm.run(**module))) return mlir::failure();
  return Compiled{std::move(*module), std::move(source->file)};
}

}  // namespace ingot::driver
