#include "tools/inspect/artifact_dump.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace ingot::inspect {
namespace {

using nlohmann::ordered_json;

std::string str(const flatbuffers::String* s) { return s ? s->str() : ""; }

ordered_json config_json(const schema::Model& m) {
  ordered_json c = ordered_json::object();
  if (const schema::CompileConfig* config = m.config()) {
    c["model_path"] = str(config->model_path());
    c["served_model_name"] = str(config->served_model_name());
    c["quantization_encoding"] = schema::EnumNameEncoding(config->quantization_encoding());
    c["rope_type"] = schema::EnumNameRopeType(config->rope_type());
    c["max_length"] = config->max_length();
    c["cache_strategy"] = schema::EnumNameCacheStrategy(config->cache_strategy());
    c["kv_cache_page_size"] = config->kv_cache_page_size();
    c["enable_prefix_caching"] = config->enable_prefix_caching();
    c["device_memory_utilization"] = config->device_memory_utilization();
    c["cache_dtype"] = str(config->cache_dtype());
    c["target_num_new_tokens"] = config->target_num_new_tokens();
  }
  return c;
}

ordered_json hyper_parameters_json(const schema::Model& m) {
  ordered_json h = ordered_json::object();
  if (const schema::HyperParameters* hp = m.hyper_parameters()) {
    h["block_count"] = hp->block_count();
    h["context_length"] = hp->context_length();
    h["embedding_length"] = hp->embedding_length();
    h["feed_forward_length"] = hp->feed_forward_length();
    h["head_count"] = hp->head_count();
    h["head_count_kv"] = hp->head_count_kv();
    h["head_dim"] = hp->head_dim();
    h["vocab_size"] = hp->vocab_size();
    h["rms_norm_eps"] = hp->rms_norm_eps();
    h["rope_freq_base"] = hp->rope_freq_base();
    h["tied_embeddings"] = hp->tied_embeddings();
  }
  return h;
}

// A float32 as the shortest decimal that reads back to it (0.6, not 0.6000000238418579).
double shortest(float value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof(text), value).ptr;
  *end = '\0';
  return std::strtod(text, nullptr);
}

ordered_json generation_defaults_json(const schema::Model& m) {
  ordered_json g = ordered_json::object();
  if (const schema::GenerationDefaults* d = m.generation_defaults()) {
    g["temperature"] = shortest(d->temperature());
    g["top_k"] = d->top_k();
    g["top_p"] = shortest(d->top_p());
    g["min_p"] = shortest(d->min_p());
    g["repetition_penalty"] = shortest(d->repetition_penalty());
    g["frequency_penalty"] = shortest(d->frequency_penalty());
    g["presence_penalty"] = shortest(d->presence_penalty());
    g["max_new_tokens"] = d->max_new_tokens();
  }
  return g;
}

ordered_json tokenizer_json(const schema::Model& m) {
  ordered_json t = ordered_json::object();
  if (const schema::Tokenizer* tok = m.tokenizer()) {
    t["model"] = str(tok->model());
    t["pre"] = str(tok->pre());
    t["tokens"] = tok->tokens() ? tok->tokens()->size() : 0;
    t["merges"] = tok->merges() ? tok->merges()->size() : 0;
    t["scores"] = tok->scores() ? tok->scores()->size() : 0;
    t["bos_id"] = tok->bos_id();
    t["eos_id"] = tok->eos_id();
    t["eot_id"] = tok->eot_id();
    t["add_bos"] = tok->add_bos();
    t["add_eos"] = tok->add_eos();
    t["add_space_prefix"] = tok->add_space_prefix();
    t["space_prefix"] = schema::EnumNameSpacePrefix(tok->space_prefix());
    t["split_at_spaces"] = tok->split_at_spaces();
  }
  return t;
}

ordered_json ids_json(const flatbuffers::Vector<uint32_t>* ids) {
  ordered_json out = ordered_json::array();
  if (ids)
    for (uint32_t id : *ids) out.push_back(id);
  return out;
}

