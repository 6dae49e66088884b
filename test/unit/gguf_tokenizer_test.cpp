// tokenizer_spec_from_gguf: keys, llama.cpp's defaults, and bad metadata.
#include "compiler/import/gguf/gguf_tokenizer.h"

#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "test/support/gguf_builder.h"

namespace ingot::gguf {
namespace {

using testing::GgufBuilder;

// A GGUF with `n` tokens "t0".."t{n-1}" and the given extra key/values.
std::vector<uint8_t> vocab_file(int n, const std::string& pre, uint64_t extra_kvs,
                                const std::function<void(GgufBuilder&)>& extra) {
  GgufBuilder b;
  b.header(3, 0, 3 + extra_kvs).kv_str("tokenizer.ggml.model", "gpt2");
  b.kv_str("tokenizer.ggml.pre", pre);
  b.key("tokenizer.ggml.tokens", 9).u32(8).u64(n);
  for (int i = 0; i < n; ++i) b.str("t" + std::to_string(i));
  extra(b);
  return b.bytes();
}

Result<tokenizer::TokenizerSpec> spec_of(const std::vector<uint8_t>& bytes) {
  Result<GgufFile> file = GgufFile::parse(MappedFile::borrow(bytes, "tok.gguf"));
  if (!file.ok()) return file.status();
  return tokenizer_spec_from_gguf(*file);
}

TEST(GgufTokenizer, ReadsKeysAndFlags) {
  auto spec = spec_of(vocab_file(20, "smollm", 3, [](GgufBuilder& b) {
    b.kv_u32("tokenizer.ggml.bos_token_id", 1).kv_u32("tokenizer.ggml.eos_token_id", 2);
    b.key("tokenizer.ggml.add_bos_token", 7).put<uint8_t>(1);
  }));
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->model, "gpt2");
  EXPECT_EQ(spec->pre, "smollm");
  EXPECT_EQ(spec->tokens.size(), 20u);
  EXPECT_EQ(spec->tokens[7], "t7");
  EXPECT_EQ(spec->token_types.size(), 20u);
  EXPECT_EQ(spec->bos_id, 1);
  EXPECT_EQ(spec->eos_id, 2);
  EXPECT_TRUE(spec->add_bos);
}

// A SentencePiece ("llama") GGUF of `n` tokens with the given extra key/values after the tokens.
std::vector<uint8_t> sentencepiece_file(int n, uint64_t extra_kvs,
                                        const std::function<void(GgufBuilder&)>& extra) {
  GgufBuilder b;
  b.header(3, 0, 2 + extra_kvs).kv_str("tokenizer.ggml.model", "llama");
  b.key("tokenizer.ggml.tokens", 9).u32(8).u64(n);
  for (int i = 0; i < n; ++i) b.str("t" + std::to_string(i));
  extra(b);
  return b.bytes();
}

TEST(GgufTokenizer, SentencePieceDefaultsAreLlamaCpps) {
  auto spec = spec_of(sentencepiece_file(10, 1, [](GgufBuilder& b) {
    b.key("tokenizer.ggml.scores", 9).u32(6).u64(10);
    for (int i = 0; i < 10; ++i) b.put<float>(-0.5f * static_cast<float>(i));
  }));
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->model, "llama");
  EXPECT_EQ(spec->unk_id, 0);  // <unk> 0, <s> 1, </s> 2 where the file names none
  EXPECT_EQ(spec->bos_id, 1);
  EXPECT_EQ(spec->eos_id, 2);
  EXPECT_TRUE(spec->add_bos);
  EXPECT_FALSE(spec->add_eos);
  EXPECT_TRUE(spec->add_space_prefix);
  ASSERT_EQ(spec->scores.size(), 10u);
  EXPECT_FLOAT_EQ(spec->scores[3], -1.5f);
}

TEST(GgufTokenizer, SentencePieceKeysOverrideTheDefaults) {
  auto spec = spec_of(sentencepiece_file(10, 3, [](GgufBuilder& b) {
    b.kv_u32("tokenizer.ggml.bos_token_id", 5);
    b.key("tokenizer.ggml.add_bos_token", 7).put<uint8_t>(0);
    b.key("tokenizer.ggml.add_space_prefix", 7).put<uint8_t>(0);
  }));
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->bos_id, 5);
  EXPECT_FALSE(spec->add_bos);
  EXPECT_FALSE(spec->add_space_prefix);
  EXPECT_TRUE(spec->scores.empty());  // llama.cpp scores every token 0 then
}

