// ingot-tokenize: token ids for each line of stdin (or text for each id list with --decode),
// to compare with llama.cpp's llama-tokenize.
#include <iostream>
#include <string>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/hf/hf_folder.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "tools/cli_support.h"

namespace {

constexpr const char* kTool = "ingot-tokenize";

struct Options {
  std::string model;
  bool decode = false;
  bool add_special = true;
  bool parse_special = true;
  bool show_special = false;
};

ingot::Result<ingot::tokenizer::BpeTokenizer> load_tokenizer(const std::string& model) {
  INGOT_ASSIGN_OR_RETURN(ingot::gguf::GgufFile file, ingot::hf::open_model(model));
  INGOT_ASSIGN_OR_RETURN(ingot::tokenizer::TokenizerSpec spec,
                         ingot::gguf::tokenizer_spec_from_gguf(file));
  ingot::Result<ingot::tokenizer::BpeTokenizer> tokenizer =
      ingot::tokenizer::BpeTokenizer::create(std::move(spec));
  if (!tokenizer.ok()) return tokenizer.status().with_prefix(model);
  return tokenizer;
}

// Parses one line of --decode input: a JSON array of ids in the vocabulary.
ingot::Result<std::vector<int32_t>> parse_ids(const std::string& line, size_t line_number,
                                              int32_t vocab_size) {
  std::string where = "stdin line " + std::to_string(line_number) + ": ";
  nlohmann::json ids = nlohmann::json::parse(line, nullptr, false);
  if (ids.is_discarded() || !ids.is_array()) {
    return ingot::make_error(ingot::StatusCode::kInvalidArgument,
                             where + "expected a JSON array of token ids");
  }
  std::vector<int32_t> out;
  for (const nlohmann::json& id : ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= vocab_size) {
      return ingot::make_error(ingot::StatusCode::kInvalidArgument,
                               where + "token id " + id.dump() + " is not in the vocabulary of " +
                                   std::to_string(vocab_size));
    }
    out.push_back(id.get<int32_t>());
  }
  return out;
}

int run(const Options& options) {
  ingot::Result<ingot::tokenizer::BpeTokenizer> tokenizer = load_tokenizer(options.model);
  if (!tokenizer.ok()) return ingot::cli::report_error(kTool, tokenizer.status());
  std::string line;
  size_t line_number = 0;
  while (std::getline(std::cin, line)) {
    ++line_number;
    if (options.decode) {
      auto ids = parse_ids(line, line_number, tokenizer->vocab_size());
      if (!ids.ok()) return ingot::cli::report_error(kTool, ids.status());
      std::cout << tokenizer->decode(*ids, options.show_special) << "\n";
    } else {
      std::vector<int32_t> ids =
          tokenizer->encode(line, options.add_special, options.parse_special);
      std::cout << nlohmann::json(ids).dump() << "\n";
    }
  }
  std::cout.flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli(kTool,
                       "Tokenize each line of stdin and print its token ids as a JSON array\n"
                       "(or, with --decode, print the text of each JSON array of ids).");
  cli.positional_help("MODEL");
  cli.add_options()
      ("decode", "Read JSON arrays of ids and print their text")
      ("no-bos", "Do not add BOS/EOS even where the model asks for them")
      ("no-parse-special", "Treat special-token text such as <|im_start|> as plain text")
      ("show-special", "With --decode, print the text of control tokens too")
      ("h,help", "Show this help")
      ("model", "GGUF model file", cxxopts::value<std::string>());
  cli.parse_positional({"model"});
  Options options;
  try {
    cxxopts::ParseResult args = ingot::cli::parse(cli, argc, argv);
    if (args.count("help")) {
      std::cout << cli.help() << std::endl;
      return 0;
    }
    if (!args.count("model")) return ingot::cli::report_error(kTool, "no MODEL given (see --help)");
    options.model = args["model"].as<std::string>();
    options.decode = args.count("decode") > 0;
    options.add_special = args.count("no-bos") == 0;
    options.parse_special = args.count("no-parse-special") == 0;
    options.show_special = args.count("show-special") > 0;
  } catch (const cxxopts::exceptions::exception& e) {
    return ingot::cli::report_error(kTool, e.what());
  }
  return run(options);
}
