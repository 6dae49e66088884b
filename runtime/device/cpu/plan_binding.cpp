// bind_plan: the per-kernel contracts between the compiler's plan and the CPU kernels.
#include "runtime/device/cpu/plan_binding.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/quant/dequantize.h"
#include "runtime/artifact/weight_size.h"

namespace ingot::cpu {
namespace {

using detail::Activation;
using detail::BoundKernel;
using detail::WeightRef;
using schema::ValueKind;

const schema::Param* find_param(const schema::Kernel& kernel, const char* name) {
  if (kernel.params() == nullptr) return nullptr;
  for (const schema::Param* param : *kernel.params())
    if (param->name() && param->name()->str() == name) return param;
  return nullptr;
}

/// Binds one kernel; `error` builds "FILE: plan kernel K (NAME): problem".
class KernelBinder {
 public:
  KernelBinder(const artifact::Artifact& artifact, BoundPlan& plan, uint32_t index)
      : artifact_(artifact),
        model_(artifact.model()),
        plan_(plan),
        index_(index),
        kernel_(*model_.plan()->kernels()->Get(index)) {}

  Status bind(const std::vector<int32_t>& producer, const std::vector<uint32_t>& plan_inputs);

 private:
  Status error(const std::string& problem) const {
    return make_error(StatusCode::kDataLoss, artifact_.path() + ": plan kernel " +
                                                 std::to_string(index_) + " (" +
                                                 kernel_.name()->str() + "): " + problem);
  }
  Status expect(bool condition, const std::string& problem) const {
    return condition ? Status::ok_status() : error(problem);
  }
  Result<int64_t> integer(const char* name) const;
  Status bind_operands(const std::vector<uint32_t>& plan_inputs);
  Status bind_rope();
  Status bind_attention_shape();
  Status note_cache(int64_t row_elements);

