// Human- and machine-readable dumps of a GGUF file (what `ingot-inspect` prints).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "compiler/import/gguf/gguf_file.h"

namespace ingot::gguf {

/// What a dump includes.
struct DumpOptions {
  bool metadata = true;
  bool tensors = true;
  /// Array elements shown per value in the text dump (the JSON dump shows all).
  uint64_t max_array_elements = 8;
};

/// A gguf-dump-like text listing: header, metadata, tensor table.
std::string gguf_to_text(const GgufFile& file, const DumpOptions& options);

/// The same content as JSON; strings with invalid UTF-8 are escaped per byte.
nlohmann::ordered_json gguf_to_json(const GgufFile& file, const DumpOptions& options);

}  // namespace ingot::gguf
