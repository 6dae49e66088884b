// Reads a TokenizerSpec from GGUF's `tokenizer.ggml.*` metadata.
#pragma once

#include "compiler/import/gguf/gguf_file.h"
#include "runtime/tokenizer/tokenizer_spec.h"

namespace ingot::gguf {

/// Builds the tokenizer spec from a GGUF file's metadata; errors name the file and key.
Result<tokenizer::TokenizerSpec> tokenizer_spec_from_gguf(const GgufFile& file);

}  // namespace ingot::gguf
