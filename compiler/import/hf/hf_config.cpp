// add_config_keys: config.json as the llama.* (or qwen3.*) keys of a GGUF;
// add_generation_config_keys: generation_config.json as its general.sampling.* keys.
#include <cmath>
#include <utility>

#include "compiler/import/gguf/llama3_rope.h"
#include "compiler/import/gguf/sampling_defaults.h"
#include "compiler/import/hf/hf_import.h"

namespace ingot::hf {
namespace {

// Llama 3's rope scaling as convert_hf_to_gguf.py writes it: rope_freqs.weight, one divisor
// of the angle per pair.
Status add_llama3_rope_factors(const JsonFile& config, const JsonFile& rope,
                               const std::string& section, double theta, uint32_t head_dim,
                               gguf::GgufViewBuilder& view) {
  gguf::Llama3RopeScaling scaling;
  for (auto [key, field] : {std::pair{"factor", &scaling.factor},
                            std::pair{"low_freq_factor", &scaling.low_freq_factor},
                            std::pair{"high_freq_factor", &scaling.high_freq_factor},
                            std::pair{"original_max_position_embeddings", &scaling.original_context}}) {
    INGOT_ASSIGN_OR_RETURN(std::optional<double> value, rope.find_number(key));
    if (value && !(std::isfinite(*value) && *value > 0))
      return config.error(section + "." + key, "must be a positive number");
    if (value) *field = *value;
  }
  if (!(scaling.high_freq_factor > scaling.low_freq_factor))
    return config.error(section + ".high_freq_factor", "must exceed low_freq_factor");
  return view.add_float32_tensor("rope_freqs.weight",
                                 gguf::llama3_rope_factors(scaling, theta, head_dim),
                                 config.path + " (" + section + ")");
}

// The rope section: transformers 5's "rope_parameters", else the older "rope_scaling"
// (with "rope_theta" beside it).
Status add_rope_keys(const JsonFile& config, const std::string& arch, uint32_t head_dim,
                     gguf::GgufViewBuilder& view) {
  const nlohmann::json* parameters = config.find("rope_parameters");
  const std::string section = parameters ? "rope_parameters" : "rope_scaling";
  if (!parameters) parameters = config.find("rope_scaling");
  if (parameters && !parameters->is_object()) return config.error(section, "is not an object");
  JsonFile rope{config.path, parameters ? *parameters : nlohmann::json::object()};

  INGOT_ASSIGN_OR_RETURN(std::optional<double> theta, config.find_number("rope_theta"));
  if (!theta) {
    INGOT_ASSIGN_OR_RETURN(theta, rope.find_number("rope_theta"));
  }
  view.set_float32(arch + ".rope.freq_base", static_cast<float>(theta.value_or(10000.0)));
  if (theta && !(std::isfinite(*theta) && *theta > 0))
    return config.error("rope_theta", "must be a positive number");

  std::string type = "default";
  for (const char* key : {"rope_type", "type"}) {
    if (const nlohmann::json* value = rope.find(key)) {
      if (!value->is_string()) return config.error(section + "." + key, "is not a string");
      type = value->get<std::string>();
      break;
    }
  }
  if (type == "default") return Status::ok_status();
  if (type == "llama3")
    return add_llama3_rope_factors(config, rope, section, theta.value_or(10000.0), head_dim, view);
  INGOT_ASSIGN_OR_RETURN(std::optional<double> factor, rope.find_number("factor"));
  if (type == "linear" || type == "yarn") {
    if (!factor || !(*factor >= 1.0) || !std::isfinite(*factor))
      return config.error(section + ".factor", "must be a number of at least 1 for " + type);
    view.set_string(arch + ".rope.scaling.type", type);
    view.set_float32(arch + ".rope.scaling.factor", static_cast<float>(*factor));
    if (type == "yarn") {
      INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> original,
                             rope.find_uint("original_max_position_embeddings"));
      if (!original) return config.error(section + ".original_max_position_embeddings", "is missing");
      view.set_uint32(arch + ".rope.scaling.original_context_length",
                      static_cast<uint32_t>(*original));
      for (const auto& [hf_key, gguf_key] :
           {std::pair{"beta_fast", "yarn_beta_fast"}, std::pair{"beta_slow", "yarn_beta_slow"}}) {
        INGOT_ASSIGN_OR_RETURN(std::optional<double> value, rope.find_number(hf_key));
        if (value) view.set_float32(arch + ".rope.scaling." + std::string(gguf_key), *value);
      }
    }
    return Status::ok_status();
  }
  return config.error(section, "has rope type '" + type +
                                   "', which ingot does not run (default, linear, yarn, llama3)");
}

}  // namespace

