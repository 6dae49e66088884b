// MappedFile: a read-only memory map of a whole file, the zero-copy base of every loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "runtime/base/status.h"

namespace ingot {

/// A read-only, private memory map of one file. Movable, not copyable.
class MappedFile {
 public:
  /// Maps `path` read-only. An empty file maps to an empty span.
  static Result<MappedFile> open(const std::string& path);

  /// Wraps bytes already in memory (tests and fuzzers); the caller keeps them alive.
  static MappedFile borrow(std::span<const uint8_t> bytes, std::string name);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  /// The whole file's bytes.
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }
  /// Lets the kernel drop the pages of `range` (a part of bytes()) from memory;
  /// they read back from the file if touched again. No-op for borrowed bytes.
  void release(std::span<const uint8_t> range) const;
  /// The path it was opened from (or the borrowed name).
  const std::string& path() const { return path_; }

 private:
  void reset();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool owns_mapping_ = false;
  std::string path_;
};

}  // namespace ingot
