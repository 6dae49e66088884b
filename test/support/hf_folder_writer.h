// Tiny Hugging Face folders for tests: safetensors bytes built by hand (the format is an
// 8-byte header length, a JSON header, the data) and a small llama's JSON files.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ingot::testing {

/// One tensor to write: its safetensors dtype, row-major shape and raw bytes.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;  ///< "F32", "BF16", "I8", ...
  std::vector<uint64_t> shape;
  std::vector<uint8_t> data;
};

/// The bytes of a .safetensors file holding `tensors` in order (no validation, so tests
/// can write bad ones by editing the header afterwards).
std::vector<uint8_t> safetensors_bytes(const std::vector<SafetensorsEntry>& tensors);

/// The header JSON of safetensors_bytes(tensors), to edit before serialize_safetensors.
nlohmann::json safetensors_header(const std::vector<SafetensorsEntry>& tensors);
/// A .safetensors file of `header` (dumped as is) followed by `data`.
std::vector<uint8_t> serialize_safetensors(const nlohmann::json& header,
                                           const std::vector<uint8_t>& data);

/// The tensors of a tiny llama in HF naming, seeded random BF16 values (never zeros).
std::vector<SafetensorsEntry> tiny_hf_llama_tensors(uint32_t layers, uint32_t hidden,
                                                    uint32_t heads, uint32_t kv_heads,
                                                    uint32_t ffn, uint32_t vocab, uint64_t seed);

/// A tiny llama's config.json (2 layers, hidden 64, 4 heads, 2 KV heads, ffn 128, the tiny
/// tokenizer's vocabulary, tied embeddings).
nlohmann::json tiny_hf_llama_config();

/// tokenizer.json of the tiny byte-level BPE tokenizer (test/support/tiny_llama.h), with
/// SmolLM's Digits + ByteLevel pre-tokenizer.
nlohmann::json tiny_hf_tokenizer();

/// tokenizer.json of the tiny SentencePiece tokenizer (test/support/tiny_llama.h) as transformers
/// writes Llama 2's: a byte-fallback BPE whose spaces come from the Prepend + Replace normalizer
/// (`spaces` "prepend") or a Metaspace pre-tokenizer with that prepend_scheme ("first",
/// "always").
nlohmann::json tiny_hf_sentencepiece_tokenizer(const std::string& spaces);

/// Writes a complete tiny folder (config.json, model.safetensors, tokenizer.json,
/// tokenizer_config.json) at `dir`, which must not exist: with the byte-level tokenizer, or
/// with the SentencePiece one in the form `sentencepiece_spaces` names (when not empty).
void write_tiny_hf_llama(const std::string& dir, const std::string& sentencepiece_spaces = "");

/// Writes `text` to `path`.
void write_text_file(const std::string& path, const std::string& text);
/// Writes `bytes` to `path`.
void write_binary_file(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace ingot::testing
