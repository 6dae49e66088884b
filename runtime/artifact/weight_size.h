// The encoded byte size of a weight: its shape in its storage encoding.
#pragma once

#include <cstdint>
#include <optional>

#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::artifact {

/// The ggml block format that stores `encoding` byte-exactly, or nullopt for
/// encodings without one (float8_e4m3fn, float4_e2m1fnx2, gptq) or unknown values.
std::optional<quant::GgmlType> ggml_type_for(schema::Encoding encoding);

/// Bytes of a [rows, row_length] weight in `encoding`, where every row is a whole
/// number of blocks. On failure the Status holds only the problem (no file or
/// field): kUnimplemented for encodings this build cannot run, kDataLoss for an
/// unknown encoding, a partial block, or a size that overflows 64 bits.
Result<uint64_t> encoded_weight_bytes(schema::Encoding encoding, uint64_t rows, uint64_t row_length);

}  // namespace ingot::artifact
