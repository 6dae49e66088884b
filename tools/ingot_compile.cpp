// ingot-compile: compiles a GGUF model or Hugging Face folder through the ingot pass pipeline.
#include <cstdio>
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include <chrono>

#include "compiler/config/command_line.h"
#include "compiler/driver/compile.h"
#include "compiler/emit/artifact_writer.h"
#include "compiler/emit/atomic_file.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "tools/cli_support.h"

namespace {

constexpr const char* kTool = "ingot-compile";

// Splits "a,b" into its parts.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// Applies --disable-fusion names; false (with `error`) on an unknown one.
bool disable_fusions(const std::vector<std::string>& names,
                     ingot::driver::PipelineOptions& pipeline, std::string& error) {
  for (const std::string& name : names) {
    if (name == "qkv")
      pipeline.fuse_qkv = false;
    else if (name == "gate-up")
      pipeline.fuse_gate_up = false;
    else if (name == "attention")
      pipeline.fuse_attention = false;
    else if (name == "residual-norm")
      pipeline.fuse_residual_norm = false;
    else {
      error = "--disable-fusion: unknown fusion '" + name +
              "' (one of: qkv, gate-up, attention, residual-norm)";
      return false;
    }
  }
  return true;
}

// A diagnostic location as a user reads it: "file", "file:line:col" or a tensor name.
std::string location_text(mlir::Location location) {
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(location)) {
    std::string text = file.getFilename().str();
    if (file.getLine() > 0)
      text += ":" + std::to_string(file.getLine()) + ":" + std::to_string(file.getColumn());
    return text;
  }
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(location)) return name.getName().str();
  std::string text;
  llvm::raw_string_ostream stream(text);
  stream << location;
  return stream.str();
}

// Writes `text` to `path` atomically.
bool write_text(const std::string& path, const std::string& text, std::string& error) {
  auto file = ingot::emit::AtomicFile::create(path);
  ingot::Status status = file.ok() ? file->write_at(0, {reinterpret_cast<const uint8_t*>(text.data()), text.size()})
                                   : file.status();
  if (status.ok()) status = file->commit();
  if (!status.ok()) error = status.message();
  return status.ok();
}