ordered_json plan_json(const schema::Plan& plan) {
  ordered_json p;
  p["kernel_count"] = plan.kernels() ? plan.kernels()->size() : 0;
  p["value_count"] = plan.values() ? plan.values()->size() : 0;
  p["arena_bytes"] = plan.arena_bytes();
  p["max_tokens"] = plan.max_tokens();
  ordered_json kernels = ordered_json::array();
  if (plan.kernels()) {
    for (const schema::Kernel* kernel : *plan.kernels()) {
      ordered_json k;
      k["kernel"] = str(kernel->name());
      ordered_json fused = ordered_json::array();
      if (kernel->fused())
        for (const flatbuffers::String* op : *kernel->fused()) fused.push_back(op->str());
      k["fused"] = fused;
      k["inputs"] = ids_json(kernel->inputs());
      k["outputs"] = ids_json(kernel->outputs());
      kernels.push_back(std::move(k));
    }
  }
  p["kernels"] = std::move(kernels);
  return p;
}

ordered_json weights_json(const artifact::Artifact& artifact,
                          std::map<std::string, uint64_t>& totals) {
  ordered_json weights = ordered_json::array();
  const auto* table = artifact.model().weights();
  if (!table) return weights;
  for (const schema::Weight* weight : *table) {
    std::string encoding = schema::EnumNameEncoding(weight->encoding());
    totals[encoding] += weight->size();
    ordered_json w;
    w["name"] = str(weight->name());
    w["encoding"] = encoding;
    w["shape"] = ordered_json::array();
    if (weight->shape())
      for (uint64_t dim : *weight->shape()) w["shape"].push_back(dim);
    w["offset"] = weight->offset();
    w["bytes"] = weight->size();
    w["checksum"] = weight->checksum();
    weights.push_back(std::move(w));
  }
  return weights;
}

}  // namespace

Result<ordered_json> artifact_to_json(const artifact::Artifact& artifact,
                                      const pipeline::ServingShape& shape) {
  const schema::Model& m = artifact.model();
  ordered_json root;
  root["file"] = artifact.path();
  root["format_version"] =
      std::to_string(m.version()->major()) + "." + std::to_string(m.version()->minor());
  root["producer"] = str(m.producer());
  root["architecture"] = str(m.architecture());
  root["hyper_parameters"] = hyper_parameters_json(m);
  root["config"] = config_json(m);
  root["tokenizer"] = tokenizer_json(m);
  root["chat_template_chars"] = m.chat_template() ? m.chat_template()->size() : 0;
  root["generation_defaults"] = generation_defaults_json(m);
  if (m.plan()) root["plan"] = plan_json(*m.plan());
  std::map<std::string, uint64_t> totals;
  root["load_format"] = schema::EnumNameLoadFormat(m.load_format());
  if (artifact.has_dummy_weights()) root["dummy_seed"] = m.dummy_seed();
  root["segment_offset"] = artifact.segment_offset();
  root["weights"] = weights_json(artifact, totals);
  ordered_json sizes = ordered_json::object();
  for (const auto& [encoding, bytes] : totals) sizes[encoding] = bytes;
  root["weights_size"] = artifact.model().weight_segment_size();
  root["weights_size_by_encoding"] = sizes;
  ordered_json memory;
  memory["max_batch_size"] = shape.max_batch_size;
  memory["max_length"] =
      shape.max_length > 0 || !m.config() ? shape.max_length : m.config()->max_length();
  Result<pipeline::MemoryEstimate> estimate = pipeline::estimate_memory_footprint(m, shape);
  if (estimate.ok()) {
    memory["weights"] = estimate->weights;
    memory["kv_cache"] = estimate->kv_cache;
    memory["activations"] = estimate->activations;
    memory["total"] = estimate->total;
  } else {
    memory["unavailable"] = estimate.status().message();
  }
  root["memory_estimate"] = memory;
  return root;
}

