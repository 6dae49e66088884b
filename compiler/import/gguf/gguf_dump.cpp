#include "compiler/import/gguf/gguf_dump.h"

#include <charconv>
#include <cstdio>
#include <filesystem>

namespace ingot::gguf {
namespace {

using nlohmann::ordered_json;

// Shortest decimal text that reads back to the same value at the stored precision.
std::string format_float(double value, ValueType type) {
  char buffer[64];
  auto [end, ec] = type == ValueType::kFloat32
                       ? std::to_chars(buffer, buffer + sizeof(buffer), static_cast<float>(value))
                       : std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

// A quoted string with quotes, backslashes and control bytes escaped; other bytes,
// UTF-8 included, pass through so that tokens like "Ġthe" stay readable.
std::string quote(std::string_view text) {
  std::string out = "'";
  for (unsigned char c : text) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

std::string scalar_text(const MetadataValue& value) {
  switch (value.type) {
    case ValueType::kString: return quote(value.string_value);
    case ValueType::kBool: return value.uint_value ? "true" : "false";
    case ValueType::kFloat32:
    case ValueType::kFloat64: return format_float(value.float_value, value.type);
    default:
      return value.as_int() ? std::to_string(*value.as_int()) : std::to_string(value.uint_value);
  }
}

std::string array_text(const MetadataValue& value, uint64_t limit) {
  std::string out = "[";
  uint64_t shown = std::min(value.count, limit);
  for (uint64_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    if (value.element_type == ValueType::kString) {
      out += quote(value.strings[i]);
    } else if (value.element_type == ValueType::kArray) {
      out += array_text(value.arrays[i], limit);
    } else if (value.element_type == ValueType::kFloat32 ||
               value.element_type == ValueType::kFloat64) {
      out += format_float(value.numeric_element(i), value.element_type);
    } else if (value.element_type == ValueType::kUint64) {
      out += std::to_string(static_cast<uint64_t>(value.integer_element(i)));
    } else if (value.element_type == ValueType::kBool) {
      out += value.integer_element(i) ? "true" : "false";
    } else {
      out += std::to_string(value.integer_element(i));
    }
  }
  if (shown < value.count) out += ", ... (" + std::to_string(value.count - shown) + " more)";
  return out + "]";
}

std::string type_text(const MetadataValue& value) {
  if (value.type != ValueType::kArray) return std::string(value_type_name(value.type));
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + std::string(...).
  std::string out = "[";
  out += value_type_name(value.element_type);
  out += ']';
  return out;
}

std::string shape_text(const TensorInfo& tensor) {
  std::string out;
  for (size_t d = 0; d < tensor.dims.size(); ++d) {
    if (d) out += " x ";
    out += std::to_string(tensor.dims[d]);
  }
  return out;
}

ordered_json value_json(const MetadataValue& value) {
  switch (value.type) {
    case ValueType::kString: return std::string(value.string_value);
    case ValueType::kBool: return value.uint_value != 0;
    case ValueType::kFloat32:
    case ValueType::kFloat64: return value.float_value;
    case ValueType::kArray: break;
    default:
      if (value.as_int()) return *value.as_int();
      return value.uint_value;
  }
  ordered_json items = ordered_json::array();
  for (uint64_t i = 0; i < value.count; ++i) {
    switch (value.element_type) {
      case ValueType::kString: items.push_back(std::string(value.strings[i])); break;
      case ValueType::kArray: items.push_back(value_json(value.arrays[i])); break;
      case ValueType::kFloat32:
      case ValueType::kFloat64: items.push_back(value.numeric_element(i)); break;
      case ValueType::kBool: items.push_back(value.integer_element(i) != 0); break;
      case ValueType::kUint64:
        items.push_back(static_cast<uint64_t>(value.integer_element(i)));
        break;
      default: items.push_back(value.integer_element(i)); break;
    }
  }
  return items;
}

}  // namespace

std::string gguf_to_text(const GgufFile& file, const DumpOptions& options) {
  std::string out;
  if (file.is_view()) {
    out += "* Hugging Face folder: " + file.path() + ", read as GGUF keys and tensors\n";
    out += "* " + std::to_string(file.metadata().size()) + " key/value pairs, " +
           std::to_string(file.tensors().size()) +
           " tensors (offsets are in each tensor's safetensors file)\n";
  } else {
    out += "* File: " + file.path() + " (" + std::to_string(file.file_size()) + " bytes)\n";
    out += "* GGUF version " + std::to_string(file.version()) + ", " +
           std::to_string(file.metadata().size()) + " key/value pairs, " +
           std::to_string(file.tensors().size()) + " tensors, alignment " +
           std::to_string(file.alignment()) + ", data at byte " +
           std::to_string(file.data_offset()) + "\n";
  }
  char line[512];
  if (options.metadata) {
    out += "\n* Metadata\n";
    out += "      #  type       count  key = value\n";
    int index = 0;
    for (const MetadataEntry& entry : file.metadata()) {
      const MetadataValue& v = entry.value;
      std::string text =
          v.type == ValueType::kArray ? array_text(v, options.max_array_elements) : scalar_text(v);
      std::snprintf(line, sizeof(line), "  %5d  %-9s %6llu  ", ++index, type_text(v).c_str(),
                    static_cast<unsigned long long>(v.type == ValueType::kArray ? v.count : 1));
      out += line + std::string(entry.key) + " = " + text + "\n";
    }
  }
  if (options.tensors) {
    out += "\n* Tensors\n";
    out += "      #  type     shape                      offset        bytes  name\n";
    uint64_t total = 0;
    int index = 0;
    for (const TensorInfo& t : file.tensors()) {
      std::snprintf(line, sizeof(line), "  %5d  %-7s  %-22s %12llu %12llu  ", ++index,
                    std::string(quant::type_traits(t.type).name).c_str(), shape_text(t).c_str(),
                    static_cast<unsigned long long>(t.offset),
                    static_cast<unsigned long long>(t.bytes));
      out += line + std::string(t.name);
      if (file.is_view())
        out += "  (" + std::filesystem::path(file.tensor_path(t)).filename().string() + ")";
      out += "\n";
      total += t.bytes;
    }
    out += "  total tensor bytes: " + std::to_string(total) + "\n";
  }
  return out;
}

ordered_json gguf_to_json(const GgufFile& file, const DumpOptions& options) {
  ordered_json root;
  root["file"] = file.path();
  if (file.is_view()) root["format"] = "huggingface";
  root["file_size"] = file.file_size();
  root["version"] = file.version();
  root["alignment"] = file.alignment();
  root["data_offset"] = file.data_offset();
  root["kv_count"] = file.metadata().size();
  root["tensor_count"] = file.tensors().size();
  if (options.metadata) {
    ordered_json metadata = ordered_json::array();
    for (const MetadataEntry& entry : file.metadata()) {
      ordered_json item;
      item["key"] = std::string(entry.key);
      item["type"] = std::string(value_type_name(entry.value.type));
      if (entry.value.type == ValueType::kArray) {
        item["element_type"] = std::string(value_type_name(entry.value.element_type));
        item["count"] = entry.value.count;
      }
      item["value"] = value_json(entry.value);
      metadata.push_back(std::move(item));
    }
    root["metadata"] = std::move(metadata);
  }
  if (options.tensors) {
    ordered_json tensors = ordered_json::array();
    for (const TensorInfo& t : file.tensors()) {
      ordered_json item;
      item["name"] = std::string(t.name);
      item["type"] = std::string(quant::type_traits(t.type).name);
      item["type_id"] = static_cast<uint32_t>(t.type);
      item["shape"] = t.dims;
      item["offset"] = t.offset;
      item["file_offset"] = file.data_offset() + t.offset;
      if (file.is_view()) item["file"] = file.tensor_path(t);
      item["bytes"] = t.bytes;
      tensors.push_back(std::move(item));
    }
    root["tensors"] = std::move(tensors);
  }
  return root;
}

}  // namespace ingot::gguf
