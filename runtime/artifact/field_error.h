// FieldErrors: one-line "<path>: <field> at byte <offset>: <problem>" errors for
// the artifact loader, with file offsets taken from FlatBuffer tables and fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "flatbuffers/flatbuffers.h"
#include "runtime/base/status.h"

namespace ingot::artifact {

/// Builds located errors for one file whose FlatBuffer starts at `base` (file byte 0).
class FieldErrors {
 public:
  FieldErrors(const std::string& path, const uint8_t* base) : path_(path), base_(base) {}

  /// A corrupt or truncated file (kDataLoss).
  Status corrupt(std::string_view field, uint64_t offset, std::string_view problem) const {
    return error(StatusCode::kDataLoss, field, offset, problem);
  }
  /// A well-formed file this build cannot run (kUnimplemented).
  Status unsupported(std::string_view field, uint64_t offset, std::string_view problem) const {
    return error(StatusCode::kUnimplemented, field, offset, problem);
  }
  /// Any code.
  Status error(StatusCode code, std::string_view field, uint64_t offset,
               std::string_view problem) const {
    std::string message = path_;
    message.append(": ").append(field).append(" at byte ").append(std::to_string(offset));
    message.append(": ").append(problem);
    return make_error(code, std::move(message));
  }

  /// File offset of a pointer into the FlatBuffer.
  uint64_t at(const void* pointer) const {
    return static_cast<uint64_t>(static_cast<const uint8_t*>(pointer) - base_);
  }
  /// File offset of field `vt` of a generated table, or of the table when the field is absent.
  template <typename TableT>
  uint64_t at(const TableT* table, flatbuffers::voffset_t vt) const {
    const auto* raw = reinterpret_cast<const flatbuffers::Table*>(table);
    const uint8_t* field = raw->GetAddressOf(vt);
    return at(field != nullptr ? static_cast<const void*>(field) : static_cast<const void*>(table));
  }

 private:
  const std::string& path_;
  const uint8_t* base_;
};

/// "name[index]", the field path of a vector element.
inline std::string indexed(std::string_view name, size_t index) {
  std::string out(name);
  out.append("[").append(std::to_string(index)).append("]");
  return out;
}

}  // namespace ingot::artifact
