#include "compiler/import/hf/hf_folder.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "compiler/import/gguf/gguf_view.h"
#include "compiler/import/hf/hf_import.h"
#include "compiler/import/hf/safetensors_file.h"

namespace ingot::hf {
namespace {

namespace fs = std::filesystem;

// The GGUF name of a llama tensor in HF's naming, or "" for one to skip (rotary tables
// that older checkpoints store). Unknown names pass through, and the llama reader
// refuses them by name.
std::string gguf_tensor_name(const std::string& name, bool tied) {
  static const std::pair<const char*, const char*> kLayerSuffixes[] = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.v_proj.weight", "attn_v.weight"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
      {"self_attn.q_norm.weight", "attn_q_norm.weight"},  // Qwen 3's QK-norm
      {"self_attn.k_norm.weight", "attn_k_norm.weight"},
  };
  if (name.ends_with("rotary_emb.inv_freq")) return "";
  if (name == "model.embed_tokens.weight") return "token_embd.weight";
  if (name == "model.norm.weight") return "output_norm.weight";
  if (name == "lm_head.weight") return tied ? "" : "output.weight";
  const std::string prefix = "model.layers.";
  if (!name.starts_with(prefix)) return name;
  size_t dot = name.find('.', prefix.size());
  if (dot == std::string::npos) return name;
  std::string layer = name.substr(prefix.size(), dot - prefix.size());
  if (layer.empty() || !std::all_of(layer.begin(), layer.end(), ::isdigit)) return name;
  std::string suffix = name.substr(dot + 1);
  for (const auto& [hf, gguf] : kLayerSuffixes) {
    if (suffix == hf) return "blk." + layer + "." + gguf;
  }
  return name;
}

std::optional<quant::GgmlType> ggml_type(const std::string& dtype) {
  if (dtype == "F32") return quant::GgmlType::F32;
  if (dtype == "F16") return quant::GgmlType::F16;
  if (dtype == "BF16") return quant::GgmlType::BF16;
  return std::nullopt;
}

// The safetensors files of `dir`: those model.safetensors.index.json names, else
// model.safetensors, else every *.safetensors in name order.
Result<std::vector<std::string>> shard_paths(const std::string& dir) {
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  std::set<std::string> names;
  if (fs::exists(index)) {
    INGOT_ASSIGN_OR_RETURN(JsonFile file, read_json(index.string()));
    const nlohmann::json* map = file.find("weight_map");
    if (map == nullptr || !map->is_object())
      return file.error("weight_map", "is not an object of tensor files");
    for (const auto& [tensor, shard] : map->items()) {
      if (!shard.is_string() || shard.get<std::string>().find('/') != std::string::npos ||
          shard.get<std::string>().starts_with("."))
        return file.error("weight_map", "names '" + tensor + "' a file outside the folder");
      names.insert(shard.get<std::string>());
    }
  } else if (fs::exists(fs::path(dir) / "model.safetensors")) {
    names.insert("model.safetensors");
  } else {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".safetensors") names.insert(entry.path().filename());
    }
  }
  if (names.empty())
    return make_error(StatusCode::kNotFound, dir + ": no .safetensors weights in the folder");
  std::vector<std::string> paths;
  for (const std::string& name : names) paths.push_back((fs::path(dir) / name).string());
  return paths;
}

// Every tensor of the shards, renamed, into `view`.
Status add_tensors(const std::string& dir, const std::vector<std::string>& weight_files,
                   const HfModelConfig& model, gguf::GgufViewBuilder& view) {
  std::vector<std::string> paths;
  for (const std::string& file : weight_files)
    paths.push_back(fs::path(file).is_absolute() ? file : (fs::path(dir) / file).string());
  if (paths.empty()) {
    INGOT_ASSIGN_OR_RETURN(paths, shard_paths(dir));
  }
  std::set<std::string> seen;
  for (const std::string& path : paths) {
    INGOT_ASSIGN_OR_RETURN(SafetensorsFile shard, SafetensorsFile::open(path));
    std::vector<SafetensorsTensor> tensors = shard.tensors();
    uint32_t file = view.add_file(std::move(shard).take_file());
    for (const SafetensorsTensor& tensor : tensors) {
      std::string name = gguf_tensor_name(tensor.name, model.tie_word_embeddings);
      if (name.empty()) continue;
      if (!seen.insert(name).second) {
        return make_error(StatusCode::kInvalidArgument,
                          path + ": tensor '" + tensor.name + "' is stored twice in " + dir);
      }
      std::optional<quant::GgmlType> type = ggml_type(tensor.dtype);
      if (!type) {
        return make_error(StatusCode::kUnimplemented,
                          path + ": tensor '" + tensor.name + "' has dtype " + tensor.dtype +
                              "; ingot imports F32, F16 and BF16 safetensors");
      }
      std::vector<uint64_t> dims(tensor.shape.rbegin(), tensor.shape.rend());
      INGOT_RETURN_IF_ERROR(view.add_tensor(name, *type, std::move(dims), file, tensor.offset));
    }
  }
  if (!model.tie_word_embeddings && !seen.count("output.weight")) {
    return make_error(StatusCode::kNotFound,
                      dir + ": no lm_head.weight, and config.json's tie_word_embeddings is false");
  }
  return Status::ok_status();
}

}  // namespace

bool is_hf_folder(const std::string& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

Result<gguf::GgufFile> open_hf_folder(const std::string& dir,
                                      const std::vector<std::string>& weight_files) {
  const fs::path config_path = fs::path(dir) / "config.json";
  if (!fs::exists(config_path))
    return make_error(StatusCode::kNotFound, dir + ": no config.json (not a Hugging Face folder)");
  INGOT_ASSIGN_OR_RETURN(JsonFile config, read_json(config_path.string()));
  gguf::GgufViewBuilder view(dir);
  INGOT_ASSIGN_OR_RETURN(HfModelConfig model, add_config_keys(config, view));
  INGOT_ASSIGN_OR_RETURN(HfTokenizerFiles tokenizer, read_tokenizer_files(dir));
  INGOT_RETURN_IF_ERROR(add_tokenizer_keys(tokenizer, config, model.vocab_size, view));
  if (const fs::path generation = fs::path(dir) / "generation_config.json";
      fs::exists(generation)) {
    INGOT_ASSIGN_OR_RETURN(JsonFile file, read_json(generation.string()));
    INGOT_RETURN_IF_ERROR(add_generation_config_keys(file, view));
  }
  INGOT_RETURN_IF_ERROR(add_tensors(dir, weight_files, model, view));
  return std::move(view).finish();
}

Result<gguf::GgufFile> open_model(const std::string& path) {
  return is_hf_folder(path) ? open_hf_folder(path) : gguf::GgufFile::open(path);
}

}  // namespace ingot::hf
