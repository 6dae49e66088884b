#include "compiler/import/hf/hf_json.h"

#include <cmath>

#include "runtime/io/mapped_file.h"

namespace ingot::hf {

std::optional<uint64_t> as_uint(const nlohmann::json& json) {
  if (json.is_number_unsigned()) return json.get<uint64_t>();
  if (json.is_number_integer()) {
    int64_t value = json.get<int64_t>();
    return value < 0 ? std::nullopt : std::optional<uint64_t>(static_cast<uint64_t>(value));
  }
  if (json.is_number_float()) {
    double value = json.get<double>();
    if (value >= 0 && value < 0x1p63 && std::floor(value) == value) return static_cast<uint64_t>(value);
  }
  return std::nullopt;
}

const nlohmann::json* JsonFile::find(const std::string& key) const {
  auto it = value.find(key);
  if (it == value.end() || it->is_null()) return nullptr;
  return &*it;
}

Status JsonFile::error(const std::string& key, const std::string& problem) const {
  return make_error(StatusCode::kInvalidArgument, path + ": '" + key + "' " + problem);
}

Result<std::optional<uint64_t>> JsonFile::find_uint(const std::string& key) const {
  const nlohmann::json* member = find(key);
  if (member == nullptr) return std::optional<uint64_t>();
  std::optional<uint64_t> number = as_uint(*member);
  if (!number) return error(key, "is not a non-negative integer");
  return number;
}

Result<uint64_t> JsonFile::get_uint(const std::string& key) const {
  INGOT_ASSIGN_OR_RETURN(std::optional<uint64_t> number, find_uint(key));
  if (!number) return error(key, "is missing");
  return *number;
}

Result<std::optional<double>> JsonFile::find_number(const std::string& key) const {
  const nlohmann::json* member = find(key);
  if (member == nullptr) return std::optional<double>();
  if (!member->is_number()) return error(key, "is not a number");
  return std::optional<double>(member->get<double>());
}

Result<std::optional<bool>> JsonFile::find_bool(const std::string& key) const {
  const nlohmann::json* member = find(key);
  if (member == nullptr) return std::optional<bool>();
  if (!member->is_boolean()) return error(key, "is not true or false");
  return std::optional<bool>(member->get<bool>());
}

Result<JsonFile> parse_json(std::string path, std::string_view text) {
  JsonFile out{std::move(path), nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                                      /*allow_exceptions=*/false)};
  if (out.value.is_discarded()) {
    return make_error(StatusCode::kInvalidArgument, out.path + ": not valid JSON");
  }
  if (!out.value.is_object()) {
    return make_error(StatusCode::kInvalidArgument, out.path + ": not a JSON object");
  }
  return out;
}

Result<JsonFile> read_json(const std::string& path, uint64_t max_bytes) {
  INGOT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
  if (file.size() > max_bytes) {
    return make_error(StatusCode::kInvalidArgument,
                      path + ": " + std::to_string(file.size()) + " bytes, more than the " +
                          std::to_string(max_bytes) + " a JSON file of a model may have");
  }
  return parse_json(path, std::string_view(reinterpret_cast<const char*>(file.bytes().data()),
                                           file.size()));
}

}  // namespace ingot::hf
