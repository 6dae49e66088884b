// read_llama_tensors: every llama tensor present, with the shape the hyper-parameters imply.
#include <cmath>
#include <unordered_set>

#include "compiler/import/gguf/llama_params.h"

namespace ingot::gguf {
namespace {

std::string shape_string(std::span<const uint64_t> dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

// Looks up tensors by name and records which ones the model uses.
class TensorChecker {
 public:
  explicit TensorChecker(const GgufFile& file) : file_(file) {}

  /// The tensor `name`; an error when it is absent.
  Result<const TensorInfo*> find(const std::string& name) {
    const TensorInfo* info = file_.find_tensor(name);
    if (info == nullptr) {
      return make_error(StatusCode::kNotFound, file_.path() + ": missing tensor '" + name + "'");
    }
    used_.insert(name);
    return info;
  }

  /// Checks `name` has shape `expected` (trailing 1s allowed, as llama.cpp does).
  Result<LlamaTensor> check(const std::string& name, std::vector<uint64_t> expected) {
    INGOT_ASSIGN_OR_RETURN(const TensorInfo* info, find(name));
    bool match = info->dims.size() >= expected.size();
    for (size_t i = 0; match && i < info->dims.size(); ++i) {
      match = info->dims[i] == (i < expected.size() ? expected[i] : 1);
    }
    if (!match) {
      return make_error(StatusCode::kInvalidArgument,
                        file_.path() + ": tensor '" + name + "' has shape " +
                            shape_string(info->dims) + ", expected " + shape_string(expected));
    }
    return LlamaTensor{name, info->type, std::move(expected)};
  }

  /// The first tensor in the file that the model does not use, or an ok status.
  Status check_no_extra() const {
    for (const TensorInfo& info : file_.tensors()) {
      if (used_.count(std::string(info.name)) == 0) {
        return make_error(StatusCode::kUnimplemented,
                          file_.path() + ": tensor '" + std::string(info.name) +
                              "' is not part of a supported llama model");
      }
    }
    return Status::ok_status();
  }

 private:
  const GgufFile& file_;
  std::unordered_set<std::string> used_;
};

// token_embd.weight, which also gives the vocabulary size when the key is absent.
Status read_embedding(const GgufFile& file, TensorChecker& tensors, LlamaParams& p) {
  const std::string name = "token_embd.weight";
  if (p.vocab_size == 0) {
    INGOT_ASSIGN_OR_RETURN(const TensorInfo* info, tensors.find(name));
    if (info->dims.size() < 2 || info->dims[1] == 0 || info->dims[1] > 0x7fffffff) {
      return make_error(StatusCode::kInvalidArgument,
                        file.path() + ": tensor '" + name + "' has shape " +
                            shape_string(info->dims) + ", expected [" +
                            std::to_string(p.embedding_length) + ", vocab_size]");
    }
    p.vocab_size = info->dims[1];
  }
  INGOT_ASSIGN_OR_RETURN(p.token_embd, tensors.check(name, {p.embedding_length, p.vocab_size}));
  return Status::ok_status();
}

// rope_freqs.weight, float32 as llama.cpp's converter writes it: Llama 3's per-pair divisors
// of the rope angle, read now because they become a parameter of the plan, not a weight.
Status read_rope_freq_factors(const GgufFile& file, TensorChecker& tensors, LlamaParams& p) {
  const std::string name = "rope_freqs.weight";
  INGOT_ASSIGN_OR_RETURN(LlamaTensor tensor, tensors.check(name, {p.rope_dimension_count / 2}));
  const TensorInfo& info = *file.find_tensor(tensor.name);
  INGOT_ASSIGN_OR_RETURN(std::span<const float> factors,
                         file.tensor_as<float>(info, quant::GgmlType::F32));
  for (float f : factors) {
    if (!(std::isfinite(f) && f > 0)) {
      return make_error(StatusCode::kInvalidArgument,
                        file.path() + ": tensor '" + name + "' has a value " + std::to_string(f) +
                            ", expected positive factors");
    }
  }
  p.rope_freq_factors.assign(factors.begin(), factors.end());
  return Status::ok_status();
}

Status read_layer(TensorChecker& tensors, const LlamaParams& p, uint64_t i,
                  LlamaLayerTensors& layer) {
  const std::string blk = "blk." + std::to_string(i) + ".";
  const uint64_t embd = p.embedding_length;
  const uint64_t q_dim = p.head_count * p.head_dim;
  const uint64_t kv_dim = p.head_count_kv * p.head_dim;
  const uint64_t ffn = p.feed_forward_length;
  INGOT_ASSIGN_OR_RETURN(layer.attn_norm, tensors.check(blk + "attn_norm.weight", {embd}));
  INGOT_ASSIGN_OR_RETURN(layer.attn_q, tensors.check(blk + "attn_q.weight", {embd, q_dim}));
  INGOT_ASSIGN_OR_RETURN(layer.attn_k, tensors.check(blk + "attn_k.weight", {embd, kv_dim}));
  INGOT_ASSIGN_OR_RETURN(layer.attn_v, tensors.check(blk + "attn_v.weight", {embd, kv_dim}));
  INGOT_ASSIGN_OR_RETURN(layer.attn_output,
                         tensors.check(blk + "attn_output.weight", {q_dim, embd}));
  INGOT_ASSIGN_OR_RETURN(layer.ffn_norm, tensors.check(blk + "ffn_norm.weight", {embd}));
  INGOT_ASSIGN_OR_RETURN(layer.ffn_gate, tensors.check(blk + "ffn_gate.weight", {embd, ffn}));
  INGOT_ASSIGN_OR_RETURN(layer.ffn_up, tensors.check(blk + "ffn_up.weight", {embd, ffn}));
  INGOT_ASSIGN_OR_RETURN(layer.ffn_down, tensors.check(blk + "ffn_down.weight", {ffn, embd}));
  if (p.qk_norm) {
    INGOT_ASSIGN_OR_RETURN(layer.attn_q_norm,
                           tensors.check(blk + "attn_q_norm.weight", {p.head_dim}));
    INGOT_ASSIGN_OR_RETURN(layer.attn_k_norm,
                           tensors.check(blk + "attn_k_norm.weight", {p.head_dim}));
  }
  if (p.gemma3) {
    INGOT_ASSIGN_OR_RETURN(layer.post_attention_norm,
                           tensors.check(blk + "post_attention_norm.weight", {embd}));
    INGOT_ASSIGN_OR_RETURN(layer.post_ffw_norm,
                           tensors.check(blk + "post_ffw_norm.weight", {embd}));
  }
  return Status::ok_status();
}

}  // namespace

Status read_llama_tensors(const GgufFile& file, LlamaParams& p) {
  TensorChecker tensors(file);
  INGOT_RETURN_IF_ERROR(read_embedding(file, tensors, p));
  INGOT_ASSIGN_OR_RETURN(p.output_norm, tensors.check("output_norm.weight", {p.embedding_length}));
  p.tied_embeddings = file.find_tensor("output.weight") == nullptr;
  if (!p.tied_embeddings) {
    INGOT_ASSIGN_OR_RETURN(p.output,
                           tensors.check("output.weight", {p.embedding_length, p.vocab_size}));
  }
  if (file.find_tensor("rope_freqs.weight") != nullptr)
    INGOT_RETURN_IF_ERROR(read_rope_freq_factors(file, tensors, p));
  p.layers.clear();
  for (uint64_t i = 0; i < p.block_count; ++i) {
    LlamaLayerTensors layer;
    INGOT_RETURN_IF_ERROR(read_layer(tensors, p, i, layer));
    p.layers.push_back(std::move(layer));
  }
  return tensors.check_no_extra();
}

}  // namespace ingot::gguf
