// read_llama_params: the real model, defaults, rope scaling, and every bad key or tensor.
#include "compiler/import/gguf/llama_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "test/support/gguf_builder.h"
#include "test/support/real_model.h"

namespace ingot::gguf {
namespace {

using quant::GgmlType;
using testing::GgufBuilder;

// A llama GGUF described as editable lists of keys and F32 tensors.
struct ModelSpec {
  struct Kv {
    std::string key;
    std::function<void(GgufBuilder&)> write;  // writes the type and the value
  };
  struct Tensor {
    std::string name;
    std::vector<uint64_t> dims;
    std::vector<float> values = {};  // the data when given, else a byte pattern
  };
  std::vector<Kv> kvs;
  std::vector<Tensor> tensors;

  void set(const std::string& key, std::function<void(GgufBuilder&)> write) {
    remove(key);
    kvs.push_back({key, std::move(write)});
  }
  void set_u32(const std::string& key, uint32_t v) {
    set(key, [v](GgufBuilder& b) { b.u32(4).u32(v); });
  }
  void set_f32(const std::string& key, float v) {
    set(key, [v](GgufBuilder& b) { b.u32(6).put<float>(v); });
  }
  void set_str(const std::string& key, std::string v) {
    set(key, [v](GgufBuilder& b) { b.u32(8).str(v); });
  }
  void remove(const std::string& key) {
    std::erase_if(kvs, [&](const Kv& kv) { return kv.key == key; });
  }
  Tensor* tensor(const std::string& name) {
    for (Tensor& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
  void remove_tensor(const std::string& name) {
    std::erase_if(tensors, [&](const Tensor& t) { return t.name == name; });
  }

  std::vector<uint8_t> bytes() const {
    GgufBuilder b;
    b.header(3, tensors.size(), kvs.size());
    for (const Kv& kv : kvs) {
      b.str(kv.key);
      kv.write(b);
    }
    uint64_t offset = 0;
    std::vector<uint64_t> offsets;
    for (const Tensor& t : tensors) {
      b.tensor(t.name, t.dims, 0, offset);
      offsets.push_back(offset);
      uint64_t elems = 1;
      for (uint64_t d : t.dims) elems *= d;
      offset = (offset + elems * 4 + 31) / 32 * 32;
    }
    b.pad_to(32);
    std::vector<uint8_t> data(offset);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13 + 7);
    for (size_t i = 0; i < tensors.size(); ++i)
      std::memcpy(data.data() + offsets[i], tensors[i].values.data(), tensors[i].values.size() * 4);
    return b.data(data).bytes();
  }
};

// hidden 8 = 2 heads x head_dim 4, 1 KV head, ffn 16, vocab 10, 2 layers, untied.
ModelSpec base_spec() {
  ModelSpec s;
  s.set_str("general.architecture", "llama");
  s.set_u32("llama.block_count", 2);
  s.set_u32("llama.context_length", 128);
  s.set_u32("llama.embedding_length", 8);
  s.set_u32("llama.feed_forward_length", 16);
  s.set_u32("llama.attention.head_count", 2);
  s.set_u32("llama.attention.head_count_kv", 1);
  s.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-6f);
  s.set_f32("llama.rope.freq_base", 500000.0f);
  s.set_u32("llama.rope.dimension_count", 4);
  s.set_u32("llama.vocab_size", 10);
  s.tensors.push_back({"token_embd.weight", {8, 10}});
  for (int i = 0; i < 2; ++i) {
    const std::string blk = "blk." + std::to_string(i) + ".";
    s.tensors.push_back({blk + "attn_norm.weight", {8}});
    s.tensors.push_back({blk + "attn_q.weight", {8, 8}});
    s.tensors.push_back({blk + "attn_k.weight", {8, 4}});
    s.tensors.push_back({blk + "attn_v.weight", {8, 4}});
    s.tensors.push_back({blk + "attn_output.weight", {8, 8}});
    s.tensors.push_back({blk + "ffn_norm.weight", {8}});
    s.tensors.push_back({blk + "ffn_gate.weight", {8, 16}});
    s.tensors.push_back({blk + "ffn_up.weight", {8, 16}});
    s.tensors.push_back({blk + "ffn_down.weight", {16, 8}});
  }
  s.tensors.push_back({"output_norm.weight", {8}});
  s.tensors.push_back({"output.weight", {8, 10}});
  return s;
}

Result<LlamaParams> params_of(const ModelSpec& spec) {
  std::vector<uint8_t> bytes = spec.bytes();
  Result<GgufFile> file = GgufFile::parse(MappedFile::borrow(bytes, "m.gguf"));
  if (!file.ok()) return file.status();
  return read_llama_params(*file);
}

// The error message of reading `spec`, or "ok".
std::string error_of(const ModelSpec& spec) {
  Result<LlamaParams> params = params_of(spec);
  return params.ok() ? "ok" : params.status().message();
}

TEST(LlamaParams, ReadsTheRealModel) {
  INGOT_SKIP_WITHOUT_REAL_MODEL();
  Result<GgufFile> file = GgufFile::open(testing::real_model_path());
  ASSERT_TRUE(file.ok()) << file.status().message();
  Result<LlamaParams> p = read_llama_params(*file);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->architecture, "llama");
  EXPECT_EQ(p->block_count, 30u);
  EXPECT_EQ(p->context_length, 8192u);
  EXPECT_EQ(p->embedding_length, 576u);
  EXPECT_EQ(p->feed_forward_length, 1536u);
  EXPECT_EQ(p->head_count, 9u);
  EXPECT_EQ(p->head_count_kv, 3u);
  EXPECT_EQ(p->head_dim, 64u);
  EXPECT_EQ(p->rope_dimension_count, 64u);
  EXPECT_EQ(p->rope_freq_base, 100000.0);
  EXPECT_EQ(p->rms_norm_eps, static_cast<double>(1e-5f));
  EXPECT_EQ(p->rope_scaling.type, RopeScalingType::kNone);
  EXPECT_EQ(p->rope_scaling.factor, 1.0);
  EXPECT_EQ(p->vocab_size, 49152u);
  EXPECT_TRUE(p->tied_embeddings);
  EXPECT_FALSE(p->output.has_value());
  EXPECT_TRUE(p->rope_freq_factors.empty());
  EXPECT_EQ(p->token_embd.type, GgmlType::Q8_0);
  EXPECT_EQ(p->token_embd.dims, (std::vector<uint64_t>{576, 49152}));
  ASSERT_EQ(p->layers.size(), 30u);
  EXPECT_EQ(p->layers[29].attn_k.name, "blk.29.attn_k.weight");
  EXPECT_EQ(p->layers[0].attn_k.type, GgmlType::Q4_1);
  EXPECT_EQ(p->layers[0].attn_k.dims, (std::vector<uint64_t>{576, 192}));
  EXPECT_EQ(p->layers[0].ffn_down.dims, (std::vector<uint64_t>{1536, 576}));
  EXPECT_EQ(p->layers[0].attn_norm.type, GgmlType::F32);
}

TEST(LlamaParams, ReadsASmallModel) {
  Result<LlamaParams> p = params_of(base_spec());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->block_count, 2u);
  EXPECT_EQ(p->head_dim, 4u);
  EXPECT_EQ(p->head_count_kv, 1u);
  EXPECT_EQ(p->rope_freq_base, 500000.0);
  EXPECT_EQ(p->rms_norm_eps, static_cast<double>(1e-6f));
  EXPECT_EQ(p->vocab_size, 10u);
  EXPECT_FALSE(p->tied_embeddings);
  ASSERT_TRUE(p->output.has_value());
  EXPECT_EQ(p->output->dims, (std::vector<uint64_t>{8, 10}));
  EXPECT_EQ(p->layers[1].ffn_down.name, "blk.1.ffn_down.weight");
  EXPECT_EQ(p->layers[1].attn_v.dims, (std::vector<uint64_t>{8, 4}));
}

