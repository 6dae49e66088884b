// libFuzzer harness: the real SmolLM2 tokenizer (byte-level BPE) and, where
// $INGOT_SPM_VOCAB_GGUF names one, a SentencePiece vocabulary (llama.cpp's
// ggml-vocab-llama-spm.gguf) on arbitrary bytes, in both special-token modes.
// Encoding must never crash, every id must be in the vocabulary, and streaming
// decode must equal decode (less SentencePiece's leading space, which decode
// strips). SentencePiece must also give back any valid UTF-8 text without
// U+2581, byte for byte (special-token texts are parsed as plain text there). The model comes from $INGOT_SMOLLM2_GGUF (ctest sets
// both).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/import/gguf/gguf_tokenizer.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/sentencepiece_bpe.h"
#include "runtime/tokenizer/streaming_decoder.h"
#include "runtime/tokenizer/utf8.h"

namespace {

using ingot::tokenizer::BpeTokenizer;

BpeTokenizer load(const char* path) {
  auto file = ingot::gguf::GgufFile::open(path);
  if (!file.ok()) {
    std::fprintf(stderr, "tokenizer_fuzzer: %s\n", file.status().message().c_str());
    std::abort();
  }
  auto spec = ingot::gguf::tokenizer_spec_from_gguf(*file);
  auto created = spec.ok() ? BpeTokenizer::create(std::move(spec).value()) : spec.status();
  if (!created.ok()) std::abort();
  return std::move(created).value();
}

const std::vector<BpeTokenizer>& tokenizers() {
  static const std::vector<BpeTokenizer> all = [] {
    std::vector<BpeTokenizer> out;
    const char* smollm2 = std::getenv("INGOT_SMOLLM2_GGUF");
    out.push_back(load(smollm2 ? smollm2 : "models/SmolLM2-135M-Instruct.Q4_1.gguf"));
    const char* spm = std::getenv("INGOT_SPM_VOCAB_GGUF");
    if (spm != nullptr && std::filesystem::exists(spm)) out.push_back(load(spm));
    return out;
  }();
  return all;
}

void check(const BpeTokenizer& tokenizer, std::string_view text) {
  const bool sentencepiece = tokenizer.spec().model == "llama";
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
    const bool stripped = sentencepiece && streamed.size() == decoded.size() + 1 &&
                          streamed[0] == ' ' && std::string_view(streamed).substr(1) == decoded;
    if (streamed != decoded && !stripped) __builtin_trap();
  }
  // In invalid UTF-8 a bad lead byte can swallow an escaped space into its byte tokens, which
  // then decode as U+2581 (as in llama.cpp), so the round trip holds for valid text only.
  if (sentencepiece && ingot::tokenizer::is_valid_utf8(text) &&
      text.find(ingot::tokenizer::kSentencePieceSpace) == std::string_view::npos) {
    const std::vector<int32_t> ids = tokenizer.encode(text, /*add_special=*/false, false);
    if (tokenizer.decode(ids, /*special=*/false) != text) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const BpeTokenizer& tokenizer : tokenizers()) check(tokenizer, text);
  return 0;
}
