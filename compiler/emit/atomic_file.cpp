#include "compiler/emit/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ingot::emit {
namespace {

std::string folder_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

std::string name_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status io_error(const std::string& path, const char* what) {
  return make_error(StatusCode::kIoError, path + ": cannot " + what + ": " + std::strerror(errno));
}

// Removes "<folder>/.<name>.tmp-<pid>" files whose writer process is gone.
void remove_stale_temporaries(const std::string& folder, const std::string& name) {
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) return;
  std::string prefix = "." + name + ".tmp-";
  while (dirent* entry = ::readdir(dir)) {
    std::string file = entry->d_name;
    if (file.rfind(prefix, 0) != 0) continue;
    char* end = nullptr;
    long pid = std::strtol(file.c_str() + prefix.size(), &end, 10);
    if (end == nullptr || *end != '\0' || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;  // still running
    ::unlink((folder + "/" + file).c_str());
  }
  ::closedir(dir);
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& destination) {
  std::string folder = folder_of(destination);
  std::string name = name_of(destination);
  if (name.empty()) {
    return make_error(StatusCode::kInvalidArgument, destination + ": not a file name");
  }
  remove_stale_temporaries(folder, name);
  std::string temporary = folder + "/." + name + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(destination, "create a temporary file");
  return AtomicFile(destination, temporary, fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : destination_(std::move(other.destination_)),
      temporary_(std::move(other.temporary_)),
      fd_(other.fd_) {
  other.fd_ = -1;
  other.temporary_.clear();
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

Status AtomicFile::write_at(uint64_t offset, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n =
        ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error(destination_, "write");
    done += static_cast<size_t>(n);
  }
  return Status();
}

Status AtomicFile::resize(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error(destination_, "resize");
  return Status();
}

Status AtomicFile::commit() {
  if (::fsync(fd_) != 0) return io_error(destination_, "sync");
  if (::close(fd_) != 0) {
    fd_ = -1;
    return io_error(destination_, "close");
  }
  fd_ = -1;
  if (::rename(temporary_.c_str(), destination_.c_str()) != 0)
    return io_error(destination_, "rename into place");
  temporary_.clear();
  int dir = ::open(folder_of(destination_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status();
}

}  // namespace ingot::emit
