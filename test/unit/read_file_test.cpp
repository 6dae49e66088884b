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
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string bytes = "from a pipe\n";
  ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fds[1]);
  auto text = read_whole_file("/dev/fd/" + std::to_string(fds[0]), 1024);
  ::close(fds[0]);
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

  int fds[2];  // a pipe has no size up front: reading stops at the limit
  ASSERT_EQ(::pipe(fds), 0);
  const std::string bytes(100, 'z');
  ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), 100);
  ::close(fds[1]);
  auto piped = read_whole_file("/dev/fd/" + std::to_string(fds[0]), 99);
  ::close(fds[0]);
  ASSERT_FALSE(piped.ok());
  EXPECT_NE(piped.status().message().find("more than the 99 bytes"), std::string::npos);
}

}  // namespace
}  // namespace ingot
