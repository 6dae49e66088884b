// Named llama shapes for --load-format dummy: the hyper-parameters and tensor table of a real
// model, with no file behind them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/import/gguf/llama_params.h"

namespace ingot::arch {

/// The preset named `name` (e.g. "llama-3.1-8b"), or nullopt. Its 2-D weights are bfloat16 as
/// in the Hugging Face checkpoint, its norms float32; the encoding passes requantize them as
/// they would the real model's. Llama 3's rope frequency scaling is not modelled (ingot refuses
/// it in real models): the shapes, and so the cost, are the real model's.
std::optional<gguf::LlamaParams> llama_preset(std::string_view name);

/// The names llama_preset knows.
std::vector<std::string> llama_preset_names();

}  // namespace ingot::arch