// "98.3 MB" style sizes for the summary line.
std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli(kTool,
                       "Compile a GGUF model or a Hugging Face folder (config.json, *.safetensors,\n"
                       "tokenizer.json), or a dummy preset, through the ingot pass pipeline.");
  cli.positional_help("MODEL");
  // clang-format off
  cli.add_options()
      ("emit", "What to write: artifact (the .ingot file; needs -o) or mlir (the module after "
       "the last pass run)", cxxopts::value<std::string>()->default_value("artifact"))
      ("stop-after", "Stop after this pass, e.g. ingot-fuse-attention (with --emit=mlir)",
       cxxopts::value<std::string>()->default_value(""))
      ("disable-fusion", "Fusions to skip: qkv, gate-up, attention, residual-norm (comma list)",
       cxxopts::value<std::string>()->default_value(""))
      ("target-num-new-tokens", "MAX's target_num_new_tokens: most tokens one step computes; "
       "sizes the activation arena", cxxopts::value<int64_t>()->default_value("512"))
      ("o,output", "The file to write, atomically (--emit=mlir prints to stdout without it)",
       cxxopts::value<std::string>())
      ("print-ir-after-all", "Print the module after every pass (stderr)")
      ("timing", "Report the time of each pass (stderr)")
      ("load-format", "auto (read MODEL's weights) or dummy (vLLM's: no model file and no "
       "weight segment; the runtime makes random weights from --seed; needs --arch and --preset)",
       cxxopts::value<std::string>()->default_value("auto"))
      ("arch", "Architecture of a dummy model: llama", cxxopts::value<std::string>())
      ("preset", "Shape of a dummy model: smollm2-135m, llama-3.2-1b, llama-3.1-8b",
       cxxopts::value<std::string>())
      ("seed", "Seed of a dummy model's weights", cxxopts::value<uint64_t>()->default_value("0"))
      ("h,help", "Show this help")
      ("model", "GGUF model file or Hugging Face folder", cxxopts::value<std::string>());
  // clang-format on
  ingot::config::add_compile_config_options(cli);
  cli.parse_positional({"model"});

  ingot::driver::CompileRequest request;
  std::string output;
  std::string emit;
  std::string error;
  auto start = std::chrono::steady_clock::now();
  try {
    cxxopts::ParseResult args = ingot::cli::parse(cli, argc, argv);
    if (args.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    const std::string load_format = args["load-format"].as<std::string>();
    if (load_format != "auto" && load_format != "dummy")
      return ingot::cli::report_error(kTool, "--load-format: '" + load_format +
                                                 "' is not one of: auto, dummy");
    if (load_format == "dummy") {
      if (args.count("model"))
        return ingot::cli::report_error(kTool, "--load-format dummy reads no MODEL");
      if (!args.count("arch") || !args.count("preset"))
        return ingot::cli::report_error(kTool, "--load-format dummy needs --arch and --preset");
      request.dummy = ingot::driver::DummyModel{args["arch"].as<std::string>(),
                                                args["preset"].as<std::string>(),
                                                args["seed"].as<uint64_t>()};
    } else if (args.count("arch") || args.count("preset")) {
      return ingot::cli::report_error(kTool, "--arch and --preset need --load-format dummy");
    } else if (!args.count("model")) {
      return ingot::cli::report_error(kTool, "no MODEL given (see --help)");
    }
    emit = args["emit"].as<std::string>();
    if (emit != "mlir" && emit != "artifact") {
      return ingot::cli::report_error(kTool, "--emit: '" + emit + "' is not one of: artifact, mlir");
    }
    if (emit == "artifact" && !args.count("output")) {
      return ingot::cli::report_error(kTool, "--emit=artifact needs -o FILE (or pass --emit=mlir)");
    }
    if (emit == "artifact" && !args["stop-after"].as<std::string>().empty()) {
      return ingot::cli::report_error(kTool, "--stop-after needs --emit=mlir: an artifact holds the whole plan");
    }
    auto config = ingot::config::compile_config_from_args(args);
    if (!config.ok()) return ingot::cli::report_error(kTool, config.status());
    request.config = std::move(config).value();
    request.config.model_path =
        request.dummy ? "dummy:" + request.dummy->preset : args["model"].as<std::string>();
    request.pipeline.stop_after = args["stop-after"].as<std::string>();
    if (!disable_fusions(split_list(args["disable-fusion"].as<std::string>()), request.pipeline,
                         error)) {
      return ingot::cli::report_error(kTool, error);
    }
    request.max_tokens_per_step = args["target-num-new-tokens"].as<int64_t>();
    if (args.count("output")) output = args["output"].as<std::string>();
    request.print_ir_after_all = args.count("print-ir-after-all") > 0;
    request.timing = args.count("timing") > 0;
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }

  mlir::MLIRContext context;
  // Every diagnostic is one line on stderr; errors make the exit status 2.
  bool failed_diagnostic = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic& diagnostic) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    stream << location_text(diagnostic.getLocation()) << ": " << diagnostic;
    if (diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error) {
      failed_diagnostic = true;
      ingot::cli::report_error(kTool, stream.str());
    } else {
      std::fprintf(stderr, "%s: remark: %s\n", kTool, stream.str().c_str());
    }
    return mlir::success();
  });
  auto compiled = ingot::driver::compile_to_mlir(request, context, error);
  if (mlir::failed(compiled)) {
    if (!error.empty()) return ingot::cli::report_error(kTool, error);
    return ingot::cli::kExitBadInput;
  }
  if (emit == "mlir") {
    std::string text;
    llvm::raw_string_ostream stream(text);
    compiled->module->print(stream);
    stream.flush();
    if (output.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else if (!write_text(output, text, error)) {
      return ingot::cli::report_error(kTool, error);
    }
    return failed_diagnostic ? ingot::cli::kExitBadInput : 0;
  }
  // A progress line while the weights are written, on a terminal only.
  bool terminal = ::isatty(STDERR_FILENO) == 1;
  auto progress = [&](double fraction) {
    if (terminal) std::fprintf(stderr, "\r%s: writing weights %3d%%", kTool, static_cast<int>(fraction * 100));
  };
  ingot::emit::ArtifactInputs inputs;
  inputs.gguf = compiled->source ? &*compiled->source : nullptr;
  inputs.module = *compiled->module;
  inputs.config = &request.config;
  inputs.target_num_new_tokens = request.max_tokens_per_step;
  if (request.dummy) inputs.dummy_seed = request.dummy->seed;
  auto summary = ingot::emit::write_artifact(inputs, output, progress);
  if (terminal) std::fprintf(stderr, "\r\033[K");
  if (!summary.ok()) return ingot::cli::report_error(kTool, summary.status());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string encoding = request.pipeline.encoding.empty() ? "as in the source" : request.pipeline.encoding;
  std::fprintf(stderr, "%s: wrote %s: %zu %sweights (%s), encoding %s, %s in %.2f s\n", kTool,
               output.c_str(), summary->weights, request.dummy ? "dummy " : "",
               megabytes(summary->weight_bytes).c_str(), encoding.c_str(),
               megabytes(summary->file_bytes).c_str(), seconds);
  return failed_diagnostic ? ingot::cli::kExitBadInput : 0;
}