Result<HfModelConfig> add_config_keys(const JsonFile& config, gguf::GgufViewBuilder& view) {
  const nlohmann::json* architectures = config.find("architectures");
  if (!architectures || !architectures->is_array() || architectures->empty() ||
      !(*architectures)[0].is_string())
    return config.error("architectures", "must be a list naming the model class");
  const std::string architecture = (*architectures)[0].get<std::string>();
  if (architecture != "LlamaForCausalLM" && architecture != "MistralForCausalLM" &&
      architecture != "Qwen3ForCausalLM") {
    return config.error("architectures", "names '" + architecture +
                                             "', which ingot does not import "
                                             "(LlamaForCausalLM, MistralForCausalLM, "
                                             "Qwen3ForCausalLM)");
  }
  // Qwen 3 is llama plus QK-norm: its own GGUF architecture, read with the same keys.
  const std::string arch = architecture == "Qwen3ForCausalLM" ? "qwen3" : "llama";
  if (const nlohmann::json* act = config.find("hidden_act"); act && *act != "silu")
    return config.error("hidden_act", "must be \"silu\" for " + architecture);
  for (const char* bias : {"attention_bias", "mlp_bias"}) {
    INGOT_ASSIGN_OR_RETURN(std::optional<bool> on, config.find_bool(bias));
    if (on.value_or(false)) return config.error(bias, "is true; ingot's llama has no biases");
  }
  view.set_string("general.architecture", arch);
  if (const nlohmann::json* name = config.find("_name_or_path"); name && name->is_string())
    view.set_string("general.name", name->get<std::string>());

  auto limit = [&](const std::string& key, uint64_t value) -> Result<uint32_t> {
    if (value == 0 || value > UINT32_MAX) return config.error(key, "is out of range");
    return static_cast<uint32_t>(value);
  };
  HfModelConfig out;
  INGOT_ASSIGN_OR_RETURN(uint64_t layers, config.get_uint("num_hidden_layers"));
  INGOT_ASSIGN_OR_RETURN(uint64_t hidden, config.get_uint("hidden_size"));
  INGOT_ASSIGN_OR_RETURN(uint64_t ffn, config.get_uint("intermediate_size"));
  INGOT_ASSIGN_OR_RETURN(uint64_t heads, config.get_uint("num_attention_heads"));
  INGOT_ASSIGN_OR_RETURN(out.vocab_size, config.get_uint("vocab_size"));
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> kv_heads, config.find_uint("num_key_value_heads"));
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> head_dim, config.find_uint("head_dim"));
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> context, config.find_uint("max_position_embeddings"));
  INGOT_ASSIGN_OR_RETURN(std::optional<double> eps, config.find_number("rms_norm_eps"));
  INGOT_ASSIGN_OR_RETURN(std::optional<bool> tied, config.find_bool("tie_word_embeddings"));
  if (heads == 0 || (!head_dim && hidden % heads != 0))
    return config.error("num_attention_heads", "does not divide hidden_size");

  INGOT_ASSIGN_OR_RETURN(uint32_t n_layers, limit("num_hidden_layers", layers));
  INGOT_ASSIGN_OR_RETURN(uint32_t n_hidden, limit("hidden_size", hidden));
  INGOT_ASSIGN_OR_RETURN(uint32_t n_ffn, limit("intermediate_size", ffn));
  INGOT_ASSIGN_OR_RETURN(uint32_t n_heads, limit("num_attention_heads", heads));
  INGOT_ASSIGN_OR_RETURN(uint32_t n_kv, limit("num_key_value_heads", kv_heads.value_or(heads)));
  INGOT_ASSIGN_OR_RETURN(uint32_t n_dim, limit("head_dim", head_dim.value_or(hidden / heads)));
  // Far above any model's (Gemma's 256), and it bounds what the importer computes per head
  // dimension (Llama 3's rope factors) before any weight is seen.
  constexpr uint32_t kMaxHeadDim = 65536;
  if (n_dim > kMaxHeadDim)
    return config.error(head_dim ? "head_dim" : "hidden_size",
                        "gives a head dimension of " + std::to_string(n_dim) + ", more than " +
                            std::to_string(kMaxHeadDim));
  INGOT_ASSIGN_OR_RETURN(uint32_t n_vocab, limit("vocab_size", out.vocab_size));
  view.set_uint32(arch + ".block_count", n_layers);
  view.set_uint32(arch + ".embedding_length", n_hidden);
  view.set_uint32(arch + ".feed_forward_length", n_ffn);
  view.set_uint32(arch + ".attention.head_count", n_heads);
  view.set_uint32(arch + ".attention.head_count_kv", n_kv);
  view.set_uint32(arch + ".attention.key_length", n_dim);
  view.set_uint32(arch + ".attention.value_length", n_dim);
  view.set_uint32(arch + ".rope.dimension_count", n_dim);
  view.set_uint32(arch + ".vocab_size", n_vocab);
  if (context) {
    INGOT_ASSIGN_OR_RETURN(uint32_t n_context, limit("max_position_embeddings", *context));
    view.set_uint32(arch + ".context_length", n_context);
  }
  // LlamaConfig's own default epsilon.
  view.set_float32(arch + ".attention.layer_norm_rms_epsilon",
                   static_cast<float>(eps.value_or(1e-6)));
  INGOT_RETURN_IF_ERROR(add_rope_keys(config, arch, n_dim, view));
  out.tie_word_embeddings = tied.value_or(false);
  return out;
}

Status add_generation_config_keys(const JsonFile& generation, gguf::GgufViewBuilder& view) {
  constexpr std::pair<const char*, const char*> kKeys[] = {
      {"temperature", gguf::kSamplingTemp},
      {"top_k", gguf::kSamplingTopK},
      {"top_p", gguf::kSamplingTopP},
      {"min_p", gguf::kSamplingMinP},
      {"repetition_penalty", gguf::kSamplingPenaltyRepeat}};
  for (const auto& [hf_key, gguf_key] : kKeys) {
    INGOT_ASSIGN_OR_RETURN(std::optional<double> value, generation.find_number(hf_key));
    if (!value) continue;
    if (std::optional<std::string> problem = gguf::sampling_value_problem(gguf_key, *value))
      return generation.error(hf_key, "is " + std::to_string(*value) + ": " + *problem);
    if (std::string_view(gguf_key) == gguf::kSamplingTopK)
      view.set_uint32(gguf_key, *value > 0 ? static_cast<uint32_t>(*value) : 0);
    else
      view.set_float32(gguf_key, static_cast<float>(*value));
  }
  return Status::ok_status();
}

}  // namespace ingot::hf