TEST(LlamaParams, AppliesDefaultsForOptionalKeys) {
  ModelSpec s = base_spec();
  s.remove("llama.vocab_size");
  s.remove("llama.rope.freq_base");
  s.remove("llama.rope.dimension_count");
  s.remove_tensor("output.weight");
  s.set_u32("llama.attention.head_count_kv", 2);
  for (int i = 0; i < 2; ++i) {
    s.tensor("blk." + std::to_string(i) + ".attn_k.weight")->dims = {8, 8};
    s.tensor("blk." + std::to_string(i) + ".attn_v.weight")->dims = {8, 8};
  }
  Result<LlamaParams> p = params_of(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->vocab_size, 10u);  // from token_embd
  EXPECT_EQ(p->rope_freq_base, 10000.0);
  EXPECT_EQ(p->rope_dimension_count, 4u);
  EXPECT_TRUE(p->tied_embeddings);
  s.remove("llama.attention.head_count_kv");  // defaults to head_count
  p = params_of(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->head_count_kv, 2u);
}

TEST(LlamaParams, AcceptsTrailingUnitDimsAndKeyLength) {
  ModelSpec s = base_spec();
  s.tensor("blk.0.attn_norm.weight")->dims = {8, 1};
  s.set_u32("llama.attention.key_length", 4);
  s.set_u32("llama.attention.value_length", 4);
  EXPECT_EQ(error_of(s), "ok");
}

