// Reading a Hugging Face folder's JSON files: one-line errors that name the file and key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "runtime/base/status.h"

namespace ingot::hf {

/// A parsed JSON file and its path, for errors.
struct JsonFile {
  std::string path;
  nlohmann::json value;  ///< An object.

  /// The member `key`, or nullptr when absent or null.
  const nlohmann::json* find(const std::string& key) const;
  /// An error naming this file and `key`.
  Status error(const std::string& key, const std::string& problem) const;
  /// A required unsigned member; the error names the file and the key.
  Result<uint64_t> get_uint(const std::string& key) const;
  /// Optional members: nullopt when absent or null, an error when of another type.
  Result<std::optional<uint64_t>> find_uint(const std::string& key) const;
  Result<std::optional<double>> find_number(const std::string& key) const;
  Result<std::optional<bool>> find_bool(const std::string& key) const;
};

/// Parses `text` as a JSON object; `path` names it in errors.
Result<JsonFile> parse_json(std::string path, std::string_view text);

/// Reads `path` as a JSON object (at most `max_bytes`); a one-line error otherwise.
Result<JsonFile> read_json(const std::string& path, uint64_t max_bytes = 64ull << 20);

/// `json` as an unsigned integer (also from a whole float, as some configs write), or nullopt.
std::optional<uint64_t> as_uint(const nlohmann::json& json);

}  // namespace ingot::hf
