#include "compiler/emit/weight_encoder.h"

#include "kernels/quant/dequantize.h"
#include "kernels/quant/quantize.h"

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

Result<std::vector<uint8_t>> encode_weight(const gguf::GgufFile& file, const WeightSpec& spec) {
  INGOT_ASSIGN_OR_RETURN(uint64_t size, encoded_size(spec));
  std::vector<uint8_t> out;
  out.reserve(size);
  std::vector<float> values;
  for (const std::string& name : spec.sources) {
    const gguf::TensorInfo* tensor = file.find_tensor(name);
    if (tensor == nullptr) {
      return make_error(StatusCode::kNotFound,
                        file.path() + ": weight '" + spec.name + "' needs missing tensor '" + name + "'");
    }
    std::span<const uint8_t> source = file.tensor_bytes(*tensor);
    if (tensor->type == spec.type) {
      out.insert(out.end(), source.begin(), source.end());
      continue;
    }
    // Requantize through float: rows never straddle blocks, so the whole tensor
    // converts as one row.
    values.resize(tensor->elements);
    Status status = quant::dequantize_row(tensor->type, source, values);
    if (!status.ok()) return status.with_prefix(file.path() + ": tensor '" + name + "'");
    std::optional<uint64_t> bytes = quant::row_bytes(spec.type, tensor->elements);
    if (!bytes) {
      return make_error(StatusCode::kInvalidArgument,
                        file.path() + ": tensor '" + name + "' does not fill whole " +
                            std::string(quant::type_traits(spec.type).name) + " blocks");
    }
    size_t at = out.size();
    out.resize(at + *bytes);
    status = quant::quantize_row(spec.type, values, std::span<uint8_t>(out).subspan(at, *bytes));
    if (!status.ok()) return status.with_prefix(file.path() + ": tensor '" + name + "'");
  }
  if (out.size() != size) {
    return make_error(StatusCode::kInvalidArgument,
                      file.path() + ": weight '" + spec.name + "' sources give " +
                          std::to_string(out.size()) + " bytes, its shape needs " +
                          std::to_string(size));
  }
  return out;
}

}  // namespace ingot::emit