TEST(LlamaParams, ReadsRopeScaling) {
  ModelSpec s = base_spec();
  s.set_str("llama.rope.scaling.type", "yarn");
  s.set_f32("llama.rope.scaling.factor", 4.0f);
  s.set_u32("llama.rope.scaling.original_context_length", 32);
  s.set_f32("llama.rope.scaling.attn_factor", 0.5f);
  s.set_f32("llama.rope.scaling.yarn_ext_factor", 1.0f);
  s.set_f32("llama.rope.scaling.yarn_attn_factor", 1.25f);
  s.set_f32("llama.rope.scaling.yarn_beta_fast", 32.0f);
  s.set_f32("llama.rope.scaling.yarn_beta_slow", 1.0f);
  s.set_f32("llama.rope.scaling.yarn_log_multiplier", 0.1f);
  s.set("llama.rope.scaling.finetuned", [](GgufBuilder& b) { b.u32(7).put<uint8_t>(1); });
  s.tensors.push_back({"rope_freqs.weight", {2}, {1.0f, 8.5f}});
  Result<LlamaParams> p = params_of(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  const RopeScaling& r = p->rope_scaling;
  EXPECT_EQ(r.type, RopeScalingType::kYarn);
  EXPECT_EQ(rope_scaling_type_name(r.type), "yarn");
  EXPECT_EQ(r.factor, 4.0);
  EXPECT_EQ(r.original_context_length, 32u);
  EXPECT_EQ(r.attn_factor, 0.5);
  EXPECT_EQ(r.yarn_ext_factor, 1.0);
  EXPECT_EQ(r.yarn_attn_factor, 1.25);
  EXPECT_EQ(r.yarn_beta_fast, 32.0);
  EXPECT_EQ(r.yarn_beta_slow, 1.0);
  EXPECT_EQ(r.yarn_log_multiplier, static_cast<double>(0.1f));
  EXPECT_TRUE(r.finetuned);
  EXPECT_EQ(p->rope_freq_factors, (std::vector<float>{1.0f, 8.5f}));

  ModelSpec legacy = base_spec();  // a factor without a type is linear, as in llama.cpp
  legacy.set_f32("llama.rope.scale_linear", 2.0f);
  p = params_of(legacy);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->rope_scaling.type, RopeScalingType::kLinear);
  EXPECT_EQ(p->rope_scaling.factor, 2.0);
  EXPECT_FALSE(p->rope_scaling.original_context_length.has_value());

  ModelSpec longrope = base_spec();
  longrope.set_str("llama.rope.scaling.type", "longrope");
  p = params_of(longrope);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->rope_scaling.type, RopeScalingType::kLongRope);
}

TEST(LlamaParams, RejectsBadRopeScaling) {
  ModelSpec s = base_spec();
  s.set_str("llama.rope.scaling.type", "ntk");
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.rope.scaling.type' is 'ntk', expected none, linear, yarn or "
            "longrope");
  s = base_spec();
  s.set_f32("llama.rope.scaling.factor", -2.0f);
  EXPECT_EQ(error_of(s), "m.gguf: metadata 'llama.rope.scaling.factor' is negative");
  s = base_spec();
  s.set_u32("llama.rope.scaling.original_context_length", 0);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.rope.scaling.original_context_length' is 0, expected a "
            "positive count");
  s = base_spec();
  s.tensors.push_back({"rope_freqs.weight", {4}});
  EXPECT_EQ(error_of(s), "m.gguf: tensor 'rope_freqs.weight' has shape [4], expected [2]");
  s = base_spec();
  s.tensors.push_back({"rope_freqs.weight", {2}, {1.0f, -1.0f}});
  EXPECT_EQ(error_of(s),
            "m.gguf: tensor 'rope_freqs.weight' has a value -1.000000, expected positive factors");
  s = base_spec();
  s.tensors.push_back({"rope_freqs.weight", {2}, {1.0f, std::numeric_limits<float>::quiet_NaN()}});
  EXPECT_EQ(error_of(s),
            "m.gguf: tensor 'rope_freqs.weight' has a value nan, expected positive factors");
}

TEST(LlamaParams, RejectsEachMissingRequiredKey) {
  for (std::string key : {"general.architecture", "llama.block_count", "llama.context_length",
                          "llama.embedding_length", "llama.feed_forward_length",
                          "llama.attention.head_count", "llama.attention.layer_norm_rms_epsilon"}) {
    ModelSpec s = base_spec();
    s.remove(key);
    EXPECT_EQ(error_of(s), "m.gguf: missing metadata key '" + key + "'");
  }
}

