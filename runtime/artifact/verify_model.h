// Semantic checks of a verified Model FlatBuffer: the weight table, the plan and
// the tokenizer (the FlatBuffers Verifier only proves the bytes are well formed).
#pragma once

#include <cstdint>

#include "runtime/artifact/field_error.h"
#include "runtime/base/status.h"
#include "runtime/schema/artifact_generated.h"

namespace ingot::artifact {

/// Every weight has a name, a 1-2 dim nonzero shape whose encoded size equals its
/// `size`, a 64-aligned offset, lies inside a segment of `segment_size` bytes, and
/// overlaps no other weight. Allocates 4 bytes per weight at most.
Status verify_weights(const schema::Model& model, uint64_t segment_size, const FieldErrors& errors);

/// The plan exists; every value, kernel and plan id is in range, weight values
/// name existing weights, activations fit in the arena, and parameters are complete.
Status verify_plan(const schema::Model& model, const FieldErrors& errors);

/// The tokenizer exists with tokens; token_types matches them; special ids are -1
/// or inside the vocabulary.
Status verify_tokenizer(const schema::Model& model, const FieldErrors& errors);

}  // namespace ingot::artifact
