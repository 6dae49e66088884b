// ingot-inspect: dumps a GGUF file (header, metadata, tensor table) or a .ingot
// artifact (versions, config, tokenizer, plan, weights, memory estimate).
#include <cstdio>
#include <fstream>
#include <iostream>

#include <cxxopts.hpp>

#include "compiler/import/gguf/gguf_dump.h"
#include "compiler/import/hf/hf_folder.h"
#include "tools/cli_support.h"
#include "tools/inspect/artifact_dump.h"

namespace {

constexpr const char* kTool = "ingot-inspect";

struct Options {
  std::string path;
  bool json = false;
  bool verify_checksums = true;
  ingot::gguf::DumpOptions gguf;
  ingot::pipeline::ServingShape shape;
};

// What the file's first bytes say it is.
enum class FileKind { kGguf, kArtifact, kUnknown };

FileKind sniff(const std::string& path) {
  char head[12] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof(head));
  if (in.gcount() >= 4 && std::string_view(head, 4) == "GGUF") return FileKind::kGguf;
  if (in.gcount() >= 12 && std::string_view(head + 8, 4) == "INGT") return FileKind::kArtifact;
  return FileKind::kUnknown;
}

void print(const nlohmann::ordered_json& json) {
  std::cout << json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

int inspect_artifact(const Options& options) {
  // Dummy weights are described, not made: inspecting a dummy 8B model fills no 16 GB.
  auto artifact = ingot::artifact::Artifact::open(
      options.path, {.verify_checksums = options.verify_checksums, .fill_dummy_weights = false});
  if (!artifact.ok()) return ingot::cli::report_error(kTool, artifact.status());
  if (options.json) {
    auto json = ingot::inspect::artifact_to_json(*artifact, options.shape);
    if (!json.ok()) return ingot::cli::report_error(kTool, json.status());
    print(*json);
  } else {
    auto text = ingot::inspect::artifact_to_text(*artifact, options.shape);
    if (!text.ok()) return ingot::cli::report_error(kTool, text.status());
    std::fputs(text->c_str(), stdout);
  }
  return 0;
}

int inspect_gguf(const Options& options) {
  auto file = ingot::hf::open_model(options.path);
  if (!file.ok()) return ingot::cli::report_error(kTool, file.status());
  if (options.json) {
    print(ingot::gguf::gguf_to_json(*file, options.gguf));
  } else {
    std::fputs(ingot::gguf::gguf_to_text(*file, options.gguf).c_str(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli(kTool,
                       "Dump a GGUF model (header, metadata, tensor table), a Hugging Face folder\n"
                       "(as the GGUF keys and tensors it imports as) or a .ingot artifact\n"
                       "(versions, config, tokenizer, plan, weights, memory estimate).");
  cli.positional_help("FILE");
  // clang-format off
  cli.add_options()
      ("json", "Print JSON (every array element) instead of text")
      ("no-metadata", "GGUF: leave out the metadata")
      ("no-tensors", "GGUF: leave out the tensor table")
      ("max-array", "GGUF: array elements shown per value in text mode",
       cxxopts::value<uint64_t>()->default_value("8"))
      ("max-batch-size", "Artifact: MAX's max_batch_size for the memory estimate",
       cxxopts::value<int64_t>()->default_value("1"))
      ("max-length", "Artifact: MAX's max_length for the memory estimate (0: as compiled)",
       cxxopts::value<int64_t>()->default_value("0"))
      ("skip-checksum", "Artifact: do not hash the weights while loading")
      ("h,help", "Show this help")
      ("file", "GGUF file or .ingot artifact", cxxopts::value<std::string>());
  // clang-format on
  cli.parse_positional({"file"});

  Options options;
  try {
    cxxopts::ParseResult args = ingot::cli::parse(cli, argc, argv);
    if (args.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!args.count("file")) return ingot::cli::report_error(kTool, "no FILE given (see --help)");
    options.path = args["file"].as<std::string>();
    options.json = args.count("json") > 0;
    options.gguf.metadata = args.count("no-metadata") == 0;
    options.gguf.tensors = args.count("no-tensors") == 0;
    options.gguf.max_array_elements = args["max-array"].as<uint64_t>();
    options.shape.max_batch_size = args["max-batch-size"].as<int64_t>();
    options.shape.max_length = args["max-length"].as<int64_t>();
    options.verify_checksums = args.count("skip-checksum") == 0;
    if (options.shape.max_batch_size <= 0) {
      return ingot::cli::report_error(kTool, "--max-batch-size: must be positive");
    }
    if (options.shape.max_length < 0) {
      return ingot::cli::report_error(kTool, "--max-length: must not be negative");
    }
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }
  // An artifact is recognised by its identifier; anything else goes to the GGUF
  // reader, whose error names the file and what is wrong with it.
  if (sniff(options.path) == FileKind::kArtifact) return inspect_artifact(options);
  return inspect_gguf(options);
}
