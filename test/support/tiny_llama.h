// make_tiny_llama_gguf: a tiny llama GGUF with seeded random weights and a small
// byte-level BPE (or SentencePiece) tokenizer, for fast tests of the importer, compiler and runtime.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"

namespace ingot::testing {

/// The shape and encoding of a tiny llama. Block types need `hidden` and `ffn` to
/// be whole blocks: multiples of 32 for Q4_0/Q4_1/Q8_0 and of 256 for Q4_K/Q6_K
/// (so K-quants need hidden 256, e.g. `--hidden 256 --ffn 512`).
struct TinyLlamaOptions {
  uint32_t layers = 2;
  uint32_t hidden = 64;
  uint32_t heads = 4;
  uint32_t kv_heads = 2;
  uint32_t ffn = 128;
  uint32_t context = 256;
  /// Type of the 2-D weights (token_embd, output, attention, ffn); norms stay F32.
  /// One of tiny_llama_weight_types().
  quant::GgmlType weight_type = quant::GgmlType::F32;
  bool tied_embeddings = true;  ///< false writes a separate output.weight.
  float rope_freq_base = 10000.0f;
  std::string rope_scaling_type = "";  ///< llama.rope.scaling.type when not empty (e.g. "longrope")
  float rms_norm_eps = 1e-5f;
  bool sentencepiece = false;  ///< true: the SentencePiece tokenizer below, not the byte-level one
  /// true: a Qwen 3 (`qwen3.*` keys, per-head q/k norm weights), with heads of `head_dim`.
  bool qwen3 = false;
  uint32_t head_dim = 0;  ///< 0: hidden / heads (llama); Qwen 3 may make heads wider
  uint64_t seed = 1;
};

/// Token ids of the tiny tokenizer's control tokens (bos = im_start, eos = im_end, as SmolLM2).
inline constexpr int32_t kTinyEndOfText = 0, kTinyImStart = 1, kTinyImEnd = 2;
/// Number of control tokens; the 256 byte tokens follow them, then the merged tokens.
inline constexpr int32_t kTinyControlTokens = 3;

/// The tokens of the tiny tokenizer (GPT-2 byte-level text): controls, bytes, merge results.
std::vector<std::string> tiny_llama_tokens();
/// The tiny tokenizer's merges, "left right" in byte-level text, highest priority first.
std::vector<std::string> tiny_llama_merges();

/// Token ids of the tiny SentencePiece tokenizer's <unk>, <s> and </s>; its 256 "<0xXX>" byte
/// tokens follow them, then U+2581 and the printable ASCII characters, then the merged tokens.
inline constexpr int32_t kTinySpmUnk = 0, kTinySpmBos = 1, kTinySpmEos = 2;
inline constexpr int32_t kTinySpmFirstByte = 3;

/// The tiny SentencePiece tokenizer's tokens (spaces as U+2581), from the same merges.
std::vector<std::string> tiny_sentencepiece_tokens();
/// Its scores by id: each merged token scores minus its merge's rank, everything else -1000.
std::vector<float> tiny_sentencepiece_scores();
/// Its merges as a Hugging Face tokenizer.json lists them: "left right", spaces as U+2581.
std::vector<std::string> tiny_sentencepiece_merges();

/// The types a tiny llama's weights can take: F32, F16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K,
/// Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS.
const std::vector<quant::GgmlType>& tiny_llama_weight_types();

/// tiny_llama_weight_types' names, comma-separated ("F32, F16, ...").
std::string tiny_llama_weight_type_names();

/// Checks the options; the error names the option and what it needs.
Status validate_tiny_llama_options(const TinyLlamaOptions& options);

/// The GGUF v3 bytes of a tiny llama; the same options (seed included) give the same bytes.
Result<std::vector<uint8_t>> make_tiny_llama_gguf(const TinyLlamaOptions& options);

/// Writes make_tiny_llama_gguf's bytes to `path` (a temp file, then a rename).
Status write_tiny_llama_gguf(const std::string& path, const TinyLlamaOptions& options);

}  // namespace ingot::testing
