// DeviceBuffer: one cudaMalloc'd allocation, freed with its owner.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <utility>

#include "runtime/base/status.h"

namespace ingot::cuda {

/// Owns `bytes` of device memory (none for 0 bytes). Movable, not copyable.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Allocates; kResourceExhausted names `what` and the size when the device has no room.
  static Result<DeviceBuffer> allocate(uint64_t bytes, const std::string& what) {
    DeviceBuffer buffer;
    if (bytes == 0) return buffer;
    if (cudaMalloc(&buffer.data_, bytes) != cudaSuccess) {
      cudaGetLastError();
      return make_error(StatusCode::kResourceExhausted,
                        "cannot allocate " + std::to_string(bytes) + " bytes of GPU memory for " +
                            what);
    }
    buffer.bytes_ = bytes;
    return buffer;
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(bytes_, other.bytes_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);
  }

  template <typename T = void>
  T* get() const {
    return static_cast<T*>(data_);
  }
  uint64_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace ingot::cuda
