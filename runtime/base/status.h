// Status and Result<T>: the runtime's error channel. No exceptions cross the API.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ingot {

/// What kind of failure a Status carries.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  ///< The caller passed something malformed.
  kNotFound,         ///< A file, key or tensor does not exist.
  kDataLoss,         ///< A file is truncated or corrupt.
  kOutOfRange,       ///< An offset, size or count is past what the data holds.
  kUnimplemented,    ///< A valid input this build does not support.
  kIoError,          ///< The operating system refused a read, write or map.
  kInternal,         ///< A broken invariant inside ingot.
  kResourceExhausted,  ///< Memory, cache pages or context ran out.
  kCancelled,        ///< The caller stopped the work (e.g. Ctrl-C).
};

/// Returns the lower-case name of a status code, e.g. "data loss".
const char* status_code_name(StatusCode code);

/// A success, or a failure with a code and a one-line message that names the
/// file, the field and the byte offset where that applies.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  /// The success value.
  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  /// Returns a copy whose message is "prefix: message" (e.g. to add a file name).
  Status with_prefix(const std::string& prefix) const {
    if (ok()) return *this;
    return Status(code_, prefix + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// Builds an error Status.
inline Status make_error(StatusCode code, std::string message) {
  return Status(code, std::move(message));
}

/// A value of T, or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}
  Result(Status status) : data_(std::move(status)) { assert(!std::get<Status>(data_).ok()); }

  bool ok() const { return std::holds_alternative<T>(data_); }
  /// The error; only valid when !ok().
  const Status& status() const { return std::get<Status>(data_); }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace ingot

/// Returns the Status from the enclosing function if `expr` failed.
#define INGOT_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::ingot::Status ingot_status_ = (expr);        \
    if (!ingot_status_.ok()) return ingot_status_; \
  } while (0)

#define INGOT_CONCAT_INNER_(a, b) a##b
#define INGOT_CONCAT_(a, b) INGOT_CONCAT_INNER_(a, b)

/// Declares `lhs` from a Result, or returns its Status from the enclosing function.
#define INGOT_ASSIGN_OR_RETURN(lhs, expr) \
  INGOT_ASSIGN_OR_RETURN_IMPL_(INGOT_CONCAT_(ingot_result_, __LINE__), lhs, expr)
#define INGOT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
