// Encodes a weight's bytes from its GGUF sources: copied when the source already
// has the target block format, requantized through float otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "compiler/emit/weight_spec.h"
#include "compiler/import/gguf/gguf_file.h"

namespace ingot::emit {

/// Receives a weight's bytes in order, a chunk at a time.
using ByteSink = std::function<Status(std::span<const uint8_t>)>;

/// Streams the bytes of `spec` in its storage type to `sink`, converting a
/// bounded number of rows at a time, and lets the source pages go once read.
/// Errors name the file and the tensor.
Status encode_weight(const gguf::GgufFile& file, const WeightSpec& spec, const ByteSink& sink);

/// The byte size of `spec` in its storage type, or an error on overflow or a
/// row length that is not a whole number of blocks.
Result<uint64_t> encoded_size(const WeightSpec& spec);

}  // namespace ingot::emit
