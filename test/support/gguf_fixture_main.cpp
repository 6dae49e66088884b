// gguf-fixture: writes small GGUF files for lit tests and fuzz seeds.
// Usage: gguf-fixture KIND OUT   (KIND: sample-v3, sample-v2, tokenizer, sentencepiece,
//                                 bad-magic, truncated)
#include <cstdio>
#include <fstream>
#include <string>

#include "test/support/gguf_builder.h"

namespace {

using ingot::testing::GgufBuilder;

std::vector<uint8_t> tokenizer_fixture() {
  GgufBuilder b;
  b.header(3, 0, 6).kv_str("tokenizer.ggml.model", "gpt2").kv_str("tokenizer.ggml.pre", "smollm");
  b.key("tokenizer.ggml.tokens", 9).u32(8).u64(4).str("a").str("b").str("ab").str("<|x|>");
  b.key("tokenizer.ggml.token_type", 9).u32(5).u64(4);
  for (int32_t type : {1, 1, 1, 3}) b.put<int32_t>(type);
  b.key("tokenizer.ggml.merges", 9).u32(8).u64(1).str("a b");
  b.kv_u32("tokenizer.ggml.eos_token_id", 3);
  return b.bytes();
}

// A SentencePiece vocabulary: controls, a byte token, characters and merges with scores.
std::vector<uint8_t> sentencepiece_fixture() {
  const std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "<0x41>", "\xE2\x96\x81",
                                           "a",     "b",   "ab",   "\xE2\x96\x81ab"};
  GgufBuilder b;
  b.header(3, 0, 4).kv_str("tokenizer.ggml.model", "llama");
  b.key("tokenizer.ggml.tokens", 9).u32(8).u64(tokens.size());
  for (const std::string& token : tokens) b.str(token);
  b.key("tokenizer.ggml.scores", 9).u32(6).u64(tokens.size());
  for (float score : {0.0f, 0.0f, 0.0f, 0.0f, -5.0f, -4.0f, -4.0f, -1.0f, -2.0f}) b.put<float>(score);
  b.key("tokenizer.ggml.token_type", 9).u32(5).u64(tokens.size());
  for (int32_t type : {2, 3, 3, 6, 1, 1, 1, 1, 1}) b.put<int32_t>(type);
  return b.bytes();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gguf-fixture KIND OUT\n");
    return 2;
  }
  std::string kind = argv[1];
  std::vector<uint8_t> bytes;
  if (kind == "sample-v3") {
    bytes = ingot::testing::make_sample_gguf(3);
  } else if (kind == "sample-v2") {
    bytes = ingot::testing::make_sample_gguf(2);
  } else if (kind == "tokenizer") {
    bytes = tokenizer_fixture();
  } else if (kind == "sentencepiece") {
    bytes = sentencepiece_fixture();
  } else if (kind == "bad-magic") {
    bytes = ingot::testing::make_sample_gguf(3);
    bytes[0] = 'X';
  } else if (kind == "truncated") {
    bytes = ingot::testing::make_sample_gguf(3);
    bytes.resize(500);
  } else {
    std::fprintf(stderr, "gguf-fixture: unknown kind '%s'\n", kind.c_str());
    return 2;
  }
  std::ofstream out(argv[2], std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return out ? 0 : 1;
}
