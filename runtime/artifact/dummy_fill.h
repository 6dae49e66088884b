// The host fill of dummy weights (--load-format dummy): every weight of the table, made from the
// artifact's dummy_seed by kernels/quant/dummy_weights.h, as a device fill makes it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kernels/quant/dummy_weights.h"
#include "runtime/base/status.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::artifact {

/// The fill parameters of weight `index` of `model` (verified), or an error naming `path` when
/// its encoding has no dummy fill.
Result<quant::dummy::FillParams> dummy_fill_params(const schema::Model& model, uint32_t index,
                                                   const std::string& path);

/// Writes every weight of `model` into `segment` (weight_segment_size bytes), on all cores.
/// Refuses (kResourceExhausted) a segment larger than the host's available memory.
Status fill_dummy_weights(const schema::Model& model, std::span<uint8_t> segment,
                          const std::string& path);

}  // namespace ingot::artifact
