// make_tiny_llama_gguf: llama.* metadata, a gpt2 tokenizer and seeded random tensors.
#include "test/support/tiny_llama.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
#include <string_view>

#include "kernels/quant/quantize.h"
#include "test/support/gguf_builder.h"

namespace ingot::testing {
namespace {

using quant::GgmlType;

constexpr uint64_t kAlignment = 32;  // GGUF's default; the file does not override it
constexpr uint32_t kMaxDim = 65536;

// splitmix64: a tiny, portable generator, so the same seed gives the same bytes everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Roughly standard normal (Irwin-Hall of 4), never exactly zero.
  float normal() {
    double sum = uniform() + uniform() + uniform() + uniform();
    double value = (sum - 2.0) * std::sqrt(3.0);
    return value == 0.0 ? 1e-3f : static_cast<float>(value);
  }

 private:
  uint64_t state_;
};

// FNV-1a, to give every tensor its own stream derived from the seed.
uint64_t name_hash(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  return h;
}

struct TensorPlan {
  std::string name;
  std::vector<uint64_t> dims;  // ggml order
  GgmlType type;
  float mean;  // 1 for norms, 0 for weights
  float std;
};

uint32_t file_type_of(GgmlType type) {  // llama_ftype: ALL_F32, MOSTLY_F16, ...
  switch (type) {
    case GgmlType::F16: return 1;
    case GgmlType::Q4_0: return 2;
    case GgmlType::Q4_1: return 3;
    case GgmlType::Q8_0: return 7;
    case GgmlType::Q5_0: return 8;
    case GgmlType::Q5_1: return 9;
    case GgmlType::Q2_K: return 10;
    case GgmlType::Q3_K: return 11;  // Q3_K_S: every weight Q3_K
    case GgmlType::Q4_K: return 14;  // Q4_K_S: every weight Q4_K
    case GgmlType::Q5_K: return 16;  // Q5_K_S
    case GgmlType::Q6_K: return 18;
    case GgmlType::IQ4_NL: return 25;
    case GgmlType::IQ4_XS: return 30;
    default: return 0;
  }
}

uint32_t head_dim_of(const TinyLlamaOptions& o) {
  return o.head_dim != 0 ? o.head_dim : o.hidden / o.heads;
}

std::vector<TensorPlan> plan_tensors(const TinyLlamaOptions& o, uint64_t vocab) {
  const uint64_t h = o.hidden, ffn = o.ffn, hd = head_dim_of(o);
  const uint64_t q = uint64_t{o.heads} * hd, kv = uint64_t{o.kv_heads} * hd;
  const GgmlType w = o.weight_type;
  // Weight std ~ 1/sqrt(fan_in), kept within a real init's 0.02 .. 0.1.
  auto init_std = [](uint64_t fan_in) {
    return std::clamp(1.0f / std::sqrt(static_cast<float>(fan_in)), 0.02f, 0.1f);
  };
  std::vector<TensorPlan> plan;
  plan.push_back({"token_embd.weight", {h, vocab}, w, 0.0f, 0.1f});
  for (uint32_t i = 0; i < o.layers; ++i) {
    const std::string blk = "blk." + std::to_string(i) + ".";
    plan.push_back({blk + "attn_norm.weight", {h}, GgmlType::F32, 1.0f, 0.05f});
    plan.push_back({blk + "attn_q.weight", {h, q}, w, 0.0f, init_std(h)});
    plan.push_back({blk + "attn_k.weight", {h, kv}, w, 0.0f, init_std(h)});
    plan.push_back({blk + "attn_v.weight", {h, kv}, w, 0.0f, init_std(h)});
    plan.push_back({blk + "attn_output.weight", {q, h}, w, 0.0f, init_std(q)});
    if (o.qwen3) {  // spread wider than the other norms, so that a missing norm shows
      plan.push_back({blk + "attn_q_norm.weight", {hd}, GgmlType::F32, 1.0f, 0.3f});
      plan.push_back({blk + "attn_k_norm.weight", {hd}, GgmlType::F32, 1.0f, 0.3f});
    }
    plan.push_back({blk + "ffn_norm.weight", {h}, GgmlType::F32, 1.0f, 0.05f});
    plan.push_back({blk + "ffn_gate.weight", {h, ffn}, w, 0.0f, init_std(h)});
    plan.push_back({blk + "ffn_up.weight", {h, ffn}, w, 0.0f, init_std(h)});
    plan.push_back({blk + "ffn_down.weight", {ffn, h}, w, 0.0f, init_std(ffn)});
  }
  plan.push_back({"output_norm.weight", {h}, GgmlType::F32, 1.0f, 0.05f});
  if (!o.tied_embeddings) plan.push_back({"output.weight", {h, vocab}, w, 0.0f, 0.1f});
  return plan;
}

Result<std::vector<uint8_t>> tensor_data(const TensorPlan& t, uint64_t seed) {
  uint64_t elems = 1;
  for (uint64_t d : t.dims) elems *= d;
  Random random(seed ^ name_hash(t.name));
  std::vector<float> values(elems);
  for (float& v : values) v = t.mean + t.std * random.normal();
  std::vector<uint8_t> bytes(*quant::row_bytes(t.type, t.dims[0]) * (elems / t.dims[0]));
  INGOT_RETURN_IF_ERROR(quant::quantize_row(t.type, values, bytes));
  return bytes;
}

// Counts the key/value pairs as they are appended.
struct Metadata {
  GgufBuilder b;
  uint64_t count = 0;
  GgufBuilder& key(std::string_view k, uint32_t type) {
    ++count;
    return b.key(k, type);
  }
  void u32(std::string_view k, uint32_t v) { key(k, 4).u32(v); }
  void f32(std::string_view k, float v) { key(k, 6).put<float>(v); }
  void str(std::string_view k, std::string_view v) { key(k, 8).str(v); }
  void boolean(std::string_view k, bool v) { key(k, 7).put<uint8_t>(v ? 1 : 0); }
  void strings(std::string_view k, const std::vector<std::string>& v) {
    key(k, 9).u32(8).u64(v.size());
    for (const std::string& s : v) b.str(s);
  }
};

constexpr std::string_view kChatMlTemplate =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\\n' }}{% endif %}";

// A SentencePiece tokenizer as llama.cpp's converter writes Llama 2's: scores and token types,
// no merges, and (as there) no special ids or add_bos/add_space_prefix keys: the defaults apply.
void write_sentencepiece_tokenizer(const std::vector<std::string>& tokens, Metadata& m) {
  m.str("tokenizer.ggml.model", "llama");
  m.str("tokenizer.ggml.pre", "default");
  m.strings("tokenizer.ggml.tokens", tokens);
  const std::vector<float> scores = tiny_sentencepiece_scores();
  m.key("tokenizer.ggml.scores", 9).u32(6).u64(scores.size());
  for (float score : scores) m.b.put<float>(score);
  m.key("tokenizer.ggml.token_type", 9).u32(5).u64(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto id = static_cast<int32_t>(i);
    m.b.put<int32_t>(id == kTinySpmUnk                                     ? 2   // unknown
                     : id < kTinySpmFirstByte                              ? 3   // control
                     : id < kTinySpmFirstByte + 256                        ? 6   // byte
                                                                           : 1);  // normal
  }
}

void write_metadata(const TinyLlamaOptions& o, const std::vector<std::string>& tokens,
                    Metadata& m) {
  const std::string arch = o.qwen3 ? "qwen3" : "llama";
  const auto key = [&](std::string_view name) { return arch + "." + std::string(name); };
  m.str("general.architecture", arch);
  m.str("general.name", "tiny-" + arch);
  m.u32("general.file_type", file_type_of(o.weight_type));
  m.u32("general.quantization_version", 2);
  m.u32(key("block_count"), o.layers);
  m.u32(key("context_length"), o.context);
  m.u32(key("embedding_length"), o.hidden);
  m.u32(key("feed_forward_length"), o.ffn);
  m.u32(key("attention.head_count"), o.heads);
  m.u32(key("attention.head_count_kv"), o.kv_heads);
  if (o.head_dim != 0) {
    m.u32(key("attention.key_length"), o.head_dim);
    m.u32(key("attention.value_length"), o.head_dim);
  }
  m.f32(key("rope.freq_base"), o.rope_freq_base);
  if (!o.rope_scaling_type.empty()) m.str(key("rope.scaling.type"), o.rope_scaling_type);
  m.f32(key("attention.layer_norm_rms_epsilon"), o.rms_norm_eps);
  m.u32(key("vocab_size"), static_cast<uint32_t>(tokens.size()));
  m.u32(key("rope.dimension_count"), head_dim_of(o));
  if (o.sentencepiece) {
    write_sentencepiece_tokenizer(tokens, m);
    return;
  }
  m.str("tokenizer.ggml.model", "gpt2");
  m.str("tokenizer.ggml.pre", "smollm");
  m.strings("tokenizer.ggml.tokens", tokens);
  m.key("tokenizer.ggml.token_type", 9).u32(5).u64(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    m.b.put<int32_t>(static_cast<int32_t>(i) < kTinyControlTokens ? 3 : 1);  // control : normal
  }
  m.strings("tokenizer.ggml.merges", tiny_llama_merges());
  m.u32("tokenizer.ggml.bos_token_id", kTinyImStart);
  m.u32("tokenizer.ggml.eos_token_id", kTinyImEnd);
  m.u32("tokenizer.ggml.unknown_token_id", kTinyEndOfText);
  m.u32("tokenizer.ggml.padding_token_id", kTinyImEnd);
  m.boolean("tokenizer.ggml.add_bos_token", false);
  m.str("tokenizer.chat_template", kChatMlTemplate);
}

Status option_error(const std::string& message) {
  return make_error(StatusCode::kInvalidArgument, "tiny llama: " + message);
}

}  // namespace

