// libFuzzer harness: the real SmolLM2 tokenizer on arbitrary bytes, in both
// special-token modes. Encoding must never crash, every id must be in the
// vocabulary, and streaming decode must equal decode. The model comes from
// $INGOT_SMOLLM2_GGUF (ctest sets it).
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "compiler/import/gguf/gguf_tokenizer.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/streaming_decoder.h"

namespace {

using ingot::tokenizer::BpeTokenizer;

const BpeTokenizer& real_tokenizer() {
  static std::optional<BpeTokenizer> tokenizer = [] {
    const char* path = std::getenv("INGOT_SMOLLM2_GGUF");
    auto file = ingot::gguf::GgufFile::open(path ? path : "models/SmolLM2-135M-Instruct.Q4_1.gguf");
    if (!file.ok()) {
      std::fprintf(stderr, "tokenizer_fuzzer: %s\n", file.status().message().c_str());
      std::abort();
    }
    auto spec = ingot::gguf::tokenizer_spec_from_gguf(*file);
    auto created = spec.ok() ? BpeTokenizer::create(std::move(spec).value()) : spec.status();
    if (!created.ok()) std::abort();
    return std::optional<BpeTokenizer>(std::move(created).value());
  }();
  return *tokenizer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const BpeTokenizer& tokenizer = real_tokenizer();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool parse_special : {false, true}) {
    std::vector<int32_t> ids = tokenizer.encode(text, /*add_special=*/true, parse_special);
    for (int32_t id : ids) {
      if (id < 0 || id >= tokenizer.vocab_size()) __builtin_trap();
    }
    std::string decoded = tokenizer.decode(ids, /*special=*/true);
    ingot::tokenizer::StreamingDecoder stream(tokenizer, /*special=*/true);
    std::string streamed;
    for (int32_t id : ids) streamed += stream.push(id);
    streamed += stream.finish();
    if (streamed != decoded) __builtin_trap();
  }
  return 0;
}
