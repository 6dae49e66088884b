#include "test/support/hf_folder_writer.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "test/support/tiny_llama.h"

namespace ingot::testing {

nlohmann::json safetensors_header(const std::vector<SafetensorsEntry>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", "pt"}};
  uint64_t offset = 0;
  for (const SafetensorsEntry& tensor : tensors) {
    header[tensor.name] = {{"dtype", tensor.dtype},
                           {"shape", tensor.shape},
                           {"data_offsets", {offset, offset + tensor.data.size()}}};
    offset += tensor.data.size();
  }
  return header;
}

std::vector<uint8_t> serialize_safetensors(const nlohmann::json& header,
                                           const std::vector<uint8_t>& data) {
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t length = text.size();
  std::vector<uint8_t> bytes(8 + text.size() + data.size());
  std::memcpy(bytes.data(), &length, 8);
  std::memcpy(bytes.data() + 8, text.data(), text.size());
  if (!data.empty()) std::memcpy(bytes.data() + 8 + text.size(), data.data(), data.size());
  return bytes;
}

std::vector<uint8_t> safetensors_bytes(const std::vector<SafetensorsEntry>& tensors) {
  std::vector<uint8_t> data;
  for (const SafetensorsEntry& tensor : tensors)
    data.insert(data.end(), tensor.data.begin(), tensor.data.end());
  return serialize_safetensors(safetensors_header(tensors), data);
}

std::vector<SafetensorsEntry> tiny_hf_llama_tensors(uint32_t layers, uint32_t hidden,
                                                    uint32_t heads, uint32_t kv_heads,
                                                    uint32_t ffn, uint32_t vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  auto bf16 = [&](std::string name, std::vector<uint64_t> shape, bool norm = false) {
    uint64_t count = 1;
    for (uint64_t dim : shape) count *= dim;
    SafetensorsEntry entry{std::move(name), "BF16", std::move(shape), {}};
    entry.data.resize(count * 2);
    for (uint64_t i = 0; i < count; ++i) {
      float value = norm ? 1.0f + normal(rng) : normal(rng);
      uint32_t bits;
      std::memcpy(&bits, &value, 4);
      const uint16_t half = static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
      std::memcpy(entry.data.data() + 2 * i, &half, 2);
    }
    return entry;
  };
  const uint64_t head_dim = hidden / heads;
  std::vector<SafetensorsEntry> tensors;
  tensors.push_back(bf16("model.embed_tokens.weight", {vocab, hidden}));
  for (uint32_t i = 0; i < layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    tensors.push_back(bf16(p + "input_layernorm.weight", {hidden}, true));
    tensors.push_back(bf16(p + "self_attn.q_proj.weight", {heads * head_dim, hidden}));
    tensors.push_back(bf16(p + "self_attn.k_proj.weight", {kv_heads * head_dim, hidden}));
    tensors.push_back(bf16(p + "self_attn.v_proj.weight", {kv_heads * head_dim, hidden}));
    tensors.push_back(bf16(p + "self_attn.o_proj.weight", {hidden, heads * head_dim}));
    tensors.push_back(bf16(p + "post_attention_layernorm.weight", {hidden}, true));
    tensors.push_back(bf16(p + "mlp.gate_proj.weight", {ffn, hidden}));
    tensors.push_back(bf16(p + "mlp.up_proj.weight", {ffn, hidden}));
    tensors.push_back(bf16(p + "mlp.down_proj.weight", {hidden, ffn}));
  }
  tensors.push_back(bf16("model.norm.weight", {hidden}, true));
  return tensors;
}

nlohmann::json tiny_hf_llama_config() {
  return {{"architectures", {"LlamaForCausalLM"}},
          {"model_type", "llama"},
          {"hidden_size", 64},
          {"intermediate_size", 128},
          {"num_hidden_layers", 2},
          {"num_attention_heads", 4},
          {"num_key_value_heads", 2},
          {"max_position_embeddings", 256},
          {"rms_norm_eps", 1e-5},
          {"rope_theta", 10000.0},
          {"vocab_size", tiny_llama_tokens().size()},
          {"tie_word_embeddings", true},
          {"hidden_act", "silu"},
          {"bos_token_id", kTinyImStart},
          {"eos_token_id", kTinyImEnd}};
}

nlohmann::json tiny_hf_tokenizer() {
  const std::vector<std::string> tokens = tiny_llama_tokens();
  nlohmann::json vocab = nlohmann::json::object();
  nlohmann::json added = nlohmann::json::array();
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (static_cast<int32_t>(id) < kTinyControlTokens) {
      added.push_back({{"id", id}, {"content", tokens[id]}, {"special", true}});
    } else {
      vocab[tokens[id]] = id;
    }
  }
  nlohmann::json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true},
      {"use_regex", true}};
  return {{"version", "1.0"},
          {"added_tokens", added},
          {"normalizer", nullptr},
          {"pre_tokenizer",
           {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Digits"}, {"individual_digits", true}}, byte_level}}}},
          {"decoder", byte_level},
          {"model",
           {{"type", "BPE"}, {"byte_fallback", false}, {"vocab", vocab},
            {"merges", tiny_llama_merges()}}}};
}

nlohmann::json tiny_hf_sentencepiece_tokenizer(const std::string& spaces) {
  const std::vector<std::string> tokens = tiny_sentencepiece_tokens();
  nlohmann::json vocab = nlohmann::json::object();
  nlohmann::json added = nlohmann::json::array();
  for (size_t id = 0; id < tokens.size(); ++id) {
    vocab[tokens[id]] = id;
    if (id < static_cast<size_t>(kTinySpmFirstByte))
      added.push_back({{"id", id}, {"content", tokens[id]}, {"special", true}});
  }
  const std::string metaspace = "\xE2\x96\x81";
  const nlohmann::json replace = {
      {"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", metaspace}};
  nlohmann::json normalizer = nullptr, pre_tokenizer = nullptr;
  if (spaces == "prepend") {
    normalizer = {{"type", "Sequence"},
                  {"normalizers", {{{"type", "Prepend"}, {"prepend", metaspace}}, replace}}};
  } else {
    pre_tokenizer = {{"type", "Metaspace"}, {"replacement", metaspace},
                     {"prepend_scheme", spaces}, {"split", false}};
  }
  return {{"version", "1.0"},
          {"added_tokens", added},
          {"normalizer", normalizer},
          {"pre_tokenizer", pre_tokenizer},
          {"model",
           {{"type", "BPE"}, {"byte_fallback", true}, {"fuse_unk", true},
            {"unk_token", tokens[kTinySpmUnk]}, {"vocab", vocab},
            {"merges", tiny_sentencepiece_merges()}}}};
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_binary_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_tiny_hf_llama(const std::string& dir, const std::string& sentencepiece_spaces) {
  std::filesystem::create_directory(dir);
  nlohmann::json config = tiny_hf_llama_config();
  if (!sentencepiece_spaces.empty()) {
    config["vocab_size"] = tiny_sentencepiece_tokens().size();
    config["bos_token_id"] = kTinySpmBos;
    config["eos_token_id"] = kTinySpmEos;
  }
  write_text_file(dir + "/config.json", config.dump(2));
  write_binary_file(dir + "/model.safetensors",
                    safetensors_bytes(tiny_hf_llama_tensors(2, 64, 4, 2, 128,
                                                            config["vocab_size"], 7)));
  if (!sentencepiece_spaces.empty()) {
    write_text_file(dir + "/tokenizer.json",
                    tiny_hf_sentencepiece_tokenizer(sentencepiece_spaces).dump());
    const std::vector<std::string> tokens = tiny_sentencepiece_tokens();
    write_text_file(dir + "/tokenizer_config.json",
                    nlohmann::json{{"bos_token", tokens[kTinySpmBos]},
                                   {"eos_token", tokens[kTinySpmEos]},
                                   {"unk_token", tokens[kTinySpmUnk]},
                                   {"add_bos_token", true}}
                        .dump());
    return;
  }
  write_text_file(dir + "/tokenizer.json", tiny_hf_tokenizer().dump());
  const std::vector<std::string> tokens = tiny_llama_tokens();
  write_text_file(dir + "/tokenizer_config.json",
                  nlohmann::json{{"bos_token", tokens[kTinyImStart]},
                                 {"eos_token", tokens[kTinyImEnd]},
                                 {"unk_token", tokens[kTinyEndOfText]},
                                 {"pad_token", tokens[kTinyImEnd]},
                                 {"add_bos_token", false},
                                 {"chat_template", "{{ messages }}"}}
                      .dump());
}

}  // namespace ingot::testing
