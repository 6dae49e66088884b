#include "compiler/arch/llama/llama_presets.h"

#include "compiler/import/gguf/llama3_rope.h"

namespace ingot::arch {
namespace {

// The hyper-parameters of a preset, as the model's config.json states them.
struct Shape {
  const char* name;
  uint64_t layers, embedding, feed_forward, heads, kv_heads, vocab, context;
  double rope_theta;
  bool tied;
  double llama3_rope_factor;  ///< rope_scaling.factor of rope_type "llama3"; 0 for none
};

constexpr Shape kShapes[] = {
    {"smollm2-135m", 30, 576, 1536, 9, 3, 49152, 8192, 100000.0, true, 0.0},
    {"llama-3.2-1b", 16, 2048, 8192, 32, 8, 128256, 131072, 500000.0, true, 32.0},
    {"llama-3.1-8b", 32, 4096, 14336, 32, 8, 128256, 131072, 500000.0, false, 8.0},
};

gguf::LlamaTensor tensor(std::string name, quant::GgmlType type, std::vector<uint64_t> dims) {
  return {std::move(name), type, std::move(dims)};
}

}  // namespace

std::optional<gguf::LlamaParams> llama_preset(std::string_view name) {
  for (const Shape& s : kShapes) {
    if (name != s.name) continue;
    using quant::GgmlType;
    gguf::LlamaParams p;
    p.architecture = "llama";
    p.block_count = s.layers;
    p.context_length = s.context;
    p.embedding_length = s.embedding;
    p.feed_forward_length = s.feed_forward;
    p.head_count = s.heads;
    p.head_count_kv = s.kv_heads;
    p.head_dim = s.embedding / s.heads;
    p.rope_dimension_count = p.head_dim;
    p.rope_freq_base = s.rope_theta;
    if (s.llama3_rope_factor > 0) {
      gguf::Llama3RopeScaling scaling;  // low 1, high 4, original context 8192, as both ship
      scaling.factor = s.llama3_rope_factor;
      p.rope_freq_factors = gguf::llama3_rope_factors(scaling, s.rope_theta, p.rope_dimension_count);
    }
    p.rms_norm_eps = 1e-5;
    p.vocab_size = s.vocab;
    p.tied_embeddings = s.tied;
    const uint64_t q = s.heads * p.head_dim, kv = s.kv_heads * p.head_dim;
    p.token_embd = tensor("token_embd.weight", GgmlType::BF16, {s.embedding, s.vocab});
    p.output_norm = tensor("output_norm.weight", GgmlType::F32, {s.embedding});
    if (!s.tied) p.output = tensor("output.weight", GgmlType::BF16, {s.embedding, s.vocab});
    for (uint64_t layer = 0; layer < s.layers; ++layer) {
      const std::string b = "blk." + std::to_string(layer) + ".";
      gguf::LlamaLayerTensors t;
      t.attn_norm = tensor(b + "attn_norm.weight", GgmlType::F32, {s.embedding});
      t.attn_q = tensor(b + "attn_q.weight", GgmlType::BF16, {s.embedding, q});
      t.attn_k = tensor(b + "attn_k.weight", GgmlType::BF16, {s.embedding, kv});
      t.attn_v = tensor(b + "attn_v.weight", GgmlType::BF16, {s.embedding, kv});
      t.attn_output = tensor(b + "attn_output.weight", GgmlType::BF16, {q, s.embedding});
      t.ffn_norm = tensor(b + "ffn_norm.weight", GgmlType::F32, {s.embedding});
      t.ffn_gate = tensor(b + "ffn_gate.weight", GgmlType::BF16, {s.embedding, s.feed_forward});
      t.ffn_up = tensor(b + "ffn_up.weight", GgmlType::BF16, {s.embedding, s.feed_forward});
      t.ffn_down = tensor(b + "ffn_down.weight", GgmlType::BF16, {s.feed_forward, s.embedding});
      p.layers.push_back(std::move(t));
    }
    return p;
  }
  return std::nullopt;
}

std::vector<std::string> llama_preset_names() {
  std::vector<std::string> names;
  for (const Shape& s : kShapes) names.push_back(s.name);
  return names;
}

}  // namespace ingot::arch
