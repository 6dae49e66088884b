// MetadataValue accessors and GgufFile's typed metadata getters.
#include <cstring>

#include "compiler/import/gguf/gguf_file.h"

namespace ingot::gguf {
namespace {

bool is_unsigned(ValueType t) {
  return t == ValueType::kUint8 || t == ValueType::kUint16 || t == ValueType::kUint32 ||
         t == ValueType::kUint64 || t == ValueType::kBool;
}
bool is_signed(ValueType t) {
  return t == ValueType::kInt8 || t == ValueType::kInt16 || t == ValueType::kInt32 ||
         t == ValueType::kInt64;
}

template <typename T>
T load_at(std::span<const uint8_t> packed, uint64_t i) {
  T value;
  std::memcpy(&value, packed.data() + i * sizeof(T), sizeof(T));
  return value;
}

}  // namespace

bool MetadataValue::is_integer() const { return is_unsigned(type) || is_signed(type); }

bool MetadataValue::is_float() const {
  return type == ValueType::kFloat32 || type == ValueType::kFloat64;
}

std::optional<uint64_t> MetadataValue::as_uint() const {
  if (is_unsigned(type)) return uint_value;
  if (is_signed(type) && int_value >= 0) return static_cast<uint64_t>(int_value);
  return std::nullopt;
}

std::optional<int64_t> MetadataValue::as_int() const {
  if (is_signed(type)) return int_value;
  if (is_unsigned(type) && uint_value <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(uint_value);
  }
  return std::nullopt;
}

std::optional<double> MetadataValue::as_float() const {
  if (is_float()) return float_value;
  if (is_unsigned(type)) return static_cast<double>(uint_value);
  if (is_signed(type)) return static_cast<double>(int_value);
  return std::nullopt;
}

int64_t MetadataValue::integer_element(uint64_t i) const {
  switch (element_type) {
    case ValueType::kUint8:
    case ValueType::kBool: return load_at<uint8_t>(packed, i);
    case ValueType::kInt8: return load_at<int8_t>(packed, i);
    case ValueType::kUint16: return load_at<uint16_t>(packed, i);
    case ValueType::kInt16: return load_at<int16_t>(packed, i);
    case ValueType::kUint32: return load_at<uint32_t>(packed, i);
    case ValueType::kInt32: return load_at<int32_t>(packed, i);
    case ValueType::kUint64: return static_cast<int64_t>(load_at<uint64_t>(packed, i));
    case ValueType::kInt64: return load_at<int64_t>(packed, i);
    case ValueType::kFloat32: return static_cast<int64_t>(load_at<float>(packed, i));
    case ValueType::kFloat64: return static_cast<int64_t>(load_at<double>(packed, i));
    default: return 0;
  }
}

double MetadataValue::numeric_element(uint64_t i) const {
  switch (element_type) {
    case ValueType::kFloat32: return load_at<float>(packed, i);
    case ValueType::kFloat64: return load_at<double>(packed, i);
    case ValueType::kUint64: return static_cast<double>(load_at<uint64_t>(packed, i));
    default: return static_cast<double>(integer_element(i));
  }
}

Result<const MetadataValue*> GgufFile::find_required(std::string_view key) const {
  const MetadataValue* value = find(key);
  if (value == nullptr) {
    return make_error(StatusCode::kNotFound,
                      path() + ": missing metadata key '" + std::string(key) + "'");
  }
  return value;
}

Status GgufFile::metadata_type_error(std::string_view key, const MetadataValue& value,
                                     std::string_view expected) const {
  std::string found(value_type_name(value.type));
  if (value.type == ValueType::kArray)
    found += " of " + std::string(value_type_name(value.element_type));
  return make_error(StatusCode::kInvalidArgument, path() + ": metadata '" + std::string(key) +
                                                      "' is " + found + ", expected " +
                                                      std::string(expected));
}

Result<std::string_view> GgufFile::get_string(std::string_view key) const {
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* value, find_required(key));
  if (value->type != ValueType::kString) return metadata_type_error(key, *value, "STRING");
  return value->string_value;
}

Result<uint64_t> GgufFile::get_uint(std::string_view key) const {
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* value, find_required(key));
  std::optional<uint64_t> number =
      value->type == ValueType::kBool ? std::nullopt : value->as_uint();
  if (!number) return metadata_type_error(key, *value, "a non-negative integer");
  return *number;
}

Result<double> GgufFile::get_float(std::string_view key) const {
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* value, find_required(key));
  std::optional<double> number = value->type == ValueType::kBool ? std::nullopt : value->as_float();
  if (!number) return metadata_type_error(key, *value, "a number");
  return *number;
}

Result<bool> GgufFile::get_bool(std::string_view key) const {
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* value, find_required(key));
  if (value->type != ValueType::kBool) return metadata_type_error(key, *value, "BOOL");
  return value->uint_value != 0;
}

Result<const MetadataValue*> GgufFile::get_array(std::string_view key,
                                                 ValueType element_type) const {
  INGOT_ASSIGN_OR_RETURN(const MetadataValue* value, find_required(key));
  if (value->type != ValueType::kArray || value->element_type != element_type) {
    return metadata_type_error(key, *value,
                               "ARRAY of " + std::string(value_type_name(element_type)));
  }
  return value;
}

}  // namespace ingot::gguf