const std::vector<GgmlType>& tiny_llama_weight_types() {
  static const std::vector<GgmlType> types = {
      GgmlType::F32,  GgmlType::F16,  GgmlType::Q8_0,   GgmlType::Q4_0,  GgmlType::Q4_1,
      GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q2_K,   GgmlType::Q3_K,  GgmlType::Q4_K,
      GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_NL, GgmlType::IQ4_XS};
  return types;
}

std::string tiny_llama_weight_type_names() {
  std::string names;
  for (GgmlType type : tiny_llama_weight_types())
    names.append(names.empty() ? "" : ", ").append(quant::type_traits(type).name);
  return names;
}

Status validate_tiny_llama_options(const TinyLlamaOptions& o) {
  const std::pair<const char*, uint32_t> dims[] = {{"layers", o.layers}, {"hidden", o.hidden},
                                                   {"heads", o.heads},   {"kv_heads", o.kv_heads},
                                                   {"ffn", o.ffn},       {"context", o.context}};
  for (auto [name, value] : dims) {
    if (value == 0 || value > kMaxDim) {
      return option_error(std::string(name) + " is " + std::to_string(value) + ", expected 1 to " +
                          std::to_string(kMaxDim));
    }
  }
  if (o.heads % o.kv_heads != 0) {
    return option_error("heads (" + std::to_string(o.heads) + ") is not a multiple of kv_heads (" +
                        std::to_string(o.kv_heads) + ")");
  }
  if (o.head_dim != 0 && !o.qwen3) return option_error("head_dim is for qwen3 models only");
  if (o.head_dim != 0 ? o.head_dim % 2 != 0 || o.head_dim > kMaxDim
                      : o.hidden % o.heads != 0 || (o.hidden / o.heads) % 2 != 0) {
    return option_error(o.head_dim != 0
                            ? "head_dim (" + std::to_string(o.head_dim) +
                                  ") is not an even head dimension"
                            : "hidden (" + std::to_string(o.hidden) + ") / heads (" +
                                  std::to_string(o.heads) + ") is not an even head dimension");
  }
  const std::vector<GgmlType>& supported = tiny_llama_weight_types();
  if (std::find(supported.begin(), supported.end(), o.weight_type) == supported.end()) {
    return option_error("weight type " + std::string(quant::type_traits(o.weight_type).name) +
                        " is not one of " + tiny_llama_weight_type_names());
  }
  const quant::TypeTraits traits = quant::type_traits(o.weight_type);
  for (auto [name, value] : {std::pair{"hidden", o.hidden}, std::pair{"ffn", o.ffn},
                             std::pair{"heads * head_dim", o.heads * head_dim_of(o)}}) {
    if (value % traits.block_elems != 0) {
      return option_error(std::string(name) + " (" + std::to_string(value) +
                          ") is not a multiple of " + std::to_string(traits.block_elems) +
                          ", the block size of " + std::string(traits.name));
    }
  }
  if (!(o.rope_freq_base > 0) || !std::isfinite(o.rope_freq_base) || !(o.rms_norm_eps > 0)) {
    return option_error("rope_freq_base and rms_norm_eps must be positive");
  }
  return Status::ok_status();
}

