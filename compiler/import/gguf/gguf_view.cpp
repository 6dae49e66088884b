#include "compiler/import/gguf/gguf_view.h"

#include <cstring>

namespace ingot::gguf {

GgufViewBuilder::GgufViewBuilder(std::string path) {
  view_.file_ = MappedFile::borrow({}, std::move(path));
  view_.version_ = 3;
  view_.data_offset_ = 0;  // a view's tensor offsets are offsets in their own files
}

std::string_view GgufViewBuilder::keep(std::string text) {
  return storage_->strings.emplace_back(std::move(text));
}

MetadataValue& GgufViewBuilder::entry(const std::string& key, ValueType type) {
  MetadataValue* value = const_cast<MetadataValue*>(view_.find(key));
  if (value == nullptr) {
    MetadataEntry& added = view_.metadata_.emplace_back();
    added.key = keep(key);
    value = &added.value;
  }
  *value = MetadataValue{};
  value->type = type;
  return *value;
}

void GgufViewBuilder::set_uint32(const std::string& key, uint32_t value) {
  entry(key, ValueType::kUint32).uint_value = value;
}

void GgufViewBuilder::set_float32(const std::string& key, float value) {
  entry(key, ValueType::kFloat32).float_value = value;
}

void GgufViewBuilder::set_bool(const std::string& key, bool value) {
  entry(key, ValueType::kBool).uint_value = value ? 1 : 0;
}

void GgufViewBuilder::set_string(const std::string& key, std::string value) {
  std::string_view kept = keep(std::move(value));
  entry(key, ValueType::kString).string_value = kept;
}

void GgufViewBuilder::set_strings(const std::string& key, const std::vector<std::string>& values) {
  std::vector<std::string_view> kept;
  kept.reserve(values.size());
  for (const std::string& text : values) kept.push_back(keep(text));
  MetadataValue& value = entry(key, ValueType::kArray);
  value.element_type = ValueType::kString;
  value.count = kept.size();
  value.strings = std::move(kept);
}

void GgufViewBuilder::set_int32s(const std::string& key, const std::vector<int32_t>& values) {
  std::vector<uint8_t>& blob = storage_->blobs.emplace_back(values.size() * sizeof(int32_t));
  if (!values.empty()) std::memcpy(blob.data(), values.data(), blob.size());
  MetadataValue& value = entry(key, ValueType::kArray);
  value.element_type = ValueType::kInt32;
  value.count = values.size();
  value.packed = blob;
}

uint32_t GgufViewBuilder::add_file(MappedFile file) {
  view_.shards_.push_back(std::move(file));
  return static_cast<uint32_t>(view_.shards_.size() - 1);
}

Status GgufViewBuilder::add_tensor(const std::string& name, quant::GgmlType type,
                                   std::vector<uint64_t> dims, uint32_t file, uint64_t offset) {
  const MappedFile& source = view_.shards_.at(file);
  uint64_t elements = 1;
  for (uint64_t dim : dims) {
    if (__builtin_mul_overflow(elements, dim, &elements)) elements = UINT64_MAX;
  }
  std::optional<uint64_t> bytes = quant::row_bytes(type, elements);
  if (!bytes || offset > source.size() || *bytes > source.size() - offset) {
    return make_error(StatusCode::kDataLoss, source.path() + ": tensor '" + name +
                                                 "' does not fit in the file");
  }
  TensorInfo& tensor = view_.tensors_.emplace_back();
  tensor.name = keep(name);
  tensor.type = type;
  tensor.dims = std::move(dims);
  tensor.elements = elements;
  tensor.offset = offset;
  tensor.bytes = *bytes;
  tensor.shard = file;
  return Status::ok_status();
}

Status GgufViewBuilder::add_float32_tensor(const std::string& name,
                                           const std::vector<float>& values, std::string origin) {
  std::vector<uint8_t>& blob = storage_->blobs.emplace_back(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(blob.data(), values.data(), blob.size());
  const uint32_t file = add_file(MappedFile::borrow(blob, std::move(origin)));
  return add_tensor(name, quant::GgmlType::F32, {values.size()}, file, 0);
}

GgufFile GgufViewBuilder::finish() && {
  view_.storage_ = std::move(storage_);
  return std::move(view_);
}

}  // namespace ingot::gguf
