// ingot-compile: compiles a GGUF model through the ingot pass pipeline.
#include <cstdio>
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>

#include "compiler/config/command_line.h"
#include "compiler/driver/compile.h"
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

// Writes `text` to `path` through a temporary file and a rename.
bool write_atomically(const std::string& path, const std::string& text, std::string& error) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      error = path + ": cannot write";
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = path + ": cannot rename the temporary file into place";
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli(kTool, "Compile a GGUF model through the ingot pass pipeline.");
  cli.positional_help("MODEL");
  cli.add_options()("emit", "What to write: mlir (the module after the last pass run)",
                    cxxopts::value<std::string>()->default_value("mlir"))(
      "stop-after", "Stop after this pass (a flag such as ingot-fuse-attention)",
      cxxopts::value<std::string>()->default_value(""))(
      "disable-fusion", "Fusions to skip: qkv, gate-up, attention, residual-norm (comma list)",
      cxxopts::value<std::string>()->default_value(""))(
      "target-num-new-tokens",
      "MAX's target_num_new_tokens: most tokens one step computes; "
      "sizes the activation arena",
      cxxopts::value<int64_t>()->default_value("512"))(
      "o,output", "Write here instead of stdout (atomically)", cxxopts::value<std::string>())(
      "print-ir-after-all", "Print the module after every pass (stderr)")(
      "timing", "Report the time of each pass (stderr)")("h,help", "Show this help")(
      "model", "GGUF model file", cxxopts::value<std::string>());
  ingot::config::add_compile_config_options(cli);
  cli.parse_positional({"model"});

  ingot::driver::CompileRequest request;
  std::string output;
  std::string error;
  try {
    cxxopts::ParseResult args = cli.parse(argc, argv);
    if (args.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!args.count("model")) return ingot::cli::report_error(kTool, "no MODEL given (see --help)");
    if (args["emit"].as<std::string>() != "mlir") {
      return ingot::cli::report_error(
          kTool, "--emit: '" + args["emit"].as<std::string>() + "' is not one of: mlir");
    }
    auto config = ingot::config::compile_config_from_args(args);
    if (!config.ok()) return ingot::cli::report_error(kTool, config.status());
    request.config = std::move(config).value();
    request.config.model_path = args["model"].as<std::string>();
    request.pipeline.stop_after = args["stop-after"].as<std::string>();
    if (!disable_fusions(split_list(args["disable-fusion"].as<std::string>()), request.pipeline,
                         error)) {
      return ingot::cli::report_error(kTool, error);
    }
    request.max_tokens_per_step = args["target-num-new-tokens"].as<int64_t>();
    if (request.max_tokens_per_step <= 0) {
      return ingot::cli::report_error(kTool, "--target-num-new-tokens: must be positive");
    }
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
  auto module = ingot::driver::compile_to_mlir(request, context, error);
  if (mlir::failed(module)) {
    if (!error.empty()) return ingot::cli::report_error(kTool, error);
    return ingot::cli::kExitBadInput;
  }
  std::string text;
  llvm::raw_string_ostream stream(text);
  (*module)->print(stream);
  stream.flush();
  if (output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else if (!write_atomically(output, text, error)) {
    return ingot::cli::report_error(kTool, error);
  }
  return failed_diagnostic ? ingot::cli::kExitBadInput : 0;
}
