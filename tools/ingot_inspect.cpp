// ingot-inspect: dumps a GGUF file's header, metadata and tensor table.
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>

#include "compiler/import/gguf/gguf_dump.h"
#include "tools/cli_support.h"

namespace {
constexpr const char* kTool = "ingot-inspect";
}

int main(int argc, char** argv) {
  cxxopts::Options options(kTool, "Dump a GGUF model: header, metadata and tensor table.");
  options.positional_help("MODEL");
  options.add_options()("json", "Print JSON (every array element) instead of text")(
      "no-metadata", "Leave out the metadata")("no-tensors", "Leave out the tensor table")(
      "max-array", "Array elements shown per value in text mode",
      cxxopts::value<uint64_t>()->default_value("8"))("h,help", "Show this help")(
      "model", "GGUF file", cxxopts::value<std::string>());
  options.parse_positional({"model"});

  std::string model;
  ingot::gguf::DumpOptions dump;
  bool json = false;
  try {
    cxxopts::ParseResult args = options.parse(argc, argv);
    if (args.count("help")) {
      std::cout << options.help() << std::endl;
      return 0;
    }
    if (!args.count("model")) return ingot::cli::report_error(kTool, "no MODEL given (see --help)");
    model = args["model"].as<std::string>();
    json = args.count("json") > 0;
    dump.metadata = args.count("no-metadata") == 0;
    dump.tensors = args.count("no-tensors") == 0;
    dump.max_array_elements = args["max-array"].as<uint64_t>();
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }

  ingot::Result<ingot::gguf::GgufFile> file = ingot::gguf::GgufFile::open(model);
  if (!file.ok()) return ingot::cli::report_error(kTool, file.status());
  if (json) {
    std::cout << ingot::gguf::gguf_to_json(*file, dump)
                     .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  } else {
    std::fputs(ingot::gguf::gguf_to_text(*file, dump).c_str(), stdout);
  }
  return 0;
}
