#include "compiler/emit/weight_encoder.h"

#include "kernels/quant/dequantize.h"
#include "kernels/quant/quantize.h"

#include <algorithm>
#include <vector>

namespace ingot::emit {

Result<uint64_t> encoded_size(const WeightSpec& spec) {
  uint64_t elements = 1;
  for (uint64_t dim : spec.shape) {
    if (__builtin_mul_overflow(elements, dim, &elements)) {
      return make_error(StatusCode::kOutOfRange, "weight '" + spec.name + "': shape overflows");
    }
  }
  std::optional<uint64_t> bytes = quant::row_bytes(spec.type, elements);
  if (!bytes) {
    return make_error(StatusCode::kInvalidArgument,
                      "weight '" + spec.name + "': " + std::to_string(elements) +
                          " values are not whole " +
                          std::string(quant::type_traits(spec.type).name) + " blocks");
  }
  return *bytes;
}

namespace {

// Values converted per step: bounds the float buffer at 16 MiB whatever the tensor.
constexpr uint64_t kChunkValues = uint64_t{1} << 22;

// Requantizes one source tensor to `target` (or transcodes it, where `target` holds its values
// exactly), whole rows at a time.
Status convert_tensor(const gguf::GgufFile& file, const gguf::TensorInfo& tensor,
                      quant::GgmlType target, const ByteSink& sink) {
  std::string where = file.path() + ": tensor '" + std::string(tensor.name) + "'";
  uint64_t row = tensor.dims[0];
  uint64_t rows_per_chunk = std::max<uint64_t>(1, kChunkValues / row);
  std::optional<uint64_t> source_row = quant::row_bytes(tensor.type, row);
  std::optional<uint64_t> target_row = quant::row_bytes(target, row);
  if (!source_row || !target_row) {
    return make_error(StatusCode::kInvalidArgument,
                      where + ": rows of " + std::to_string(row) + " values are not whole " +
                          std::string(quant::type_traits(target).name) + " blocks");
  }
  std::span<const uint8_t> source = file.tensor_bytes(tensor);
  uint64_t rows = tensor.elements / row;
  std::vector<float> values;
  std::vector<uint8_t> encoded;
  for (uint64_t first = 0; first < rows; first += rows_per_chunk) {
    uint64_t count = std::min(rows_per_chunk, rows - first);
    values.resize(count * row);
    encoded.resize(count * *target_row);
    const std::span<const uint8_t> from = source.subspan(first * *source_row, count * *source_row);
    Status status;
    if (quant::can_transcode(tensor.type, target)) {
      status = quant::transcode_row(tensor.type, from, target, encoded);
    } else {
      status = quant::dequantize_row(tensor.type, from, values);
      if (status.ok()) status = quant::quantize_row(target, values, encoded);
    }
    if (!status.ok()) return status.with_prefix(where);
    INGOT_RETURN_IF_ERROR(sink(encoded));
  }
  return Status();
}

}  // namespace

Status encode_weight(const gguf::GgufFile& file, const WeightSpec& spec, const ByteSink& sink) {
  INGOT_ASSIGN_OR_RETURN(uint64_t size, encoded_size(spec));
  uint64_t written = 0;
  ByteSink counted = [&](std::span<const uint8_t> bytes) {
    written += bytes.size();
    return sink(bytes);
  };
  for (const std::string& name : spec.sources) {
    const gguf::TensorInfo* tensor = file.find_tensor(name);
    if (tensor == nullptr) {
      return make_error(StatusCode::kNotFound, file.path() + ": weight '" + spec.name +
                                                   "' needs missing tensor '" + name + "'");
    }
    if (tensor->type == spec.type) {
      INGOT_RETURN_IF_ERROR(counted(file.tensor_bytes(*tensor)));  // already in place: copy
    } else {
      INGOT_RETURN_IF_ERROR(convert_tensor(file, *tensor, spec.type, counted));
    }
    file.release(*tensor);  // read once: its pages need not stay resident
  }
  if (written != size) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": weight '" + spec.name + "' sources give " +
                          std::to_string(written) + " bytes, its shape needs " +
                          std::to_string(size));
  }
  return Status();
}

}  // namespace ingot::emit
