// tiny-llama-hf: writes a tiny random Hugging Face llama folder (see
// test/support/hf_folder_writer.h). Usage: tiny-llama-hf OUT_DIR
#include <cstdio>
#include <exception>
#include <filesystem>

#include "test/support/hf_folder_writer.h"

int main(int argc, char** argv) {
  if (argc != 2 || argv[1][0] == '-') {
    std::fputs("usage: tiny-llama-hf OUT_DIR (which must not exist)\n", stderr);
    return 2;
  }
  if (std::filesystem::exists(argv[1])) {
    std::fprintf(stderr, "tiny-llama-hf: %s exists\n", argv[1]);
    return 2;
  }
  try {
    ingot::testing::write_tiny_hf_llama(argv[1]);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tiny-llama-hf: %s\n", error.what());
    return 2;
  }
  return 0;
}
