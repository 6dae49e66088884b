// ingot-perplexity: perplexity of a text file under a .ingot artifact, as llama-perplexity.
#include <cstdio>
#include <iostream>
#include <string>

#include <cxxopts.hpp>

#include "runtime/generate/perplexity.h"
#include "runtime/io/read_file.h"
#include "runtime/tokenizer/utf8.h"
#include "tools/cli_support.h"

namespace {

constexpr const char* kTool = "ingot-perplexity";

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli(kTool,
                       "Perplexity of a text file by llama-perplexity's method: non-overlapping\n"
                       "chunks of -c tokens, each scored on its second half.");
  cli.positional_help("MODEL.ingot");
  cli.add_options()
      ("f,file", "Text file to score", cxxopts::value<std::string>())
      ("c,ctx-size", "Tokens per chunk", cxxopts::value<int64_t>()->default_value("512"))
      ("t,threads", "Threads (default: physical cores)", cxxopts::value<int>())
      ("cache-dtype", "KV cache type: float32, float16 or bfloat16 (default: the artifact's)",
       cxxopts::value<std::string>())
      ("device", "Where to run: cpu or cuda (GPU 0; builds with nvcc only)",
       cxxopts::value<std::string>()->default_value("cpu"))
      ("h,help", "Show this help")
      ("model", "The .ingot artifact", cxxopts::value<std::string>());
  cli.parse_positional({"model"});
  std::string model, file;
  int64_t n_ctx = 512;
  ingot::device::ExecutorOptions options;
  try {
    auto args = ingot::cli::parse(cli, argc, argv);
    if (args.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!args.count("model")) return ingot::cli::report_error(kTool, "no MODEL given (see --help)");
    if (!args.count("file")) return ingot::cli::report_error(kTool, "no text file given (-f)");
    model = args["model"].as<std::string>();
    file = args["file"].as<std::string>();
    n_ctx = args["ctx-size"].as<int64_t>();
    if (args.count("threads")) options.threads = args["threads"].as<int>();
    if (args.count("cache-dtype")) options.cache_dtype = args["cache-dtype"].as<std::string>();
    options.device = args["device"].as<std::string>();
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }
  auto read = ingot::read_whole_file(file, ingot::cli::kMaxTextFileBytes);
  if (!read.ok()) return ingot::cli::report_error(kTool, read.status());
  const std::string text = std::move(*read);
  if (!ingot::tokenizer::is_valid_utf8(text))
    return ingot::cli::report_error(kTool, file + ": not valid UTF-8");
  options.max_context = n_ctx;
  auto engine = ingot::generate::Engine::open(model, options);
  if (!engine.ok()) return ingot::cli::report_error(kTool, engine.status());
  if (auto status = (*engine)->require_tokenizer(); !status.ok())
    return ingot::cli::report_error(kTool, status);
  // llama-perplexity tokenizes with add_special and without parsing special tokens.
  const auto& tok = (*engine)->tokenizer();
  const std::vector<int32_t> tokens = tok.encode(text, true, false);
  std::fprintf(stderr, "%s: %zu tokens, %lld per chunk\n", kTool, tokens.size(),
               static_cast<long long>(n_ctx));
  auto result = ingot::generate::perplexity(
      **engine, tokens, n_ctx, tok.spec().add_bos, [](const ingot::generate::PerplexityChunk& c) {
        std::printf("[%lld]%.4f,", static_cast<long long>(c.chunk), c.running_ppl);
        std::fflush(stdout);
      });
  if (!result.ok()) return ingot::cli::report_error(kTool, result.status());
  std::printf("\nFinal estimate: PPL = %.4f +/- %.5f\n", result->ppl, result->ppl_stderr);
  return 0;
}
