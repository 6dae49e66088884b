#include "compiler/import/gguf/gguf_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_set>

namespace ingot::gguf {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF is read on little-endian hosts");

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian u32.
constexpr uint32_t kMaxDims = 4;         // GGML_MAX_DIMS.
constexpr size_t kMaxTensorName = 63;    // GGML_MAX_NAME - 1.
constexpr int kMaxArrayDepth = 8;        // Nested arrays deeper than this are refused.
constexpr uint64_t kDefaultAlignment = 32;

// Smallest encoded size of one element, used to refuse absurd counts before allocating.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;              // key length, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // name length, n_dims, type, offset
constexpr uint64_t kMinArrayBytes = 4 + 8;               // element type, count

// Encoded size of a scalar value type, or 0 for strings and arrays.
uint64_t scalar_size(ValueType type) {
  switch (type) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool: return 1;
    case ValueType::kUint16:
    case ValueType::kInt16: return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32: return 4;
    case ValueType::kUint64:
    case ValueType::kInt64:
    case ValueType::kFloat64: return 8;
    case ValueType::kString:
    case ValueType::kArray: return 0;
  }
  return 0;
}

bool valid_value_type(uint32_t raw) { return raw <= static_cast<uint32_t>(ValueType::kFloat64); }

template <typename T>
T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

std::string_view value_type_name(ValueType type) {
  switch (type) {
    case ValueType::kUint8: return "UINT8";
    case ValueType::kInt8: return "INT8";
    case ValueType::kUint16: return "UINT16";
    case ValueType::kInt16: return "INT16";
    case ValueType::kUint32: return "UINT32";
    case ValueType::kInt32: return "INT32";
    case ValueType::kFloat32: return "FLOAT32";
    case ValueType::kBool: return "BOOL";
    case ValueType::kString: return "STRING";
    case ValueType::kArray: return "ARRAY";
    case ValueType::kUint64: return "UINT64";
    case ValueType::kInt64: return "INT64";
    case ValueType::kFloat64: return "FLOAT64";
  }
  return "UNKNOWN";
}

// Reads a GGUF byte stream front to back; every read is bounds-checked.
class GgufParser {
 public:
  explicit GgufParser(GgufFile& file) : file_(file), bytes_(file.file_.bytes()) {}

  Status parse() {
    INGOT_RETURN_IF_ERROR(parse_header());
    INGOT_RETURN_IF_ERROR(parse_metadata());
    INGOT_RETURN_IF_ERROR(parse_tensor_infos());
    return place_tensors();
  }

 private:
  Status fail(std::string_view field, std::string_view problem) const {
    return file_.error_at(pos_, field, problem);
  }
  Status fail_at(uint64_t offset, std::string_view field, std::string_view problem) const {
    return file_.error_at(offset, field, problem);
  }
  uint64_t remaining() const { return bytes_.size() - pos_; }

  template <typename T>
  Result<T> read(std::string_view field) {
    if (remaining() < sizeof(T)) {
      return fail(field, "file is truncated (needs " + std::to_string(sizeof(T)) + " bytes, " +
                             std::to_string(remaining()) + " left)");
    }
    T value = load<T>(bytes_.data() + pos_);
    pos_ += sizeof(T);
    return value;
  }

