// libFuzzer harness: GgufFile::parse and everything that reads a parsed file, the llama
// hyper-parameter and tensor reader included, and the tokenizer a file's metadata makes
// (byte-level or SentencePiece), which must encode a short text to ids in its vocabulary.
#include <cstddef>
#include <cstdint>

#include "compiler/import/gguf/gguf_dump.h"
#include "compiler/import/gguf/gguf_file.h"
#include "compiler/import/gguf/gguf_tokenizer.h"
#include "compiler/import/gguf/llama_params.h"
#include "compiler/import/gguf/sampling_defaults.h"
#include "runtime/tokenizer/bpe_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingot;
  Result<gguf::GgufFile> file =
      gguf::GgufFile::parse(MappedFile::borrow({data, size}, "fuzz.gguf"));
  if (!file.ok()) return 0;
  // A file that parses must be safe to read everywhere it claims to have data.
  volatile uint8_t sink = 0;
  for (const gguf::TensorInfo& tensor : file->tensors()) {
    std::span<const uint8_t> bytes = file->tensor_bytes(tensor);
    if (!bytes.empty()) sink = sink ^ bytes.front() ^ bytes.back();
  }
  gguf::DumpOptions options;
  (void)gguf::gguf_to_text(*file, options);
  (void)gguf::gguf_to_json(*file, options)
      .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (Result<tokenizer::TokenizerSpec> spec = gguf::tokenizer_spec_from_gguf(*file); spec.ok()) {
    if (auto tok = tokenizer::BpeTokenizer::create(std::move(spec).value()); tok.ok()) {
      for (int32_t id : tok->encode("ab Ab a\xC3\xA9 <s></s>", true, true)) {
        if (id < 0 || id >= tok->vocab_size()) __builtin_trap();
        sink = sink ^ static_cast<uint8_t>(tok->token_to_piece(id, true).size());
      }
    }
  }
  (void)gguf::read_llama_params(*file);  // hyper-parameters and tensors, rope_freqs' values too
  (void)gguf::read_sampling_defaults(*file);
  return 0;
}
