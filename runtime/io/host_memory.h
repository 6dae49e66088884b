// Host memory: what the machine has free, and zero-filled anonymous mappings that cost nothing
// until written (the home of dummy weights).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "runtime/base/status.h"

namespace ingot {

/// MemAvailable from /proc/meminfo in bytes (0 when unknown).
uint64_t host_available_memory();

/// A private, zero-filled, writable anonymous mapping; pages are committed only when written.
/// Movable, not copyable.
class AnonymousMemory {
 public:
  /// Reserves `size` bytes (address space only); errors name `what`.
  static Result<AnonymousMemory> reserve(uint64_t size, const std::string& what);

  AnonymousMemory() = default;
  AnonymousMemory(AnonymousMemory&& other) noexcept;
  AnonymousMemory& operator=(AnonymousMemory&& other) noexcept;
  AnonymousMemory(const AnonymousMemory&) = delete;
  AnonymousMemory& operator=(const AnonymousMemory&) = delete;
  ~AnonymousMemory();

  std::span<uint8_t> bytes() const { return {data_, size_}; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ingot
