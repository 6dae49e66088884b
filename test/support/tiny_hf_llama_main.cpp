// tiny-llama-hf: writes a tiny random Hugging Face llama folder (see
// test/support/hf_folder_writer.h). Usage: tiny-llama-hf OUT_DIR [--sentencepiece SPACES], where
// SPACES (prepend, first or always) picks how the SentencePiece tokenizer.json writes its spaces.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "test/support/hf_folder_writer.h"

int main(int argc, char** argv) {
  const bool sentencepiece = argc == 4 && std::string(argv[2]) == "--sentencepiece";
  const std::string spaces = sentencepiece ? argv[3] : "";
  if ((argc != 2 && !sentencepiece) || argv[1][0] == '-' ||
      (sentencepiece && spaces != "prepend" && spaces != "first" && spaces != "always")) {
    std::fputs("usage: tiny-llama-hf OUT_DIR [--sentencepiece prepend|first|always] "
               "(OUT_DIR must not exist)\n",
               stderr);
    return 2;
  }
  if (std::filesystem::exists(argv[1])) {
    std::fprintf(stderr, "tiny-llama-hf: %s exists\n", argv[1]);
    return 2;
  }
  try {
    ingot::testing::write_tiny_hf_llama(argv[1], spaces);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tiny-llama-hf: %s\n", error.what());
    return 2;
  }
  return 0;
}
