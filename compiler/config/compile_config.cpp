// CompileConfig's small helpers (MAX's model_name, per-tensor encodings).
#include "compiler/config/compile_config.h"

namespace ingot::config {

const std::string& CompileConfig::model_name() const {
  return served_model_name ? *served_model_name : model_path;
}

std::optional<arch::Encoding> CompileConfig::encoding_for_tensor(
    std::string_view tensor_name) const {
  for (const EncodingOverride& override_spec : overrides) {
    if (glob_match(override_spec.pattern, tensor_name)) return override_spec.encoding;
  }
  return quantization_encoding;
}

}  // namespace ingot::config