  const artifact::Artifact& artifact_;
  const schema::Model& model_;
  BoundPlan& plan_;
  uint32_t index_;
  const schema::Kernel& kernel_;
  BoundKernel bound_;
  std::vector<uint64_t> input_offsets_, output_offsets_;
  int positions_ = 0;  // operands that are the positions input
  int ids_ = 0;        // operands that are the token ids input
  std::vector<uint32_t> activation_ids_;
};

Result<int64_t> KernelBinder::integer(const char* name) const {
  const schema::Param* param = find_param(kernel_, name);
  if (param == nullptr || param->kind() != schema::ParamKind::integer)
    return error(std::string("missing integer parameter ") + name);
  return param->integer();
}

Status KernelBinder::bind_operands(const std::vector<uint32_t>& plan_inputs) {
  const auto* values = model_.plan()->values();
  const auto activation = [&](const schema::Value& value) {
    return Activation{nullptr, static_cast<int64_t>(value.features())};
  };
  if (kernel_.inputs()) {
    for (uint32_t id : *kernel_.inputs()) {
      const schema::Value& value = *values->Get(id);
      switch (value.kind()) {
        case ValueKind::input:
          if (plan_inputs.size() >= 1 && id == plan_inputs[0])
            ++ids_;
          else if (plan_inputs.size() >= 2 && id == plan_inputs[1])
            ++positions_;
          else
            return error("operand " + std::to_string(id) + " is an unknown step input");
          break;
        case ValueKind::activation:
          bound_.inputs.push_back(activation(value));
          input_offsets_.push_back(value.arena_offset());
          activation_ids_.push_back(id);
          break;
        case ValueKind::weight: {
          const schema::Weight& weight = *model_.weights()->Get(value.weight());
          const auto type = artifact::ggml_type_for(weight.encoding());
          if (!type) return error("weight " + weight.name()->str() + " has no CPU encoding");
          const auto* shape = weight.shape();
          const int64_t rows = shape->size() == 1 ? 1 : static_cast<int64_t>(shape->Get(0));
          const int64_t length = static_cast<int64_t>(shape->Get(shape->size() - 1));
          bound_.weights.push_back(
              WeightRef{artifact_.weight_bytes(value.weight()).data(), *type, rows, length});
          break;
        }
      }
    }
  }
  if (kernel_.outputs()) {
    for (uint32_t id : *kernel_.outputs()) {
      const schema::Value& value = *values->Get(id);
      bound_.outputs.push_back(activation(value));
      output_offsets_.push_back(value.arena_offset());
      // The logits go to the caller's buffer, never through the scratch this sizes.
      if (bound_.name.rfind("logits", 0) != 0)
        plan_.widest_activation = std::max<int64_t>(plan_.widest_activation, value.features());
    }
  }
  for (const Activation& a : bound_.inputs)
    plan_.widest_activation = std::max(plan_.widest_activation, a.features);
  for (const auto* a : {&bound_.inputs, &bound_.outputs})
    for (const Activation& x : *a)
      if (x.features <= 0) return error("an activation has no features");
  return Status::ok_status();
}

Status KernelBinder::bind_rope() {
  const schema::Param* param = find_param(kernel_, "rope");
  if (param == nullptr || param->kind() != schema::ParamKind::rope || param->rope() == nullptr)
    return error("missing rope parameter");
  const schema::RopeParams& rope = *param->rope();
  RopeSpec& spec = bound_.rope;
  switch (rope.kind()) {
    case schema::RopeType::normal:
    case schema::RopeType::yarn: spec.neox = false; break;
    case schema::RopeType::neox: spec.neox = true; break;
    default:
      return error(std::string("rope type ") + schema::EnumNameRopeType(rope.kind()) +
                   " is not supported on the CPU");
  }
  spec.dims = rope.dim();
  spec.base = static_cast<float>(rope.theta());
  if (rope.factor() <= 0) return error("rope factor must be positive");
  spec.freq_scale = static_cast<float>(1.0 / rope.factor());
  spec.ext_factor = static_cast<float>(rope.ext_factor());
  spec.attn_factor = static_cast<float>(rope.attn_factor());
  spec.beta_fast = static_cast<float>(rope.beta_fast());
  spec.beta_slow = static_cast<float>(rope.beta_slow());
  spec.original_context = rope.original_context();
  bound_.has_rope = true;
  INGOT_ASSIGN_OR_RETURN(bound_.attention.head_dim, integer("head_dim"));
  INGOT_RETURN_IF_ERROR(
      expect(spec.dims > 0 && spec.dims % 2 == 0 && spec.dims <= bound_.attention.head_dim &&
                 spec.base > 0 && (spec.ext_factor == 0 || spec.original_context > 0),
             "bad rope parameters"));
  spec.freq_factors.clear();
  if (const auto* factors = rope.freq_factors()) {
    if (factors->size() != static_cast<uint64_t>(spec.dims / 2))
      return error("rope freq_factors has " + std::to_string(factors->size()) +
                   " values, expected dim / 2 = " + std::to_string(spec.dims / 2));
    for (float f : *factors) {
      if (!(std::isfinite(f) && f > 0)) return error("rope freq_factors must be positive");
      spec.freq_factors.push_back(f);
    }
  }
  return Status::ok_status();
}

Status KernelBinder::bind_attention_shape() {
  // A sliding window (Gemma's local layers): one size per plan, which each step schedules.
  if (const schema::Param* window = find_param(kernel_, "window")) {
    if (window->kind() != schema::ParamKind::integer || window->integer() < 1 ||
        window->integer() > (int64_t{1} << 40))
      return error("bad sliding window");
    if (plan_.attention_window != 0 && plan_.attention_window != window->integer())
      return error("sliding windows of " + std::to_string(window->integer()) + " and " +
                   std::to_string(plan_.attention_window) + " positions in one plan");
    bound_.window = plan_.attention_window = window->integer();
  }
  AttentionShape& a = bound_.attention;
  INGOT_ASSIGN_OR_RETURN(a.head_dim, integer("head_dim"));
  INGOT_ASSIGN_OR_RETURN(a.num_heads, integer("num_heads"));
  INGOT_ASSIGN_OR_RETURN(a.num_kv_heads, integer("num_kv_heads"));
  const schema::Param* scale = find_param(kernel_, "scale");
  if (scale == nullptr || scale->kind() != schema::ParamKind::real) return error("missing scale");
  a.scale = static_cast<float>(scale->real());
  INGOT_RETURN_IF_ERROR(expect(a.head_dim > 0 && a.num_heads > 0 && a.num_kv_heads > 0 &&
                                   a.num_heads % a.num_kv_heads == 0 && a.head_dim <= 4096 &&
                                   a.num_heads <= 4096,
                               "bad attention shape"));
  return expect(bound_.inputs.front().features == a.num_heads * a.head_dim &&
                    bound_.outputs.size() == 1 &&
                    bound_.outputs[0].features == a.num_heads * a.head_dim,
                "query and output must be num_heads * head_dim wide");
}

Status KernelBinder::note_cache(int64_t row_elements) {
  INGOT_RETURN_IF_ERROR(expect(bound_.layer >= 0 && bound_.layer < 4096, "bad layer"));
  if (plan_.cache_row_elements != 0 && plan_.cache_row_elements != row_elements)
    return error("KV rows of " + std::to_string(row_elements) + " floats, other layers have " +
                 std::to_string(plan_.cache_row_elements));
  plan_.cache_row_elements = row_elements;
  plan_.cache_layers = std::max(plan_.cache_layers, bound_.layer + 1);
  return Status::ok_status();
}

Status KernelBinder::bind(const std::vector<int32_t>& producer,
                          const std::vector<uint32_t>& plan_inputs) {
  const std::string name = kernel_.name()->str();
  const std::string base = name.substr(0, name.find('.'));
  bound_.name = name;
  bound_.run = detail::find_kernel(base);
  if (bound_.run == nullptr) return error("no CPU kernel of this name");
  INGOT_RETURN_IF_ERROR(bind_operands(plan_inputs));
  const auto shape = [&](size_t ids, size_t positions, size_t inputs, size_t weights,
                         size_t outputs) {
    return expect(static_cast<size_t>(ids_) == ids &&
                      static_cast<size_t>(positions_) == positions &&
                      bound_.inputs.size() == inputs && bound_.weights.size() == weights &&
                      bound_.outputs.size() == outputs,
                  "unexpected operands");
  };
  const auto same_features = [&](std::initializer_list<int64_t> features) {
    bool same = true;
    for (int64_t f : features) same = same && f == *features.begin();
    return expect(same, "operand widths differ");
  };
  auto& in = bound_.inputs;
  auto& out = bound_.outputs;
  auto& w = bound_.weights;
  const auto norm_weight = [&](bool groups) {
    const int64_t width = w[0].row_length, features = out.back().features;
    return expect(w[0].type == quant::GgmlType::F32 && w[0].rows == 1 && width > 0 &&
                      (groups ? features % width == 0 : width == features),
                  groups ? "the norm weight must be float32 and divide the activation's width"
                         : "the norm weight must be float32 of the activation's width");
  };
  const auto matrix = [&](const WeightRef& weight, int64_t in_features) {
    return expect(weight.row_length == in_features && weight.rows > 0,
                  "weight rows of " + std::to_string(weight.row_length) + " for inputs of " +
                      std::to_string(in_features));
  };
  if (base == "embedding") {
    INGOT_RETURN_IF_ERROR(shape(1, 0, 0, 1, 1));
    INGOT_RETURN_IF_ERROR(expect(out[0].features == w[0].row_length, "embedding width"));
    INGOT_RETURN_IF_ERROR(expect(quant::can_dequantize(w[0].type), "embedding encoding"));
    if (const schema::Param* scale = find_param(kernel_, "scale")) {
      INGOT_RETURN_IF_ERROR(expect(
          scale->kind() == schema::ParamKind::real && std::isfinite(scale->real()), "bad scale"));
      bound_.embedding_scale = static_cast<float>(scale->real());
    }
    plan_.vocab_size = plan_.vocab_size ? plan_.vocab_size : w[0].rows;
    plan_.vocab_size = std::min(plan_.vocab_size, w[0].rows);
  } else if (base == "rms_norm") {
    INGOT_RETURN_IF_ERROR(shape(0, 0, 1, 1, 1));
    INGOT_RETURN_IF_ERROR(same_features({in[0].features, out[0].features}));
    INGOT_RETURN_IF_ERROR(norm_weight(/*groups=*/true));
  } else if (base == "add_rms_norm") {
    INGOT_RETURN_IF_ERROR(shape(0, 0, 2, 1, 2));
    INGOT_RETURN_IF_ERROR(
        same_features({in[0].features, in[1].features, out[0].features, out[1].features}));
    INGOT_RETURN_IF_ERROR(norm_weight(/*groups=*/false));
  } else if (base == "add" || base == "swiglu" || base == "geglu") {
    INGOT_RETURN_IF_ERROR(shape(0, 0, 2, 0, 1));
    INGOT_RETURN_IF_ERROR(same_features({in[0].features, in[1].features, out[0].features}));
  } else if (base == "split") {
    INGOT_RETURN_IF_ERROR(
        expect(in.size() == 1 && w.empty() && !out.empty() && ids_ == 0 && positions_ == 0,
               "unexpected operands"));
    int64_t total = 0;
    for (const Activation& o : out) total += o.features;
    INGOT_RETURN_IF_ERROR(expect(total == in[0].features, "split widths do not add up"));
  } else if (base == "matmul" || base == "logits") {
    INGOT_RETURN_IF_ERROR(shape(0, 0, 1, 1, 1));
    INGOT_RETURN_IF_ERROR(matrix(w[0], in[0].features));
    INGOT_RETURN_IF_ERROR(expect(out[0].features == w[0].rows, "output width"));
    if (base == "logits") {
      if (plan_.vocab_size != 0 && plan_.vocab_size != w[0].rows)
        return error("logits over " + std::to_string(w[0].rows) + " tokens, the embedding has " +
                     std::to_string(plan_.vocab_size));
      plan_.vocab_size = w[0].rows;
    }
  } else if (base == "gate_up_swiglu" || base == "gate_up_geglu") {
    INGOT_RETURN_IF_ERROR(shape(0, 0, 1, 2, 1));
    INGOT_RETURN_IF_ERROR(matrix(w[0], in[0].features));
    INGOT_RETURN_IF_ERROR(expect(w[1].type == w[0].type && w[1].rows == w[0].rows &&
                                     w[1].row_length == w[0].row_length &&
                                     out[0].features == w[0].rows,
                                 "gate and up weights differ"));
  } else if (base == "rope") {
    INGOT_RETURN_IF_ERROR(shape(0, 1, 1, 0, 1));
    INGOT_RETURN_IF_ERROR(bind_rope());
    INGOT_RETURN_IF_ERROR(same_features({in[0].features, out[0].features}));
    INGOT_RETURN_IF_ERROR(expect(in[0].features % bound_.attention.head_dim == 0, "head width"));
  } else if (base == "kv_cache_write") {
    INGOT_RETURN_IF_ERROR(shape(0, 1, 2, 0, 0));
    INGOT_ASSIGN_OR_RETURN(bound_.layer, integer("layer"));
    INGOT_RETURN_IF_ERROR(same_features({in[0].features, in[1].features}));
    INGOT_RETURN_IF_ERROR(note_cache(in[0].features));
  } else if (base == "kv_cache_read") {
    INGOT_RETURN_IF_ERROR(shape(0, 1, 0, 0, 2));
    INGOT_ASSIGN_OR_RETURN(bound_.layer, integer("layer"));
    INGOT_RETURN_IF_ERROR(same_features({out[0].features, out[1].features}));
    INGOT_RETURN_IF_ERROR(note_cache(out[0].features));
  } else if (base == "attention") {
    INGOT_RETURN_IF_ERROR(shape(0, 1, 3, 0, 1));
    INGOT_RETURN_IF_ERROR(bind_attention_shape());
    // Keys and values must come from one cache read; attention reads that layer in place.
    const int32_t k_from = producer[activation_ids_[1]], v_from = producer[activation_ids_[2]];
    const auto* kernels = model_.plan()->kernels();
    INGOT_RETURN_IF_ERROR(expect(
        k_from >= 0 && k_from == v_from && kernels->Get(k_from)->name()->str() == "kv_cache_read",
        "keys and values must come from one kv_cache_read"));
    bound_.layer = plan_.kernels[static_cast<size_t>(k_from)].layer;
    INGOT_RETURN_IF_ERROR(
        expect(in[1].features == bound_.attention.num_kv_heads * bound_.attention.head_dim,
               "keys must be num_kv_heads * head_dim wide"));
  } else if (base == "fused_attention") {
    INGOT_RETURN_IF_ERROR(shape(0, 1, 3, 0, 1));
    INGOT_RETURN_IF_ERROR(bind_attention_shape());
    INGOT_ASSIGN_OR_RETURN(bound_.layer, integer("layer"));
    INGOT_RETURN_IF_ERROR(bind_rope());
    const int64_t kv = bound_.attention.num_kv_heads * bound_.attention.head_dim;
    INGOT_RETURN_IF_ERROR(same_features({in[1].features, in[2].features, kv}));
    INGOT_RETURN_IF_ERROR(note_cache(kv));
  }
  if (base == "rms_norm" || base == "add_rms_norm") {
    const schema::Param* eps = find_param(kernel_, "epsilon");
    if (eps == nullptr || eps->kind() != schema::ParamKind::real || !(eps->real() >= 0))
      return error("missing epsilon");
    bound_.epsilon = static_cast<float>(eps->real());
  }
  plan_.kernels.push_back(std::move(bound_));
  plan_.input_offsets.push_back(std::move(input_offsets_));
  plan_.output_offsets.push_back(std::move(output_offsets_));
  return Status::ok_status();
}

}  // namespace

void BoundPlan::resolve_arena(float* arena) {
  for (size_t k = 0; k < kernels.size(); ++k) {
    for (size_t i = 0; i < kernels[k].inputs.size(); ++i)
      kernels[k].inputs[i].data = arena + input_offsets[k][i];
    for (size_t i = 0; i < kernels[k].outputs.size(); ++i)
      kernels[k].outputs[i].data = arena + output_offsets[k][i];
  }
}

std::optional<PackedQkv> packed_qkv(const BoundPlan& plan, size_t index) {
  const auto& kernels = plan.kernels;
  if (index == 0 || index >= kernels.size() || kernels[index].name != "fused_attention" ||
      kernels[index - 1].name != "split")
    return std::nullopt;
  const BoundKernel& attention = kernels[index];
  const BoundKernel& split = kernels[index - 1];
  const int64_t q_features = attention.attention.num_heads * attention.attention.head_dim;
  const int64_t kv_features = attention.attention.num_kv_heads * attention.attention.head_dim;
  const int64_t width = q_features + 2 * kv_features;
  if (split.inputs.size() != 1 || split.outputs.size() != 3 || attention.inputs.size() < 3 ||
      split.inputs[0].features != width || split.outputs[0].features != q_features ||
      split.outputs[1].features != kv_features || split.outputs[2].features != kv_features)
    return std::nullopt;
  const auto& parts = plan.output_offsets[index - 1];
  for (size_t part = 0; part < 3; ++part) {
    if (plan.input_offsets[index][part] != parts[part]) return std::nullopt;
    // No later kernel reads the part before something overwrites its place in the arena.
    const uint64_t end = parts[part] + static_cast<uint64_t>(
                                           plan.max_tokens * split.outputs[part].features);
    for (size_t k = index + 1; k < kernels.size(); ++k) {
      const auto& inputs = plan.input_offsets[k];
      if (std::find(inputs.begin(), inputs.end(), parts[part]) != inputs.end())
        return std::nullopt;
      bool overwritten = false;
      for (size_t o = 0; o < kernels[k].outputs.size(); ++o) {
        const uint64_t out = plan.output_offsets[k][o];
        const auto rows = static_cast<uint64_t>(plan.max_tokens * kernels[k].outputs[o].features);
        overwritten = overwritten || (out < end && parts[part] < out + rows);
      }
      if (overwritten) break;
    }
  }
  const uint64_t begin = plan.input_offsets[index - 1][0];
  const uint64_t end = begin + static_cast<uint64_t>(plan.max_tokens * width);
  for (size_t o = 0; o < attention.outputs.size(); ++o) {
    const uint64_t out = plan.output_offsets[index][o];
    const auto rows = static_cast<uint64_t>(plan.max_tokens * attention.outputs[o].features);
    if (out < end && begin < out + rows) return std::nullopt;
  }
  return PackedQkv{index - 1, begin, width};
}

void read_qkv_in_place(BoundPlan& plan) {
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    const std::optional<PackedQkv> packed = packed_qkv(plan, i);
    if (!packed) continue;
    BoundKernel& attention = plan.kernels[i];
    const auto q_features =
        static_cast<uint64_t>(attention.attention.num_heads * attention.attention.head_dim);
    const auto kv_features =
        static_cast<uint64_t>(attention.attention.num_kv_heads * attention.attention.head_dim);
    plan.input_offsets[i][0] = packed->offset;
    plan.input_offsets[i][1] = packed->offset + q_features;
    plan.input_offsets[i][2] = packed->offset + q_features + kv_features;
    attention.qkv_stride = packed->width;
    plan.kernels[packed->split].skipped = true;
  }
}

