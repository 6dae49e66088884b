// Encodes a weight's bytes from its GGUF sources: copied when the source already
// has the target block format, requantized through float otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/emit/weight_spec.h"
#include "compiler/import/gguf/gguf_file.h"

namespace ingot::emit {

/// The bytes of `spec` in its storage type; errors name the tensor.
Result<std::vector<uint8_t>> encode_weight(const gguf::GgufFile& file, const WeightSpec& spec);

/// The byte size of `spec` in its storage type, or an error on overflow or a
/// row length that is not a whole number of blocks.
Result<uint64_t> encoded_size(const WeightSpec& spec);

}  // namespace ingot::emit