  Result<std::string_view> read_string(std::string_view field) {
    uint64_t at = pos_;
    INGOT_ASSIGN_OR_RETURN(uint64_t length, read<uint64_t>(field));
    if (length > remaining()) {
      return fail_at(at, field,
                     "string length " + std::to_string(length) + " exceeds the " +
                         std::to_string(remaining() - 8) + " bytes left in the file");
    }
    std::string_view text(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
    pos_ += length;
    return text;
  }

  Result<ValueType> read_value_type(std::string_view field) {
    uint64_t at = pos_;
    INGOT_ASSIGN_OR_RETURN(uint32_t raw, read<uint32_t>(field));
    if (!valid_value_type(raw)) {
      return fail_at(at, field, "unknown value type " + std::to_string(raw));
    }
    return static_cast<ValueType>(raw);
  }

  Status parse_header() {
    INGOT_ASSIGN_OR_RETURN(uint32_t magic, read<uint32_t>("magic"));
    if (magic != kMagic) {
      return fail_at(0, "magic", "not a GGUF file (bad magic)");
    }
    uint64_t at = pos_;
    INGOT_ASSIGN_OR_RETURN(file_.version_, read<uint32_t>("version"));
    if (file_.version_ != 2 && file_.version_ != 3) {
      return fail_at(
          at, "version",
          "unsupported GGUF version " + std::to_string(file_.version_) + " (supported: 2, 3)");
    }
    at = pos_;
    INGOT_ASSIGN_OR_RETURN(tensor_count_, read<uint64_t>("tensor_count"));
    INGOT_ASSIGN_OR_RETURN(kv_count_, read<uint64_t>("kv_count"));
    // Each record takes some bytes, so a count larger than the file allows is corrupt.
    std::string left = " cannot fit in the " + std::to_string(remaining()) + " bytes left";
    if (tensor_count_ > remaining() / kMinTensorInfoBytes) {
      return fail_at(at, "tensor_count", std::to_string(tensor_count_) + " tensors" + left);
    }
    if (kv_count_ > remaining() / kMinKvBytes) {
      return fail_at(at + 8, "kv_count", std::to_string(kv_count_) + " entries" + left);
    }
    return Status::ok_status();
  }

  Status parse_value(ValueType type, const std::string& field, int depth, MetadataValue& out) {
    out.type = type;
    switch (type) {
      case ValueType::kString: {
        INGOT_ASSIGN_OR_RETURN(out.string_value, read_string(field));
        return Status::ok_status();
      }
      case ValueType::kArray: return parse_array(field, depth, out);
      default: break;
    }
    uint64_t size = scalar_size(type);
    if (remaining() < size) return fail(field, "file is truncated inside a value");
    const uint8_t* p = bytes_.data() + pos_;
    switch (type) {
      case ValueType::kUint8: out.uint_value = load<uint8_t>(p); break;
      case ValueType::kUint16: out.uint_value = load<uint16_t>(p); break;
      case ValueType::kUint32: out.uint_value = load<uint32_t>(p); break;
      case ValueType::kUint64: out.uint_value = load<uint64_t>(p); break;
      case ValueType::kInt8: out.int_value = load<int8_t>(p); break;
      case ValueType::kInt16: out.int_value = load<int16_t>(p); break;
      case ValueType::kInt32: out.int_value = load<int32_t>(p); break;
      case ValueType::kInt64: out.int_value = load<int64_t>(p); break;
      case ValueType::kFloat32: out.float_value = load<float>(p); break;
      case ValueType::kFloat64: out.float_value = load<double>(p); break;
      case ValueType::kBool: {
        uint8_t raw = load<uint8_t>(p);
        if (raw > 1) return fail(field, "bool value " + std::to_string(raw) + " is not 0 or 1");
        out.uint_value = raw;
        break;
      }
      default: return fail(field, "internal: unhandled value type");
    }
    pos_ += size;
    return Status::ok_status();
  }

  Status parse_array(const std::string& field, int depth, MetadataValue& out) {
    if (depth >= kMaxArrayDepth) return fail(field, "arrays nested too deeply");
    INGOT_ASSIGN_OR_RETURN(out.element_type, read_value_type(field + ".type"));
    uint64_t at = pos_;
    INGOT_ASSIGN_OR_RETURN(out.count, read<uint64_t>(field + ".count"));
    uint64_t element_size = scalar_size(out.element_type);
    uint64_t min_size = element_size != 0                        ? element_size
                        : out.element_type == ValueType::kString ? uint64_t{8}
                                                                 : kMinArrayBytes;
    if (out.count > remaining() / min_size) {
      return fail_at(at, field + ".count",
                     std::to_string(out.count) + " elements cannot fit in the " +
                         std::to_string(remaining()) + " bytes left");
    }
    if (element_size != 0) {
      out.packed = bytes_.subspan(pos_, out.count * element_size);
      if (out.element_type == ValueType::kBool) {
        for (uint64_t i = 0; i < out.count; ++i) {
          if (out.packed[i] > 1) {
            return fail_at(pos_ + i, field + "[" + std::to_string(i) + "]",
                           "bool value is not 0 or 1");
          }
        }
      }
      pos_ += out.packed.size();
      return Status::ok_status();
    }
    if (out.element_type == ValueType::kString) {
      out.strings.reserve(out.count);
      for (uint64_t i = 0; i < out.count; ++i) {
        INGOT_ASSIGN_OR_RETURN(std::string_view s,
                               read_string(field + "[" + std::to_string(i) + "]"));
        out.strings.push_back(s);
      }
      return Status::ok_status();
    }
    out.arrays.resize(out.count);
    for (uint64_t i = 0; i < out.count; ++i) {
      INGOT_RETURN_IF_ERROR(
          parse_array(field + "[" + std::to_string(i) + "]", depth + 1, out.arrays[i]));
      out.arrays[i].type = ValueType::kArray;
    }
    return Status::ok_status();
  }

  Status parse_metadata() {
    std::unordered_set<std::string_view> seen;
    file_.metadata_.reserve(kv_count_);
    for (uint64_t i = 0; i < kv_count_; ++i) {
      MetadataEntry entry;
      entry.offset = pos_;
      std::string field = "metadata[" + std::to_string(i) + "]";
      INGOT_ASSIGN_OR_RETURN(entry.key, read_string(field + ".key"));
      if (!seen.insert(entry.key).second) {
        return fail_at(entry.offset, field + ".key",
                       "duplicate key '" + std::string(entry.key) + "'");
      }
      std::string value_field = "metadata '" + std::string(entry.key) + "'";
      INGOT_ASSIGN_OR_RETURN(ValueType type, read_value_type(value_field + ".type"));
      INGOT_RETURN_IF_ERROR(parse_value(type, value_field, 0, entry.value));
      file_.metadata_.push_back(std::move(entry));
    }
    return check_alignment_key();
  }

  Status check_alignment_key() {
    for (const MetadataEntry& entry : file_.metadata_) {
      if (entry.key != "general.alignment") continue;
      constexpr std::string_view kField = "metadata 'general.alignment'";
      if (entry.value.type != ValueType::kUint32) {
        return fail_at(entry.offset, kField,
                       "must be UINT32, found " + std::string(value_type_name(entry.value.type)));
      }
      uint64_t alignment = entry.value.uint_value;
      if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        return fail_at(entry.offset, kField, std::to_string(alignment) + " is not a power of two");
      }
      file_.alignment_ = alignment;
    }
    return Status::ok_status();
  }

