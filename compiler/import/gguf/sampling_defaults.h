// The sampling defaults a model file carries: llama.cpp's `general.sampling.*` keys, which the
// GGUF view of a Hugging Face folder fills from its generation_config.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/import/gguf/gguf_file.h"

namespace ingot::gguf {

/// The keys and the SamplingParams fields they default (unset: the field keeps MAX's default).
inline constexpr const char* kSamplingTopK = "general.sampling.top_k";
inline constexpr const char* kSamplingTopP = "general.sampling.top_p";
inline constexpr const char* kSamplingMinP = "general.sampling.min_p";
inline constexpr const char* kSamplingTemp = "general.sampling.temp";
inline constexpr const char* kSamplingPenaltyRepeat = "general.sampling.penalty_repeat";

/// A model's own sampling defaults, as MAX's sampling_params_defaults.
struct SamplingDefaults {
  std::optional<int32_t> top_k;  ///< -1 (every token) where the file says 0 or less
  std::optional<float> top_p;
  std::optional<float> min_p;
  std::optional<float> temperature;
  std::optional<float> repetition_penalty;
};

/// What is wrong with `value` for the sampling key `key` (top_k: an int32, 0 or less for every
/// token; top_p in (0, 1]; min_p in [0, 1]; temp 0 or more; penalty_repeat positive), or nullopt.
std::optional<std::string> sampling_value_problem(std::string_view key, double value);

/// Reads the `general.sampling.*` keys ingot's sampler has (top_k, top_p, min_p, temp,
/// penalty_repeat; llama.cpp's others, such as mirostat, are ignored). A value of the wrong type
/// or out of its range is a one-line error naming the file and the key.
Result<SamplingDefaults> read_sampling_defaults(const GgufFile& file);

}  // namespace ingot::gguf
