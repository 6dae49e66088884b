// Hugging Face model folders, read as GGUF views.
#pragma once

#include <string>
#include <vector>

#include "compiler/import/gguf/gguf_file.h"

namespace ingot::hf {

/// True when `path` is a directory: a Hugging Face folder rather than a GGUF file.
bool is_hf_folder(const std::string& path);

/// Opens the Hugging Face folder `dir` (config.json, *.safetensors with or without
/// model.safetensors.index.json, tokenizer.json, and optionally tokenizer_config.json,
/// chat_template.jinja, generation_config.json) as a GGUF view: the keys and tensor
/// names llama.cpp's convert_hf_to_gguf.py writes, the tensors zero-copy in the
/// safetensors maps. The weights keep HF's layout, whose rotary pairs are NeoX's
/// (x[i], x[i + head_dim/2]); the converter permutes q and k instead. `weight_files`
/// (MAX's weight_path; relative to `dir` unless absolute), when given, are the
/// safetensors files to read instead of the folder's own.
Result<gguf::GgufFile> open_hf_folder(const std::string& dir,
                                      const std::vector<std::string>& weight_files = {});

/// A GGUF file, or a Hugging Face folder as a GGUF view (open_hf_folder).
Result<gguf::GgufFile> open_model(const std::string& path);

}  // namespace ingot::hf