  Status parse_tensor_infos() {
    std::unordered_set<std::string_view> seen;
    file_.tensors_.reserve(tensor_count_);
    for (uint64_t i = 0; i < tensor_count_; ++i) {
      TensorInfo info;
      info.info_offset = pos_;
      std::string field = "tensor_infos[" + std::to_string(i) + "]";
      INGOT_ASSIGN_OR_RETURN(info.name, read_string(field + ".name"));
      if (info.name.size() > kMaxTensorName) {
        return fail_at(info.info_offset, field + ".name",
                       "tensor name is longer than " + std::to_string(kMaxTensorName) + " bytes");
      }
      if (!seen.insert(info.name).second) {
        return fail_at(info.info_offset, field + ".name",
                       "duplicate tensor name '" + std::string(info.name) + "'");
      }
      field = "tensor '" + std::string(info.name) + "'";
      INGOT_RETURN_IF_ERROR(parse_tensor_shape(field, info));
      uint64_t type_at = pos_;
      INGOT_ASSIGN_OR_RETURN(uint32_t raw_type, read<uint32_t>(field + ".type"));
      std::optional<quant::TypeTraits> traits = quant::type_traits(raw_type);
      if (!traits) {
        return fail_at(type_at, field + ".type", "unknown ggml type " + std::to_string(raw_type));
      }
      info.type = traits->type;
      if (info.dims[0] % traits->block_elems != 0) {
        return fail_at(type_at, field + ".type",
                       "row length " + std::to_string(info.dims[0]) + " is not a multiple of the " +
                           std::string(traits->name) + " block size " +
                           std::to_string(traits->block_elems));
      }
      // elements fits in int64 and block_bytes <= block_elems * 8, so bytes cannot overflow.
      info.bytes = info.elements / traits->block_elems * traits->block_bytes;
      INGOT_ASSIGN_OR_RETURN(info.offset, read<uint64_t>(field + ".offset"));
      file_.tensors_.push_back(std::move(info));
    }
    return Status::ok_status();
  }