Status pack_matmul_weights(const artifact::Artifact& artifact, BoundPlan& plan) {
  const auto is_embedding = [](const BoundKernel& kernel) {
    return kernel.name.rfind("embedding", 0) == 0;
  };
  for (BoundKernel& kernel : plan.kernels) {
    if (is_embedding(kernel)) continue;
    for (WeightRef& weight : kernel.weights) {
      if (!matmul_packs(weight.type)) continue;
      auto& packed = plan.packed[weight.data];
      if (!packed) {
        packed = std::make_unique<PackedWeights>();
        // Source rows are released as they are packed, so a weight is never resident twice
        // (Gemma's 178 MB tied embedding would be). A tied embedding too: the lookups read its
        // rows from the file again, a page at a time, as tokens need them.
        const uint64_t row_bytes =
            *quant::row_bytes(weight.type, static_cast<uint64_t>(weight.row_length));
        const auto release_rows = [&](int64_t begin, int64_t end) {
          artifact.release({weight.data + static_cast<uint64_t>(begin) * row_bytes,
                            static_cast<uint64_t>(end - begin) * row_bytes});
        };
        INGOT_RETURN_IF_ERROR(pack_weights(weight.type, weight.data, weight.rows,
                                           weight.row_length, *packed, release_rows));
        // The pages that straddled two runs go now.
        release_rows(0, weight.rows);
      }
      weight.packed = packed.get();
    }
  }
  return Status::ok_status();
}