TEST(LlamaParams, RejectsKeysOfTheWrongType) {
  ModelSpec s = base_spec();
  s.set_str("llama.block_count", "2");
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.block_count' is STRING, expected a non-negative integer");
  s = base_spec();
  s.set_f32("llama.attention.head_count_kv", 1.0f);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.attention.head_count_kv' is FLOAT32, expected a "
            "non-negative integer");
  s = base_spec();
  s.set_str("llama.attention.layer_norm_rms_epsilon", "1e-6");
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.attention.layer_norm_rms_epsilon' is STRING, expected a "
            "number");
  s = base_spec();
  s.set_u32("general.architecture", 1);
  EXPECT_EQ(error_of(s), "m.gguf: metadata 'general.architecture' is UINT32, expected STRING");
  s = base_spec();
  s.set_u32("llama.rope.scaling.type", 1);
  EXPECT_EQ(error_of(s), "m.gguf: metadata 'llama.rope.scaling.type' is UINT32, expected STRING");
}

TEST(LlamaParams, RejectsBadValues) {
  ModelSpec s = base_spec();
  s.set_u32("llama.block_count", 0);
  EXPECT_EQ(error_of(s), "m.gguf: metadata 'llama.block_count' is 0, expected a positive count");
  s = base_spec();
  s.set("llama.context_length", [](GgufBuilder& b) { b.u32(10).u64(1ull << 40); });
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.context_length' is 1099511627776, more than 2147483647");
  s = base_spec();
  s.set_f32("llama.attention.layer_norm_rms_epsilon", 0.0f);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.attention.layer_norm_rms_epsilon' is 0, expected a positive "
            "number");
  s = base_spec();
  s.set_f32("llama.rope.freq_base", std::numeric_limits<float>::infinity());
  EXPECT_EQ(error_of(s), "m.gguf: metadata 'llama.rope.freq_base' is not a finite number");
}

TEST(LlamaParams, RejectsInconsistentAttentionShapes) {
  ModelSpec s = base_spec();
  s.set_u32("llama.attention.head_count_kv", 3);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.attention.head_count_kv' is 3, which does not divide "
            "'llama.attention.head_count' (2)");
  s = base_spec();
  s.set_u32("llama.attention.head_count", 3);
  s.set_u32("llama.attention.head_count_kv", 3);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.embedding_length' is 8, expected head_count (3) x head_dim "
            "(2)");
  s = base_spec();
  s.set_u32("llama.attention.key_length", 2);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.embedding_length' is 8, expected head_count (2) x head_dim "
            "(2)");
  s = base_spec();
  s.set_u32("llama.attention.value_length", 8);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.attention.value_length' is 8, expected the key length 4");
  s = base_spec();
  s.set_u32("llama.rope.dimension_count", 2);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.rope.dimension_count' is 2, expected the head dimension 4 "
            "(an even number)");
}

TEST(LlamaParams, RejectsUnsupportedModels) {
  ModelSpec s = base_spec();
  s.set_str("general.architecture", "gemma2");
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'general.architecture' is 'gemma2', not a llama-family architecture");
  s = base_spec();
  s.set_u32("llama.expert_count", 8);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'llama.expert_count' is 8: mixture-of-experts is not supported");
  s = base_spec();
  s.tensors.push_back({"blk.0.attn_q.bias", {8}});
  EXPECT_EQ(error_of(s),
            "m.gguf: tensor 'blk.0.attn_q.bias' is not part of a supported llama model");
  s = base_spec();
  s.set_u32("llama.block_count", 1);  // blk.1.* left over
  EXPECT_EQ(error_of(s),
            "m.gguf: tensor 'blk.1.attn_norm.weight' is not part of a supported llama model");
}

// base_spec as architecture `arch`: its llama.* keys renamed to arch.*.
ModelSpec spec_as(const std::string& arch) {
  ModelSpec s = base_spec();
  for (ModelSpec::Kv& kv : s.kvs)
    if (kv.key.starts_with("llama.")) kv.key = arch + "." + kv.key.substr(6);
  s.set_str("general.architecture", arch);
  return s;
}

TEST(LlamaParams, AcceptsMistralAsLlamaFamily) {
  ModelSpec s = spec_as("mistral");
  Result<LlamaParams> p = params_of(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->architecture, "mistral");
  EXPECT_EQ(p->head_count, 2u);
}

