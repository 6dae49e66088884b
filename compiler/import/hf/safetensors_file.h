// SafetensorsFile: a zero-copy, bounds-checked reader for one .safetensors file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/io/mapped_file.h"

namespace ingot::hf {

/// One tensor of the file: row-major shape (shape.back() is contiguous) and byte range.
struct SafetensorsTensor {
  std::string name;
  std::string dtype;            ///< As the header spells it: "F32", "BF16", "I8", ...
  uint64_t element_bytes = 0;   ///< Bytes per element of dtype.
  std::vector<uint64_t> shape;  ///< Empty for a scalar.
  uint64_t offset = 0;          ///< File offset of the first byte (header included).
  uint64_t bytes = 0;
};

/// A mapped .safetensors file: an 8-byte little-endian header length, a JSON header
/// of {name: {dtype, shape, data_offsets}} (and an optional "__metadata__"), then the
/// tensor bytes. Every offset, shape and size is checked; errors name the file.
class SafetensorsFile {
 public:
  /// Maps and parses `path`.
  static Result<SafetensorsFile> open(const std::string& path);
  /// Parses an already-mapped file (tests and fuzzers use borrowed bytes).
  static Result<SafetensorsFile> parse(MappedFile file);

  const std::string& path() const { return file_.path(); }
  /// Tensors in the order of their bytes in the file.
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  /// Gives up the mapping (a GgufViewBuilder takes it); tensors() stay valid as a table.
  MappedFile take_file() && { return std::move(file_); }

 private:
  MappedFile file_;
  std::vector<SafetensorsTensor> tensors_;
};

}  // namespace ingot::hf
