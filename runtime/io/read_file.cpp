#include "runtime/io/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ingot {
namespace {

/// Closes a file descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

}  // namespace

Result<std::string> read_whole_file(const std::string& path, uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return make_error(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                      path + ": cannot open: " + std::strerror(err));
  }
  const FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    return make_error(StatusCode::kIoError, path + ": cannot stat: " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode))
    return make_error(StatusCode::kInvalidArgument, path + ": is a directory, not a file");
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return make_error(StatusCode::kInvalidArgument,
                      path + ": " + std::to_string(st.st_size) + " bytes, more than the " +
                          std::to_string(max_bytes) + " this input may have");
  }
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got == 0) break;
    if (got < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      return make_error(StatusCode::kIoError, path + ": cannot read: " + std::strerror(err));
    }
    if (text.size() + static_cast<uint64_t>(got) > max_bytes) {
      return make_error(StatusCode::kInvalidArgument,
                        path + ": more than the " + std::to_string(max_bytes) +
                            " bytes this input may have");
    }
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

}  // namespace ingot
