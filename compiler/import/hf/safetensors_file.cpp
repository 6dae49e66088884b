#include "compiler/import/hf/safetensors_file.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace ingot::hf {
namespace {

// safetensors' own limit on the header (MAX_HEADER_SIZE in the reference reader).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Bytes per element of a safetensors dtype, or 0 when the dtype is unknown.
uint64_t dtype_bytes(const std::string& dtype) {
  static const std::pair<const char*, uint64_t> kTypes[] = {
      {"BOOL", 1}, {"U8", 1},       {"I8", 1},       {"F8_E4M3", 1}, {"F8_E5M2", 1},
      {"I16", 2},  {"U16", 2},      {"F16", 2},      {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4},      {"I64", 8},      {"U64", 8},     {"F64", 8},
  };
  for (const auto& [name, size] : kTypes) {
    if (dtype == name) return size;
  }
  return 0;
}

Status header_error(const std::string& path, const std::string& problem) {
  return make_error(StatusCode::kDataLoss, path + ": safetensors header: " + problem);
}

// One header entry, checked against the data section [data_begin, file_size).
Result<SafetensorsTensor> read_entry(const std::string& path, const std::string& name,
                                     const nlohmann::json& entry, uint64_t data_begin,
                                     uint64_t file_size) {
  const std::string where = "tensor '" + name + "'";
  if (!entry.is_object()) return header_error(path, where + " is not an object");
  auto dtype = entry.find("dtype");
  auto shape = entry.find("shape");
  auto offsets = entry.find("data_offsets");
  if (dtype == entry.end() || !dtype->is_string())
    return header_error(path, where + " has no dtype string");
  if (shape == entry.end() || !shape->is_array())
    return header_error(path, where + " has no shape array");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
    return header_error(path, where + " has no data_offsets [begin, end]");

  SafetensorsTensor tensor;
  tensor.name = name;
  tensor.dtype = dtype->get<std::string>();
  tensor.element_bytes = dtype_bytes(tensor.dtype);
  if (tensor.element_bytes == 0)
    return header_error(path, where + " has unknown dtype '" + tensor.dtype + "'");
  uint64_t elements = 1;
  for (const nlohmann::json& dim : *shape) {
    if (!dim.is_number_unsigned())
      return header_error(path, where + " has a shape entry that is not a non-negative integer");
    uint64_t value = dim.get<uint64_t>();
    if (__builtin_mul_overflow(elements, value, &elements))
      return header_error(path, where + " has a shape whose size overflows");
    tensor.shape.push_back(value);
  }
  uint64_t begin = (*offsets)[0].get<uint64_t>();
  uint64_t end = (*offsets)[1].get<uint64_t>();
  uint64_t data_bytes = file_size - data_begin;
  if (begin > end || end > data_bytes) {
    return header_error(path, where + " has data_offsets [" + std::to_string(begin) + ", " +
                                  std::to_string(end) + "] outside the " +
                                  std::to_string(data_bytes) + "-byte data section");
  }
  uint64_t expected = 0;
  if (__builtin_mul_overflow(elements, tensor.element_bytes, &expected) || expected != end - begin) {
    return header_error(path, where + " holds " + std::to_string(end - begin) +
                                  " bytes, but its dtype and shape need " +
                                  std::to_string(elements) + " x " +
                                  std::to_string(tensor.element_bytes));
  }
  tensor.offset = data_begin + begin;
  tensor.bytes = end - begin;
  return tensor;
}

}  // namespace

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  INGOT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
  return parse(std::move(file));
}

Result<SafetensorsFile> SafetensorsFile::parse(MappedFile file) {
  const std::string& path = file.path();
  std::span<const uint8_t> bytes = file.bytes();
  if (bytes.size() < 8) return header_error(path, "the file is shorter than its 8-byte length");
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes.data(), 8);
  if (header_bytes > kMaxHeaderBytes || header_bytes > bytes.size() - 8) {
    return header_error(path, "its length " + std::to_string(header_bytes) +
                                  " runs past the file or the 100 MB limit");
  }
  const char* text = reinterpret_cast<const char*>(bytes.data() + 8);
  nlohmann::json header = nlohmann::json::parse(text, text + header_bytes, nullptr,
                                                /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    return header_error(path, "it is not a JSON object");

  SafetensorsFile out;
  const uint64_t data_begin = 8 + header_bytes;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    INGOT_ASSIGN_OR_RETURN(SafetensorsTensor tensor,
                           read_entry(path, name, entry, data_begin, bytes.size()));
    out.tensors_.push_back(std::move(tensor));
  }
  std::sort(out.tensors_.begin(), out.tensors_.end(),
            [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
              return a.offset < b.offset || (a.offset == b.offset && a.bytes < b.bytes);
            });
  for (size_t i = 1; i < out.tensors_.size(); ++i) {
    const SafetensorsTensor& before = out.tensors_[i - 1];
    if (before.offset + before.bytes > out.tensors_[i].offset) {
      return header_error(path, "tensors '" + before.name + "' and '" + out.tensors_[i].name +
                                    "' overlap");
    }
  }
  out.file_ = std::move(file);
  return out;
}

}  // namespace ingot::hf
