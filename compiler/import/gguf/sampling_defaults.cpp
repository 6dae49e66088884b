#include "compiler/import/gguf/sampling_defaults.h"

#include <cmath>
#include <string>

namespace ingot::gguf {

std::optional<std::string> sampling_value_problem(std::string_view key, double value) {
  if (!std::isfinite(value)) return "not a finite number";
  if (key == kSamplingTopK)
    return value == std::floor(value) && value <= INT32_MAX && value >= INT32_MIN
               ? std::nullopt
               : std::optional<std::string>("not an integer of int32");
  if (key == kSamplingTopP)
    return value > 0 && value <= 1 ? std::nullopt : std::optional<std::string>("not in (0, 1]");
  if (key == kSamplingMinP)
    return value >= 0 && value <= 1 ? std::nullopt : std::optional<std::string>("not in [0, 1]");
  if (key == kSamplingTemp)
    return value >= 0 ? std::nullopt : std::optional<std::string>("negative");
  if (key == kSamplingPenaltyRepeat)
    return value > 0 ? std::nullopt : std::optional<std::string>("not positive");
  return std::nullopt;
}

Result<SamplingDefaults> read_sampling_defaults(const GgufFile& file) {
  SamplingDefaults out;
  const auto read = [&](const char* key) -> Result<std::optional<double>> {
    const MetadataValue* value = file.find(key);
    if (value == nullptr) return std::optional<double>();
    if (value->type == ValueType::kBool || !value->as_float())
      return make_error(StatusCode::kInvalidArgument,
                        file.path() + ": metadata '" + key + "' is not a number");
    const double number = *value->as_float();
    if (std::optional<std::string> problem = sampling_value_problem(key, number)) {
      return make_error(StatusCode::kInvalidArgument, file.path() + ": metadata '" + key + "' is " +
                                                          std::to_string(number) + ": " + *problem);
    }
    return std::optional<double>(number);
  };
  INGOT_ASSIGN_OR_RETURN(std::optional<double> top_k, read(kSamplingTopK));
  if (top_k) out.top_k = *top_k <= 0 ? -1 : static_cast<int32_t>(*top_k);
  const std::pair<const char*, std::optional<float>*> floats[] = {
      {kSamplingTopP, &out.top_p},
      {kSamplingMinP, &out.min_p},
      {kSamplingTemp, &out.temperature},
      {kSamplingPenaltyRepeat, &out.repetition_penalty}};
  for (const auto& [key, field] : floats) {
    INGOT_ASSIGN_OR_RETURN(std::optional<double> number, read(key));
    if (number) *field = static_cast<float>(*number);
  }
  return out;
}

}  // namespace ingot::gguf
