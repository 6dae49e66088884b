// WeightSpec: one weight of the artifact, as the plan needs it and the encoder makes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/quant/ggml_type.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::emit {

/// A weight to write: its name, storage type, shape and the source tensors whose
/// rows it stacks (one for plain weights, several for fused projections).
struct WeightSpec {
  std::string name;
  schema::Encoding encoding = schema::Encoding::float32;  ///< As the artifact records it.
  quant::GgmlType type = quant::GgmlType::F32;            ///< Its byte-exact block format.
  std::vector<uint64_t> shape;                  ///< rows, row length (1-D: length).
  std::vector<std::string> sources;             ///< GGUF tensor names, stacked in order.
};

}  // namespace ingot::emit
