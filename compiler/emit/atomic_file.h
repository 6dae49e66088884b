// AtomicFile: a temporary file beside the destination that becomes it only on commit().
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "runtime/base/status.h"

namespace ingot::emit {

/// Writes go to "<dir>/.<name>.tmp-<pid>"; commit() fsyncs and renames it over the
/// destination; destruction without commit() removes it. create() first removes
/// temporaries of the same destination left by processes that no longer exist.
class AtomicFile {
 public:
  static Result<AtomicFile> create(const std::string& destination);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  /// Writes `bytes` at `offset` (holes read back as zeros).
  Status write_at(uint64_t offset, std::span<const uint8_t> bytes);
  /// Sets the file's final size.
  Status resize(uint64_t size);
  /// fsync, rename over the destination, fsync the folder.
  Status commit();

 private:
  AtomicFile(std::string destination, std::string temporary, int fd)
      : destination_(std::move(destination)), temporary_(std::move(temporary)), fd_(fd) {}

  std::string destination_;
  std::string temporary_;
  int fd_ = -1;
};

}  // namespace ingot::emit
