// GgufFile: a zero-copy, fully bounds-checked reader for GGUF v2 and v3 files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/quant/ggml_type.h"
#include "runtime/base/status.h"
#include "runtime/io/mapped_file.h"

namespace ingot::gguf {

/// GGUF metadata value types, numbered as in the file.
enum class ValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

/// GGUF's spelling of a value type, e.g. "UINT32".
std::string_view value_type_name(ValueType type);

/// One metadata value. Strings and arrays point into the mapped file.
struct MetadataValue {
  ValueType type = ValueType::kUint8;
  // Scalars (exactly one is meaningful, chosen by `type`).
  uint64_t uint_value = 0;        ///< kUint8..kUint64, and kBool as 0/1.
  int64_t int_value = 0;          ///< kInt8..kInt64.
  double float_value = 0;         ///< kFloat32, kFloat64.
  std::string_view string_value;  ///< kString.
  // Arrays.
  ValueType element_type = ValueType::kUint8;
  uint64_t count = 0;                     ///< Number of elements.
  std::span<const uint8_t> packed;        ///< Numeric and bool elements, little-endian.
  std::vector<std::string_view> strings;  ///< String elements.
  std::vector<MetadataValue> arrays;      ///< Nested array elements.

  bool is_integer() const;
  bool is_float() const;
  /// An integer or bool scalar as unsigned, or nullopt when negative or not integral.
  std::optional<uint64_t> as_uint() const;
  /// An integer scalar as signed, or nullopt when it does not fit or is not integral.
  std::optional<int64_t> as_int() const;
  /// A numeric scalar as double.
  std::optional<double> as_float() const;
  /// Element i of a numeric or bool array, as double (ints convert exactly up to 2^53).
  double numeric_element(uint64_t i) const;
  /// Element i of an integer or bool array, as int64 (uint64 wraps past 2^63).
  int64_t integer_element(uint64_t i) const;
};

/// One key/value pair, with the byte offset where its record starts.
struct MetadataEntry {
  std::string_view key;
  MetadataValue value;
  uint64_t offset = 0;
};

/// One tensor: its type, shape (ggml order: dims[0] is contiguous) and bytes.
struct TensorInfo {
  std::string_view name;
  quant::GgmlType type = quant::GgmlType::F32;
  std::vector<uint64_t> dims;
  uint64_t elements = 0;
  uint64_t offset = 0;       ///< Relative to the data section.
  uint64_t bytes = 0;        ///< Size in the data section.
  uint64_t info_offset = 0;  ///< File offset of the tensor info record.
  uint32_t shard = 0;        ///< In a view (GgufViewBuilder): which of its files holds the bytes.
};

/// A parsed GGUF file: header, metadata, tensor table and the mapped data section. A
/// GgufViewBuilder makes one for a model stored in another format (a Hugging Face
/// folder), whose tensors then lie in that format's own mapped files.
class GgufFile {
 public:
  /// Maps and parses `path`. Every count, size and offset is validated; errors
  /// name the file, the field and its byte offset.
  static Result<GgufFile> open(const std::string& path);

  /// Parses an already-mapped file (tests and fuzzers use borrowed bytes).
  static Result<GgufFile> parse(MappedFile file);

  uint32_t version() const { return version_; }
  const std::string& path() const { return file_.path(); }
  uint64_t file_size() const { return file_.size(); }
  /// `general.alignment`, or 32 when absent.
  uint64_t alignment() const { return alignment_; }
  /// File offset where tensor data begins.
  uint64_t data_offset() const { return data_offset_; }

  /// True for a GgufViewBuilder's view of another format (no GGUF bytes behind it).
  bool is_view() const { return storage_ != nullptr; }
  /// The path of the file that holds a tensor's bytes (this file, or a view's shard).
  const std::string& tensor_path(const TensorInfo& tensor) const {
    return tensor_file(tensor).path();
  }

  /// Metadata in file order.
  const std::vector<MetadataEntry>& metadata() const { return metadata_; }
  /// The value under `key`, or nullptr.
  const MetadataValue* find(std::string_view key) const;

  /// Typed getters; the error names the file and the key (missing or wrong type).
  Result<std::string_view> get_string(std::string_view key) const;
  Result<uint64_t> get_uint(std::string_view key) const;
  Result<double> get_float(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;
  /// An array value of the given element type.
  Result<const MetadataValue*> get_array(std::string_view key, ValueType element_type) const;

  /// Tensors in file order.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  /// The tensor named `name`, or nullptr.
  const TensorInfo* find_tensor(std::string_view name) const;
  /// The tensor's bytes in the mapped file (no copy).
  std::span<const uint8_t> tensor_bytes(const TensorInfo& tensor) const;
  /// Drops the tensor's pages from memory after a one-time read (see MappedFile::release).
  void release(const TensorInfo& tensor) const {
    tensor_file(tensor).release(tensor_bytes(tensor));
  }
  /// The tensor as a span of T, checking the element type and the alignment.
  template <typename T>
  Result<std::span<const T>> tensor_as(const TensorInfo& tensor, quant::GgmlType expected) const;

 private:
  Status error_at(uint64_t offset, std::string_view field, std::string_view problem) const;
  Result<const MetadataValue*> find_required(std::string_view key) const;
  Status metadata_type_error(std::string_view key, const MetadataValue& value,
                             std::string_view expected) const;
  Result<std::span<const uint8_t>> checked_tensor_bytes(const TensorInfo& tensor,
                                                        quant::GgmlType expected,
                                                        size_t element_size) const;

  // The file that holds a tensor's bytes: the GGUF itself, or a view's shard.
  const MappedFile& tensor_file(const TensorInfo& tensor) const {
    return shards_.empty() ? file_ : shards_[tensor.shard];
  }

  friend class GgufParser;
  friend class GgufViewBuilder;
  MappedFile file_;
  std::vector<MappedFile> shards_;        // a view's tensor files (empty for a parsed GGUF)
  std::shared_ptr<const void> storage_;  // a view's strings and arrays, which metadata_ points into
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<MetadataEntry> metadata_;
  std::vector<TensorInfo> tensors_;
};

template <typename T>
Result<std::span<const T>> GgufFile::tensor_as(const TensorInfo& tensor,
                                               quant::GgmlType expected) const {
  auto bytes = checked_tensor_bytes(tensor, expected, sizeof(T));
  if (!bytes.ok()) return bytes.status();
  return std::span<const T>(reinterpret_cast<const T*>(bytes->data()), bytes->size() / sizeof(T));
}

}  // namespace ingot::gguf
