// GgufBuilder: writes GGUF bytes field by field, for tests, fixtures and fuzz seeds.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ingot::testing {

/// Appends little-endian GGUF fields to a byte buffer; it never validates, so
/// tests can build malformed files on purpose.
class GgufBuilder {
 public:
  std::vector<uint8_t>& bytes() { return bytes_; }
  size_t size() const { return bytes_.size(); }

  template <typename T>
  GgufBuilder& put(T value) {
    size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
    return *this;
  }
  GgufBuilder& u32(uint32_t v) { return put(v); }
  GgufBuilder& u64(uint64_t v) { return put(v); }
  /// A GGUF string: u64 length, then the bytes.
  GgufBuilder& str(std::string_view s) {
    u64(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  /// "GGUF", version, tensor count, kv count.
  GgufBuilder& header(uint32_t version, uint64_t tensors, uint64_t kvs) {
    for (char c : {'G', 'G', 'U', 'F'}) bytes_.push_back(static_cast<uint8_t>(c));
    return u32(version).u64(tensors).u64(kvs);
  }
  /// A key and a value type; the caller appends the value.
  GgufBuilder& key(std::string_view k, uint32_t type) { return str(k).u32(type); }
  GgufBuilder& kv_u32(std::string_view k, uint32_t v) { return key(k, 4).u32(v); }
  GgufBuilder& kv_str(std::string_view k, std::string_view v) { return key(k, 8).str(v); }
  /// A tensor info record: name, dims, ggml type, offset in the data section.
  GgufBuilder& tensor(std::string_view name, const std::vector<uint64_t>& dims, uint32_t type,
                      uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) u64(d);
    return u32(type).u64(offset);
  }
  /// Zero bytes up to the next multiple of `alignment`.
  GgufBuilder& pad_to(size_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back(0);
    return *this;
  }
  /// Raw bytes (tensor data).
  GgufBuilder& data(const std::vector<uint8_t>& d) {
    bytes_.insert(bytes_.end(), d.begin(), d.end());
    return *this;
  }

 private:
  std::vector<uint8_t> bytes_;
};

/// A small valid GGUF v3 file with every metadata value type, a string array, a
/// nested array, and three tensors (F32, F16, Q8_0) with non-zero data.
std::vector<uint8_t> make_sample_gguf(uint32_t version = 3);

}  // namespace ingot::testing