Result<std::string> artifact_to_text(const artifact::Artifact& artifact,
                                     const pipeline::ServingShape& shape) {
  INGOT_ASSIGN_OR_RETURN(ordered_json j, artifact_to_json(artifact, shape));
  char line[512];
  std::string out = "* Artifact: " + artifact.path() + ", format " +
                    j["format_version"].get<std::string>() + ", producer " +
                    j["producer"].get<std::string>() + "\n";
  out += "* Architecture: " + j["architecture"].get<std::string>() + "\n";
  auto key_values = [](const ordered_json& object) {
    std::string text;
    for (const auto& [key, value] : object.items()) {
      text += "    " + key + " = " + (value.is_string() ? value.get<std::string>() : value.dump()) +
              "\n";
    }
    return text;
  };
  out += "* Hyper-parameters\n" + key_values(j["hyper_parameters"]);
  out += "* Compile config (MAX names)\n" + key_values(j["config"]);
  out += "* Tokenizer\n" + (j["tokenizer"].empty() ? "    none\n" : key_values(j["tokenizer"]));
  out += "    chat_template = " + std::to_string(j["chat_template_chars"].get<size_t>()) +
         " characters\n";
  out += "* Generation defaults (MAX's sampling_params_defaults)\n" +
         (j["generation_defaults"].empty() ? "    none\n" : key_values(j["generation_defaults"]));
  if (j.contains("plan")) {
    const ordered_json& plan = j["plan"];
    std::snprintf(line, sizeof(line),
                  "* Plan: %zu kernels, %zu values, arena %llu bytes at %u tokens per step\n",
                  plan["kernel_count"].get<size_t>(), plan["value_count"].get<size_t>(),
                  plan["arena_bytes"].get<unsigned long long>(),
                  plan["max_tokens"].get<unsigned>());
    out += line;
    int index = 0;
    for (const ordered_json& kernel : plan["kernels"]) {
      std::string fused;
      for (const auto& op : kernel["fused"])
        fused += (fused.empty() ? "" : " + ") + op.get<std::string>();
      std::snprintf(line, sizeof(line), "  %5d  %-22s %-52s %s -> %s\n", ++index,
                    kernel["kernel"].get<std::string>().c_str(), fused.c_str(),
                    kernel["inputs"].dump().c_str(), kernel["outputs"].dump().c_str());
      out += line;
    }
  }
  if (j.contains("dummy_seed"))
    std::snprintf(line, sizeof(line),
                  "* Weights: %zu, dummy: %llu bytes made at load from seed %llu, none in the file\n",
                  j["weights"].size(), j["weights_size"].get<unsigned long long>(),
                  j["dummy_seed"].get<unsigned long long>());
  else
    std::snprintf(line, sizeof(line), "* Weights: %zu, segment of %llu bytes at byte %llu\n",
                  j["weights"].size(), j["weights_size"].get<unsigned long long>(),
                  j["segment_offset"].get<unsigned long long>());
  out += line;
  out += "      #  encoding  shape                 offset        bytes  name\n";
  int index = 0;
  for (const ordered_json& w : j["weights"]) {
    std::string shape_text;
    for (const auto& dim : w["shape"]) shape_text += (shape_text.empty() ? "" : " x ") + dim.dump();
    std::snprintf(line, sizeof(line), "  %5d  %-8s  %-16s %12llu %12llu  %s\n", ++index,
                  w["encoding"].get<std::string>().c_str(), shape_text.c_str(),
                  w["offset"].get<unsigned long long>(), w["bytes"].get<unsigned long long>(),
                  w["name"].get<std::string>().c_str());
    out += line;
  }
  out += "* weights_size by encoding\n";
  for (const auto& [encoding, bytes] : j["weights_size_by_encoding"].items()) {
    out += "    " + encoding + " = " + bytes.dump() + " bytes\n";
  }
  const ordered_json& memory = j["memory_estimate"];
  if (memory.contains("unavailable")) {
    return out + "* Memory estimate: unavailable (" + memory["unavailable"].get<std::string>() +
           ")\n";
  }
  std::snprintf(
      line, sizeof(line),
      "* Memory estimate (max_batch_size %lld, max_length %lld): weights %llu + kv cache "
      "%llu + activations %llu = %llu bytes\n",
      memory["max_batch_size"].get<long long>(), memory["max_length"].get<long long>(),
      memory["weights"].get<unsigned long long>(), memory["kv_cache"].get<unsigned long long>(),
      memory["activations"].get<unsigned long long>(), memory["total"].get<unsigned long long>());
  out += line;
  return out;
}

}  // namespace ingot::inspect