Result<BoundPlan> bind_plan(const artifact::Artifact& artifact) {
  const schema::Plan* plan = artifact.model().plan();
  if (plan == nullptr || plan->kernels() == nullptr || plan->values() == nullptr)
    return make_error(StatusCode::kDataLoss, artifact.path() + ": the artifact has no plan");
  BoundPlan bound;
  bound.max_tokens = plan->max_tokens();
  if (bound.max_tokens <= 0 || plan->arena_bytes() % 4 != 0)
    return make_error(StatusCode::kDataLoss, artifact.path() + ": bad plan max_tokens or arena");
  bound.arena_floats = std::max<uint64_t>(1, plan->arena_bytes() / 4);
  std::vector<uint32_t> plan_inputs;
  if (plan->inputs())
    for (uint32_t id : *plan->inputs()) plan_inputs.push_back(id);
  // Offsets are in floats from here on.
  for (const schema::Value* value : *plan->values()) {
    if (value->kind() == ValueKind::activation && value->arena_offset() % 4 != 0)
      return make_error(StatusCode::kDataLoss,
                        artifact.path() + ": an activation is not float-aligned in the arena");
  }
  std::vector<int32_t> producer(plan->values()->size(), -1);
  for (uint32_t k = 0; k < plan->kernels()->size(); ++k) {
    KernelBinder binder(artifact, bound, k);
    INGOT_RETURN_IF_ERROR(binder.bind(producer, plan_inputs));
    if (const auto* outputs = plan->kernels()->Get(k)->outputs())
      for (uint32_t id : *outputs) producer[id] = static_cast<int32_t>(k);
  }
  for (auto& offsets : {&bound.input_offsets, &bound.output_offsets})
    for (auto& kernel : *offsets)
      for (uint64_t& offset : kernel) offset /= 4;
  if (bound.vocab_size <= 0)
    return make_error(StatusCode::kDataLoss, artifact.path() + ": the plan computes no logits");
  return bound;
}

}  // namespace ingot::cpu
