// Rule 6 of the loader: the weight table against the weight segment.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/artifact/format.h"
#include "runtime/artifact/verify_model.h"
#include "runtime/artifact/weight_size.h"

namespace ingot::artifact {
namespace {

using schema::Weight;

std::string shape_text(const flatbuffers::Vector<uint64_t>& shape) {
  std::string out = "[";
  for (flatbuffers::uoffset_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape.Get(i));
  }
  return out + "]";
}

// One weight on its own: name, shape, size, alignment and bounds.
Status verify_weight(const Weight& weight, size_t index, uint64_t segment_size,
                     const FieldErrors& errors) {
  const std::string field = indexed("weights", index);
  if (weight.name() == nullptr || weight.name()->size() == 0) {
    return errors.corrupt(field + ".name", errors.at(&weight, Weight::VT_NAME), "missing or empty");
  }
  const flatbuffers::Vector<uint64_t>* shape = weight.shape();
  const uint64_t shape_at = errors.at(&weight, Weight::VT_SHAPE);
  if (shape == nullptr || shape->size() < 1 || shape->size() > 2) {
    return errors.corrupt(field + ".shape", shape_at,
                          "has " + std::to_string(shape ? shape->size() : 0) +
                              " dimensions (expected 1 or 2)");
  }
  for (flatbuffers::uoffset_t d = 0; d < shape->size(); ++d) {
    if (shape->Get(d) == 0) {
      return errors.corrupt(field + ".shape", shape_at,
                            "dimension " + std::to_string(d) + " of " + shape_text(*shape) + " is 0");
    }
  }
  const uint64_t rows = shape->size() == 2 ? shape->Get(0) : 1;
  const uint64_t row_length = shape->Get(shape->size() - 1);
  uint64_t values = 0;
  if (__builtin_mul_overflow(rows, row_length, &values)) {
    return errors.corrupt(field + ".shape", shape_at,
                          "element count of " + shape_text(*shape) + " overflows 64 bits");
  }
  Result<uint64_t> expected = encoded_weight_bytes(weight.encoding(), rows, row_length);
  if (!expected.ok()) {
    const bool encoding_problem = expected.status().code() == StatusCode::kUnimplemented ||
                                  static_cast<uint32_t>(weight.encoding()) >
                                      static_cast<uint32_t>(schema::Encoding::MAX);
    return encoding_problem
               ? errors.error(expected.status().code(), field + ".encoding",
                              errors.at(&weight, Weight::VT_ENCODING), expected.status().message())
               : errors.error(expected.status().code(), field + ".shape", shape_at,
                              shape_text(*shape) + ": " + expected.status().message());
  }
  if (weight.size() != *expected) {
    return errors.corrupt(field + ".size", errors.at(&weight, Weight::VT_SIZE),
                          "is " + std::to_string(weight.size()) + " bytes, but shape " +
                              shape_text(*shape) + " in " +
                              schema::EnumNameEncoding(weight.encoding()) + " needs " +
                              std::to_string(*expected));
  }
  const uint64_t offset_at = errors.at(&weight, Weight::VT_OFFSET);
  if (weight.offset() % kWeightAlignment != 0) {
    return errors.corrupt(field + ".offset", offset_at,
                          std::to_string(weight.offset()) + " is not a multiple of " +
                              std::to_string(kWeightAlignment));
  }
  if (weight.offset() > segment_size || weight.size() > segment_size - weight.offset()) {
    return errors.corrupt(field + ".offset", offset_at,
                          std::to_string(weight.size()) + " bytes at offset " +
                              std::to_string(weight.offset()) + " run past the " +
                              std::to_string(segment_size) + "-byte weight segment");
  }
  return Status::ok_status();
}

}  // namespace

Status verify_weights(const schema::Model& model, uint64_t segment_size, const FieldErrors& errors) {
  const auto* weights = model.weights();
  if (weights == nullptr || weights->size() == 0) return Status::ok_status();
  for (flatbuffers::uoffset_t i = 0; i < weights->size(); ++i) {
    INGOT_RETURN_IF_ERROR(verify_weight(*weights->Get(i), i, segment_size, errors));
  }
  // No two weights share a byte: sort by offset and compare neighbours. Each
  // vector entry is a 4-byte offset in the file, so this never exceeds the file.
  std::vector<uint32_t> order(weights->size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    uint64_t oa = weights->Get(a)->offset(), ob = weights->Get(b)->offset();
    return oa != ob ? oa < ob : a < b;
  });
  for (size_t k = 1; k < order.size(); ++k) {
    const Weight& before = *weights->Get(order[k - 1]);
    const Weight& weight = *weights->Get(order[k]);
    // Both are inside the segment, so the end cannot overflow.
    const uint64_t before_end = before.offset() + before.size();
    if (weight.offset() < before_end) {
      return errors.corrupt(indexed("weights", order[k]) + ".offset",
                            errors.at(&weight, Weight::VT_OFFSET),
                            "bytes [" + std::to_string(weight.offset()) + ", " +
                                std::to_string(weight.offset() + weight.size()) + ") overlap " +
                                indexed("weights", order[k - 1]) + " at [" +
                                std::to_string(before.offset()) + ", " +
                                std::to_string(before_end) + ")");
    }
  }
  return Status::ok_status();
}

}  // namespace ingot::artifact