// tokenizer.ingot.space_prefix, which the GGUF view of a Hugging Face folder writes; llama.cpp's
// own files lack it and keep llama.cpp's placement.
TEST(GgufTokenizer, ReadsWhereTheSentencePieceSpaceGoes) {
  auto absent = spec_of(sentencepiece_file(10, 0, [](GgufBuilder&) {}));
  ASSERT_TRUE(absent.ok()) << absent.status().message();
  EXPECT_EQ(absent->space_prefix, tokenizer::SpacePrefix::kAfterSpecial);
  auto first = spec_of(sentencepiece_file(10, 1, [](GgufBuilder& b) {
    b.kv_str("tokenizer.ingot.space_prefix", "metaspace_first");
  }));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->space_prefix, tokenizer::SpacePrefix::kMetaspaceFirst);
  auto bad = spec_of(sentencepiece_file(10, 1, [](GgufBuilder& b) {
    b.kv_str("tokenizer.ingot.space_prefix", "sometimes");
  }));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "'tokenizer.ingot.space_prefix' is 'sometimes', not after_special"),
            std::string::npos)
      << bad.status().message();
}

TEST(GgufTokenizer, RefusesBadScores) {
  auto short_scores = spec_of(sentencepiece_file(10, 1, [](GgufBuilder& b) {
    b.key("tokenizer.ggml.scores", 9).u32(6).u64(9);
    for (int i = 0; i < 9; ++i) b.put<float>(0.0f);
  }));
  ASSERT_FALSE(short_scores.ok());
  EXPECT_NE(short_scores.status().message().find("'tokenizer.ggml.scores' has 9 entries for 10"),
            std::string::npos)
      << short_scores.status().message();
  auto not_finite = spec_of(sentencepiece_file(3, 1, [](GgufBuilder& b) {
    b.key("tokenizer.ggml.scores", 9).u32(6).u64(3);
    b.put<float>(0.0f).put<float>(std::numeric_limits<float>::quiet_NaN()).put<float>(0.0f);
  }));
  ASSERT_FALSE(not_finite.ok());
  EXPECT_NE(not_finite.status().message().find("'tokenizer.ggml.scores'[1] is not finite"),
            std::string::npos)
      << not_finite.status().message();
}

TEST(GgufTokenizer, AppliesLlamaCppDefaultsWhenKeysAreAbsent) {
  auto llama3 = spec_of(vocab_file(20, "llama3", 0, [](GgufBuilder&) {}));
  ASSERT_TRUE(llama3.ok()) << llama3.status().message();
  EXPECT_TRUE(llama3->add_bos);   // llama.cpp adds BOS for llama3 unless told otherwise
  EXPECT_EQ(llama3->bos_id, 11);  // gpt2 vocabularies default BOS/EOS to 11
  EXPECT_EQ(llama3->eos_id, 11);
  auto smollm = spec_of(vocab_file(5, "smollm", 0, [](GgufBuilder&) {}));
  ASSERT_TRUE(smollm.ok());
  EXPECT_FALSE(smollm->add_bos);
  EXPECT_FALSE(smollm->bos_id.has_value());  // id 11 is past a 5-token vocabulary
}

TEST(GgufTokenizer, RejectsBadMetadata) {
  auto out_of_range = spec_of(vocab_file(4, "smollm", 1, [](GgufBuilder& b) {
    b.kv_u32("tokenizer.ggml.eos_token_id", 4);
  }));
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_EQ(out_of_range.status().message(),
            "tok.gguf: metadata 'tokenizer.ggml.eos_token_id' is 4, past the vocabulary of 4 "
            "tokens");
  auto short_types = spec_of(vocab_file(4, "smollm", 1, [](GgufBuilder& b) {
    b.key("tokenizer.ggml.token_type", 9).u32(5).u64(3);
    for (int i = 0; i < 3; ++i) b.put<int32_t>(1);
  }));
  ASSERT_FALSE(short_types.ok());
  EXPECT_NE(short_types.status().message().find("has 3 entries for 4 tokens"), std::string::npos);
  auto bad_type = spec_of(vocab_file(2, "smollm", 1, [](GgufBuilder& b) {
    b.key("tokenizer.ggml.token_type", 9).u32(5).u64(2).put<int32_t>(1).put<int32_t>(9);
  }));
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("[1] is 9, not a token type"), std::string::npos);
  auto wrong_kind = spec_of(vocab_file(2, "smollm", 1, [](GgufBuilder& b) {
    b.kv_u32("tokenizer.ggml.merges", 3);
  }));
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_NE(wrong_kind.status().message().find("expected ARRAY of STRING"), std::string::npos);
}

}  // namespace
}  // namespace ingot::gguf
