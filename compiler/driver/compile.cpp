#include "compiler/driver/compile.h"

#include <map>

#include "compiler/arch/registry.h"
#include "compiler/config/resolve.h"
#include "ir/IngotDialect.h"

namespace ingot::driver {
namespace {

// The model's context length ({arch}.context_length), or 0 when it does not say.
int64_t model_context_length(const gguf::GgufFile& file, std::string_view architecture) {
  Result<uint64_t> length = file.get_uint(std::string(architecture) + ".context_length");
  return length.ok() ? static_cast<int64_t>(*length) : 0;
}

// The encoding that holds most 2-D weight bytes: what MAX infers for a GGUF.
std::optional<arch::Encoding> dominant_encoding(const gguf::GgufFile& file) {
  std::map<std::string, uint64_t> bytes;
  for (const gguf::TensorInfo& tensor : file.tensors()) {
    if (tensor.dims.size() == 2)
      bytes[std::string(quant::type_traits(tensor.type).name)] += tensor.bytes;
  }
  std::string best;
  for (const auto& [name, count] : bytes) {
    if (best.empty() || count > bytes[best]) best = name;
  }
  std::string lower;
  for (char c : best) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, std::string> kGgmlToMax = {{"f32", "float32"},
                                                                {"bf16", "bfloat16"}};
  if (auto it = kGgmlToMax.find(lower); it != kGgmlToMax.end()) lower = it->second;
  arch::Encoding encoding;
  if (arch::parse_encoding(lower, encoding)) return encoding;
  return std::nullopt;
}

}  // namespace

mlir::FailureOr<Compiled> compile_to_mlir(CompileRequest& request, mlir::MLIRContext& context,
                                          std::string& error) {
  config::CompileConfig& config = request.config;
  Result<gguf::GgufFile> file = gguf::GgufFile::open(config.model_path);
  if (!file.ok()) {
    error = file.status().message();
    return mlir::failure();
  }
  Result<std::string_view> name = file->get_string("general.architecture");
  if (!name.ok()) {
    error = name.status().message();
    return mlir::failure();
  }
  const arch::Architecture* architecture = arch::find_architecture(*name);
  if (!architecture) {
    error =
        config.model_path + ": architecture '" + std::string(*name) + "' is not supported (known:";
    for (const arch::Architecture& known : arch::registered_architectures()) {
      for (const std::string& gguf_name : known.info.gguf_names) error += " " + gguf_name;
    }
    error += ")";
    return mlir::failure();
  }
  // Without --encoding every weight keeps the file's own encoding (MAX infers the
  // encoding from a GGUF); the dominant one stands for it in validation.
  bool keep_source = !config.quantization_encoding.has_value();
  if (keep_source) config.quantization_encoding = dominant_encoding(*file);
  Status resolved = config::resolve(config, architecture->info, model_context_length(*file, *name));
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
  auto module = architecture->build(*file, build, context);
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
  return Compiled{std::move(*module), std::move(file).value()};
}

}  // namespace ingot::driver
