// Rules 7 and 8 of the loader: plan ids, arena bounds, parameters, and the tokenizer.
#include <string>

#include "runtime/artifact/verify_model.h"

namespace ingot::artifact {
namespace {

using schema::Kernel;
using schema::Param;
using schema::Plan;
using schema::Value;
using schema::ValueKind;

constexpr uint64_t kActivationElementBytes = 4;  // activations are f32

uint32_t count_of(const flatbuffers::Vector<flatbuffers::Offset<Value>>* values) {
  return values ? values->size() : 0;
}

// One activation: arena_offset + rows * features * 4 must fit in arena_bytes.
Status verify_activation(const Value& value, const std::string& field, const Plan& plan,
                         const FieldErrors& errors) {
  const uint64_t rows = value.rows() == 0 ? plan.max_tokens() : value.rows();
  uint64_t bytes = 0;
  const uint64_t at = errors.at(&value, Value::VT_ARENA_OFFSET);
  if (__builtin_mul_overflow(rows, uint64_t{value.features()}, &bytes) ||
      __builtin_mul_overflow(bytes, kActivationElementBytes, &bytes)) {
    return errors.corrupt(field + ".features", errors.at(&value, Value::VT_FEATURES),
                          "activation size overflows 64 bits");
  }
  if (value.arena_offset() > plan.arena_bytes() ||
      bytes > plan.arena_bytes() - value.arena_offset()) {
    return errors.corrupt(field + ".arena_offset", at,
                          std::to_string(rows) + " x " + std::to_string(value.features()) +
                              " floats at offset " + std::to_string(value.arena_offset()) +
                              " run past the arena of " + std::to_string(plan.arena_bytes()) +
                              " bytes");
  }
  return Status::ok_status();
}

Status verify_values(const Plan& plan, uint32_t weight_count, const FieldErrors& errors) {
  const auto* values = plan.values();
  for (uint32_t i = 0; i < count_of(values); ++i) {
    const Value& value = *values->Get(i);
    const std::string field = indexed("plan.values", i);
    const auto kind = static_cast<uint32_t>(value.kind());
    if (kind > static_cast<uint32_t>(ValueKind::MAX)) {
      return errors.corrupt(field + ".kind", errors.at(&value, Value::VT_KIND),
                            "unknown value kind " + std::to_string(kind));
    }
    if (value.kind() == ValueKind::weight && value.weight() >= weight_count) {
      return errors.corrupt(field + ".weight", errors.at(&value, Value::VT_WEIGHT),
                            "weight index " + std::to_string(value.weight()) + ", but there are " +
                                std::to_string(weight_count) + " weights");
    }
    if (value.kind() == ValueKind::activation) {
      INGOT_RETURN_IF_ERROR(verify_activation(value, field, plan, errors));
    }
  }
  return Status::ok_status();
}

// Every id in `ids` names a value; when `required` is set, one of that kind.
Status verify_ids(const flatbuffers::Vector<uint32_t>* ids, const std::string& field,
                  const Plan& plan, const ValueKind* required, const FieldErrors& errors) {
  if (ids == nullptr) return Status::ok_status();
  const uint32_t count = count_of(plan.values());
  for (uint32_t i = 0; i < ids->size(); ++i) {
    const uint32_t id = ids->Get(i);
    const uint64_t at = errors.at(ids->Data() + i * sizeof(uint32_t));
    if (id >= count) {
      return errors.corrupt(indexed(field, i), at,
                            "value id " + std::to_string(id) + ", but the plan has " +
                                std::to_string(count) + " values");
    }
    if (required != nullptr && plan.values()->Get(id)->kind() != *required) {
      return errors.corrupt(indexed(field, i), at,
                            "value " + std::to_string(id) + " is not " +
                                (*required == ValueKind::input ? "an input" : "an activation"));
    }
  }
  return Status::ok_status();
}

// A parameter has a name, a known kind, and the payload its kind reads.
Status verify_param(const Param& param, const std::string& field, const FieldErrors& errors) {
  if (param.name() == nullptr) {
    return errors.corrupt(field + ".name", errors.at(&param, Param::VT_NAME), "missing");
  }
  const auto kind = static_cast<uint32_t>(param.kind());
  const uint64_t kind_at = errors.at(&param, Param::VT_KIND);
  if (kind > static_cast<uint32_t>(schema::ParamKind::MAX)) {
    return errors.corrupt(field + ".kind", kind_at, "unknown parameter kind " + std::to_string(kind));
  }
  const bool missing = (param.kind() == schema::ParamKind::text && param.text() == nullptr) ||
                       (param.kind() == schema::ParamKind::integers && param.integers() == nullptr) ||
                       (param.kind() == schema::ParamKind::rope && param.rope() == nullptr);
  if (missing) {
    return errors.corrupt(field + ".kind", kind_at,
                          std::string("a ") + schema::EnumNameParamKind(param.kind()) +
                              " parameter without its value");
  }
  return Status::ok_status();
}

Status verify_kernels(const Plan& plan, const FieldErrors& errors) {
  const auto* kernels = plan.kernels();
  if (kernels == nullptr) return Status::ok_status();
  const ValueKind activation = ValueKind::activation;
  for (uint32_t k = 0; k < kernels->size(); ++k) {
    const Kernel& kernel = *kernels->Get(k);
    const std::string field = indexed("plan.kernels", k);
    if (kernel.name() == nullptr || kernel.name()->size() == 0) {
      return errors.corrupt(field + ".name", errors.at(&kernel, Kernel::VT_NAME), "missing or empty");
    }
    INGOT_RETURN_IF_ERROR(verify_ids(kernel.inputs(), field + ".inputs", plan, nullptr, errors));
    INGOT_RETURN_IF_ERROR(verify_ids(kernel.outputs(), field + ".outputs", plan, &activation, errors));
    if (const auto* params = kernel.params()) {
      for (uint32_t p = 0; p < params->size(); ++p) {
        INGOT_RETURN_IF_ERROR(verify_param(*params->Get(p), indexed(field + ".params", p), errors));
      }
    }
  }
  return Status::ok_status();
}

}  // namespace

Status verify_plan(const schema::Model& model, const FieldErrors& errors) {
  const Plan* plan = model.plan();
  if (plan == nullptr) {
    return errors.corrupt("plan", errors.at(&model, schema::Model::VT_PLAN), "missing");
  }
  if (plan->max_tokens() == 0) {
    return errors.corrupt("plan.max_tokens", errors.at(plan, Plan::VT_MAX_TOKENS), "is 0");
  }
  const uint32_t weight_count = model.weights() ? model.weights()->size() : 0;
  INGOT_RETURN_IF_ERROR(verify_values(*plan, weight_count, errors));
  INGOT_RETURN_IF_ERROR(verify_kernels(*plan, errors));
  const ValueKind input = ValueKind::input, activation = ValueKind::activation;
  INGOT_RETURN_IF_ERROR(verify_ids(plan->inputs(), "plan.inputs", *plan, &input, errors));
  return verify_ids(plan->outputs(), "plan.outputs", *plan, &activation, errors);
}

Status verify_tokenizer(const schema::Model& model, const FieldErrors& errors) {
  using schema::Tokenizer;
  const Tokenizer* tokenizer = model.tokenizer();
  if (tokenizer == nullptr) {
    return errors.corrupt("tokenizer", errors.at(&model, schema::Model::VT_TOKENIZER), "missing");
  }
  const auto* tokens = tokenizer->tokens();
  if (tokens == nullptr || tokens->size() == 0) {
    return errors.corrupt("tokenizer.tokens", errors.at(tokenizer, Tokenizer::VT_TOKENS),
                          "missing or empty");
  }
  const uint32_t vocab = tokens->size();
  const auto* types = tokenizer->token_types();
  if (types != nullptr && types->size() != 0 && types->size() != vocab) {
    return errors.corrupt("tokenizer.token_types", errors.at(tokenizer, Tokenizer::VT_TOKEN_TYPES),
                          "has " + std::to_string(types->size()) + " entries for " +
                              std::to_string(vocab) + " tokens");
  }
  struct Special {
    const char* field;
    int32_t id;
    flatbuffers::voffset_t vt;
  };
  const Special specials[] = {
      {"tokenizer.bos_id", tokenizer->bos_id(), Tokenizer::VT_BOS_ID},
      {"tokenizer.eos_id", tokenizer->eos_id(), Tokenizer::VT_EOS_ID},
      {"tokenizer.eot_id", tokenizer->eot_id(), Tokenizer::VT_EOT_ID},
      {"tokenizer.unk_id", tokenizer->unk_id(), Tokenizer::VT_UNK_ID},
      {"tokenizer.pad_id", tokenizer->pad_id(), Tokenizer::VT_PAD_ID},
  };
  for (const Special& special : specials) {
    if (special.id != -1 && (special.id < 0 || static_cast<uint32_t>(special.id) >= vocab)) {
      return errors.corrupt(special.field, errors.at(tokenizer, special.vt),
                            "id " + std::to_string(special.id) + " is outside the " +
                                std::to_string(vocab) + "-token vocabulary (and not -1)");
    }
  }
  const auto space_prefix = static_cast<uint8_t>(tokenizer->space_prefix());
  if (space_prefix > static_cast<uint8_t>(schema::SpacePrefix::MAX)) {
    return errors.corrupt("tokenizer.space_prefix",
                          errors.at(tokenizer, Tokenizer::VT_SPACE_PREFIX),
                          "is " + std::to_string(space_prefix) + ", not a SpacePrefix");
  }
  return Status::ok_status();
}

}  // namespace ingot::artifact
