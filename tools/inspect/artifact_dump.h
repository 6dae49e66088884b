// Text and JSON dumps of a loaded .ingot artifact (what `ingot-inspect` prints).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/artifact/artifact.h"
#include "runtime/pipeline/memory_estimate.h"

namespace ingot::inspect {

/// The artifact's versions, configuration, tokenizer summary, plan, weight table
/// with totals per encoding, and the memory estimate for `shape`.
Result<std::string> artifact_to_text(const artifact::Artifact& artifact,
                                     const pipeline::ServingShape& shape);

/// The same content as JSON.
Result<nlohmann::ordered_json> artifact_to_json(const artifact::Artifact& artifact,
                                                const pipeline::ServingShape& shape);

}  // namespace ingot::inspect