// base_spec as a gemma3 file: gemma3.* keys, a sliding window, and the QK-norm and post-norm
// tensors of each layer.
ModelSpec gemma3_spec() {
  ModelSpec s = spec_as("gemma3");
  s.set_u32("gemma3.attention.sliding_window", 16);
  for (int i = 0; i < 2; ++i) {
    const std::string blk = "blk." + std::to_string(i) + ".";
    for (const char* norm : {"attn_q_norm", "attn_k_norm"})
      s.tensors.push_back({blk + norm + ".weight", {4}});
    for (const char* norm : {"post_attention_norm", "post_ffw_norm"})
      s.tensors.push_back({blk + norm + ".weight", {8}});
  }
  return s;
}

TEST(LlamaParams, ReadsGemma3AsLlamaCppDoes) {
  ModelSpec s = gemma3_spec();
  Result<LlamaParams> p = params_of(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->gemma3.has_value());
  EXPECT_TRUE(p->qk_norm);
  EXPECT_EQ(p->gemma3->sliding_window, 16u);
  EXPECT_EQ(p->gemma3->sliding_window_pattern, 6u);  // llama.cpp's when the key is absent
  EXPECT_FLOAT_EQ(p->gemma3->embedding_scale, std::sqrt(8.0f));
  EXPECT_DOUBLE_EQ(p->gemma3->attention_scale, 0.5);  // 1 / sqrt(head_dim 4)
  for (uint64_t layer : {0u, 4u, 6u, 10u}) EXPECT_TRUE(p->gemma3->is_local(layer)) << layer;
  for (uint64_t layer : {5u, 11u, 17u}) EXPECT_FALSE(p->gemma3->is_local(layer)) << layer;
  ASSERT_TRUE(p->layers[1].post_ffw_norm.has_value());

  s.set_u32("gemma3.attention.sliding_window_pattern", 2);
  p = params_of(s);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->gemma3->is_local(0));
  EXPECT_FALSE(p->gemma3->is_local(1));
  s.set_u32("gemma3.attention.sliding_window_pattern", 1);
  EXPECT_EQ(error_of(s),
            "m.gguf: metadata 'gemma3.attention.sliding_window_pattern' is 1, expected at least 2 "
            "(one global layer in each)");
  s = gemma3_spec();
  s.remove_tensor("blk.1.post_attention_norm.weight");
  EXPECT_EQ(error_of(s), "m.gguf: missing tensor 'blk.1.post_attention_norm.weight'");
  s = gemma3_spec();
  s.remove("gemma3.attention.sliding_window");
  EXPECT_EQ(error_of(s), "m.gguf: missing metadata key 'gemma3.attention.sliding_window'");
}

TEST(LlamaParams, RejectsEachMissingTensor) {
  for (const ModelSpec::Tensor& tensor : base_spec().tensors) {
    if (tensor.name == "output.weight") continue;  // optional: tied embeddings
    ModelSpec s = base_spec();
    s.remove_tensor(tensor.name);
    EXPECT_EQ(error_of(s), "m.gguf: missing tensor '" + tensor.name + "'");
  }
}

// Each tensor with its input dim grown, and (for matrices) with its dims swapped.
TEST(LlamaParams, RejectsEachWrongShape) {
  auto shape = [](const std::vector<uint64_t>& dims) {
    std::string out = "[";
    for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
    return out + "]";
  };
  for (const ModelSpec::Tensor& tensor : base_spec().tensors) {
    std::vector<std::vector<uint64_t>> bad = {tensor.dims, {tensor.dims[0], 3, 1}};
    bad[0][0] += 1;
    if (tensor.dims.size() == 2 && tensor.dims[0] != tensor.dims[1]) {
      bad.push_back({tensor.dims[1], tensor.dims[0]});
    }
    for (const std::vector<uint64_t>& dims : bad) {
      ModelSpec s = base_spec();
      s.tensor(tensor.name)->dims = dims;
      EXPECT_EQ(error_of(s), "m.gguf: tensor '" + tensor.name + "' has shape " + shape(dims) +
                                 ", expected " + shape(tensor.dims));
    }
  }
}

TEST(LlamaParams, RejectsAVocabularyThatDisagreesWithTheKey) {
  ModelSpec s = base_spec();
  s.set_u32("llama.vocab_size", 12);
  EXPECT_EQ(error_of(s), "m.gguf: tensor 'token_embd.weight' has shape [8, 10], expected [8, 12]");
  s = base_spec();
  s.remove("llama.vocab_size");
  s.tensor("token_embd.weight")->dims = {8};
  EXPECT_EQ(error_of(s),
            "m.gguf: tensor 'token_embd.weight' has shape [8], expected [8, vocab_size]");
}

}  // namespace
}  // namespace ingot::gguf
