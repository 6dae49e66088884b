// read_whole_file: the bytes of regular files and pipes, and one-line refusals of directories,
// missing files and inputs over the limit.
#include "runtime/io/read_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace ingot {
namespace {

namespace fs = std::filesystem;

/// A fresh directory under the test temp dir, removed afterwards.
class ReadWholeFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("read_file_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  fs::path dir_;
};

/// read_whole_file of a pipe's read end (as /dev/fd/N) after `bytes` were written and the write
/// end closed.
Result<std::string> read_through_pipe(const std::string& bytes, uint64_t max_bytes) {
  int fds[2];
  if (::pipe(fds) != 0) return make_error(StatusCode::kIoError, "pipe() failed");
  const bool wrote = ::write(fds[1], bytes.data(), bytes.size()) ==
                     static_cast<ssize_t>(bytes.size());
  ::close(fds[1]);
  Result<std::string> text = read_whole_file("/dev/fd/" + std::to_string(fds[0]), max_bytes);
  ::close(fds[0]);
  if (!wrote) return make_error(StatusCode::kIoError, "write() to the pipe failed");
  return text;
}

TEST_F(ReadWholeFile, ReturnsEveryByteOfARegularFile) {
  const std::string bytes = std::string("line one\n\0\xff\xfe tail", 20) + std::string(200000, 'x');
  auto text = read_whole_file(write("a.txt", bytes), 1 << 20);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, bytes);
  auto empty = read_whole_file(write("empty.txt", ""), 16);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(ReadWholeFile, ReadsAPipeToItsEnd) {
  const std::string bytes = "from a pipe\n";
  auto text = read_through_pipe(bytes, 1024);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, bytes);
}

TEST_F(ReadWholeFile, RefusesADirectoryAMissingFileAndTooManyBytes) {
  auto dir = read_whole_file(dir_.string(), 1024);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(), dir_.string() + ": is a directory, not a file");

  const std::string missing = (dir_ / "missing.txt").string();
  auto none = read_whole_file(missing, 1024);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message().rfind(missing + ": cannot open", 0), 0u);

  const std::string big_path = write("big.txt", std::string(1025, 'y'));
  auto big = read_whole_file(big_path, 1024);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(),
            big_path + ": 1025 bytes, more than the 1024 this input may have");

  auto piped = read_through_pipe(std::string(100, 'z'), 99);  // no size up front: stops at 99
  ASSERT_FALSE(piped.ok());
  EXPECT_NE(piped.status().message().find("more than the 99 bytes"), std::string::npos);
}

}  // namespace
}  // namespace ingot