Result<std::vector<uint8_t>> make_tiny_llama_gguf(const TinyLlamaOptions& o) {
  INGOT_RETURN_IF_ERROR(validate_tiny_llama_options(o));
  const std::vector<std::string> tokens =
      o.sentencepiece ? tiny_sentencepiece_tokens() : tiny_llama_tokens();
  Metadata metadata;
  write_metadata(o, tokens, metadata);
  const std::vector<TensorPlan> plan = plan_tensors(o, tokens.size());
  GgufBuilder infos;
  std::vector<uint8_t> data;
  for (const TensorPlan& t : plan) {
    INGOT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, tensor_data(t, o.seed));
    data.resize((data.size() + kAlignment - 1) / kAlignment * kAlignment, 0);
    infos.tensor(t.name, t.dims, static_cast<uint32_t>(t.type), data.size());
    data.insert(data.end(), bytes.begin(), bytes.end());
  }
  GgufBuilder file;
  file.header(3, plan.size(), metadata.count);
  file.data(metadata.b.bytes()).data(infos.bytes()).pad_to(kAlignment).data(data);
  return std::move(file.bytes());
}

Status write_tiny_llama_gguf(const std::string& path, const TinyLlamaOptions& options) {
  INGOT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, make_tiny_llama_gguf(options));
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      return make_error(StatusCode::kIoError, temp + ": cannot write");
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    const std::string why = error.message();
    std::filesystem::remove(temp, error);
    return make_error(StatusCode::kIoError, path + ": cannot rename from " + temp + ": " + why);
  }
  return Status::ok_status();
}

}  // namespace ingot::testing