  Status parse_tensor_shape(const std::string& field, TensorInfo& info) {
    uint64_t at = pos_;
    INGOT_ASSIGN_OR_RETURN(uint32_t n_dims, read<uint32_t>(field + ".n_dims"));
    if (n_dims == 0 || n_dims > kMaxDims) {
      return fail_at(at, field + ".n_dims",
                     std::to_string(n_dims) + " dimensions (must be 1 to 4)");
    }
    info.dims.resize(n_dims);
    info.elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      at = pos_;
      std::string dim_field = field + ".dims[" + std::to_string(d) + "]";
      INGOT_ASSIGN_OR_RETURN(info.dims[d], read<uint64_t>(dim_field));
      // ggml stores dims as int64: the product must stay within INT64_MAX.
      uint64_t product = 0;
      if (info.dims[d] > static_cast<uint64_t>(INT64_MAX) ||
          __builtin_mul_overflow(info.elements, info.dims[d], &product) ||
          product > static_cast<uint64_t>(INT64_MAX)) {
        return fail_at(at, dim_field,
                       "dimension " + std::to_string(info.dims[d]) +
                           " makes the element count overflow int64");
      }
      info.elements = product;
    }
    return Status::ok_status();
  }

  Status place_tensors() {
    uint64_t alignment = file_.alignment_;
    uint64_t end_of_infos = pos_;
    uint64_t padded = end_of_infos + (alignment - end_of_infos % alignment) % alignment;
    file_.data_offset_ = padded;
    if (file_.tensors_.empty()) return Status::ok_status();
    if (padded > bytes_.size()) {
      return fail_at(end_of_infos, "data section",
                     "starts at byte " + std::to_string(padded) + ", past the end of the file");
    }
    uint64_t data_size = bytes_.size() - padded;
    std::vector<const TensorInfo*> by_offset;
    by_offset.reserve(file_.tensors_.size());
    for (const TensorInfo& info : file_.tensors_) {
      std::string field = "tensor '" + std::string(info.name) + "'.offset";
      if (info.offset % alignment != 0) {
        return fail_at(info.info_offset, field,
                       std::to_string(info.offset) + " is not a multiple of the alignment " +
                           std::to_string(alignment));
      }
      if (info.offset > data_size || info.bytes > data_size - info.offset) {
        return fail_at(info.info_offset, field,
                       "data [" + std::to_string(info.offset) + ", +" + std::to_string(info.bytes) +
                           ") runs past the data section's " + std::to_string(data_size) +
                           " bytes");
      }
      by_offset.push_back(&info);
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const TensorInfo& prev = *by_offset[i - 1];
      const TensorInfo& cur = *by_offset[i];
      if (cur.offset < prev.offset + prev.bytes) {
        return fail_at(cur.info_offset, "tensor '" + std::string(cur.name) + "'.offset",
                       "data overlaps tensor '" + std::string(prev.name) + "'");
      }
    }
    return Status::ok_status();
  }

  GgufFile& file_;
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
  uint64_t tensor_count_ = 0;
  uint64_t kv_count_ = 0;
};

Result<GgufFile> GgufFile::open(const std::string& path) {
  INGOT_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::open(path));
  return parse(std::move(mapped));
}

Result<GgufFile> GgufFile::parse(MappedFile mapped) {
  GgufFile file;
  file.file_ = std::move(mapped);
  GgufParser parser(file);
  INGOT_RETURN_IF_ERROR(parser.parse());
  return file;
}

Status GgufFile::error_at(uint64_t offset, std::string_view field, std::string_view problem) const {
  return make_error(StatusCode::kDataLoss, path() + ": " + std::string(field) + " at byte " +
                                               std::to_string(offset) + ": " +
                                               std::string(problem));
}

const MetadataValue* GgufFile::find(std::string_view key) const {
  for (const MetadataEntry& entry : metadata_) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  for (const TensorInfo& tensor : tensors_) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

std::span<const uint8_t> GgufFile::tensor_bytes(const TensorInfo& tensor) const {
  return tensor_file(tensor).bytes().subspan(data_offset_ + tensor.offset, tensor.bytes);
}

Result<std::span<const uint8_t>> GgufFile::checked_tensor_bytes(const TensorInfo& tensor,
                                                                quant::GgmlType expected,
                                                                size_t element_size) const {
  std::string field = "tensor '" + std::string(tensor.name) + "'";
  if (tensor.type != expected) {
    return error_at(tensor.info_offset, field + ".type",
                    "is " + std::string(quant::type_traits(tensor.type).name) + ", expected " +
                        std::string(quant::type_traits(expected).name));
  }
  std::span<const uint8_t> bytes = tensor_bytes(tensor);
  if (bytes.size() % element_size != 0 ||
      reinterpret_cast<uintptr_t>(bytes.data()) % element_size != 0) {
    return error_at(tensor.info_offset, field + ".offset", "data is not aligned for its type");
  }
  return bytes;
}

}  // namespace ingot::gguf
