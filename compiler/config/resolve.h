// MAX's resolve() for the compile config: fill defaults from the architecture, validate.
#pragma once

#include <cstdint>
#include <optional>

#include "compiler/arch/supported_architecture.h"
#include "compiler/config/compile_config.h"
#include "runtime/base/status.h"

namespace ingot::config {

/// Multiple that kv_cache_page_size must be (MAX's KVCacheParams: "a multiple of 128").
inline constexpr int64_t kKVCachePageSizeMultiple = 128;

/// Resolves `config` against `arch` and the model's context length (its
/// max_position_embeddings; 0 or less when the model does not say), in MAX's order:
/// encoding, rope type, supported encoding, cache strategy, cache dtype, then the
/// lengths and sizes. Afterwards quantization_encoding, rope_type, max_length and
/// kv_cache.cache_dtype are set and cache_strategy is not model_default. Each error is
/// one line that starts with the offending flag, e.g. "--max-length: 9000 exceeds ...".
Status resolve(CompileConfig& config, const arch::SupportedArchitecture& arch,
               int64_t model_max_length);

/// MAX's rules for the safetensors cast flag, checked before an encoding is inferred:
/// the flag needs an explicit --encoding, and weights stored as float32 (bfloat16) cast
/// to bfloat16 (float32) only with the flag. `stored` is the safetensors weights'
/// encoding (nullopt for a GGUF, where the flag does not apply).
Status check_safetensors_cast(const CompileConfig& config, std::optional<arch::Encoding> stored);

}  // namespace ingot::config
